import type { LabelSet } from "./label-set.ts";
import { type Limiter, SeriesTally } from "./limiter.ts";

/**
 * `limiter_type: entity` (spec §8.5): an entity is one distinct user label
 * set, shared by every metric that has a series for it (calls, latency and
 * size of one span are one entity). A set with a live series is an accepted
 * entity, so its other metrics are always created; a new set over
 * `max_active_entities` is refused (its metrics use their overflow series),
 * and every refused attempt counts once, as Tempo counts them. The entity
 * goes when its last series went stale.
 */
export class EntityLimiter extends SeriesTally implements Limiter {
  readonly kind = "entity";
  entities = 0;
  entitiesAdded = 0;
  entitiesRemoved = 0;

  constructor(private readonly max: () => number) {
    super();
  }

  admit(cost: number, ls: LabelSet): boolean {
    if (ls.live === 0) {
      const max = this.max();
      if (max > 0 && this.entities + 1 > max) {
        this.limited++;
        return false;
      }
      this.entities++;
      this.entitiesAdded++;
    }
    this.count(cost);
    return true;
  }

  restore(cost: number, ls: LabelSet): void {
    if (ls.live === 0) this.entities++;
    this.active += cost;
  }

  release(cost: number, ls: LabelSet): void {
    this.uncount(cost);
    if (ls.live === 0) {
      this.entities--;
      this.entitiesRemoved++;
    }
  }

  get maxActive(): number {
    return this.max();
  }
}
