/**
 * `distributor:` — only `receivers.otlp.protocols.{grpc,http}` matter to redgen.
 * The receiver blocks use the OpenTelemetry Collector's spelling, because
 * Tempo passes them to the collector's OTLP receiver unchanged. receivers.ts
 * turns the parsed blocks into listeners.
 */
import { z } from "zod";
import {
  block,
  ignoreAll,
  ignored,
  ignoredBecause,
  openBlock,
  opt,
  optionalBlock,
  strictBlock,
  unsupported,
  withDefault,
} from "./schema-blocks.ts";
import { authSchema } from "./schema-auth.ts";
import { bool, duration, intAtLeast, nonEmptyStr, oneOf, str } from "./schema-scalars.ts";

const MIB = 1024 * 1024;
const notSupported = (what: string) => `${what} is not supported by redgen`;

const serverTls = strictBlock({
  cert_file: nonEmptyStr,
  key_file: nonEmptyStr,
  ca_file: unsupported(notSupported("tls.ca_file")),
  client_ca_file: opt(nonEmptyStr),
  client_ca_file_reload: unsupported(notSupported("tls.client_ca_file_reload")),
  cert_pem: unsupported(notSupported("tls.cert_pem (use cert_file)")),
  key_pem: unsupported(notSupported("tls.key_pem (use key_file)")),
  min_version: unsupported(notSupported("tls.min_version")),
  max_version: unsupported(notSupported("tls.max_version")),
  cipher_suites: unsupported(notSupported("tls.cipher_suites")),
  reload_interval: unsupported(notSupported("tls.reload_interval")),
});

// The Collector's configgrpc keepalive block; durations of 0 (or absent) mean "never", as in grpc-go.
const keepalive = strictBlock({
  server_parameters: block(
    strictBlock({
      // redgen's default; grpc-go's is never (README: connection limits)
      max_connection_idle: withDefault(duration, "5m"),
      max_connection_age: withDefault(duration, "0s"),
      max_connection_age_grace: withDefault(duration, "0s"),
      time: withDefault(duration, "2h"),
      timeout: withDefault(duration, "20s"),
    }),
  ),
  enforcement_policy: block(
    strictBlock({
      min_time: withDefault(duration, "5m"),
      permit_without_stream: withDefault(bool, false),
    }),
  ),
});

const grpcProtocol = strictBlock({
  endpoint: withDefault(str, "localhost:4317"),
  tls: optionalBlock(serverTls),
  max_recv_msg_size_mib: withDefault(intAtLeast(1), 16),
  transport: ignored(oneOf(["tcp"] as const)),
  auth: optionalBlock(authSchema),
  max_concurrent_streams: withDefault(intAtLeast(0), 100),
  keepalive: block(keepalive),
  /** redgen addition: open connections at most (0: a quarter of the file-descriptor limit) */
  max_connections: withDefault(intAtLeast(0), 0),
  ...ignoreAll({ read_buffer_size: intAtLeast(0), write_buffer_size: intAtLeast(0) }),
  ...ignoreAll({ include_metadata: bool }),
});

const httpProtocol = strictBlock({
  endpoint: withDefault(str, "localhost:4318"),
  tls: optionalBlock(serverTls),
  max_request_body_size: withDefault(intAtLeast(1), 16 * MIB),
  traces_url_path: opt(str).superRefine((path, ctx) => {
    if (path !== undefined && path !== "/v1/traces") {
      ctx.addIssue({ code: "custom", message: "redgen serves OTLP/HTTP at /v1/traces only" });
    }
  }),
  auth: optionalBlock(authSchema),
  // Bun.serve counts whole seconds, 1–255 (config/receivers.ts checks the range)
  idle_timeout: withDefault(duration, "10s"),
  ...ignoreAll({ cors: undefined, include_metadata: bool, response_headers: undefined }),
  ...ignoreAll({ metrics_url_path: str, logs_url_path: str }, ignoredBecause("redgen receives traces only")),
});

const otlpReceiver = strictBlock({
  protocols: block(
    strictBlock({
      grpc: optionalBlock(grpcProtocol),
      http: optionalBlock(httpProtocol),
    }),
  ),
});

const receivers = openBlock(
  { otlp: optionalBlock(otlpReceiver) },
  (path) => `${path}: only OTLP is received by redgen; this receiver is ignored`,
);

/** `distributor:`; `receivers` stays undefined when absent so the builder can apply Tempo's default. */
export const distributorSchema = strictBlock({
  receivers: opt(receivers),
  ...ignoreAll({
    ring: undefined,
    override_ring_key: str,
    log_received_traces: bool,
    log_received_spans: undefined,
    log_discarded_spans: undefined,
    metric_received_spans: undefined,
    forwarders: undefined,
    extend_writes: bool,
    retry_after_on_resource_exhausted: duration,
    max_attribute_bytes: intAtLeast(0),
    usage: undefined,
    ingester_write_path_enabled: bool,
    kafka_write_path_enabled: bool,
    kafka_config: undefined,
  }),
});

/** Parsed `distributor:` block. */
export type ParsedDistributor = z.output<typeof distributorSchema>;
