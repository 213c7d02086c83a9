import type { BinReader, BinWriter } from "../util/bin-codec.ts";
import { formatFloat } from "../util/format-float.ts";
import type { LabelSet } from "./label-set.ts";
import { Metric, type MetricContext, type Series } from "./metric.ts";
import { type CollectMode, type MetricMeta, NO_META, type SeriesSink } from "./sink.ts";

/** Any histogram the registry hands out (classic, or native / both: native/native-histogram.ts). */
export interface Histogram {
  /**
   * Observes `value` with weight `multiplier`; the trace id at
   * `traceIds[traceOffset…+16]` becomes the bucket's exemplar.
   */
  observe(ls: LabelSet, value: number, multiplier: number, traceIds: Uint8Array, traceOffset: number, now: number): void;
}

interface HistogramSeries extends Series {
  /** per bucket, +Inf last; not cumulative (summed at collection) */
  counts: Float64Array;
  sum: number;
  count: number;
  /** most recent observation per bucket: trace id bytes, raw value, and whether it is set */
  exTrace: Uint8Array;
  exValue: Float64Array;
  exSet: Uint8Array;
}

/**
 * A classic histogram: `_bucket{le}`, `_sum`, `_count` (spec §8.4). Each bucket
 * keeps the latest observation as its exemplar, emitted once per collection
 * (spec §4.7). Zero-first goes to `_count` and `_bucket`, not `_sum`.
 */
export class ClassicHistogram extends Metric<HistogramSeries> implements Histogram {
  readonly type = "histogram";
  readonly cost: number;
  private readonly bounds: Float64Array;
  private readonly les: string[];
  private readonly bucketName: string;
  private readonly sumName: string;
  private readonly countName: string;

  constructor(
    name: string,
    ctx: MetricContext,
    slot: number,
    buckets: readonly number[],
    private readonly traceIdLabel: string,
    meta: MetricMeta = NO_META,
  ) {
    super(name, ctx, slot, meta);
    const sorted = [...new Set(buckets)].filter((b) => b !== Infinity).sort((a, b) => a - b);
    this.bounds = Float64Array.from(sorted);
    this.les = [...sorted.map(formatFloat), "+Inf"];
    this.cost = sorted.length + 3;
    this.bucketName = `${name}_bucket`;
    this.sumName = `${name}_sum`;
    this.countName = `${name}_count`;
  }

  observe(ls: LabelSet, value: number, multiplier: number, traceIds: Uint8Array, traceOffset: number, now: number): void {
    const s = this.seriesFor(ls, now);
    const b = this.bounds;
    let i = 0;
    while (i < b.length && b[i] < value) i++;
    s.counts[i] += multiplier;
    s.sum += value * multiplier;
    s.count += multiplier;
    s.lastUpdate = now;
    let zero = true;
    for (let k = 0; k < 16; k++) {
      const byte = traceIds[traceOffset + k];
      s.exTrace[i * 16 + k] = byte;
      if (byte !== 0) zero = false;
    }
    s.exSet[i] = zero ? 0 : 1;
    s.exValue[i] = value;
  }

  protected make(labels: string[], ls: LabelSet | null, now: number): HistogramSeries {
    const n = this.bounds.length + 1;
    return {
      ls,
      labels,
      lastUpdate: now,
      created: now,
      collected: false,
      epoch: 0,
      born: 0,
      snap: 0,
      counts: new Float64Array(n),
      sum: 0,
      count: 0,
      exTrace: new Uint8Array(n * 16),
      exValue: new Float64Array(n),
      exSet: new Uint8Array(n),
    };
  }

  /** The bucket bounds, sorted, without +Inf (a checkpoint restores only into the same bounds). */
  get bucketBounds(): readonly number[] {
    return [...this.bounds];
  }

  protected writeState(s: HistogramSeries, w: BinWriter): void {
    for (let i = 0; i < s.counts.length; i++) w.f64(s.counts[i]);
    w.f64(s.sum);
    w.f64(s.count);
  }

  protected readState(s: HistogramSeries, r: BinReader): void {
    for (let i = 0; i < s.counts.length; i++) s.counts[i] = r.f64();
    s.sum = r.f64();
    s.count = r.f64();
  }

  protected write(s: HistogramSeries, ts: number, zeroTs: number, sink: SeriesSink, mode: CollectMode): void {
    const zero = !Number.isNaN(zeroTs);
    let cumulative = 0;
    for (let i = 0; i < s.counts.length; i++) {
      cumulative += s.counts[i];
      sink.begin(this.bucketName, s.labels, this.les[i], s.created);
      if (zero) sink.zero(zeroTs);
      sink.sample(ts, cumulative);
      if (mode === "remote" && s.exSet[i] === 1) {
        sink.exemplar(this.traceIdLabel, traceHex(s.exTrace, i * 16), s.exValue[i], ts);
        s.exSet[i] = 0;
      }
    }
    sink.begin(this.sumName, s.labels, undefined, s.created);
    sink.sample(ts, s.sum);
    sink.begin(this.countName, s.labels, undefined, s.created);
    if (zero) sink.zero(zeroTs);
    sink.sample(ts, s.count);
  }
}

const HEX = "0123456789abcdef";

/** Lowercase hex of 16 bytes with leading zeros stripped, as Tempo writes exemplar trace ids. */
export function traceHex(bytes: Uint8Array, offset: number): string {
  let s = "";
  for (let k = 0; k < 16; k++) {
    const b = bytes[offset + k];
    s += HEX[b >> 4] + HEX[b & 15];
  }
  let z = 0;
  while (z < s.length && s.charCodeAt(z) === 48) z++;
  return s.slice(z);
}
