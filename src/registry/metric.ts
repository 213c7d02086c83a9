import type { LabelSource } from "./label-schema.ts";
import type { SeriesLimiter } from "./series-limiter.ts";
import { type CollectMode, type SeriesSink, zeroTimestamp } from "./sink.ts";

/** What every series carries. */
export interface Series {
  labels: string[];
  lastUpdate: number;
  /** false until the first remote collection wrote it (drives the zero-first sample) */
  collected: boolean;
}

/** Shared by the metrics of one registry. */
export interface MetricContext {
  limiter: SeriesLimiter;
  /** labels of overflow series: metric_overflow="true" plus the external labels */
  overflowLabels: string[];
}

/**
 * The series map, overflow redirection, staleness and zero-first bookkeeping
 * common to counters, gauges and histograms. Subclasses say how a series is
 * made and written.
 */
export abstract class Metric<S extends Series> {
  readonly series = new Map<string, S>();
  protected overflow: S | null = null;
  /** last written timestamp of recently removed series, so a recreated series never writes out of order */
  private readonly tombstones = new Map<string, number>();
  private lastWritten = 0;

  constructor(
    readonly name: string,
    protected readonly ctx: MetricContext,
  ) {}

  abstract readonly type: "counter" | "gauge" | "histogram";
  /** Active-series cost of one label set. */
  abstract readonly cost: number;
  protected abstract make(labels: string[], now: number): S;
  protected abstract write(s: S, ts: number, zeroTs: number, sink: SeriesSink, mode: CollectMode): void;

  /** The series for `key`, created (or redirected to overflow) on first use; null when the labels are invalid UTF-8. */
  protected resolve(key: string, source: LabelSource, values: readonly string[], now: number): S | null {
    const labels = source.labels(values);
    if (labels === null) return null;
    if (!this.ctx.limiter.admit(this.cost)) {
      this.overflow ??= this.make(this.ctx.overflowLabels, now);
      return this.overflow;
    }
    const s = this.make(labels, now);
    this.series.set(key, s);
    return s;
  }

  collect(ts: number, sink: SeriesSink, mode: CollectMode): void {
    if (this.series.size === 0 && this.overflow === null) return;
    sink.family(this.name, this.type);
    const zeroTs = zeroTimestamp(ts);
    for (const [key, s] of this.series) {
      let z = s.collected || mode === "scrape" ? Number.NaN : zeroTs;
      if (!s.collected && mode === "remote") {
        const dead = this.tombstones.get(key);
        if (dead !== undefined && dead >= zeroTs) z = Number.NaN;
      }
      this.write(s, ts, z, sink, mode);
      if (mode === "remote") s.collected = true;
    }
    if (this.overflow !== null) {
      this.write(this.overflow, ts, this.overflow.collected || mode === "scrape" ? Number.NaN : zeroTs, sink, mode);
      if (mode === "remote") this.overflow.collected = true;
    }
    if (mode === "remote") this.lastWritten = ts;
  }

  /** Deletes series not updated since `cutoff` (spec §8.3); returns how many label sets went. */
  removeStale(cutoff: number, now: number): number {
    let n = 0;
    for (const [key, s] of this.series) {
      if (s.lastUpdate >= cutoff) continue;
      this.series.delete(key);
      this.ctx.limiter.release(this.cost);
      if (s.collected) this.tombstones.set(key, this.lastWritten);
      n++;
    }
    if (this.overflow !== null && this.overflow.lastUpdate < cutoff) this.overflow = null;
    // A zero sample is at most ~61 s older than its collection, so older tombstones cannot matter.
    for (const [key, ts] of this.tombstones) if (ts < now - 120_000) this.tombstones.delete(key);
    return n;
  }
}
