/**
 * `ingest:` (Tempo 3's Kafka settings, spec §2, kafka.md §1.8). redgen reads
 * `ingest.kafka` to consume Tempo's ingest topic; `otlp_topics` is redgen's
 * own addition for topics written by the OpenTelemetry Collector's kafka
 * exporter. Producer-side and live-store keys are accepted and ignored.
 */
import { z } from "zod";
import { ignoreAll, ignoredBecause, opt, strictBlock, unsupported, withDefault } from "./schema-blocks.ts";

function unsupportedAll(keys: string[], why: string): Record<string, ReturnType<typeof unsupported>> {
  return Object.fromEntries(keys.map((k) => [k, unsupported(why)]));
}
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
  // Tempo's SASL keys; PLAIN without credentials means no SASL, as in Tempo
  sasl_mechanism: withDefault(oneOf(["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER", "AWS_MSK_IAM"] as const), "PLAIN"),
  sasl_username: withDefault(str, ""),
  sasl_password: withDefault(str, ""),
  /** redgen addition: the password read from a file */
  sasl_password_file: opt(nonEmptyStr),
  ...unsupportedAll(
    [
      "sasl_oauthbearer_token",
      "sasl_oauthbearer_zid",
      "sasl_oauthbearer_extensions",
      "sasl_oauthbearer_file_path",
      "sasl_oauthbearer_http_socket_path",
      "sasl_oauthbearer_http_socket_timeout",
      "sasl_msk_iam_access_key",
      "sasl_msk_iam_secret_key",
      "sasl_msk_iam_session_token",
      "sasl_msk_iam_file_path",
      "sasl_msk_iam_http_socket_path",
      "sasl_msk_iam_http_socket_timeout",
    ],
    "SASL OAUTHBEARER and AWS_MSK_IAM are not supported by redgen (use PLAIN or SCRAM)",
  ),
  // Tempo's (dskit's) TLS client keys
  tls_enabled: withDefault(bool, false),
  tls_cert_path: withDefault(str, ""),
  tls_key_path: withDefault(str, ""),
  tls_ca_path: withDefault(str, ""),
  tls_server_name: withDefault(str, ""),
  tls_insecure_skip_verify: withDefault(bool, false),
  tls_cipher_suites: unsupported("tls_cipher_suites is not supported by redgen"),
  tls_min_version: unsupported("tls_min_version is not supported by redgen"),
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
