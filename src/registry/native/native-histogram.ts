import type { BinReader, BinWriter } from "../../util/bin-codec.ts";
import { formatFloat } from "../../util/format-float.ts";
import { type Histogram, traceHex } from "../classic-histogram.ts";
import type { LabelSet } from "../label-set.ts";
import { Metric, type MetricContext, type Series } from "../metric.ts";
import { type CollectMode, type MetricMeta, NO_META, type NativeHistogramView, type SeriesSink } from "../sink.ts";
import { NativeExemplars } from "./native-exemplars.ts";
import { type NativeSettings, NativeState, sameSettings } from "./native-state.ts";
import { DEFAULT_ZERO_THRESHOLD } from "./schema.ts";
import type { SparseBuckets } from "./sparse-buckets.ts";

/** generate_native_histograms modes that make a native histogram (classic keeps ClassicHistogram). */
export type NativeMode = "native" | "both";

interface NativeSeries extends Series {
  h: NativeState;
  /** native mode: client_golang's native exemplars (up to 10, 5 min TTL), sent every round */
  ex: NativeExemplars | null;
  /** both mode: the latest exemplar per classic bucket (+Inf last), sent once */
  exTrace: Uint8Array | null;
  exValue: Float64Array | null;
  exSet: Uint8Array | null;
}

/** client_golang's defaults for native exemplars, which Tempo keeps in native mode. */
const EXEMPLARS = 10;
const EXEMPLAR_TTL_MS = 5 * 60_000;
/**
 * A span with multiplier m is observed ⌈m⌉ times, each inserting an
 * exemplar. After a few insertions of the same value the kept set no longer
 * changes (the equal copies are each other's closest pair), so more
 * insertions are skipped.
 */
const MAX_EXEMPLAR_REPEATS = 3 * EXEMPLARS;

/**
 * A histogram backed by a native histogram, as Tempo's nativeHistogram is
 * backed by client_golang (spec §8.4): one series under the base name
 * holding schema, zero bucket and sparse buckets; in `both` mode also the
 * classic `_bucket{le}`, `_sum`, `_count` series taken from the same counts.
 * A span is observed ⌈multiplier⌉ times with weight 1. A series keeps the
 * native-histogram overrides it was created with; the 5-minute sweep
 * removes series whose overrides changed since (spec §8.3).
 */
export class NativeHistogram extends Metric<NativeSeries> implements Histogram {
  readonly type = "histogram";
  readonly cost: number;
  private readonly bounds: Float64Array;
  private readonly les: string[];
  private readonly bucketName: string;
  private readonly sumName: string;
  private readonly countName: string;
  private current: NativeSettings | null = null;

  constructor(
    name: string,
    ctx: MetricContext,
    slot: number,
    readonly mode: NativeMode,
    buckets: readonly number[],
    private readonly traceIdLabel: string,
    private readonly settingsNow: () => NativeSettings,
    meta: MetricMeta = NO_META,
  ) {
    super(name, ctx, slot, meta);
    const sorted = mode === "both" ? [...new Set(buckets)].filter((b) => b !== Infinity).sort((a, b) => a - b) : [];
    this.bounds = Float64Array.from(sorted);
    this.les = [...sorted.map(formatFloat), "+Inf"];
    // spec §8.4: native = 1 series per label set, both = the classic series + 1
    this.cost = mode === "both" ? sorted.length + 4 : 1;
    this.bucketName = `${name}_bucket`;
    this.sumName = `${name}_sum`;
    this.countName = `${name}_count`;
  }

  /** The classic bucket bounds (both mode; empty in native mode). */
  get bucketBounds(): readonly number[] {
    return [...this.bounds];
  }

  observe(ls: LabelSet, value: number, multiplier: number, traceIds: Uint8Array, traceOffset: number, now: number): void {
    const s = this.seriesFor(ls, now);
    // Tempo loops `for i := 0.0; i < multiplier; i++`: ⌈m⌉ times, 0 times for m ≤ 0.
    const times = multiplier > 0 ? Math.ceil(multiplier) : 0;
    s.lastUpdate = now;
    if (times === 0) return;
    const bucket = this.findBucket(value);
    s.h.observeMany(value, bucket, times, now);
    let traced = false;
    for (let k = 0; k < 16; k++) if (traceIds[traceOffset + k] !== 0) traced = true;
    // An all-zero trace id is an observation without exemplar: the previous one stays.
    if (!traced) return;
    if (s.ex !== null) {
      // client_golang keeps no native exemplar of a NaN observation.
      if (Number.isNaN(value)) return;
      const n = Math.min(times, MAX_EXEMPLAR_REPEATS);
      for (let i = 0; i < n; i++) s.ex.add(value, now, traceIds, traceOffset);
    } else if (s.exSet !== null) {
      const t = s.exTrace as Uint8Array;
      for (let k = 0; k < 16; k++) t[bucket * 16 + k] = traceIds[traceOffset + k];
      (s.exValue as Float64Array)[bucket] = value;
      s.exSet[bucket] = 1;
    }
  }

  /** client_golang's findBucket: the first bound ≥ v, the +Inf index when none (NaN too). */
  private findBucket(v: number): number {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && !(v <= b[i])) i++;
    return i;
  }

  /** The overrides new series get: the tenant's current ones (one object while they stay the same). */
  private settings(): NativeSettings {
    const now = this.settingsNow();
    if (this.current === null || !sameSettings(this.current, now)) this.current = now;
    return this.current;
  }

  protected make(labels: string[], ls: LabelSet | null, now: number): NativeSeries {
    const both = this.mode === "both";
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
      h: new NativeState(this.settings(), now, both && n > 1 ? new Float64Array(n - 1) : null),
      ex: both ? null : new NativeExemplars(EXEMPLARS, EXEMPLAR_TTL_MS),
      exTrace: both ? new Uint8Array(n * 16) : null,
      exValue: both ? new Float64Array(n) : null,
      exSet: both ? new Uint8Array(n) : null,
    };
  }

  /** Stale, or created under native-histogram overrides that have changed since (spec §8.3). */
  protected override expired(s: NativeSeries, cutoff: number): boolean {
    return s.lastUpdate < cutoff || !sameSettings(s.h.settings, this.settingsNow());
  }

  protected writeState(s: NativeSeries, w: BinWriter): void {
    s.h.write(w);
  }

  protected readState(s: NativeSeries, r: BinReader): void {
    s.h = NativeState.read(r, this.mode === "both" ? this.bounds.length : 0);
  }

  protected write(s: NativeSeries, ts: number, zeroTs: number, sink: SeriesSink, mode: CollectMode): void {
    const h = s.h;
    h.catchUp(ts);
    const zero = !Number.isNaN(zeroTs);
    const start = h.lastReset;
    if (this.mode === "both") this.writeClassic(s, ts, zeroTs, sink, mode);
    sink.begin(this.name, s.labels, undefined, start);
    if (zero) sink.zeroHistogram(zeroTs, h.schema);
    sink.histogram(ts, view(h));
    // Native exemplars are not cleared: Tempo sends the kept ones again every round.
    const ex = s.ex;
    if (mode === "remote" && ex !== null) {
      for (let i = 0; i < ex.len; i++) sink.exemplar(this.traceIdLabel, traceHex(ex.trace, i * 16), ex.value(i), ts);
    }
  }

  /**
   * Both mode: the classic series from the same counts (Tempo's
   * classicHistograms). Their exemplars are sent once and cleared; Tempo
   * clears them before it writes the native series, so that one gets none.
   */
  private writeClassic(s: NativeSeries, ts: number, zeroTs: number, sink: SeriesSink, mode: CollectMode): void {
    const h = s.h;
    const zero = !Number.isNaN(zeroTs);
    const start = h.lastReset;
    const c = h.classic;
    const exSet = s.exSet as Uint8Array;
    let cumulative = 0;
    for (let i = 0; i < this.les.length; i++) {
      cumulative = c !== null && i < c.length ? cumulative + c[i] : h.count;
      sink.begin(this.bucketName, s.labels, this.les[i], start);
      if (zero) sink.zero(zeroTs);
      sink.sample(ts, cumulative);
      if (mode === "remote" && exSet[i] === 1) {
        sink.exemplar(this.traceIdLabel, traceHex(s.exTrace as Uint8Array, i * 16), (s.exValue as Float64Array)[i], ts);
        exSet[i] = 0;
      }
    }
    sink.begin(this.sumName, s.labels, undefined, start);
    sink.sample(ts, h.sum);
    sink.begin(this.countName, s.labels, undefined, start);
    if (zero) sink.zero(zeroTs);
    sink.sample(ts, h.count);
  }
}

const scratch: NativeHistogramView = {
  schema: 0,
  zeroThreshold: DEFAULT_ZERO_THRESHOLD,
  zeroCount: 0,
  count: 0,
  sum: 0,
  positiveSpans: [],
  positiveDeltas: [],
  negativeSpans: [],
  negativeDeltas: [],
};

/** The histogram in exchange form (reusing one view: sinks read it during the call only). */
function view(h: NativeState): NativeHistogramView {
  scratch.schema = h.schema;
  scratch.zeroCount = h.zeroCount;
  scratch.count = h.count;
  scratch.sum = h.sum;
  spansOf(h.pos, scratch.positiveSpans, scratch.positiveDeltas);
  scratch.negativeSpans.length = 0;
  scratch.negativeDeltas.length = 0;
  if (h.neg !== null) spansOf(h.neg, scratch.negativeSpans, scratch.negativeDeltas);
  return scratch;
}

/**
 * client_golang's makeBuckets: populated buckets in index order as spans and
 * count deltas; a gap of one or two empty buckets is written as zero
 * buckets inside the span, a wider gap starts a new span.
 */
function spansOf(b: SparseBuckets, spans: number[], deltas: number[]): void {
  spans.length = 0;
  deltas.length = 0;
  const c = b.counts;
  if (c === null) return;
  let prev = 0;
  let next = 0;
  for (let i = 0; i < c.length; i++) {
    const count = c[i];
    if (count === 0) continue;
    const key = b.off + i;
    const gap = key - next;
    if (spans.length === 0 || gap > 2) spans.push(gap, 0);
    else {
      for (let j = 0; j < gap; j++) {
        spans[spans.length - 1]++;
        deltas.push(0 - prev);
        prev = 0;
      }
    }
    spans[spans.length - 1]++;
    deltas.push(count - prev);
    prev = count;
    next = key + 1;
  }
}
