import type { KeyWords } from "./edge-key.ts";

/**
 * A per-process seed: span and trace ids come from clients, and with a fixed
 * hash a client could send keys that all land in one probe run.
 */
const SEED = crypto.getRandomValues(new Uint32Array(1))[0] | 0;

/**
 * The edge store's key index: open addressing with linear probing over slot
 * numbers (slot + 1, 0 empty), keys held six int32 words per slot in the
 * store's `keys` column and confirmed word by word. Removal shifts the rest
 * of a probe run back, so there are no tombstones to sweep. The store keeps
 * it at most half full.
 */
export class EdgeIndex {
  private readonly table: Int32Array;
  private readonly mask: number;

  constructor(size: number) {
    this.table = new Int32Array(size);
    this.mask = size - 1;
  }

  /** The slot whose key words equal `w`, or -1. */
  find(keys: Int32Array, w: KeyWords): number {
    const t = this.table;
    let at = hashWords(w.k0, w.k1, w.k2, w.k3, w.k4, w.k5) & this.mask;
    for (;;) {
      const entry = t[at];
      if (entry === 0) return -1;
      const b = (entry - 1) * 6;
      if (keys[b + 4] === w.k4 && keys[b + 5] === w.k5 && keys[b] === w.k0 && keys[b + 1] === w.k1 && keys[b + 2] === w.k2 && keys[b + 3] === w.k3) return entry - 1;
      at = (at + 1) & this.mask;
    }
  }

  /** Indexes `slot` under the key words already in `keys`. */
  add(keys: Int32Array, slot: number): void {
    const t = this.table;
    let at = home(keys, slot) & this.mask;
    while (t[at] !== 0) at = (at + 1) & this.mask;
    t[at] = slot + 1;
  }

  /** Takes `slot` out, moving later entries of its probe run back into the hole. */
  remove(keys: Int32Array, slot: number): void {
    const t = this.table;
    const mask = this.mask;
    let at = home(keys, slot) & mask;
    while (t[at] !== slot + 1) at = (at + 1) & mask;
    let hole = at;
    for (let j = (hole + 1) & mask; t[j] !== 0; j = (j + 1) & mask) {
      const h = home(keys, t[j] - 1) & mask;
      // an entry may move back into the hole only if the hole lies on its way from home to j
      if (((j - h) & mask) >= ((j - hole) & mask)) {
        t[hole] = t[j];
        hole = j;
      }
    }
    t[hole] = 0;
  }
}

function home(keys: Int32Array, slot: number): number {
  const b = slot * 6;
  return hashWords(keys[b], keys[b + 1], keys[b + 2], keys[b + 3], keys[b + 4], keys[b + 5]);
}

/** The six key words mixed one after another (each word's position matters: no structured collisions). */
function hashWords(k0: number, k1: number, k2: number, k3: number, k4: number, k5: number): number {
  let h = SEED;
  h = Math.imul(h ^ k0, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15) ^ k1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 13) ^ k2, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15) ^ k3, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 13) ^ k4, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15) ^ k5, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
