import type { Config } from "../config/types.ts";
import type { KafkaReceiver } from "../receive/kafka/kafka-receiver.ts";
import type { LagTracker } from "../receive/kafka/kafka-lag.ts";
import type { KafkaSource } from "../receive/kafka/kafka-source.ts";
import type { KafkaProgress } from "../receive/kafka/kafka-progress.ts";
import type { SelfMetrics } from "./self-metrics.ts";

/** What the Kafka self-metrics read. */
export interface KafkaView {
  receiver: KafkaReceiver;
  lag: LagTracker;
  source: KafkaSource;
  progress: KafkaProgress;
}

/**
 * Kafka self-metrics: Tempo's lag and partition families (spec §11.1, with a
 * `topic` label since redgen may read several topics) and redgen's record
 * and skipped-record counters.
 */
export function registerKafkaCollectors(m: SelfMetrics, config: Config, view: () => KafkaView | undefined): void {
  m.register(() => {
    const k = view();
    if (k === undefined || config.kafka === undefined) return [];
    const group = config.kafka.consumer_group;
    const stats = k.receiver.stats;
    return [
      {
        name: "tempo_metrics_generator_assigned_partitions",
        help: "Kafka partitions this instance consumes.",
        type: "gauge",
        samples: [{ labels: {}, value: k.source.assigned().length }],
      },
      {
        name: "tempo_ingest_group_partition_lag",
        help: "Records not yet consumed (latest offset minus committed), per owned partition.",
        type: "gauge",
        samples: k.lag.last.map((l) => ({ labels: { group, topic: l.topic, partition: String(l.partition) }, value: l.lag })),
      },
      {
        name: "tempo_ingest_group_partition_lag_seconds",
        help: "Age of the newest record consumed, per partition.",
        type: "gauge",
        samples: [...stats.lagSeconds].map(([key, v]) => {
          const [topic, partition] = key.split("\u0000");
          return { labels: { group, topic, partition }, value: v };
        }),
      },
      {
        name: "redgen_kafka_records_total",
        help: "Kafka records consumed.",
        type: "counter",
        samples: [...stats.records].map(([topic, n]) => ({ labels: { topic }, value: n })),
      },
      {
        name: "redgen_kafka_stale_records_skipped_total",
        help: "Records older than the ingestion slack passed over at startup (skip_stale_backlog_on_startup).",
        type: "counter",
        samples: [{ labels: {}, value: k.source.skippedStale }],
      },
      {
        name: "redgen_kafka_records_skipped_total",
        help: "Kafka records (or traces inside one) skipped, by reason: decode, too_large, missing_tenant_key, invalid_tenant, internal.",
        type: "counter",
        samples: [...stats.errors].map(([key, n]) => {
          const [topic, reason] = key.split("\u0000");
          return { labels: { topic, reason }, value: n };
        }),
      },
      {
        name: "redgen_kafka_replayed_records_skipped_total",
        help: "Records read again after a restart that a tenant's restored checkpoint already counted (exactly-once replay).",
        type: "counter",
        samples: [{ labels: {}, value: k.progress.skippedReplays }],
      },
      {
        name: "redgen_kafka_commit_failures_total",
        help: "Offset commits that failed (the next checkpoint commits again).",
        type: "counter",
        samples: [{ labels: {}, value: k.progress.commitFailures }],
      },
    ];
  });
}
