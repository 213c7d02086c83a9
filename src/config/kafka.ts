/**
 * `ingest.kafka` + the generator's Kafka keys → Config.kafka. Tempo's topic
 * carries its own record format (`metrics_generator.codec`) with the tenant
 * in the record key; `otlp_topics` are Collector topics with their encoding
 * and a tenant header or fixed tenant.
 */
import type { KafkaConfig, KafkaTopicConfig } from "./types.ts";
import type { ParsedGenerator } from "./schema-generator.ts";
import type { ParsedIngest } from "./schema-ingest.ts";

/** Tempo's consumer group for generators (spec §2.1); redgen lets it be changed. */
export const DEFAULT_CONSUMER_GROUP = "metrics-generator";

/** The Kafka settings, or undefined when no topic is configured. */
export function buildKafka(ingest: ParsedIngest, gen: ParsedGenerator, instanceId: string, warnings: string[]): KafkaConfig | undefined {
  const k = ingest.kafka;
  if (k === undefined) return undefined;
  const topics: KafkaTopicConfig[] = [];
  if (k.topic !== "") topics.push({ topic: k.topic, format: gen.codec, tenant_header: "", tenant: "" });
  for (const t of k.otlp_topics) topics.push({ topic: t.topic, format: t.encoding, tenant_header: t.tenant_header, tenant: t.tenant });
  if (topics.length === 0) {
    warnings.push("ingest.kafka has no topic (ingest.kafka.topic or ingest.kafka.otlp_topics): redgen does not consume from Kafka");
    return undefined;
  }
  if (ingest.enabled === false) {
    warnings.push("ingest.enabled is false: redgen does not consume from Kafka");
    return undefined;
  }
  return {
    brokers: k.address
      .split(",")
      .map((a) => a.trim())
      .filter((a) => a !== ""),
    client_id: k.client_id || "redgen",
    consumer_group: k.consumer_group || DEFAULT_CONSUMER_GROUP,
    topics,
    instance_id: instanceId,
    leave_consumer_group_on_shutdown: gen.leave_consumer_group_on_shutdown,
    skip_stale_backlog_on_startup: gen.skip_stale_backlog_on_startup,
    slack_ms: gen.metrics_ingestion_time_range_slack,
    dial_timeout_ms: k.dial_timeout,
    lag_update_interval_ms: k.consumer_group_lag_metric_update_interval,
    session_timeout_ms: k.session_timeout,
    rebalance_timeout_ms: Math.max(k.rebalance_timeout, k.session_timeout),
  };
}
