import { HllSketch } from "./hll-sketch.ts";

/**
 * A cardinality estimate over a sliding window (Tempo's Cardinality, spec
 * §8.1/§8.5): one sketch per 5-minute slice, as many as stale_duration plus a
 * slice covers (4 for the default 15 minutes). Inserts go to the current
 * slice; the estimate merges all of them; `advance`, called every 5 minutes,
 * starts a fresh slice and forgets the oldest, so values not seen for about
 * stale_duration stop counting.
 */
export class Cardinality {
  private readonly sketches: HllSketch[];
  private current = 0;
  private merged = new HllSketch();
  private lastAdvance: number;

  constructor(
    staleMs: number,
    private readonly sliceMs: number,
    now: number,
  ) {
    // Tempo falls back to 15m/5m for windows that make no sense.
    if (staleMs <= 60_000 || sliceMs < 60_000 || staleMs < sliceMs) {
      staleMs = 15 * 60_000;
      this.sliceMs = sliceMs = 5 * 60_000;
    }
    const n = Math.max(2, Math.floor((staleMs + sliceMs) / sliceMs));
    this.sketches = Array.from({ length: n }, () => new HllSketch());
    this.lastAdvance = now;
  }

  insertHash(hi: number, lo: number): void {
    this.sketches[this.current].insertHash(hi, lo);
  }

  estimate(): number {
    const window = this.merged.clone();
    window.merge(this.sketches[this.current]);
    return window.estimate();
  }

  /** Moves the window on by the slices elapsed since the last advance (at least one). */
  advance(now: number): void {
    const steps = Math.min(this.sketches.length, Math.max(1, Math.floor((now - this.lastAdvance) / this.sliceMs)));
    for (let i = 0; i < steps; i++) {
      this.current = (this.current + 1) % this.sketches.length;
      this.sketches[this.current] = new HllSketch();
      this.lastAdvance += this.sliceMs;
    }
    const merged = new HllSketch();
    for (let i = 0; i < this.sketches.length; i++) if (i !== this.current) merged.merge(this.sketches[i]);
    this.merged = merged;
  }

  /** Bytes the sketches hold, roughly. */
  get bytes(): number {
    return this.sketches.reduce((n, s) => n + s.bytes, this.merged.bytes);
  }
}
