import type { LabelSet } from "./label-set.ts";

/**
 * Decides whether a new series may exist (spec §8.5), and counts active
 * series for the self-metrics whichever limiter runs. Metrics call admit()
 * before creating a series for a label set (a refusal sends the update to
 * the metric's overflow series), restore() for a series read back from a
 * checkpoint (never refused: it existed), and release() after a stale
 * series went, with the set's `live` already decremented.
 */
export interface Limiter {
  readonly kind: "series" | "entity";
  admit(cost: number, ls: LabelSet): boolean;
  restore(cost: number, ls: LabelSet): void;
  release(cost: number, ls: LabelSet): void;
  /** series tallies, kept by both limiters */
  readonly active: number;
  readonly added: number;
  readonly removed: number;
  /** refused attempts: series cost (series limiter) or attempts (entity limiter) */
  readonly limited: number;
  /** the current limit (max_active_series or max_active_entities; 0 = none) */
  readonly maxActive: number;
}

/** What both limiters count about series. */
export abstract class SeriesTally {
  active = 0;
  added = 0;
  removed = 0;
  limited = 0;

  protected count(cost: number): void {
    this.active += cost;
    this.added += cost;
  }

  protected uncount(cost: number): void {
    this.active -= cost;
    this.removed += cost;
  }
}
