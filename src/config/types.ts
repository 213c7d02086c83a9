/**
 * The configuration redgen runs on, after YAML parsing, validation, defaults
 * and per-tenant overrides. Key names follow Tempo's YAML (snake_case) so a
 * reader can map each field to tempo.yaml; durations are milliseconds.
 */

/** One filter-policy match block (spec §7). */
export interface PolicyMatch {
  match_type: "strict" | "regex";
  /**
   * `float`: the YAML value was written as a float (`200.0`), so only double
   * attributes match (Tempo's float filter); a whole number written `200` is an int.
   */
  attributes: { key: string; value: string | number | boolean; float?: boolean }[];
}

export interface FilterPolicy {
  include?: PolicyMatch;
  include_any?: PolicyMatch;
  exclude?: PolicyMatch;
}

export interface IntrinsicDimensions {
  service: boolean;
  span_name: boolean;
  span_kind: boolean;
  status_code: boolean;
  status_message: boolean;
}

export interface DimensionMapping {
  name: string;
  source_labels: string[];
  join: string;
}

/** metrics_generator.processor.span_metrics (spec §4, §12). */
export interface SpanMetricsConfig {
  histogram_buckets: number[];
  intrinsic_dimensions: IntrinsicDimensions;
  dimensions: string[];
  dimension_mappings: DimensionMapping[];
  enable_target_info: boolean;
  target_info_excluded_dimensions: string[];
  enable_instance_label: boolean;
  span_multiplier_key: string;
  enable_tracestate_span_multiplier: boolean;
  filter_policies: FilterPolicy[];
}

/** metrics_generator.processor.service_graphs (spec §5, §12). */
export interface ServiceGraphsConfig {
  wait_ms: number;
  max_items: number;
  workers: number;
  histogram_buckets: number[];
  dimensions: string[];
  enable_client_server_prefix: boolean;
  enable_messaging_system_latency_histogram: boolean;
  peer_attributes: string[];
  span_multiplier_key: string;
  enable_tracestate_span_multiplier: boolean;
  enable_virtual_node_label: boolean;
  database_name_attributes: string[];
  filter_policies: FilterPolicy[];
}

/** metrics_generator.processor.host_info (spec §6). */
export interface HostInfoConfig {
  host_identifiers: string[];
  metric_name: string;
}

/** Processor names Tempo accepts (spec §1). */
export const PROCESSOR_NAMES = [
  "span-metrics",
  "span-metrics-count",
  "span-metrics-latency",
  "span-metrics-size",
  "service-graphs",
  "service-graphs-request",
  "service-graphs-latency",
  "service-graphs-connection-info",
  "host-info",
] as const;
export type ProcessorName = (typeof PROCESSOR_NAMES)[number];

/** Effective generator settings of one tenant: static config with overrides applied (spec §10). */
export interface TenantConfig {
  processors: ProcessorName[];
  span_metrics: SpanMetricsConfig;
  service_graphs: ServiceGraphsConfig;
  host_info: HostInfoConfig;
  max_active_series: number;
  max_active_entities: number;
  max_cardinality_per_label: number;
  span_name_sanitization: "" | "dry_run" | "enabled";
  collection_interval_ms: number;
  disable_collection: boolean;
  trace_id_label_name: string;
  ingestion_time_range_slack_ms: number;
  generate_native_histograms: "classic" | "native" | "both";
  /** the tenant's value, else overrides.defaults', else Tempo's default (0 counts as unset, spec §10) */
  native_histogram_bucket_factor: number;
  native_histogram_max_bucket_number: number;
  native_histogram_min_reset_duration_ms: number;
  remote_write_headers: Record<string, string>;
}

/** metrics_generator.registry (spec §8.6). */
export interface RegistryConfig {
  collection_interval_ms: number;
  stale_duration_ms: number;
  external_labels: Record<string, string>;
  inject_tenant_id_as: string;
  max_label_name_length: number;
  max_label_value_length: number;
}

/** One Prometheus remote_write block, the parts redgen implements (spec §9). */
export interface RemoteWriteConfig {
  url: string;
  name: string;
  remote_timeout_ms: number;
  headers: Record<string, string>;
  basic_auth?: { username: string; password: string };
  /** Authorization header value, e.g. "Bearer xyz" (authorization.credentials or bearer_token) */
  authorization?: string;
  tls?: { ca?: string; cert?: string; key?: string; insecure_skip_verify: boolean; server_name?: string };
  /** OAuth 2.0 client credentials: a token fetched from token_url, cached until it expires */
  oauth2?: {
    client_id: string;
    client_secret: string;
    token_url: string;
    scopes: string[];
    endpoint_params: Record<string, string>;
    tls?: { ca?: string; cert?: string; key?: string; insecure_skip_verify: boolean; server_name?: string };
  };
  /** AWS Signature Version 4 (Amazon Managed Prometheus): every request signed */
  sigv4?: { region: string; access_key: string; secret_key: string; session_token?: string; service: string };
  send_exemplars: boolean;
  /** remote write 1.0 (prometheus.WriteRequest, the default) or 2.0 (io.prometheus.write.v2.Request) */
  protobuf_message: "prometheus.WriteRequest" | "io.prometheus.write.v2.Request";
  queue: {
    capacity: number;
    max_shards: number;
    max_samples_per_send: number;
    min_backoff_ms: number;
    /** rounds older than this are dropped unsent (0: never) */
    sample_age_limit_ms: number;
    max_backoff_ms: number;
    retry_on_http_429: boolean;
  };
}

/**
 * Who may use a port (auth/authenticator.ts): bearer tokens and htpasswd
 * users, each optionally pinned to a tenant. Secrets are resolved at load
 * (files read), never shown (redact.ts).
 */
export interface AuthConfig {
  /** header carrying bearer tokens (lower or any case) */
  token_header: string;
  /** scheme before the token ("Bearer"); "" when the header holds the bare token */
  scheme: string;
  tokens: { token: string; tenant?: string }[];
  /** htpasswd users; hash is bcrypt, argon2, $apr1$ or {SHA} */
  users: { user: string; hash: string; tenant?: string }[];
}

/** A server certificate, and the CA that client certificates must chain to (mutual TLS) when set. */
export interface ServerTls {
  cert_file: string;
  key_file: string;
  client_ca_file?: string;
}

/** A receiver endpoint "host:port" split, plus optional TLS files and authentication. */
export interface ListenConfig {
  host: string;
  port: number;
  tls?: ServerTls;
  /** max request size after decompression, bytes */
  max_request_bytes: number;
  auth?: AuthConfig;
}

/** The OTLP/HTTP listener. */
export interface HttpListenConfig extends ListenConfig {
  /** seconds a connection may stay idle (Bun.serve's idleTimeout) */
  idle_timeout_s: number;
}

/** The OTLP/gRPC listener: HTTP/2 limits and the keepalive policy (Collector's configgrpc keys); ms, 0 = never. */
export interface GrpcListenConfig extends ListenConfig {
  /** streams per connection (0: no limit) */
  max_concurrent_streams: number;
  /** open connections at most (0: derived from the file-descriptor limit at start) */
  max_connections: number;
  keepalive: {
    max_connection_idle_ms: number;
    max_connection_age_ms: number;
    max_connection_age_grace_ms: number;
    time_ms: number;
    timeout_ms: number;
    min_time_ms: number;
    permit_without_stream: boolean;
  };
}

/** A Kafka topic to consume and how its records are encoded (spec §2, kafka.md). */
export interface KafkaTopicConfig {
  topic: string;
  /** push-bytes / otlp: Tempo's distributor, tenant = record key; otlp_proto / otlp_json: the OTel Collector */
  format: "push-bytes" | "otlp" | "otlp_proto" | "otlp_json";
  /** Collector topics: the record header carrying the tenant ("" = none) */
  tenant_header: string;
  /** Collector topics: the tenant when the header is absent */
  tenant: string;
}

/** Consuming traces from Kafka (ingest.kafka plus the generator's Kafka keys). */
export interface KafkaConfig {
  brokers: string[];
  client_id: string;
  consumer_group: string;
  topics: KafkaTopicConfig[];
  /** static membership id (metrics_generator.instance_id, default: hostname) */
  instance_id: string;
  leave_consumer_group_on_shutdown: boolean;
  skip_stale_backlog_on_startup: boolean;
  /** metrics_ingestion_time_range_slack: records older than now − slack count as stale backlog */
  slack_ms: number;
  dial_timeout_ms: number;
  lag_update_interval_ms: number;
  session_timeout_ms: number;
  rebalance_timeout_ms: number;
  /** SASL (ingest.kafka.sasl_*); absent: none */
  sasl?: { mechanism: "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512"; username: string; password: string };
  /** TLS to the brokers (ingest.kafka.tls_*), PEM contents read at load; absent: plain TCP */
  tls?: { ca?: string; cert?: string; key?: string; server_name?: string; insecure_skip_verify: boolean };
}

/** Everything redgen runs on. */
export interface Config {
  server: {
    http_listen_address: string;
    http_listen_port: number;
    log_level: "debug" | "info" | "warn" | "error";
    /** TLS of the API port (server.http_tls_config), mutual when client_ca_file is set */
    tls?: ServerTls;
    /** authentication on the API port (redgen's server.auth) */
    auth?: AuthConfig;
  };
  receivers: { http?: HttpListenConfig; grpc?: GrpcListenConfig };
  generator: {
    registry: RegistryConfig;
    storage: {
      /** where checkpoints and remote-write queues live (the configured path, or the default: storage/state-dir.ts) */
      path: string;
      /** disk budget of all remote-write queues together, bytes */
      max_queue_bytes: number;
      remote_write: RemoteWriteConfig[];
      remote_write_flush_deadline_ms: number;
      remote_write_add_org_id_header: boolean;
    };
    metrics_ingestion_time_range_slack_ms: number;
    instance_id: string;
    /** which limit applies to new series (spec §8.5); static, as in Tempo */
    limiter_type: "series" | "entity";
  };
  /** Kafka consumption, when a topic is configured */
  kafka?: KafkaConfig;
  /** The defaults every tenant starts from (overrides.defaults applied over the processor config). */
  tenant_defaults: TenantConfig;
  /** Per-tenant effective config (from the "*" wildcard or a tenant entry), when a runtime overrides file exists; replaced on every reload. */
  tenant_overrides: Record<string, TenantConfig>;
  /** The per-tenant runtime file and what a reload needs to rebuild tenant_overrides from it. */
  runtime_overrides?: RuntimeOverridesSource;
  /** Human-readable notes gathered while loading (ignored sections, enabled processors). */
  warnings: string[];
}

/** `overrides.per_tenant_override_config` and `per_tenant_override_period` (spec §10), for reloads. */
export interface RuntimeOverridesSource {
  /** the file(s), comma-separated */
  files: string;
  /** 0: reload only on SIGHUP */
  period_ms: number;
  /** the static settings each tenant entry applies over */
  base: import("./tenant-config.ts").GeneratorBase;
}
