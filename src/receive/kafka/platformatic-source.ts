import { Consumer, type Message, type MessagesStream } from "@platformatic/kafka";
import type { KafkaConfig } from "../../config/types.ts";
import { log } from "../../util/log.ts";
import { SLICE_MS, nextTurn } from "../../util/slices.ts";
import type { KafkaRecordView, KafkaSource, PartitionLag } from "./kafka-source.ts";

/**
 * KafkaSource on @platformatic/kafka (README: why this client). Static
 * membership (group.instance.id = instance_id), the classic group protocol,
 * no autocommit: offsets are committed by the owner (kafka-progress.ts) once
 * the records before them are inside durable checkpoints. When a rebalance
 * starts, the owner checkpoints at once and this source commits everything
 * processed before rejoining, so the next owner starts right after it. On
 * close the group is left only with leave_consumer_group_on_shutdown.
 */
/** What a rebalance may hold in memory before the stream is paused until the join. */
const HOLD_LIMIT_BYTES = 64 << 20;

/** SASL and TLS options of every broker connection (ingest.kafka.sasl_* / tls_*). */
function connectionSecurity(cfg: KafkaConfig) {
  const t = cfg.tls;
  return {
    sasl: cfg.sasl && { mechanism: cfg.sasl.mechanism, username: cfg.sasl.username, password: cfg.sasl.password },
    tls: t && { ca: t.ca, cert: t.cert, key: t.key, rejectUnauthorized: !t.insecure_skip_verify, servername: t.server_name },
    tlsServerName: t?.server_name,
  };
}

export class PlatformaticSource implements KafkaSource {
  private readonly consumer: Consumer;
  private stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  /** leader epoch of the newest record per "topic/partition" (commits carry it) */
  private readonly epochs = new Map<string, number>();
  /** the first offset consumed per owned partition since it was assigned: commits never go below it */
  private readonly firstOffset = new Map<string, bigint>();
  private beforeRebalance: (() => boolean) | undefined;
  /** paused for shutdown: records still in flight are left unprocessed */
  private halted = false;
  private joined = false;
  /** "topic/partition" owned since the last join: a fetch issued before a rebalance may still deliver others */
  private owned = new Set<string>();
  /** between a rebalance starting and the next join: records are held until the new assignment is known */
  private rebalancing = false;
  /** next unprocessed offset per owned partition: after a rejoin the stream may restart from an older commit */
  private readonly next = new Map<string, bigint>();
  /**
   * records that arrived during a rebalance, in order: processed after the
   * join for the partitions still owned, dropped for the others (their next
   * owner starts at the offsets committed when the rebalance began). Holding them, not dropping them, keeps every kept
   * partition gap-free whether or not the client fetches it again after the
   * join. They are processed in slices, and records that arrive meanwhile
   * queue behind them.
   */
  private held: Message<Buffer, Buffer, Buffer, Buffer>[] = [];
  private heldAt = 0;
  private heldBytes = 0;
  private draining = false;
  /** the stream was paused because too much was held */
  private pausedForRebalance = false;
  private deliver: ((m: Message<Buffer, Buffer, Buffer, Buffer>) => void) | undefined;
  /** records skipped by skip_stale_backlog_on_startup */
  skippedStale = 0;

  constructor(private readonly cfg: KafkaConfig) {
    this.consumer = new Consumer({
      clientId: cfg.client_id,
      groupId: cfg.consumer_group,
      bootstrapBrokers: cfg.brokers,
      // must be set here: given to consume() it is ignored (kafka client spike)
      groupInstanceId: cfg.instance_id,
      sessionTimeout: cfg.session_timeout_ms,
      rebalanceTimeout: cfg.rebalance_timeout_ms,
      heartbeatInterval: Math.min(3000, Math.floor(cfg.session_timeout_ms / 3)),
      timeout: cfg.dial_timeout_ms,
      retryDelay: 250,
      ...connectionSecurity(cfg),
    });
    this.consumer.on("consumer:group:join", (p) => {
      this.joined = true;
      this.rebalancing = false;
      this.owned = new Set((p.assignments ?? []).flatMap((a) => a.partitions.map((n) => `${a.topic}/${n}`)));
      // Offsets of partitions that moved away are the new owner's to commit.
      for (const key of this.next.keys()) {
        if (this.owned.has(key)) continue;
        this.next.delete(key);
        this.firstOffset.delete(key);
      }
      void this.drainHeld();
      log.info("kafka: joined consumer group", {
        group: p.groupId,
        generation: p.generationId ?? "",
        partitions: (p.assignments ?? []).map((a) => `${a.topic}:${a.partitions.join("/")}`).join(",") || "none",
      });
    });
    // A rebalance is starting: checkpoint and commit what is counted now, before this member
    // rejoins (the request goes out ahead of its JoinGroup), so the next owner starts right
    // after it; records arriving until the new assignment are held (see `held`).
    this.consumer.on("consumer:group:rebalance", () => {
      this.rebalancing = true;
      if (this.beforeRebalance?.() === false) {
        log.warn("kafka: checkpoint before the rebalance failed; not committing (the next owner may count some records again)");
        return;
      }
      void this.commit(this.processed()).catch((e: unknown) => log.warn("kafka: commit at rebalance failed", { err: e }));
    });
    this.consumer.on("consumer:heartbeat:error", (p) => log.warn("kafka: heartbeat failed", { err: String((p as { error?: unknown }).error) }));
  }

  get ready(): boolean {
    return this.joined;
  }

  async start(onRecord: (r: KafkaRecordView) => void): Promise<void> {
    const stream = await this.consumer.consume({
      topics: [...new Set(this.cfg.topics.map((t) => t.topic))],
      mode: "committed",
      // no committed offset: the whole retained log, then the slack window decides (Tempo's AtStart)
      fallbackMode: "earliest",
      autocommit: false,
      maxBytesPerPartition: 16_000_000,
      maxWaitTime: 500,
    });
    this.stream = stream;
    const staleBelow = this.cfg.skip_stale_backlog_on_startup ? await this.staleCutoffs() : undefined;
    this.joined = true;
    this.deliver = (m) => {
      const key = `${m.topic}/${m.partition}`;
      // A partition revoked by a rebalance (fetched before it): the next owner reads them.
      if (!this.owned.has(key)) return;
      // Already counted here (the stream re-reads from the committed offset after a rejoin).
      const next = this.next.get(key);
      if (next !== undefined && m.offset < next) return;
      const cutoff = staleBelow?.get(key);
      if (!this.firstOffset.has(key)) this.firstOffset.set(key, m.offset);
      this.epochs.set(key, m.leaderEpoch);
      if (cutoff !== undefined) {
        if (m.offset < cutoff) {
          // stale backlog: not processed, but its offset moves forward with the next commit
          this.skippedStale++;
          this.next.set(key, m.offset + 1n);
          return;
        }
        staleBelow?.delete(key);
      }
      onRecord({
        topic: m.topic,
        partition: m.partition,
        offset: m.offset,
        key: m.key,
        value: m.value,
        headers: m.headers,
        timestampMs: Number(m.timestamp),
      });
      this.next.set(key, m.offset + 1n);
    };
    stream.on("data", (m: Message<Buffer, Buffer, Buffer, Buffer>) => {
      if (this.halted) return;
      if (!this.rebalancing && this.heldAt === this.held.length) {
        this.deliver?.(m);
        return;
      }
      this.held.push(m);
      this.heldBytes += (m.value?.length ?? 0) + 64;
      // Backpressure rather than memory: the broker keeps what is not fetched.
      if (this.heldBytes > HOLD_LIMIT_BYTES && !this.pausedForRebalance) {
        this.pausedForRebalance = true;
        stream.pause();
      }
    });
    stream.on("error", (e: Error) => log.error("kafka: stream error", { err: e }));
  }

  /** Processes held records in order, in slices (a long rebalance can gather many), until none is left or another rebalance starts. */
  private async drainHeld(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      let end = performance.now() + SLICE_MS;
      while (this.heldAt < this.held.length && !this.rebalancing && !this.halted) {
        const m = this.held[this.heldAt];
        this.held[this.heldAt++] = undefined as never;
        this.heldBytes -= (m.value?.length ?? 0) + 64;
        this.deliver?.(m);
        if (performance.now() >= end) {
          await nextTurn();
          end = performance.now() + SLICE_MS;
        }
      }
      if (this.heldAt === this.held.length) {
        this.held = [];
        this.heldAt = 0;
        this.heldBytes = 0;
        if (this.pausedForRebalance && !this.halted) this.stream?.resume();
        this.pausedForRebalance = false;
      }
    } finally {
      this.draining = false;
    }
  }

  onRebalance(checkpoint: () => boolean): void {
    this.beforeRebalance = checkpoint;
  }

  processed(): Map<string, bigint> {
    const out = new Map<string, bigint>();
    for (const [key, next] of this.next) if (this.owned.has(key)) out.set(key, next);
    return out;
  }

  /**
   * skip_stale_backlog_on_startup (spec §2.3): for each partition owned at
   * start, the first offset at or after now − slack (the log end when no
   * record is that new). Records below it are passed over unprocessed; their
   * offsets are committed like processed ones. A failed lookup keeps the
   * committed offsets, as Tempo does.
   */
  private async staleCutoffs(): Promise<Map<string, bigint>> {
    const out = new Map<string, bigint>();
    const topics = [...new Set(this.cfg.topics.map((t) => t.topic))];
    try {
      const since = await this.consumer.listOffsetsWithTimestamps({ topics, timestamp: BigInt(Date.now() - this.cfg.slack_ms) });
      const latest = await this.consumer.listOffsets({ topics });
      for (const { topic, partition } of this.assigned()) {
        const at = since.get(topic)?.get(partition)?.offset ?? -1n;
        const end = latest.get(topic)?.[partition];
        const cutoff = at >= 0n ? at : end;
        if (cutoff !== undefined) out.set(`${topic}/${partition}`, cutoff);
      }
      log.info("kafka: skipping stale backlog", { partitions: out.size, since_ms_ago: this.cfg.slack_ms });
    } catch (e) {
      log.warn("kafka: stale-backlog lookup failed; consuming from the committed offsets", { err: e });
    }
    return out;
  }

  /**
   * Commits `offsets` for the partitions this instance owns, never below where
   * it started consuming them (an older checkpoint's offset must not move the
   * group back), with the consumer's own OffsetCommit (not the stream's queued
   * commits, which wait out a rebalance). Resolves with what was committed.
   */
  async commit(offsets: ReadonlyMap<string, bigint>): Promise<Map<string, bigint>> {
    const sent = new Map<string, bigint>();
    const list: { topic: string; partition: number; offset: bigint; leaderEpoch: number }[] = [];
    for (const [key, offset] of offsets) {
      const first = this.firstOffset.get(key);
      if (!this.owned.has(key) || first === undefined || offset < first) continue;
      const slash = key.lastIndexOf("/");
      list.push({ topic: key.slice(0, slash), partition: Number(key.slice(slash + 1)), offset, leaderEpoch: this.epochs.get(key) ?? -1 });
      sent.set(key, offset);
    }
    if (list.length > 0) await this.consumer.commit({ offsets: list });
    return sent;
  }

  /** Stops fetching and processing (the owner then checkpoints and commits). */
  pause(): void {
    // Not stream.close(): closing the last stream unsubscribes and rejoins, a rebalance for everyone.
    this.stream?.pause();
    this.halted = true;
  }

  /** Leaves the group if configured; the instance keeps its partitions otherwise (static membership). */
  async close(): Promise<void> {
    if (this.cfg.leave_consumer_group_on_shutdown) {
      await this.consumer.close(true).catch((e: unknown) => log.warn("kafka: leaving the group failed", { err: e }));
      log.info("kafka: left the consumer group");
    }
    this.joined = false;
  }

  assigned(): { topic: string; partition: number }[] {
    return (this.consumer.assignments ?? []).flatMap((a) => a.partitions.map((partition) => ({ topic: a.topic, partition })));
  }

  async lag(): Promise<PartitionLag[]> {
    const topics = [...new Set(this.cfg.topics.map((t) => t.topic))];
    const lags = await this.consumer.getLag({ topics });
    const out: PartitionLag[] = [];
    for (const [topic, perPartition] of lags) {
      perPartition.forEach((lag, partition) => {
        if (lag >= 0n) out.push({ topic, partition, lag: Number(lag) });
      });
    }
    return out;
  }
}
