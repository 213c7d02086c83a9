/**
 * `ingest:` (Tempo 3's Kafka settings, spec §2, kafka.md §1.8). redgen reads
 * `ingest.kafka` to consume Tempo's ingest topic; `otlp_topics` is redgen's
 * own addition for topics written by the OpenTelemetry Collector's kafka
 * exporter. Producer-side and live-store keys are accepted and ignored.
 */
import { z } from "zod";
import { ignoreAll, ignoredBecause, opt, strictBlock, unsupported, withDefault } from "./schema-blocks.ts";
import { bool, duration, intAtLeast, nonEmptyStr, oneOf, str } from "./schema-scalars.ts";

const producerOnly = ignoredBecause("producer setting; redgen only consumes");

/** One OTel Collector topic: its encoding and where the tenant comes from. */
const otlpTopicSchema = strictBlock({
  topic: nonEmptyStr,
  encoding: withDefault(oneOf(["otlp_proto", "otlp_json"] as const), "otlp_proto"),
  /** record header carrying the tenant; absent or empty header → `tenant` */
  tenant_header: withDefault(str, ""),
  tenant: withDefault(nonEmptyStr, "single-tenant"),
});

const kafkaSchema = strictBlock({
  address: withDefault(nonEmptyStr, "localhost:9092"),
  topic: withDefault(str, ""),
  client_id: withDefault(str, ""),
  dial_timeout: withDefault(duration, "2s"),
  consumer_group: withDefault(str, ""),
  consumer_group_lag_metric_update_interval: withDefault(duration, "1m"),
  otlp_topics: withDefault(z.array(otlpTopicSchema), []),
  // redgen additions: Tempo fixes these at 3m / 5m
  session_timeout: withDefault(duration, "3m"),
  rebalance_timeout: withDefault(duration, "5m"),
  sasl_username: unsupported("SASL is not supported by redgen yet"),
  sasl_password: unsupported("SASL is not supported by redgen yet"),
  sasl_mechanism: unsupported("SASL is not supported by redgen yet"),
  tls_enabled: unsupported("TLS to Kafka is not supported by redgen yet"),
  client_rack: unsupported("rack-aware fetching is not supported by redgen"),
  ...ignoreAll(
    {
      write_timeout: duration,
      producer_max_record_size_bytes: intAtLeast(0),
      producer_max_buffered_bytes: intAtLeast(0),
      producer_compression: str,
      auto_create_topic_enabled: bool,
      auto_create_topic_default_partitions: intAtLeast(0),
      consumer_group_offset_commit_interval: duration,
      last_produced_offset_retry_timeout: duration,
      target_consumer_lag_at_startup: duration,
      max_consumer_lag_at_startup: duration,
      disable_kafka_telemetry: bool,
    },
    producerOnly,
  ),
});

/** `ingest:`. */
export const ingestSchema = strictBlock({
  enabled: opt(bool),
  kafka: opt(kafkaSchema),
});

/** Parsed `ingest:` block. */
export type ParsedIngest = z.output<typeof ingestSchema>;
