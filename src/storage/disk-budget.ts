/** A queue as the disk budget sees it. */
export interface BudgetedQueue {
  readonly diskBytes: number;
  /** timestamp of its oldest unsent round, or Infinity when it has none */
  readonly oldestTs: number;
  /** drops its oldest segment of rounds (counted by the queue); resolves with the bytes freed */
  dropOldest(): Promise<number>;
}

/**
 * `storage.max_queue_bytes` across every remote-write queue of every tenant:
 * when the queues together hold more, the globally oldest rounds go first
 * (whole segments), so a long outage keeps the most recent data.
 */
export class DiskBudget {
  private readonly queues = new Set<BudgetedQueue>();
  private enforcing: Promise<void> | null = null;

  constructor(readonly maxBytes: number) {}

  add(q: BudgetedQueue): void {
    this.queues.add(q);
  }

  get usedBytes(): number {
    let n = 0;
    for (const q of this.queues) n += q.diskBytes;
    return n;
  }

  /** Drops oldest segments until the queues fit (one enforcement at a time). */
  enforce(): Promise<void> {
    this.enforcing ??= this.run().finally(() => {
      this.enforcing = null;
    });
    return this.enforcing;
  }

  private async run(): Promise<void> {
    while (this.usedBytes > this.maxBytes) {
      let oldest: BudgetedQueue | undefined;
      for (const q of this.queues) if (q.oldestTs !== Number.POSITIVE_INFINITY && (oldest === undefined || q.oldestTs < oldest.oldestTs)) oldest = q;
      if (oldest === undefined || (await oldest.dropOldest()) === 0) return;
    }
  }
}
