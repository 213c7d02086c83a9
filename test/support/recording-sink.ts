import type { SeriesSink } from "../../src/registry/sink.ts";

/** One written series: its samples and exemplars. */
export interface RecordedSeries {
  samples: [number, number][];
  exemplars: { name: string; value: string; v: number; ts: number }[];
}

/**
 * Records a collection as `name{a="1",b="2"}` → samples (Tempo's TestRegistry
 * idea), so processor tests assert on metric text and values.
 */
export class RecordingSink implements SeriesSink {
  readonly series = new Map<string, RecordedSeries>();
  readonly families: string[] = [];
  private current: RecordedSeries | null = null;

  family(name: string, type: string): void {
    this.families.push(`${name}:${type}`);
  }

  begin(name: string, labels: readonly string[], le: string | undefined): void {
    const all: string[] = [];
    for (let i = 0; i < labels.length; i += 2) all.push(`${labels[i]}="${labels[i + 1]}"`);
    if (le !== undefined) all.push(`le="${le}"`);
    const key = `${name}{${all.join(",")}}`;
    this.current = { samples: [], exemplars: [] };
    this.series.set(key, this.current);
  }

  sample(ts: number, value: number): void {
    this.current?.samples.push([ts, value]);
  }

  exemplar(name: string, value: string, v: number, ts: number): void {
    this.current?.exemplars.push({ name, value, v, ts });
  }

  /** The last sample value of each series: `series text → value`. */
  values(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, s] of this.series) out[k] = s.samples[s.samples.length - 1][1];
    return out;
  }
}
