import http2 from "node:http2";
import { AuthStats } from "../auth/auth-stats.ts";
import { Authenticator } from "../auth/authenticator.ts";
import type { Config, ListenConfig, ServerTls } from "../config/types.ts";
import { GrpcSessions } from "../receive/grpc-sessions.ts";
import { InflightBudget } from "../receive/inflight-budget.ts";
import { otlpGrpcHandler } from "../receive/otlp-grpc.ts";
import { ReceiverStats, otlpHttpApp } from "../receive/otlp-http.ts";
import type { TraceExport } from "../receive/trace-export.ts";
import { defaultConnectionCap } from "../util/fd-limit.ts";
import { log } from "../util/log.ts";

/**
 * HTTP/2 flow-control windows of the gRPC port. With the protocol's 64 KiB
 * defaults a client stalls for a WINDOW_UPDATE every few DATA frames of a
 * 270 KB request, and node:http2 under Bun spends more CPU on those round
 * trips than on the frames (grpc-go's servers grow their windows the same
 * way, by BDP estimation up to 16 MiB). Bytes in flight stay bounded by the
 * receiver's budget: every DATA byte is counted as it arrives.
 */
const GRPC_STREAM_WINDOW = 4 << 20;
const GRPC_CONNECTION_WINDOW = 16 << 20;

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
 * OTLP/HTTP on Bun.serve and OTLP/gRPC on node:http2 (Bun.serve is HTTP/1.1
 * only), both into the one TraceExport. Each receiver reads bodies against
 * its own in-flight budget (4× its size limit).
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
  let grpcServer: http2.Http2Server | http2.Http2SecureServer | undefined;
  let grpcPort: number | undefined;
  let sessions: GrpcSessions | undefined;
  let cap = 0;
  if (grpc !== undefined) {
    const stats = new AuthStats("otlp_grpc");
    if (grpc.auth || grpc.tls?.client_ca_file) authStats.push(stats);
    const handler = otlpGrpcHandler(exporter, doorOptions(grpc, stats), grpcStats);
    const settings = {
      maxConcurrentStreams: grpc.max_concurrent_streams === 0 ? 2 ** 32 - 1 : grpc.max_concurrent_streams,
      initialWindowSize: GRPC_STREAM_WINDOW,
    };
    grpcServer = grpc.tls ? http2.createSecureServer({ ...(await tlsOptions(grpc.tls)), settings }) : http2.createServer({ settings });
    grpcServer.on("stream", handler);
    grpcServer.on("session", (s: http2.ServerHttp2Session) => s.setLocalWindowSize(GRPC_CONNECTION_WINDOW));
    if (grpc.tls?.client_ca_file) grpcServer.on("tlsClientError", () => stats.fail("client_certificate"));
    cap = grpc.max_connections || defaultConnectionCap();
    grpcServer.maxConnections = cap;
    sessions = new GrpcSessions(grpcServer, grpc.keepalive);
    grpcPort = await listen(grpcServer, grpc.host, grpc.port);
    log.debug("OTLP/gRPC connection cap", { max_connections: cap });
  }
  return {
    ports: { http: server?.port, grpc: grpcPort },
    stats: [
      { protocol: "http", stats: httpStats },
      { protocol: "grpc", stats: grpcStats },
    ],
    authStats,
    grpcConnections: () => (sessions === undefined ? undefined : { open: sessions.size, limit: cap }),
    stop(graceMs: number) {
      server?.stop();
      grpcServer?.close();
      sessions?.closeAll();
      setTimeout(() => sessions?.destroyAll(), graceMs).unref();
    },
    destroy() {
      sessions?.destroyAll();
    },
  };
}

/** Starts listening and resolves with the bound port (port 0 picks a free one). */
function listen(server: http2.Http2Server | http2.Http2SecureServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const addr = server.address();
      resolve(typeof addr === "object" && addr !== null ? addr.port : port);
    });
  });
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
