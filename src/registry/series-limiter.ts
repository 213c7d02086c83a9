import type { LabelSet } from "./label-set.ts";
import { type Limiter, SeriesTally } from "./limiter.ts";

/**
 * `limiter_type: series` (spec §8.5): counts active series against
 * `max_active_series`. A histogram costs all of its series. Over the limit a
 * new series is refused and every refused attempt counts its full cost.
 */
export class SeriesLimiter extends SeriesTally implements Limiter {
  readonly kind = "series";

  constructor(private readonly max: () => number) {
    super();
  }

  admit(cost: number, _ls: LabelSet): boolean {
    const max = this.max();
    if (max > 0 && this.active + cost > max) {
      this.limited += cost;
      return false;
    }
    this.count(cost);
    return true;
  }

  restore(cost: number, _ls: LabelSet): void {
    this.active += cost;
  }

  release(cost: number, _ls: LabelSet): void {
    this.uncount(cost);
  }

  get maxActive(): number {
    return this.max();
  }
}
