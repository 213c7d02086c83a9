/**
 * `distributor.receivers` → Config.receivers. Only the OTLP receiver is used;
 * with no receivers at all Tempo falls back to its built-in set, of which
 * redgen can serve the OTLP gRPC part.
 */
import type { PathSegment, Problems } from "./config-error.ts";
import type { Config, ListenConfig } from "./types.ts";
import type { ParsedDistributor } from "./schema-distributor.ts";
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
    return { grpc: { host: "localhost", port: 4317, max_request_bytes: 16 * MIB } };
  }
  const otlp = d.receivers.otlp;
  if (otlp === undefined) {
    warnings.push("distributor.receivers has no otlp receiver, so redgen will not receive any spans");
    return {};
  }
  const { grpc, http } = otlp.protocols;
  if (grpc === undefined && http === undefined) problems.add(PROTOCOLS_PATH, "enable at least one protocol: grpc or http");
  const out: Config["receivers"] = {};
  if (grpc !== undefined) out.grpc = listen(grpc, grpc.max_recv_msg_size_mib * MIB, [...PROTOCOLS_PATH, "grpc"], problems);
  if (http !== undefined) out.http = listen(http, http.max_request_body_size, [...PROTOCOLS_PATH, "http"], problems);
  return out;
}

function listen(
  p: { endpoint: string; tls?: { cert_file: string; key_file: string } },
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
  if (p.tls !== undefined) {
    checkReadable(p.tls.cert_file, problems, [...at, "tls", "cert_file"]);
    checkReadable(p.tls.key_file, problems, [...at, "tls", "key_file"]);
    out.tls = { cert_file: p.tls.cert_file, key_file: p.tls.key_file };
  }
  return out;
}
