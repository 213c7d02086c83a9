import { AuthStats } from "../auth/auth-stats.ts";
import { Authenticator } from "../auth/authenticator.ts";
import type { Config, ListenConfig, ServerTls } from "../config/types.ts";
import { GrpcSessions, HANDSHAKE_MS } from "../receive/grpc-sessions.ts";
import { type H2Listener, listenH2 } from "../receive/h2/h2-listener.ts";
import { InflightBudget } from "../receive/inflight-budget.ts";
import { otlpGrpcHandler } from "../receive/otlp-grpc.ts";
import { ReceiverStats, otlpHttpApp } from "../receive/otlp-http.ts";
import type { TraceExport } from "../receive/trace-export.ts";
import { defaultConnectionCap } from "../util/fd-limit.ts";
import { log } from "../util/log.ts";

/**
 * HTTP/2 flow-control windows of the gRPC port. With the protocol's 64 KiB
 * defaults a client stalls for a WINDOW_UPDATE every few DATA frames of a
 * 270 KB request (grpc-go's servers grow their windows the same way, by BDP
 * estimation up to 16 MiB). Bytes in flight stay bounded by the receiver's
 * budget: every DATA byte is counted as it arrives.
 */
const GRPC_STREAM_WINDOW = 4 << 20;
const GRPC_CONNECTION_WINDOW = 16 << 20;
/** Request metadata, decoded (RFC 9113 §6.5.2 size): grpc-go's default is 16 MiB, nghttp2's 64 KiB. */
const GRPC_MAX_HEADER_LIST = 64 << 10;

/** The OTLP listeners of a running instance. */
export interface Receivers {
  ports: { http?: number; grpc?: number };
  stats: { protocol: string; stats: ReceiverStats }[];
  authStats: AuthStats[];
  /** gRPC connections open now, and the cap */
  grpcConnections(): { open: number; limit: number } | undefined;
  /** Stops accepting; open gRPC sessions are asked to close and destroyed after `graceMs` at the latest. */
  stop(graceMs: number): void;
  /** Destroys gRPC sessions still open (end of shutdown). */
  destroy(): void;
}

/** Bun.serve / node:tls options of a server certificate, requiring client certificates when a client CA is set. */
export async function tlsOptions(t: ServerTls) {
  const mutual = t.client_ca_file === undefined ? {} : { ca: await Bun.file(t.client_ca_file).text(), requestCert: true, rejectUnauthorized: true };
  return { cert: await Bun.file(t.cert_file).text(), key: await Bun.file(t.key_file).text(), ...mutual };
}

/**
 * OTLP/HTTP on Bun.serve and OTLP/gRPC on redgen's own HTTP/2 server,
 * receive/h2 (Bun.serve is HTTP/1.1 only, and node:http2 under Bun spent
 * 1.7× its transport CPU per request), both into the one TraceExport. Each
 * receiver reads bodies against its own in-flight budget (4× its size limit).
 */
export async function startReceivers(config: Config, exporter: TraceExport): Promise<Receivers> {
  const httpStats = new ReceiverStats();
  const grpcStats = new ReceiverStats();
  const authStats: AuthStats[] = [];
  const http = config.receivers.http;
  let server: ReturnType<typeof Bun.serve> | undefined;
  if (http !== undefined) {
    const stats = new AuthStats("otlp_http");
    if (http.auth) authStats.push(stats);
    const app = otlpHttpApp(exporter, doorOptions(http, stats), httpStats);
    server = Bun.serve({
      hostname: http.host,
      port: http.port,
      maxRequestBodySize: http.max_request_bytes,
      idleTimeout: http.idle_timeout_s,
      fetch: app.fetch,
      tls: http.tls ? await tlsOptions(http.tls) : undefined,
    });
  }
  const grpc = config.receivers.grpc;
  let grpcServer: H2Listener | undefined;
  let sessions: GrpcSessions | undefined;
  let cap = 0;
  if (grpc !== undefined) {
    const stats = new AuthStats("otlp_grpc");
    if (grpc.auth || grpc.tls?.client_ca_file) authStats.push(stats);
    const onStream = otlpGrpcHandler(exporter, doorOptions(grpc, stats), grpcStats);
    cap = grpc.max_connections || defaultConnectionCap();
    const tracked = new GrpcSessions(grpc.keepalive);
    sessions = tracked;
    grpcServer = listenH2({
      host: grpc.host,
      port: grpc.port,
      tls: grpc.tls ? await tlsOptions(grpc.tls) : undefined,
      tlsHandshakeSeconds: HANDSHAKE_MS / 1000,
      maxConnections: cap,
      limits: {
        maxConcurrentStreams: grpc.max_concurrent_streams === 0 ? 2 ** 32 - 1 : grpc.max_concurrent_streams,
        streamWindow: GRPC_STREAM_WINDOW,
        connectionWindow: GRPC_CONNECTION_WINDOW,
        maxHeaderListBytes: GRPC_MAX_HEADER_LIST,
      },
      onStream,
      onConnection: (c) => tracked.track(c),
      onTlsClientError: () => stats.fail("client_certificate"),
    });
    log.debug("OTLP/gRPC connection cap", { max_connections: cap });
  }
  return {
    ports: { http: server?.port, grpc: grpcServer?.port },
    stats: [
      { protocol: "http", stats: httpStats },
      { protocol: "grpc", stats: grpcStats },
    ],
    authStats,
    grpcConnections: () => (sessions === undefined ? undefined : { open: sessions.size, limit: cap }),
    stop(graceMs: number) {
      server?.stop();
      grpcServer?.stop();
      sessions?.closeAll();
      setTimeout(() => sessions?.destroyAll(), graceMs).unref();
    },
    destroy() {
      sessions?.destroyAll();
    },
  };
}

/** What both receivers take from their listener's config: the size limit, a body budget of four requests, auth. */
function doorOptions(l: ListenConfig, authStats: AuthStats) {
  return {
    maxRequestBytes: l.max_request_bytes,
    budget: new InflightBudget(4 * l.max_request_bytes),
    auth: l.auth && new Authenticator(l.auth),
    authStats,
  };
}
