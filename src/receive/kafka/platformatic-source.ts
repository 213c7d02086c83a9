import { Consumer, type Message, type MessagesStream } from "@platformatic/kafka";
import type { KafkaConfig } from "../../config/types.ts";
import { log } from "../../util/log.ts";
import type { KafkaRecordView, KafkaSource, PartitionLag } from "./kafka-source.ts";

const COMMIT_INTERVAL_MS = 1000;

/**
 * KafkaSource on @platformatic/kafka (README: why this client). Static
 * membership (group.instance.id = instance_id), the classic group protocol,
 * no autocommit: every second the last processed record of each partition is
 * committed, so a crash replays at most about a second of records and loses
 * none. On stop the stream pauses, pending commits are flushed, and the group
 * is left only with leave_consumer_group_on_shutdown.
 */
export class PlatformaticSource implements KafkaSource {
  private readonly consumer: Consumer;
  private stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  /** last processed (not yet committed) message per "topic/partition" */
  private readonly done = new Map<string, Message>();
  private commitTimer: ReturnType<typeof setInterval> | undefined;
  private joined = false;
  /** "topic/partition" owned since the last join: a fetch issued before a rebalance may still deliver others */
  private owned = new Set<string>();
  /** between a rebalance starting and the next join: records are left for whoever owns them next */
  private rebalancing = false;
  /** next unprocessed offset per owned partition: after a rejoin the stream may restart from an older commit */
  private readonly next = new Map<string, bigint>();
  /**
   * partitions with records dropped during a rebalance: until the record at
   * `next` comes again (the stream re-reads from the committed offset), later
   * ones are dropped too, or the dropped ones would be skipped as "counted"
   */
  private readonly gap = new Set<string>();
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
    });
    this.consumer.on("consumer:group:join", (p) => {
      this.joined = true;
      this.rebalancing = false;
      this.owned = new Set((p.assignments ?? []).flatMap((a) => a.partitions.map((n) => `${a.topic}/${n}`)));
      // Offsets of partitions that moved away are the new owner's to commit.
      for (const key of this.done.keys()) if (!this.owned.has(key)) this.done.delete(key);
      for (const key of this.next.keys()) {
        if (this.owned.has(key)) continue;
        this.next.delete(key);
        this.gap.delete(key);
      }
      log.info("kafka: joined consumer group", {
        group: p.groupId,
        generation: p.generationId ?? "",
        partitions: (p.assignments ?? []).map((a) => `${a.topic}:${a.partitions.join("/")}`).join(",") || "none",
      });
    });
    // A rebalance is starting: commit what is counted now, before this member rejoins (the
    // request goes out ahead of its JoinGroup), so the next owner starts right after it;
    // records arriving until the new assignment are not processed, the next owner reads them.
    this.consumer.on("consumer:group:rebalance", () => {
      this.rebalancing = true;
      void this.commit();
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
    stream.on("data", (m: Message<Buffer, Buffer, Buffer, Buffer>) => {
      const key = `${m.topic}/${m.partition}`;
      // A partition revoked by a rebalance (fetched before it): the next owner reads them.
      if (!this.owned.has(key)) return;
      const next = this.next.get(key);
      if (this.rebalancing) {
        // Left for whoever owns the partition after the rebalance (maybe us, from the commit).
        if (!this.gap.has(key)) {
          this.gap.add(key);
          if (next === undefined || m.offset < next) this.next.set(key, m.offset);
        }
        return;
      }
      if (next !== undefined) {
        // Already counted here (the stream re-reads from the committed offset after a rejoin).
        if (m.offset < next) return;
        if (this.gap.has(key)) {
          if (m.offset !== next) return;
          this.gap.delete(key);
        }
      }
      const cutoff = staleBelow?.get(key);
      if (cutoff !== undefined) {
        if (m.offset < cutoff) {
          // stale backlog: not processed, but its offset moves forward with the next commit
          this.skippedStale++;
          this.done.set(key, m);
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
      this.done.set(key, m);
      this.next.set(key, m.offset + 1n);
    });
    stream.on("error", (e: Error) => log.error("kafka: stream error", { err: e }));
    this.commitTimer = setInterval(() => void this.commit(), COMMIT_INTERVAL_MS);
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
   * Commits the last processed record of every partition, sent at once with
   * the consumer's own OffsetCommit (not the stream's queued commits, which wait
   * out a rebalance).
   */
  private async commit(): Promise<void> {
    if (this.done.size === 0) return;
    const offsets = [...this.done.values()].map((m) => ({
      topic: m.topic,
      partition: m.partition,
      offset: m.offset + 1n,
      leaderEpoch: m.leaderEpoch,
    }));
    this.done.clear();
    try {
      await this.consumer.commit({ offsets });
    } catch (e) {
      log.warn("kafka: commit failed; those records may be delivered again", { partitions: offsets.length, err: e });
    }
  }

  async stop(): Promise<void> {
    if (this.commitTimer !== undefined) clearInterval(this.commitTimer);
    // Not stream.close(): closing the last stream unsubscribes and rejoins, a rebalance for everyone.
    this.stream?.pause();
    await this.commit();
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
