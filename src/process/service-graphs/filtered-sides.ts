/**
 * Markers for edge sides dropped by filter policies (spec §5.2): while a
 * marker lives (wait), the other side of that edge is dropped too, so a
 * filtered span never leaves a half edge that would later become a virtual
 * node. Capped at max_items; insertion order is expiry order.
 */
export class FilteredSides {
  private readonly markers = new Map<string, number>();

  constructor(
    private readonly waitMs: number,
    private readonly maxItems: number,
  ) {}

  /** Marks one side of an edge as filtered; false when the cache is full. */
  mark(key: string, client: boolean, nowMs: number): boolean {
    const k = (client ? "c" : "s") + key;
    if (!this.markers.has(k) && this.markers.size >= this.maxItems) return false;
    this.markers.delete(k);
    this.markers.set(k, Math.floor((nowMs + this.waitMs) / 1000));
    return true;
  }

  has(key: string, client: boolean): boolean {
    return this.markers.size > 0 && this.markers.has((client ? "c" : "s") + key);
  }

  /** Markers as [key with side prefix, expiry second] (checkpoints). */
  entries(): IterableIterator<[string, number]> {
    return this.markers.entries();
  }

  /** Puts back a marker from a checkpoint. */
  restore(key: string, expiresAtSec: number): void {
    if (this.markers.size < this.maxItems) this.markers.set(key, expiresAtSec);
  }

  expire(nowMs: number): void {
    const nowSec = Math.floor(nowMs / 1000);
    for (const [k, exp] of this.markers) {
      if (exp > nowSec) break;
      this.markers.delete(k);
    }
  }
}
