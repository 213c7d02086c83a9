import type { RemoteWriteConfig } from "../config/types.ts";
import type { BudgetedQueue } from "../storage/disk-budget.ts";
import type { LogRound, QueuedRequest, SegmentLog } from "../storage/segment-log.ts";
import { log } from "../util/log.ts";
import type { RemoteWriteClient } from "./client.ts";
import type { EndpointStats } from "./endpoint-stats.ts";

/** A compressed request ready to send. */
export type OutgoingRequest = QueuedRequest;

/** A round kept in memory because the disk refused it (sent in order after the logged ones). */
interface VolatileRound {
  seq: number;
  ts: number;
  samples: number;
  requests: OutgoingRequest[];
}

/**
 * The send queue of one endpoint for one tenant, on disk (storage/segment-log.ts).
 * A round is appended and fsynced first, and sent only once the tenant's
 * checkpoint covering it is written (`release`), so nothing sent can be ahead
 * of what a restart restores. Rounds go out strictly in order, oldest first
 * (the only order every Prometheus-compatible backend accepts); the requests
 * of one round go out in parallel, up to max_shards. 5xx, 429 with
 * retry_on_http_429 and network errors are retried with backoff (30 ms
 * doubling to 5 s, Retry-After wins) for as long as the round is in the
 * queue; other 4xx drop that request, counted. A round older than
 * queue_config.sample_age_limit (when set) is dropped unsent. The disk budget
 * drops the oldest rounds. At shutdown the flush deadline stops sending and
 * what is left stays on disk for the next start.
 */
export class RemoteWriteQueue implements BudgetedQueue {
  private releasedSeq = -1;
  private pumping: Promise<void> | null = null;
  private deadline = Number.POSITIVE_INFINITY;
  private aborted = false;
  private readonly volatile: VolatileRound[] = [];
  /** wakers of retry waits, so a flush deadline or a dropped round cuts them short */
  private readonly sleepers = new Set<() => void>();

  constructor(
    private readonly client: RemoteWriteClient,
    private readonly cfg: RemoteWriteConfig,
    readonly stats: EndpointStats,
    private readonly tenant: string,
    private readonly wal: SegmentLog,
    private readonly onAppend: () => void = () => {},
  ) {
    for (const r of wal.rounds) this.noteQueued(r.samples, r.ts);
  }

  get diskBytes(): number {
    return this.wal.diskBytes;
  }

  get oldestTs(): number {
    return this.wal.rounds[0]?.ts ?? this.volatile[0]?.ts ?? Number.POSITIVE_INFINITY;
  }

  /** The newest round on disk, if any (where a restart without a checkpoint resumes numbering). */
  lastRound(): { seq: number; ts: number }[] {
    const r = this.wal.rounds.at(-1);
    return r === undefined ? [] : [{ seq: r.seq, ts: r.ts }];
  }

  /** Rounds waiting (on disk and in memory). */
  get queuedRounds(): number {
    return this.wal.rounds.length + this.volatile.length;
  }

  /**
   * Appends a round to the log (durable when this resolves). When the disk
   * refuses it, the round is kept in memory instead and sent all the same:
   * losing durability is better than losing the data.
   */
  async append(seq: number, ts: number, requests: readonly OutgoingRequest[]): Promise<void> {
    if (requests.length === 0) return;
    let samples = 0;
    for (const r of requests) samples += r.samples;
    this.noteQueued(samples, ts);
    if (this.volatile.length === 0) {
      try {
        await this.wal.append(seq, ts, requests);
        this.onAppend();
        return;
      } catch (e) {
        this.stats.diskWriteFailures++;
        log.error("remote-write queue: cannot write the round to disk, keeping it in memory", { tenant: this.tenant, url: this.client.shownUrl, err: e });
      }
    }
    this.volatile.push({ seq, ts, samples, requests: [...requests] });
    const limit = this.cfg.queue.capacity * this.cfg.queue.max_shards;
    let held = 0;
    for (const v of this.volatile) held += v.samples;
    while (held > limit && this.volatile.length > 1) {
      const old = this.volatile.shift() as VolatileRound;
      held -= old.samples;
      this.dropped(old.samples, "queue_full");
    }
  }

  /** Rounds up to `seq` may be sent (their checkpoint was written). */
  release(seq: number): void {
    if (seq > this.releasedSeq) this.releasedSeq = seq;
    if (this.aborted) return;
    this.pumping ??= this.pump().finally(() => {
      this.pumping = null;
    });
  }

  /** Drops the oldest segment of rounds (disk budget); the bytes freed. */
  async dropOldest(): Promise<number> {
    const before = this.wal.diskBytes;
    const dropped = await this.wal.dropOldestSegment();
    for (const r of dropped) this.dropped(r.samples, "disk_budget");
    if (dropped.length > 0) {
      this.wakeAll();
      log.warn("remote-write queue over storage.max_queue_bytes: dropped the oldest rounds", {
        tenant: this.tenant,
        url: this.client.shownUrl,
        rounds: dropped.length,
        oldest: new Date(dropped[0].ts).toISOString(),
      });
    }
    return before - this.wal.diskBytes;
  }

  /** Sends what is queued until `deadlineMs`; whatever is left then stays on disk for the next start. */
  async flush(deadlineMs: number): Promise<void> {
    this.deadline = deadlineMs;
    const timer = setTimeout(() => this.abort(), Math.max(0, deadlineMs - Date.now()));
    try {
      await this.pumping;
    } finally {
      clearTimeout(timer);
    }
    const lost = this.volatile.reduce((n, v) => n + v.samples, 0);
    if (lost > 0) this.dropped(lost, "shutdown");
    await this.wal.close();
  }

  private abort(): void {
    this.aborted = true;
    this.wakeAll();
  }

  private async pump(): Promise<void> {
    const ageLimit = this.cfg.queue.sample_age_limit_ms;
    while (!this.aborted) {
      const disk = this.wal.rounds[0];
      const mem = disk === undefined ? this.volatile[0] : undefined;
      const next = disk ?? mem;
      if (next === undefined || next.seq > this.releasedSeq) return;
      if (ageLimit > 0 && Date.now() - next.ts > ageLimit) {
        this.finish(disk, next.samples, "sample_age_limit");
        continue;
      }
      let requests: readonly OutgoingRequest[];
      if (disk === undefined) requests = (mem as VolatileRound).requests;
      else {
        try {
          requests = await this.wal.read(disk);
        } catch (e) {
          log.error("remote-write queue: a round no longer reads back, dropped", { tenant: this.tenant, url: this.client.shownUrl, err: e });
          this.stats.corruptions++;
          this.finish(disk, disk.samples, "corrupt");
          continue;
        }
      }
      await this.sendRound(requests, disk);
      if (this.aborted) return;
      if (disk?.dropped === true) continue;
      this.finish(disk, 0, undefined);
      this.stats.highestSentTs = Math.max(this.stats.highestSentTs, next.ts);
    }
  }

  /** Removes the head round from the queue; `dropped` > 0 counts its samples as dropped for `reason`. */
  private finish(disk: LogRound | undefined, dropped: number, reason: string | undefined): void {
    if (disk !== undefined) this.wal.ack(disk);
    else this.volatile.shift();
    if (reason !== undefined) this.dropped(dropped, reason);
  }

  private dropped(samples: number, reason: string): void {
    this.stats.pendingSamples -= samples;
    this.stats.samplesDropped += samples;
    this.stats.roundsDropped.set(reason, (this.stats.roundsDropped.get(reason) ?? 0) + 1);
  }

  private noteQueued(samples: number, ts: number): void {
    this.stats.pendingSamples += samples;
    this.stats.highestQueuedTs = Math.max(this.stats.highestQueuedTs, ts);
  }

  /** Sends every request of a round, up to max_shards at a time. */
  private async sendRound(requests: readonly OutgoingRequest[], round: LogRound | undefined): Promise<void> {
    const width = Math.max(1, Math.min(this.cfg.queue.max_shards, requests.length));
    let next = 0;
    const worker = async () => {
      while (next < requests.length && !this.aborted && round?.dropped !== true) await this.sendWithRetry(requests[next++], round);
    };
    await Promise.all(Array.from({ length: width }, worker));
  }

  private async sendWithRetry(req: OutgoingRequest, round: LogRound | undefined): Promise<void> {
    let backoff = this.cfg.queue.min_backoff_ms;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.client.send(req.body, attempt, req.samples);
      if (outcome.kind === "ok") {
        const unwritten = outcome.unwritten ?? 0;
        if (unwritten > 0) {
          this.stats.samplesFailed += unwritten;
          log.warn("remote write 2.0 receiver wrote fewer samples than sent", { tenant: this.tenant, sent: req.samples, unwritten });
        }
        this.stats.pendingSamples -= req.samples;
        this.stats.samplesSent += req.samples - unwritten;
        this.stats.exemplarsSent += req.exemplars;
        this.stats.requestsSent++;
        this.stats.bytesSent += req.body.length;
        return;
      }
      this.stats.lastError = outcome.error;
      if (outcome.kind === "drop") {
        this.stats.pendingSamples -= req.samples;
        this.stats.samplesFailed += req.samples;
        log.error("remote write refused, batch dropped", { tenant: this.tenant, samples: req.samples, err: outcome.error });
        return;
      }
      this.stats.samplesRetried += req.samples;
      if (attempt === 0 || attempt % 10 === 0) {
        log.warn("remote write failed, retrying", { tenant: this.tenant, attempt: attempt + 1, err: outcome.error });
      }
      await this.sleep(outcome.retryAfterMs ?? backoff);
      if (this.aborted || round?.dropped === true) return;
      backoff = Math.min(backoff * 2, this.cfg.queue.max_backoff_ms);
    }
  }

  private wakeAll(): void {
    for (const wake of [...this.sleepers]) wake();
  }

  /** Waits `ms`, or less when the flush deadline arrives or the round is dropped first. */
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
