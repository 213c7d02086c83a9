/**
 * Long walks (a collection round over a million series, a checkpoint
 * capture, a stale sweep, a scrape) in slices: the walk is a generator that
 * yields after each small unit of work, and a runner gives it about
 * SLICE_MS of the event loop at a time, then lets requests, timers, gRPC
 * keepalives and Kafka heartbeats run (setImmediate: Bun polls I/O before it
 * runs immediates again; a MessageChannel would starve I/O and setTimeout
 * costs a millisecond per yield). The same walk can also be finished at
 * once, where something must happen before the caller returns (a Kafka
 * rebalance's checkpoint).
 */

/** A walk: each `next()` does one bounded unit of work; the generator's return value is the walk's result. */
export type Steps<T = void> = Generator<void, T, void>;

/** How long a slice holds the event loop, ms. */
export const SLICE_MS = 8;

/** Lets everything else queued on the event loop run once. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Runs `steps` to the end now, without yielding. */
export function atOnce<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Runs `steps` in slices of about `sliceMs`, yielding to the event loop in between. */
export async function inSlices<T>(steps: Steps<T>, sliceMs = SLICE_MS): Promise<T> {
  for (;;) {
    const end = performance.now() + sliceMs;
    do {
      const r = steps.next();
      if (r.done) return r.value;
    } while (performance.now() < end);
    await nextTurn();
  }
}

/**
 * A walk that runs in slices and that a caller can also finish at once
 * (`now()`), for instance a round's collection when a Kafka rebalance needs
 * a checkpoint that covers it. Either way the result (or the error) is kept,
 * so the sliced runner and the caller that finished it both see it.
 */
export class SlicedJob<T> {
  private state: { done: false } | { done: true; value: T } | { done: true; error: unknown } = { done: false };

  constructor(private readonly steps: Steps<T>) {}

  get done(): boolean {
    return this.state.done;
  }

  /** One unit of work; true once the walk is over. */
  private step(): boolean {
    if (this.state.done) return true;
    try {
      const r = this.steps.next();
      if (r.done) this.state = { done: true, value: r.value };
    } catch (error) {
      this.state = { done: true, error };
    }
    return this.state.done;
  }

  /** Finishes the walk before returning (or returns its result if it is over). */
  now(): T {
    while (!this.step());
    return this.result();
  }

  /** Runs the walk in slices; resolves with its result, whoever finished it. */
  async run(sliceMs = SLICE_MS): Promise<T> {
    for (;;) {
      const end = performance.now() + sliceMs;
      while (!this.step()) if (performance.now() >= end) break;
      if (this.state.done) return this.result();
      await nextTurn();
    }
  }

  private result(): T {
    const s = this.state;
    if (!s.done) throw new Error("walk not finished");
    if ("error" in s) throw s.error;
    return s.value;
  }
}
