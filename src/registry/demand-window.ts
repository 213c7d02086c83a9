import { Cardinality } from "./cardinality.ts";

/** Tempo's demand sketches are sliced every 5 minutes, with the stale sweep. */
const SLICE_MS = 5 * 60_000;

/**
 * The sliding window every cardinality estimate of one registry shares
 * (spec §8.1, §8.5): sketches made here advance together every 5 minutes,
 * and `epoch` numbers the current slice, so a label set or a series feeds an
 * estimate once per slice instead of once per span (inserting a value twice
 * into a sketch changes nothing, so the estimate is the same).
 */
export class DemandWindow {
  /** the current slice; starts at 1 so fresh label sets and series (epoch 0) feed on first use */
  epoch = 1;
  private readonly sketches: Cardinality[] = [];

  constructor(
    private readonly staleMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new windowed estimate that advances with this window. */
  cardinality(): Cardinality {
    const c = new Cardinality(this.staleMs, SLICE_MS, this.now());
    this.sketches.push(c);
    return c;
  }

  /** Starts the next slice of every estimate. */
  advance(now: number): void {
    this.epoch++;
    for (let i = 0; i < this.sketches.length; i++) this.sketches[i].advance(now);
  }

  /** Bytes all sketches hold, roughly. */
  get bytes(): number {
    let n = 0;
    for (let i = 0; i < this.sketches.length; i++) n += this.sketches[i].bytes;
    return n;
  }
}
