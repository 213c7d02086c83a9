/**
 * Counts active series against `max_active_series` (spec §8.5). A histogram
 * costs all of its series. Over the limit a new series is refused (the metric
 * then uses its overflow series) and every refused attempt is counted.
 */
export class SeriesLimiter {
  active = 0;
  added = 0;
  removed = 0;
  limited = 0;

  constructor(private readonly max: () => number) {}

  /** Reserves `cost` series, or counts a limited attempt and returns false. */
  admit(cost: number): boolean {
    const max = this.max();
    if (max > 0 && this.active + cost > max) {
      this.limited += cost;
      return false;
    }
    this.active += cost;
    this.added += cost;
    return true;
  }

  /** Counts a series restored from a checkpoint: it existed before, so it is never refused. */
  restore(cost: number): void {
    this.active += cost;
  }

  release(cost: number): void {
    this.active -= cost;
    this.removed += cost;
  }

  get maxActive(): number {
    return this.max();
  }
}
