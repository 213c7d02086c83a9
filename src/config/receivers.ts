/**
 * `distributor.receivers` → Config.receivers. Only the OTLP receiver is used;
 * with no receivers at all Tempo falls back to its built-in set, of which
 * redgen can serve the OTLP gRPC part.
 */
import { buildAuth } from "./auth.ts";
import type { PathSegment, Problems } from "./config-error.ts";
import type { Config, GrpcListenConfig, ListenConfig, ServerTls } from "./types.ts";
import type { ParsedDistributor } from "./schema-distributor.ts";
import type { ParsedAuth } from "./schema-auth.ts";
import { checkReadable } from "./config-files.ts";

const MIB = 1024 * 1024;
const PROTOCOLS_PATH = ["distributor", "receivers", "otlp", "protocols"];

/** Splits "host:port" ("[::1]:4317", ":4317", "0.0.0.0:4318"); an empty host means all interfaces. */
export function splitHostPort(endpoint: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d+)$/.exec(endpoint.trim());
  if (match === null) throw new Error(`endpoint ${JSON.stringify(endpoint)} must be "host:port", e.g. "0.0.0.0:4317"`);
  const port = Number(match[3]);
  if (port > 65535) throw new Error(`port ${port} in endpoint ${JSON.stringify(endpoint)} is out of range`);
  const host = match[1] ?? match[2];
  return { host: host === "" ? "0.0.0.0" : host, port };
}

/** The OTLP listeners to start; bad endpoints and unreadable TLS files are problems. */
export function buildReceivers(d: ParsedDistributor, problems: Problems, warnings: string[]): Config["receivers"] {
  if (d.receivers === undefined || Object.keys(d.receivers).length === 0) {
    // Tempo's default when distributor.receivers is empty: jaeger (grpc, thrift_http)
    // and otlp grpc on the collector's default endpoint.
    warnings.push(
      "distributor.receivers is not set: like Tempo, redgen receives OTLP gRPC on localhost:4317 " +
        "(configure distributor.receivers.otlp.protocols to change this)",
    );
    return { grpc: { host: "localhost", port: 4317, max_request_bytes: 16 * MIB, ...GRPC_DEFAULTS } };
  }
  const otlp = d.receivers.otlp;
  if (otlp === undefined) {
    warnings.push("distributor.receivers has no otlp receiver, so redgen will not receive any spans");
    return {};
  }
  const { grpc, http } = otlp.protocols;
  if (grpc === undefined && http === undefined) problems.add(PROTOCOLS_PATH, "enable at least one protocol: grpc or http");
  const out: Config["receivers"] = {};
  if (grpc !== undefined) {
    const at = [...PROTOCOLS_PATH, "grpc"];
    const k = grpc.keepalive;
    out.grpc = {
      ...listen(grpc, grpc.max_recv_msg_size_mib * MIB, at, problems),
      max_concurrent_streams: grpc.max_concurrent_streams,
      max_connections: grpc.max_connections,
      keepalive: {
        max_connection_idle_ms: k.server_parameters.max_connection_idle,
        max_connection_age_ms: k.server_parameters.max_connection_age,
        max_connection_age_grace_ms: k.server_parameters.max_connection_age_grace,
        time_ms: k.server_parameters.time,
        timeout_ms: k.server_parameters.timeout,
        min_time_ms: k.enforcement_policy.min_time,
        permit_without_stream: k.enforcement_policy.permit_without_stream,
      },
    };
  }
  if (http !== undefined) {
    const at = [...PROTOCOLS_PATH, "http"];
    const idle = Math.ceil(http.idle_timeout / 1000);
    if (idle < 1 || idle > 255) problems.add([...at, "idle_timeout"], "must be between 1s and 255s");
    out.http = { ...listen(http, http.max_request_body_size, at, problems), idle_timeout_s: idle };
  }
  return out;
}

/** The gRPC settings of Tempo's built-in receiver (and the Collector's defaults, README: connection limits). */
export const GRPC_DEFAULTS: Omit<GrpcListenConfig, keyof ListenConfig> = {
  max_concurrent_streams: 100,
  max_connections: 0,
  keepalive: {
    max_connection_idle_ms: 5 * 60_000,
    max_connection_age_ms: 0,
    max_connection_age_grace_ms: 0,
    time_ms: 2 * 3600_000,
    timeout_ms: 20_000,
    min_time_ms: 5 * 60_000,
    permit_without_stream: false,
  },
};

/** TLS files of a server (receivers: the Collector's keys; the API: dskit's http_tls_config), checked readable. */
export function serverTls(
  t: { cert_file: string; key_file: string; client_ca_file?: string },
  at: PathSegment[],
  problems: Problems,
): ServerTls {
  checkReadable(t.cert_file, problems, [...at, "cert_file"]);
  checkReadable(t.key_file, problems, [...at, "key_file"]);
  const out: ServerTls = { cert_file: t.cert_file, key_file: t.key_file };
  if (t.client_ca_file !== undefined) {
    checkReadable(t.client_ca_file, problems, [...at, "client_ca_file"]);
    out.client_ca_file = t.client_ca_file;
  }
  return out;
}

function listen(
  p: { endpoint: string; tls?: { cert_file: string; key_file: string; client_ca_file?: string }; auth?: ParsedAuth },
  maxRequestBytes: number,
  at: PathSegment[],
  problems: Problems,
): ListenConfig {
  let hostPort = { host: "", port: 0 };
  try {
    hostPort = splitHostPort(p.endpoint);
  } catch (e) {
    problems.add([...at, "endpoint"], (e as Error).message);
  }
  const out: ListenConfig = { ...hostPort, max_request_bytes: maxRequestBytes };
  if (p.tls !== undefined) out.tls = serverTls(p.tls, [...at, "tls"], problems);
  if (p.auth !== undefined) out.auth = buildAuth(p.auth, [...at, "auth"], problems);
  return out;
}
