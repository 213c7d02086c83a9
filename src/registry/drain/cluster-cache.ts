import type { DrainCounters } from "./drain-counters.ts";
import type { LogCluster } from "./log-cluster.ts";

/**
 * Holds at most `capacity` live clusters; adding one more evicts another.
 *
 * Tempo keeps clusters in an otter W-TinyLFU cache of 100,000 (frequency
 * sketch, admission window, segmented main space). This is CLOCK (second
 * chance): a cluster used since the hand last passed survives one more
 * round. The eviction ORDER therefore differs from Tempo's once the cap is
 * reached; below the cap both keep everything. Tempo's StaleClusterAge is 0,
 * which otter takes as "never expires", so there is no age-based expiry here
 * either. An evicted cluster is marked dead and its leaf entry cleared; the
 * tree drops the entry at prune, the name cache its reference when it meets
 * it or at prune.
 */
export class ClusterCache {
  private readonly ring: LogCluster[] = [];
  private hand = 0;

  constructor(
    private readonly capacity: number,
    private readonly counters: DrainCounters,
  ) {
    if (!(capacity >= 1)) throw new Error(`maxClusters must be at least 1, got ${capacity}`);
  }

  get size(): number {
    return this.ring.length;
  }

  /** Adds a new cluster, evicting one (maybe another new one) when full. */
  add(cluster: LogCluster): void {
    const ring = this.ring;
    if (ring.length < this.capacity) {
      ring.push(cluster);
      return;
    }
    for (;;) {
      const victim = ring[this.hand];
      if (victim.referenced) {
        victim.referenced = false;
        this.hand = this.hand + 1 === ring.length ? 0 : this.hand + 1;
        continue;
      }
      victim.alive = false;
      (victim.leaf.clusters as (LogCluster | null)[])[victim.indexInLeaf] = null;
      this.counters.patternsEvicted++;
      ring[this.hand] = cluster;
      this.hand = this.hand + 1 === ring.length ? 0 : this.hand + 1;
      return;
    }
  }

  /** Every live cluster, in no particular order. */
  values(): readonly LogCluster[] {
    return this.ring;
  }
}
