import type { Edge } from "./edge.ts";

/**
 * Pending edges (spec §5.2). Expiry is creation + wait in whole seconds and is
 * never extended, so a Map's insertion order is also expiry order: expiring
 * walks from the front and stops at the first live edge. Completed edges are
 * deleted at once. A full store refuses new edges instead of evicting.
 */
export class EdgeStore {
  private readonly byKey = new Map<string, Edge>();

  constructor(
    private readonly waitMs: number,
    private readonly maxItems: number,
  ) {}

  get size(): number {
    return this.byKey.size;
  }

  get full(): boolean {
    return this.byKey.size >= this.maxItems;
  }

  get(key: string): Edge | undefined {
    return this.byKey.get(key);
  }

  /** Adds a new pending edge, stamping its expiry. */
  add(edge: Edge, nowMs: number): void {
    edge.expiresAtSec = Math.floor((nowMs + this.waitMs) / 1000);
    this.byKey.set(edge.key, edge);
  }

  /** Removes an edge (completed, or dropped because its other side was filtered). */
  delete(edge: Edge): void {
    this.byKey.delete(edge.key);
  }

  /** Hands every edge whose expiry has passed to `onExpire`, oldest first. */
  expire(nowMs: number, onExpire: (edge: Edge) => void): void {
    const nowSec = Math.floor(nowMs / 1000);
    for (const [key, e] of this.byKey) {
      if (e.expiresAtSec > nowSec) break;
      this.byKey.delete(key);
      onExpire(e);
    }
  }

  /** Expires everything (shutdown). */
  drain(onExpire: (edge: Edge) => void): void {
    for (const e of this.byKey.values()) onExpire(e);
    this.byKey.clear();
  }
}
