import type { LogCluster } from "./log-cluster.ts";

/**
 * Raw span name → what DRAIN made of it, so a name seen before is answered
 * without tokenizing or walking the tree. Bounded: at `capacity` names the
 * oldest entry is overwritten (FIFO), so exploding distinct names cost at most
 * `capacity` entries. Entries live in arrays indexed by slot (one Map from
 * name to slot number, no object per entry); the arrays grow by doubling up
 * to `capacity`.
 *
 * Per slot: `cluster[slot]` (null when the name is skipped or must be trained
 * on every use) and three numbers side by side in `state` (one cache line):
 * META (token count in bits 0–6, or TOO_MANY; SANITIZED in bit 7), then the
 * cluster's leaf version and the wildcard epoch of its token count when the
 * answer was stored, which tell whether a fresh lookup could now answer
 * differently.
 */
export const TOO_MANY = 0x7f;
export const COUNT_MASK = 0x7f;
export const SANITIZED = 0x80;
export const STRIDE = 3;
export const META = 0;
export const LEAF_VERSION = 1;
export const WILDCARD_EPOCH = 2;

export class NameCache {
  readonly index = new Map<string, number>();
  keys: string[] = [];
  cluster: (LogCluster | null)[] = [];
  state = new Int32Array(0);
  /** next slot to overwrite once full */
  private oldest = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error(`cacheSize must be at least 1, got ${capacity}`);
  }

  /** A slot for `name`, which is not cached: a fresh one, or the oldest entry's once full. */
  claim(name: string): number {
    let slot = this.keys.length;
    if (slot < this.capacity) {
      if (slot * STRIDE === this.state.length) this.grow(Math.min(this.capacity, Math.max(1024, slot * 2)));
      this.keys.push(name);
      this.cluster.push(null);
    } else {
      slot = this.oldest;
      this.oldest = slot + 1 === this.capacity ? 0 : slot + 1;
      this.index.delete(this.keys[slot]);
      this.keys[slot] = name;
      this.cluster[slot] = null;
    }
    this.index.set(name, slot);
    return slot;
  }

  /** Drops references to evicted clusters (their names are trained again on next use). */
  forgetDead(): void {
    const cs = this.cluster;
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i];
      if (c !== null && !c.alive) cs[i] = null;
    }
  }

  private grow(slots: number): void {
    const state = new Int32Array(slots * STRIDE);
    state.set(this.state);
    this.state = state;
  }
}
