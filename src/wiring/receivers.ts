import http2 from "node:http2";
import type { Config } from "../config/types.ts";
import { otlpGrpcHandler } from "../receive/otlp-grpc.ts";
import { ReceiverStats, otlpHttpApp } from "../receive/otlp-http.ts";
import type { TraceExport } from "../receive/trace-export.ts";

/** The OTLP listeners of a running instance. */
export interface Receivers {
  ports: { http?: number; grpc?: number };
  stats: { protocol: string; stats: ReceiverStats }[];
  /** Stops accepting; open gRPC sessions are asked to close and destroyed after `graceMs` at the latest. */
  stop(graceMs: number): void;
  /** Destroys gRPC sessions still open (end of shutdown). */
  destroy(): void;
}

/**
 * OTLP/HTTP on Bun.serve and OTLP/gRPC on node:http2 (Bun.serve is HTTP/1.1
 * only), both into the one TraceExport.
 */
export async function startReceivers(config: Config, exporter: TraceExport): Promise<Receivers> {
  const httpStats = new ReceiverStats();
  const grpcStats = new ReceiverStats();
  const http = config.receivers.http;
  let server: ReturnType<typeof Bun.serve> | undefined;
  if (http !== undefined) {
    const app = otlpHttpApp(exporter, { maxRequestBytes: http.max_request_bytes, maxInflightBytes: 4 * http.max_request_bytes }, httpStats);
    server = Bun.serve({
      hostname: http.host,
      port: http.port,
      maxRequestBodySize: http.max_request_bytes,
      fetch: app.fetch,
      tls: http.tls ? { cert: Bun.file(http.tls.cert_file), key: Bun.file(http.tls.key_file) } : undefined,
    });
  }
  const grpc = config.receivers.grpc;
  let grpcServer: http2.Http2Server | undefined;
  let grpcPort: number | undefined;
  // SDKs keep their connection for the life of the app; stop() must end them, not wait for them.
  const sessions = new Set<http2.ServerHttp2Session>();
  if (grpc !== undefined) {
    const handler = otlpGrpcHandler(exporter, { maxRequestBytes: grpc.max_request_bytes }, grpcStats);
    grpcServer = grpc.tls
      ? http2.createSecureServer({ cert: await Bun.file(grpc.tls.cert_file).text(), key: await Bun.file(grpc.tls.key_file).text() }, handler)
      : http2.createServer(handler);
    grpcPort = await listen(grpcServer, grpc.host, grpc.port);
    grpcServer.on("session", (session: http2.ServerHttp2Session) => {
      sessions.add(session);
      session.once("close", () => sessions.delete(session));
    });
  }
  return {
    ports: { http: server?.port, grpc: grpcPort },
    stats: [
      { protocol: "http", stats: httpStats },
      { protocol: "grpc", stats: grpcStats },
    ],
    stop(graceMs: number) {
      server?.stop();
      grpcServer?.close();
      for (const s of sessions) s.close();
      setTimeout(() => {
        for (const s of sessions) s.destroy();
      }, graceMs).unref();
    },
    destroy() {
      for (const s of sessions) s.destroy();
    },
  };
}

/** Starts listening and resolves with the bound port (port 0 picks a free one). */
function listen(server: http2.Http2Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const addr = server.address();
      resolve(typeof addr === "object" && addr !== null ? addr.port : port);
    });
  });
}
