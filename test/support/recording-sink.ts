import type { MetricMeta, NativeHistogramView, SeriesSink } from "../../src/registry/sink.ts";

/** A native histogram as written, copied out of the registry's reused view. */
export interface RecordedHistogram extends NativeHistogramView {
  ts: number;
  /** true for the empty zero-first histogram */
  zero: boolean;
}

/** One written series: its samples, native histograms and exemplars. */
export interface RecordedSeries {
  samples: [number, number][];
  histograms: RecordedHistogram[];
  exemplars: { name: string; value: string; v: number; ts: number }[];
  /** the start (created) timestamp it was begun with */
  startMs: number;
}

/**
 * Records a collection as `name{a="1",b="2"}` → samples (Tempo's TestRegistry
 * idea), so processor tests assert on metric text and values.
 */
export class RecordingSink implements SeriesSink {
  readonly series = new Map<string, RecordedSeries>();
  readonly families: string[] = [];
  readonly meta = new Map<string, MetricMeta>();
  private current: RecordedSeries | null = null;

  family(name: string, type: string, meta: MetricMeta): void {
    this.families.push(`${name}:${type}`);
    this.meta.set(name, meta);
  }

  begin(name: string, labels: readonly string[], le: string | undefined, startMs: number): void {
    const all: string[] = [];
    for (let i = 0; i < labels.length; i += 2) all.push(`${labels[i]}="${labels[i + 1]}"`);
    if (le !== undefined) all.push(`le="${le}"`);
    const key = `${name}{${all.join(",")}}`;
    this.current = { samples: [], histograms: [], exemplars: [], startMs };
    this.series.set(key, this.current);
  }

  zero(ts: number): void {
    this.current?.samples.push([ts, 0]);
  }

  sample(ts: number, value: number): void {
    this.current?.samples.push([ts, value]);
  }

  zeroHistogram(ts: number, schema: number): void {
    this.current?.histograms.push({
      ts,
      zero: true,
      schema,
      zeroThreshold: 0,
      zeroCount: 0,
      count: 0,
      sum: 0,
      positiveSpans: [],
      positiveDeltas: [],
      negativeSpans: [],
      negativeDeltas: [],
    });
  }

  histogram(ts: number, h: NativeHistogramView): void {
    this.current?.histograms.push({
      ...h,
      ts,
      zero: false,
      positiveSpans: [...h.positiveSpans],
      positiveDeltas: [...h.positiveDeltas],
      negativeSpans: [...h.negativeSpans],
      negativeDeltas: [...h.negativeDeltas],
    });
  }

  exemplar(name: string, value: string, v: number, ts: number): void {
    this.current?.exemplars.push({ name, value, v, ts });
  }

  /** The last sample value of each float series: `series text → value`. */
  values(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, s] of this.series) if (s.samples.length > 0) out[k] = s.samples[s.samples.length - 1][1];
    return out;
  }

  /** The last native histogram of each native series: `series text → histogram`. */
  histograms(): Record<string, RecordedHistogram> {
    const out: Record<string, RecordedHistogram> = {};
    for (const [k, s] of this.series) if (s.histograms.length > 0) out[k] = s.histograms[s.histograms.length - 1];
    return out;
  }
}
