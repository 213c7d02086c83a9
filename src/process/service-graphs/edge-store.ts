import type { Edge } from "./edge.ts";
import type { EdgeKey } from "./edge-key.ts";

/**
 * Pending edges (spec §5.2). Expiry is creation + wait in whole seconds and is
 * never extended, so a Map's insertion order is also expiry order: expiring
 * walks from the front and stops at the first live edge. Completed edges are
 * deleted at once. A full store refuses new edges instead of evicting.
 *
 * Edges are keyed by a 53-bit number mixed from the key words and confirmed
 * word by word; the rare edge whose number is taken by another key goes to a
 * second map under the key's text.
 */
export class EdgeStore {
  private readonly byNumber = new Map<number, Edge>();
  private readonly collided = new Map<string, Edge>();

  constructor(
    private readonly waitMs: number,
    private readonly maxItems: number,
  ) {}

  get size(): number {
    return this.byNumber.size + this.collided.size;
  }

  get full(): boolean {
    return this.size >= this.maxItems;
  }

  get(key: EdgeKey): Edge | undefined {
    const e = this.byNumber.get(key.numeric());
    if (e !== undefined && key.matches(e)) return e;
    return this.collided.size === 0 ? undefined : this.collided.get(key.text());
  }

  /** Adds a new pending edge under `key`, stamping its expiry. */
  add(edge: Edge, key: EdgeKey, nowMs: number): void {
    edge.expiresAtSec = Math.floor((nowMs + this.waitMs) / 1000);
    const n = key.numeric();
    if (this.byNumber.has(n)) {
      edge.storeKey = key.text();
      this.collided.set(edge.storeKey, edge);
    } else {
      edge.storeKey = n;
      this.byNumber.set(n, edge);
    }
  }

  /** Every pending edge, in expiry order per map (checkpoints). */
  *edges(): IterableIterator<Edge> {
    yield* this.byNumber.values();
    yield* this.collided.values();
  }

  /** Puts back an edge from a checkpoint under its own key words, keeping its expiry. */
  restore(edge: Edge, key: EdgeKey): void {
    const expires = edge.expiresAtSec;
    this.add(edge, key, 0);
    edge.expiresAtSec = expires;
  }

  /** Removes an edge (completed, or dropped because its other side was filtered). */
  delete(edge: Edge): void {
    if (typeof edge.storeKey === "number") this.byNumber.delete(edge.storeKey);
    else this.collided.delete(edge.storeKey);
  }

  /** Hands every edge whose expiry has passed to `onExpire`, oldest first. */
  expire(nowMs: number, onExpire: (edge: Edge) => void): void {
    const nowSec = Math.floor(nowMs / 1000);
    for (const map of [this.byNumber, this.collided] as Map<number | string, Edge>[]) {
      for (const [key, e] of map) {
        if (e.expiresAtSec > nowSec) break;
        map.delete(key);
        onExpire(e);
      }
    }
  }

  /** Expires everything (shutdown). */
  drain(onExpire: (edge: Edge) => void): void {
    for (const e of this.byNumber.values()) onExpire(e);
    for (const e of this.collided.values()) onExpire(e);
    this.byNumber.clear();
    this.collided.clear();
  }
}
