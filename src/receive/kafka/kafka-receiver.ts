import type { KafkaConfig, KafkaTopicConfig } from "../../config/types.ts";
import { DecodeError } from "../../decode/decode-error.ts";
import { recordPayloads } from "../../decode/kafka-record.ts";
import { decodeJson } from "../../decode/otlp.ts";
import { log } from "../../util/log.ts";
import { tenantFromHeader } from "../tenant-id.ts";
import type { TraceExport } from "../trace-export.ts";
import type { KafkaRecordView, KafkaSource } from "./kafka-source.ts";

/** Kafka ingest counters, read by /metrics. */
export class KafkaStats {
  /** records by topic */
  readonly records = new Map<string, number>();
  /** records (or traces inside one) skipped, by "topic\u0000reason" */
  readonly errors = new Map<string, number>();
  /** age of the newest record seen per "topic\u0000partition", seconds (Tempo's lag_seconds) */
  readonly lagSeconds = new Map<string, number>();

  error(topic: string, reason: string): void {
    const k = `${topic}\u0000${reason}`;
    this.errors.set(k, (this.errors.get(k) ?? 0) + 1);
  }
}

/**
 * Turns Kafka records into pushes (spec §2.3): the tenant from the record key
 * (Tempo's formats) or a header / fixed tenant (Collector topics), the value
 * split into OTLP payloads, each trace pushed on its own, skipMetricsGeneration
 * honoured. A bad record or trace is counted and skipped; it never stops the
 * partition. The slack window applies as on every other path.
 */
export class KafkaReceiver {
  private readonly byTopic: Map<string, KafkaTopicConfig>;

  constructor(
    cfg: KafkaConfig,
    private readonly source: KafkaSource,
    private readonly exporter: TraceExport,
    readonly stats: KafkaStats,
    /** whether a tenant's restored checkpoint already counted a record (exactly-once replay) */
    private readonly alreadyCounted: (tenant: string, topic: string, partition: number, offset: bigint) => boolean = () => false,
  ) {
    this.byTopic = new Map(cfg.topics.map((t) => [t.topic, t]));
  }

  start(): Promise<void> {
    return this.source.start((r) => this.onRecord(r));
  }

  /** Stops taking records; the owner then checkpoints, commits and closes the source. */
  pause(): void {
    this.source.pause();
  }

  get ready(): boolean {
    return this.source.ready;
  }

  /** Never throws: whatever is wrong with a record is counted, and the consumer moves on. */
  onRecord(r: KafkaRecordView): void {
    const topic = this.byTopic.get(r.topic);
    if (topic === undefined) return;
    this.stats.records.set(r.topic, (this.stats.records.get(r.topic) ?? 0) + 1);
    this.stats.lagSeconds.set(`${r.topic}\u0000${r.partition}`, Math.max(0, (Date.now() - r.timestampMs) / 1000));
    const tenant = this.tenantOf(topic, r);
    if (tenant === undefined || this.alreadyCounted(tenant, r.topic, r.partition, r.offset)) return;
    let payloads: ReturnType<typeof recordPayloads>;
    try {
      payloads = recordPayloads(r.value, topic.format);
    } catch (e) {
      this.skip(r, e);
      return;
    }
    for (const p of payloads.protobuf) {
      try {
        this.exporter.exportRecord(tenant, p, payloads.skipMetricsGeneration);
      } catch (e) {
        this.skip(r, e);
      }
    }
    if (payloads.json !== undefined) {
      try {
        this.exporter.export(tenant, decodeJson(payloads.json));
      } catch (e) {
        this.skip(r, e);
      }
    }
  }

  private tenantOf(topic: KafkaTopicConfig, r: KafkaRecordView): string | undefined {
    let raw: string | undefined;
    if (topic.format === "push-bytes" || topic.format === "otlp") {
      raw = r.key === undefined || r.key.length === 0 ? undefined : Buffer.from(r.key).toString("utf8");
      if (raw === undefined) {
        this.stats.error(r.topic, "missing_tenant_key");
        return undefined;
      }
    } else if (topic.tenant_header !== "") {
      for (const [k, v] of r.headers) {
        if (k.toString("utf8").toLowerCase() === topic.tenant_header.toLowerCase()) raw = v.toString("utf8");
      }
    }
    const t = tenantFromHeader(raw ?? topic.tenant);
    if ("error" in t) {
      this.stats.error(r.topic, "invalid_tenant");
      return undefined;
    }
    return t.tenant;
  }

  private skip(r: KafkaRecordView, e: unknown): void {
    const reason = e instanceof DecodeError ? (e.reason === "too_large" ? "too_large" : "decode") : "internal";
    this.stats.error(r.topic, reason);
    if (reason === "internal") log.error("kafka: processing a record failed", { topic: r.topic, partition: r.partition, offset: r.offset, err: e });
    else log.debug("kafka: record skipped", { topic: r.topic, partition: r.partition, offset: r.offset, err: e });
  }
}
