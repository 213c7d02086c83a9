import type { RemoteWriteConfig } from "../config/types.ts";
import { log } from "../util/log.ts";
import type { RemoteWriteClient } from "./client.ts";
import type { EndpointStats } from "./endpoint-stats.ts";

/** A compressed request ready to send. */
export interface OutgoingRequest {
  body: Uint8Array;
  samples: number;
  exemplars: number;
}

/**
 * The send queue of one endpoint for one tenant. Rounds go out strictly in
 * order, so a series never reaches the backend out of order; the requests of
 * one round go out in parallel (up to max_shards). Recoverable errors are
 * retried without limit (30 ms doubling to 5 s, Retry-After wins) until
 * shutdown's flush deadline. When more than capacity × max_shards samples
 * wait, the oldest rounds are dropped and counted.
 */
export class RemoteWriteQueue {
  private readonly rounds: OutgoingRequest[][] = [];
  private pumping: Promise<void> | null = null;
  private deadline = Number.POSITIVE_INFINITY;
  /** wakers of retry waits, so a flush deadline cuts them short */
  private readonly sleepers = new Set<() => void>();

  constructor(
    private readonly client: RemoteWriteClient,
    private readonly cfg: RemoteWriteConfig,
    readonly stats: EndpointStats,
    private readonly tenant: string,
  ) {}

  enqueue(round: OutgoingRequest[]): void {
    if (round.length === 0) return;
    this.rounds.push(round);
    for (const r of round) this.stats.pendingSamples += r.samples;
    const limit = this.cfg.queue.capacity * this.cfg.queue.max_shards;
    while (this.stats.pendingSamples > limit && this.rounds.length > 1) {
      const old = this.rounds.shift() as OutgoingRequest[];
      for (const r of old) {
        this.stats.pendingSamples -= r.samples;
        this.stats.samplesDropped += r.samples;
      }
      log.warn("remote-write queue full, dropped the oldest round", { tenant: this.tenant, url: this.cfg.url });
    }
    this.pumping ??= this.pump().finally(() => {
      this.pumping = null;
    });
  }

  /** Sends what is queued, giving up on whatever is left at `deadlineMs`. */
  async flush(deadlineMs: number): Promise<void> {
    this.deadline = deadlineMs;
    this.wakeAll();
    const timer = setTimeout(() => this.wakeAll(), Math.max(0, deadlineMs - Date.now()));
    try {
      await this.pumping;
    } finally {
      clearTimeout(timer);
    }
  }

  private async pump(): Promise<void> {
    while (this.rounds.length > 0) {
      const round = this.rounds[0];
      const width = Math.max(1, Math.min(this.cfg.queue.max_shards, round.length));
      let next = 0;
      const worker = async () => {
        while (next < round.length) await this.sendWithRetry(round[next++]);
      };
      await Promise.all(Array.from({ length: width }, worker));
      this.rounds.shift();
    }
  }

  private async sendWithRetry(req: OutgoingRequest): Promise<void> {
    let backoff = this.cfg.queue.min_backoff_ms;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.client.send(req.body, attempt);
      if (outcome.kind === "ok") {
        this.settle(req);
        this.stats.samplesSent += req.samples;
        this.stats.exemplarsSent += req.exemplars;
        this.stats.requestsSent++;
        this.stats.bytesSent += req.body.length;
        return;
      }
      this.stats.lastError = outcome.error;
      if (outcome.kind === "drop" || Date.now() >= this.deadline) {
        this.settle(req);
        this.stats.samplesFailed += req.samples;
        log.error("remote write failed, batch dropped", { tenant: this.tenant, samples: req.samples, err: outcome.error });
        return;
      }
      this.stats.samplesRetried += req.samples;
      log.warn("remote write failed, retrying", { tenant: this.tenant, attempt: attempt + 1, err: outcome.error });
      await this.sleep(outcome.retryAfterMs ?? backoff);
      backoff = Math.min(backoff * 2, this.cfg.queue.max_backoff_ms);
    }
  }

  private settle(req: OutgoingRequest): void {
    this.stats.pendingSamples -= req.samples;
  }

  private wakeAll(): void {
    for (const wake of [...this.sleepers]) wake();
  }

  /** Waits `ms`, or less when a flush deadline arrives first. */
  private sleep(ms: number): Promise<void> {
    const wait = Math.max(0, Math.min(ms, this.deadline - Date.now()));
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, wait);
      this.sleepers.add(wake);
    });
  }
}
