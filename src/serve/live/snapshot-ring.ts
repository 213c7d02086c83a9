import type { RegistrySummary } from "./summary-sink.ts";

/** A tenant's registry summary at one moment. */
export interface Snapshot {
  ts: number;
  summary: RegistrySummary;
  spansReceived: number;
}

export interface RingOptions {
  /** a request within this long of the latest snapshot reuses it (many viewers cost as much as one) */
  minSpacingMs: number;
  /** snapshots kept as baselines are at least this far apart */
  historySpacingMs: number;
  /** rates are taken over at most this long; older baselines are dropped */
  windowMs: number;
}

export const RING_DEFAULTS: RingOptions = { minSpacingMs: 2_000, historySpacingMs: 10_000, windowMs: 5 * 60_000 };

/**
 * Rates need two observations. The registry keeps only running totals, so
 * the page keeps a few snapshots of them, taken only when a request comes
 * (never on a timer): the latest, plus baselines at least historySpacingMs
 * apart within the window. `observe` returns the latest and the oldest
 * baseline; the figures are the difference. `onIdle` runs windowMs after the
 * last request, so an unvisited page holds no snapshots either.
 */
export class SnapshotRing {
  private history: Snapshot[] = [];
  private latest: Snapshot | undefined;
  /** the snapshot being taken (in slices): requests meanwhile wait for it instead of taking another */
  private taking: Promise<Snapshot> | undefined;
  private idle: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly take: (now: number) => Promise<Snapshot>,
    private readonly onIdle: () => void,
    private readonly o: RingOptions = RING_DEFAULTS,
  ) {}

  async observe(now: number): Promise<{ current: Snapshot; base: Snapshot | undefined }> {
    let current = this.latest;
    if (current === undefined || now - current.ts >= this.o.minSpacingMs || now < current.ts) {
      if (this.taking === undefined) {
        this.taking = this.take(now);
        this.taking.then(
          () => (this.taking = undefined),
          () => (this.taking = undefined),
        );
      }
      current = await this.taking;
      if (this.latest !== current) {
        this.latest = current;
        const last = this.history.at(-1);
        if (last === undefined || current.ts - last.ts >= this.o.historySpacingMs) this.history.push(current);
      }
    }
    while (this.history.length > 0 && this.history[0].ts < now - this.o.windowMs) this.history.shift();
    const base = this.history[0];
    this.armIdle();
    return { current, base: base === current ? undefined : base };
  }

  /** Snapshots held (for tests and the memory it costs). */
  get size(): number {
    return this.history.length + (this.latest !== undefined && this.history.at(-1) !== this.latest ? 1 : 0);
  }

  dispose(): void {
    clearTimeout(this.idle);
    this.history = [];
    this.latest = undefined;
  }

  private armIdle(): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      this.dispose();
      this.onIdle();
    }, this.o.windowMs);
    this.idle.unref?.();
  }
}
