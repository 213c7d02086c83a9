import { type BinReader, BinWriter } from "../util/bin-codec.ts";
import type { LabelSet } from "./label-set.ts";
import { Cardinality } from "./cardinality.ts";
import type { DemandWindow } from "./demand-window.ts";
import type { Limiter } from "./limiter.ts";
import { type Steps, atOnce } from "../util/slices.ts";
import { type CollectMode, type MetricMeta, type MetricType, NO_META, type SeriesSink, zeroTimestamp } from "./sink.ts";

/** Series written (or checkpointed, or swept) between two yields of a walk. */
const STEP_MASK = 7;

/** What every series carries. */
export interface Series {
  /** the label set, or null for the overflow series */
  ls: LabelSet | null;
  labels: string[];
  lastUpdate: number;
  /** when the series was created, ms (0: unknown, restored from an old checkpoint); remote write 2.0's start timestamp */
  created: number;
  /** false until the first remote collection wrote it (drives the zero-first sample) */
  collected: boolean;
  /** the demand window's slice this series last fed its metric's demand estimate in */
  epoch: number;
  /** the registry's count of series made when this one was (0: restored); a capture holds the series born before it began */
  born: number;
  /** the last capture (PointInTime.gen) that already holds this series' state */
  snap: number;
}

/**
 * A checkpoint capture under way (registry-snapshot.ts). It runs in slices
 * while spans keep arriving, yet holds every series as it was when it began
 * (a point in time, so its counts agree with each other, with the
 * processors' state and with the Kafka offsets taken then): a series about
 * to change before the walk reached it has its state kept first.
 */
export interface PointInTime {
  /** this capture's number */
  readonly gen: number;
  /** series born after this many are not in the capture */
  readonly births: number;
  /** states kept before a change, as writeSeries wrote them */
  readonly kept: Map<Series, Uint8Array>;
  readonly scratch: BinWriter;
}

/** Shared by the metrics of one registry. */
export interface MetricContext {
  limiter: Limiter;
  /** the slices of the demand estimates (cardinality.ts) */
  window: DemandWindow;
  /** labels of overflow series: metric_overflow="true" plus the external labels */
  overflowLabels: string[];
  /** forgets a label set no metric holds a series for any more */
  release(ls: LabelSet): void;
  /** series made so far, by every metric of the registry (Series.born) */
  births: number;
  /** the checkpoint capture under way, if any */
  capture: PointInTime | null;
}

/**
 * Series storage, overflow redirection, staleness and zero-first bookkeeping
 * common to counters, gauges and histograms. A metric's series for a label
 * set lives in that set's `series[slot]`, so one resolved LabelSet serves
 * every metric of a processor without another lookup.
 */
export abstract class Metric<S extends Series> {
  /** live series in creation order (collection order) */
  readonly series = new Set<S>();
  protected overflow: S | null = null;
  /** last written timestamp of recently removed series, by label key, so a recreated series never writes out of order */
  private readonly tombstones = new Map<string, number>();
  private lastWritten = 0;
  /** distinct label sets this metric was asked for, limited or not (Tempo's per-metric series demand) */
  private readonly demand: Cardinality;

  constructor(
    readonly name: string,
    protected readonly ctx: MetricContext,
    /** this metric's index in LabelSet.series */
    readonly slot: number,
    /** help and unit, for sinks that carry metadata */
    readonly meta: MetricMeta = NO_META,
  ) {
    this.demand = ctx.window.cardinality();
  }

  abstract readonly type: MetricType;
  /** Active-series cost of one label set. */
  abstract readonly cost: number;
  protected abstract make(labels: string[], ls: LabelSet | null, now: number): S;
  protected abstract write(s: S, ts: number, zeroTs: number, sink: SeriesSink, mode: CollectMode): void;
  /** The series' values for a checkpoint (no labels, no exemplars: exemplars are per round). */
  protected abstract writeState(s: S, w: BinWriter): void;
  protected abstract readState(s: S, r: BinReader): void;

  /** The series for `ls`, created on first use, or the overflow series when the limit refuses it. */
  protected seriesFor(ls: LabelSet, now: number): S {
    const epoch = this.ctx.window.epoch;
    const s = ls.series[this.slot] as S | undefined;
    if (s !== undefined) {
      // A series feeds the demand estimate once per slice, not once per span.
      if (s.epoch !== epoch) {
        s.epoch = epoch;
        this.demand.insertHash(ls.hashHi, ls.hashLo);
      }
      if (this.ctx.capture !== null) this.keep(s, this.ctx.capture);
      return s;
    }
    this.demand.insertHash(ls.hashHi, ls.hashLo);
    if (!this.ctx.limiter.admit(this.cost, ls)) {
      this.overflow ??= this.make(this.ctx.overflowLabels, null, now);
      return this.overflow;
    }
    const created = this.make(ls.labels, ls, now);
    created.epoch = epoch;
    created.born = ++this.ctx.births;
    ls.series[this.slot] = created;
    ls.live++;
    this.series.add(created);
    return created;
  }

  /** Series this metric would hold without limits, over the last stale_duration (a histogram counts all its series). */
  demandEstimate(): number {
    return this.demand.estimate() * this.cost;
  }

  /** Starts the demand estimate's next slice (every 5 minutes, with the stale sweep). */
  advanceDemand(now: number): void {
    this.demand.advance(now);
  }

  /** Whether `ls` already has a series here. */
  has(ls: LabelSet): boolean {
    return ls.series[this.slot] !== undefined;
  }

  collect(ts: number, sink: SeriesSink, mode: CollectMode): void {
    atOnce(this.collectSteps(ts, sink, mode));
  }

  /**
   * Writes every series to `sink`, yielding after every few (a round runs in
   * slices, util/slices.ts). The walk is a live cursor over the series set:
   * a series created meanwhile is written when the cursor reaches it (in
   * creation order, so at the end) unless it was created after
   * `createdBy` (a series newer than the round starts in the next one, so a
   * start timestamp is never after its sample); one removed meanwhile is
   * not written if the cursor has not reached it.
   */
  *collectSteps(ts: number, sink: SeriesSink, mode: CollectMode, createdBy = Number.POSITIVE_INFINITY): Steps {
    if (this.series.size === 0 && this.overflow === null) return;
    sink.family(this.name, this.type, this.meta);
    const zeroTs = zeroTimestamp(ts);
    // Set first: a series removed mid-round (a replaced metric drains its series) is tombstoned at this round.
    if (mode === "remote") this.lastWritten = ts;
    let n = 0;
    for (const s of this.series) {
      if (s.created > createdBy) continue;
      let z = s.collected || mode === "scrape" ? Number.NaN : zeroTs;
      if (!Number.isNaN(z) && this.tombstones.size > 0) {
        const dead = this.tombstones.get((s.ls as LabelSet).key);
        if (dead !== undefined && dead >= zeroTs) z = Number.NaN;
      }
      this.write(s, ts, z, sink, mode);
      if (mode === "remote") s.collected = true;
      if ((++n & STEP_MASK) === 0) yield;
    }
    const o = this.overflow;
    if (o !== null && o.created <= createdBy) {
      this.write(o, ts, o.collected || mode === "scrape" ? Number.NaN : zeroTs, sink, mode);
      if (mode === "remote") o.collected = true;
    }
  }

  /** A series of capture `c` is about to change: its state as it was goes into the capture first. */
  private keep(s: S, c: PointInTime): void {
    if (s.snap === c.gen || s.born > c.births) return;
    s.snap = c.gen;
    this.writeSeries(s, c.scratch);
    c.kept.set(s, c.scratch.takeBody());
  }

  /** For capture `c`, when it begins: the overflow series as it is now (it changes without keep()), or null. */
  overflowNow(c: PointInTime): Uint8Array | null {
    if (this.overflow === null) return null;
    this.writeSeries(this.overflow, c.scratch);
    return c.scratch.takeBody();
  }

  /** Whether capture `c` holds `s`: it was born before the capture began. */
  inCapture(s: Series, c: PointInTime): boolean {
    return s.born <= c.births;
  }

  /**
   * This metric's state for capture `c`: when it last wrote a round, its
   * tombstones (both change only in the registry's lane, which the capture
   * holds), the overflow series as it was when the capture began, and the
   * series in `members` (by their label set's index in the checkpoint's
   * table, see registry-snapshot.ts) as they were then, yielding every few.
   */
  *writeSnapshotSteps(w: BinWriter, c: PointInTime, overflow: Uint8Array | null, members: readonly S[], setIndex: (ls: LabelSet) => number): Steps {
    w.f64(this.lastWritten);
    w.uint(this.tombstones.size);
    for (const [key, ts] of this.tombstones) {
      w.str(key);
      w.f64(ts);
    }
    w.bool(overflow !== null);
    if (overflow !== null) w.raw(overflow);
    w.uint(members.length);
    for (let i = 0; i < members.length; i++) {
      const s = members[i];
      w.uint(setIndex(s.ls as LabelSet));
      const kept = c.kept.get(s);
      if (kept !== undefined) {
        w.raw(kept);
        c.kept.delete(s);
      } else {
        // written as it is now, which is as it was: it has not changed since (keep() would have kept it)
        s.snap = c.gen;
        this.writeSeries(s, w);
      }
      if ((i & STEP_MASK) === STEP_MASK) yield;
    }
  }

  /**
   * Reads what writeSnapshotSteps wrote. With `apply` false the data is only
   * skipped (a metric whose shape changed since the checkpoint). Restored
   * series count against the active-series limit but never go to overflow:
   * they already existed. Returns how many series were restored.
   */
  readSnapshot(r: BinReader, sets: readonly LabelSet[], apply: boolean, format: number): number {
    const lastWritten = r.f64();
    const tombstones = r.count();
    for (let i = 0; i < tombstones; i++) {
      const key = r.str();
      const ts = r.f64();
      if (apply) this.tombstones.set(key, ts);
    }
    if (r.bool()) {
      const o = this.readSeries(r, this.ctx.overflowLabels, null, format);
      if (apply) this.overflow = o;
    }
    const n = r.count();
    let restored = 0;
    for (let i = 0; i < n; i++) {
      const ls = sets[r.uint()];
      if (ls === undefined) throw new RangeError("label set index out of range");
      const s = this.readSeries(r, ls.labels, ls, format);
      if (!apply || ls.series[this.slot] !== undefined) continue;
      this.ctx.limiter.restore(this.cost, ls);
      ls.series[this.slot] = s;
      ls.live++;
      this.series.add(s);
      restored++;
    }
    if (apply) this.lastWritten = Math.max(this.lastWritten, lastWritten);
    return restored;
  }

  private writeSeries(s: S, w: BinWriter): void {
    w.f64(s.lastUpdate);
    w.bool(s.collected);
    w.f64(s.created);
    this.writeState(s, w);
  }

  /** Format 1 checkpoints (before native histograms) have no creation time: it reads as unknown. */
  private readSeries(r: BinReader, labels: string[], ls: LabelSet | null, format: number): S {
    const s = this.make(labels, ls, r.f64());
    s.collected = r.bool();
    s.created = format >= 2 ? r.f64() : 0;
    this.readState(s, r);
    return s;
  }

  /**
   * Takes the place of `old` (same name and slot, another shape): drains all
   * of its series and keeps its tombstones, so the zero samples of the new
   * series are never older than what the old ones wrote.
   */
  succeed(old: Metric<Series>, now: number): void {
    old.removeStale(Number.POSITIVE_INFINITY, now);
    for (const [key, ts] of old.tombstones) this.tombstones.set(key, ts);
    this.lastWritten = old.lastWritten;
  }

  /** Whether the sweep removes `s`: not updated since `cutoff` (spec §8.3). */
  protected expired(s: S, cutoff: number): boolean {
    return s.lastUpdate < cutoff;
  }

  /** Deletes series not updated since `cutoff` (spec §8.3); returns how many went. */
  removeStale(cutoff: number, now: number): number {
    return atOnce(this.removeStaleSteps(cutoff, now));
  }

  /** The same, yielding every few series (a live cursor: series made meanwhile are checked too). */
  *removeStaleSteps(cutoff: number, now: number): Steps<number> {
    let n = 0;
    let seen = 0;
    for (const s of this.series) {
      if ((++seen & STEP_MASK) === 0) yield;
      if (!this.expired(s, cutoff)) continue;
      const ls = s.ls as LabelSet;
      this.series.delete(s);
      ls.series[this.slot] = undefined;
      ls.live--;
      this.ctx.limiter.release(this.cost, ls);
      if (s.collected) this.tombstones.set(ls.key, this.lastWritten);
      if (ls.live === 0) this.ctx.release(ls);
      n++;
    }
    if (this.overflow !== null && this.expired(this.overflow, cutoff)) this.overflow = null;
    // A zero sample is at most ~61 s older than its collection, so older tombstones cannot matter.
    for (const [key, ts] of this.tombstones) if (ts < now - 120_000) this.tombstones.delete(key);
    return n;
  }
}
