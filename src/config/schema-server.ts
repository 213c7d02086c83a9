/**
 * `server:` (Tempo's dskit server block). redgen uses the HTTP listen address
 * and port and validates log_level; the other dskit keys people commonly set
 * are accepted so a Tempo config loads, and each one is reported as ignored.
 */
import type { z } from "zod";
import { ignoreAll, opt, optionalBlock, strictBlock, unsupported, withDefault } from "./schema-blocks.ts";
import { authSchema } from "./schema-auth.ts";
import { bool, duration, intAtLeast, nonEmptyStr, oneOf, port, str } from "./schema-scalars.ts";

/** Log levels Tempo accepts for `server.log_level`. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

// The dskit server keys of Tempo's manifest that redgen does not use, with their types.
const IGNORED_SERVER_KEYS = {
  http_listen_network: str,
  http_listen_conn_limit: intAtLeast(0),
  grpc_listen_network: str,
  grpc_listen_address: str,
  grpc_listen_port: port,
  grpc_listen_conn_limit: intAtLeast(0),
  grpc_collect_max_streams_by_conn: bool,
  proxy_protocol_enabled: bool,
  tls_cipher_suites: str,
  tls_min_version: str,
  grpc_tls_config: undefined,
  register_instrumentation: bool,
  report_grpc_codes_in_instrumentation_label_enabled: bool,
  graceful_shutdown_timeout: duration,
  http_server_read_timeout: duration,
  http_server_read_header_timeout: duration,
  http_server_write_timeout: duration,
  http_server_idle_timeout: duration,
  http_log_closed_connections_without_response_enabled: bool,
  grpc_server_max_recv_msg_size: intAtLeast(0),
  grpc_server_max_send_msg_size: intAtLeast(0),
  grpc_server_max_concurrent_streams: intAtLeast(0),
  grpc_server_max_connection_idle: duration,
  grpc_server_max_connection_age: duration,
  grpc_server_max_connection_age_grace: duration,
  grpc_server_keepalive_time: duration,
  grpc_server_keepalive_timeout: duration,
  grpc_server_min_time_between_pings: duration,
  grpc_server_ping_without_stream_allowed: bool,
  grpc_server_num_workers: intAtLeast(0),
  grpc_server_stats_tracking_enabled: bool,
  grpc_server_recv_buffer_pools_enabled: bool,
  log_format: oneOf(["logfmt", "json"] as const),
  log_source_ips_enabled: bool,
  log_source_ips_full: bool,
  log_source_ips_header: str,
  log_source_ips_regex: str,
  log_request_headers: bool,
  log_request_at_info_level_enabled: bool,
  log_request_exclude_headers_list: str,
  trace_request_headers: bool,
  trace_request_exclude_headers_list: str,
  http_path_prefix: str,
  cluster_validation: undefined,
} satisfies Record<string, z.ZodType | undefined>;

/** `server:`; an empty `http_listen_address` means all interfaces. */
export const serverSchema = strictBlock({
  http_listen_port: withDefault(port, 3200),
  http_listen_address: withDefault(str, ""),
  log_level: opt(oneOf(LOG_LEVELS)),
  // dskit's server TLS block; the inline forms are refused rather than ignored (a silent downgrade to plain text).
  http_tls_config: optionalBlock(
    strictBlock({
      cert_file: withDefault(str, ""),
      key_file: withDefault(str, ""),
      client_auth_type: withDefault(oneOf(["NoClientCert", "RequireAndVerifyClientCert"] as const), "NoClientCert"),
      client_ca_file: opt(nonEmptyStr),
      cert: unsupported("inline cert is not supported by redgen (use cert_file)"),
      key: unsupported("inline key is not supported by redgen (use key_file)"),
      client_ca: unsupported("inline client_ca is not supported by redgen (use client_ca_file)"),
    }),
  ),
  /** redgen addition: who may read the API (the receivers' auth block) */
  auth: optionalBlock(authSchema),
  ...ignoreAll(IGNORED_SERVER_KEYS),
});
