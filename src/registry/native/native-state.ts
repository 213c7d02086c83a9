import type { BinReader, BinWriter } from "../../util/bin-codec.ts";
import { CodecError } from "../../util/bin-codec.ts";
import { DEFAULT_ZERO_THRESHOLD, SCHEMA_MIN, bucketKey, pickSchema } from "./schema.ts";
import { SparseBuckets } from "./sparse-buckets.ts";

/** A tenant's native-histogram overrides (spec §8.4, §10). */
export interface NativeSettings {
  /** native_histogram_bucket_factor (> 1) */
  factor: number;
  /** native_histogram_max_bucket_number (0: unlimited) */
  maxBuckets: number;
  /** native_histogram_min_reset_duration in ms (0: never reset) */
  minResetMs: number;
}

/** Tempo's defaults: factor 1.1 (schema 3), 100 buckets, 15 minutes. */
export const DEFAULT_NATIVE_SETTINGS: NativeSettings = { factor: 1.1, maxBuckets: 100, minResetMs: 900_000 };

export function sameSettings(a: NativeSettings, b: NativeSettings): boolean {
  return a.factor === b.factor && a.maxBuckets === b.maxBuckets && a.minResetMs === b.minResetMs;
}

/**
 * The counts of one native histogram as client_golang keeps them: schema,
 * zero bucket, sparse buckets, count and sum, plus the classic buckets in
 * `both` mode (`classic`, per finite bucket, not cumulative; +Inf is the
 * count), and the
 * bucket-limiting state (last reset, a scheduled reset). Every rule here is
 * client_golang's histogram.go, single-threaded: observe, limitBuckets
 * (reset when the last reset is min_reset_duration ago, else halve the
 * resolution and schedule a reset for then), Write.
 */
export class NativeState {
  schema: number;
  count = 0;
  sum = 0;
  zeroCount = 0;
  readonly pos = new SparseBuckets();
  neg: SparseBuckets | null = null;
  /** populated sparse buckets, both sides (client_golang's nativeHistogramBucketsNumber) */
  buckets = 0;
  /** creation or last reset, ms: client_golang's created timestamp */
  lastReset: number;
  /** when the scheduled reset happens, ms (Infinity: none scheduled) */
  resetAt = Number.POSITIVE_INFINITY;

  constructor(
    readonly settings: NativeSettings,
    now: number,
    /** classic buckets counted in both mode, else null */
    readonly classic: Float64Array | null,
  ) {
    this.schema = pickSchema(settings.factor);
    this.lastReset = now;
  }

  /** One observation of `v` (classic bucket index `bucket` in both mode), then the bucket limit. */
  observe(v: number, bucket: number, now: number): void {
    if (now >= this.resetAt) this.resetAll(this.resetAt);
    this.add(v, bucket);
    const max = this.settings.maxBuckets;
    if (max === 0 || this.buckets <= max || Number.isNaN(v)) return;
    this.limit(v, bucket, now);
  }

  /**
   * `times` observations of the same value. Only the first ones can change
   * the layout (a new bucket, then as many halvings as the limit asks, one
   * per observation); the rest only add up, summed one by one as Go does
   * (up to a million: beyond, the product, to bound the time a span takes).
   */
  observeMany(v: number, bucket: number, times: number, now: number): void {
    let i = 0;
    do {
      this.observe(v, bucket, now);
      i++;
    } while (i < times && this.overLimit());
    const rest = times - i;
    if (rest === 0) return;
    if (rest <= 1_000_000) for (let k = 0; k < rest; k++) this.sum += v;
    else this.sum += v * rest;
    this.count += rest;
    const c = this.classic;
    if (c !== null && bucket < c.length) c[bucket] += rest;
    if (Number.isNaN(v)) return;
    if (v > DEFAULT_ZERO_THRESHOLD) this.pos.add(bucketKey(v, this.schema), rest);
    else if (v < -DEFAULT_ZERO_THRESHOLD) (this.neg as SparseBuckets).add(bucketKey(v, this.schema), rest);
    else this.zeroCount += rest;
  }

  /** Whether the next observation would act on the bucket limit (more buckets than allowed, and a coarser schema left). */
  private overLimit(): boolean {
    const max = this.settings.maxBuckets;
    return max > 0 && this.buckets > max && this.schema > SCHEMA_MIN;
  }

  /** Applies a scheduled reset whose time has come (client_golang runs it on a timer). */
  catchUp(now: number): void {
    if (now >= this.resetAt) this.resetAll(this.resetAt);
  }

  private add(v: number, bucket: number): void {
    const c = this.classic;
    if (c !== null && bucket < c.length) c[bucket]++;
    this.sum += v;
    if (!Number.isNaN(v)) {
      // The zero threshold stays client_golang's default: widening it needs a
      // NativeHistogramMaxZeroThreshold above it, which Tempo never sets.
      if (v > DEFAULT_ZERO_THRESHOLD) {
        if (this.pos.add(bucketKey(v, this.schema), 1)) this.buckets++;
      } else if (v < -DEFAULT_ZERO_THRESHOLD) {
        this.neg ??= new SparseBuckets();
        if (this.neg.add(bucketKey(v, this.schema), 1)) this.buckets++;
      } else this.zeroCount++;
    }
    this.count++;
  }

  private limit(v: number, bucket: number, now: number): void {
    const minReset = this.settings.minResetMs;
    const scheduled = this.resetAt !== Number.POSITIVE_INFINITY;
    if (minReset > 0 && !scheduled && now - this.lastReset >= minReset) {
      // Reset, keeping the latest observation.
      this.resetAll(now);
      this.add(v, bucket);
      return;
    }
    if (minReset > 0 && !scheduled) this.resetAt = this.lastReset + minReset;
    if (this.schema === SCHEMA_MIN) return;
    this.schema--;
    this.buckets = this.pos.halve() + (this.neg?.halve() ?? 0);
  }

  private resetAll(at: number): void {
    this.schema = pickSchema(this.settings.factor);
    this.count = 0;
    this.sum = 0;
    this.zeroCount = 0;
    this.pos.clear();
    this.neg = null;
    this.buckets = 0;
    this.classic?.fill(0);
    this.lastReset = at;
    this.resetAt = Number.POSITIVE_INFINITY;
  }

  write(w: BinWriter): void {
    w.f64(this.settings.factor);
    w.uint(this.settings.maxBuckets);
    w.f64(this.settings.minResetMs);
    w.f64(this.schema);
    w.f64(this.count);
    w.f64(this.sum);
    w.f64(this.zeroCount);
    w.f64(this.lastReset);
    w.f64(this.resetAt);
    writeBuckets(this.pos, w);
    writeBuckets(this.neg ?? new SparseBuckets(), w);
    const c = this.classic;
    w.uint(c?.length ?? 0);
    if (c !== null) for (let i = 0; i < c.length; i++) w.f64(c[i]);
  }

  /** Reads what write wrote; `classicLength` is the bucket count the metric expects (0 in native mode). */
  static read(r: BinReader, classicLength: number): NativeState {
    const settings: NativeSettings = { factor: r.f64(), maxBuckets: r.uint(), minResetMs: r.f64() };
    if (!(settings.factor > 1)) throw new CodecError("native histogram bucket factor out of range");
    const schema = r.f64();
    if (!Number.isInteger(schema) || schema < SCHEMA_MIN || schema > 8) throw new CodecError("native histogram schema out of range");
    const s = new NativeState(settings, 0, classicLength > 0 ? new Float64Array(classicLength) : null);
    s.schema = schema;
    s.count = r.f64();
    s.sum = r.f64();
    s.zeroCount = r.f64();
    s.lastReset = r.f64();
    s.resetAt = r.f64();
    s.buckets = readBuckets(s.pos, r);
    const neg = new SparseBuckets();
    const nNeg = readBuckets(neg, r);
    if (nNeg > 0) s.neg = neg;
    s.buckets += nNeg;
    const n = r.count();
    if (n !== classicLength) throw new CodecError("classic bucket count of a native histogram changed");
    for (let i = 0; i < n; i++) (s.classic as Float64Array)[i] = r.f64();
    return s;
  }
}

function writeBuckets(b: SparseBuckets, w: BinWriter): void {
  w.uint(b.populated());
  b.forEach((key, count) => {
    w.f64(key);
    w.f64(count);
  });
}

function readBuckets(b: SparseBuckets, r: BinReader): number {
  const n = r.count();
  for (let i = 0; i < n; i++) {
    const key = r.f64();
    const count = r.f64();
    if (!Number.isInteger(key) || Math.abs(key) > 1 << 20 || !(count > 0)) throw new CodecError("bad native histogram bucket");
    b.add(key, count);
  }
  return n;
}
