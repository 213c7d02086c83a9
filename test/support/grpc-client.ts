import http2 from "node:http2";
import { gzipSync } from "node:zlib";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpcJs from "@grpc/grpc-js";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { type Client, createClient } from "@connectrpc/connect";
import { Http2SessionManager, compressionGzip, createGrpcTransport } from "@connectrpc/connect-node";
import { RetryInfoSchema, StatusSchema } from "../../src/gen/google/rpc/status_pb.ts";
import {
  type ExportTraceServiceRequest,
  ExportTraceServiceRequestSchema,
  TraceService,
} from "../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { type H2Listener, listenH2 } from "../../src/receive/h2/h2-listener.ts";
import type { H2Stream } from "../../src/receive/h2/h2-stream.ts";
import { withTimeout } from "./poll.ts";

/** The HTTP/2 path of OTLP/gRPC trace export. */
export const EXPORT_PATH = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

/** gRPC status codes the tests name. */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  INVALID_ARGUMENT: 3,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

export interface GrpcClientOptions {
  /** compress request messages with gzip (every message: no minimum size) */
  gzip?: boolean;
  /** PEM of the CA to trust, for an https:// base url */
  ca?: string;
}

/**
 * A connect-node gRPC client of TraceService on its own HTTP/2 session, which
 * `close()` (or disposing) aborts, so no connection outlives a test.
 */
export class GrpcTraceClient implements Disposable {
  readonly session: Http2SessionManager;
  readonly client: Client<typeof TraceService>;

  constructor(baseUrl: string, options: GrpcClientOptions = {}) {
    this.session = new Http2SessionManager(baseUrl, {}, options.ca === undefined ? {} : { ca: options.ca });
    const transport = createGrpcTransport({
      baseUrl,
      sessionManager: this.session,
      sendCompression: options.gzip ? compressionGzip : undefined,
      compressMinBytes: 0,
    });
    this.client = createClient(TraceService, transport);
  }

  /** Export with `x-scope-orgid` set when `tenant` is given. */
  export(req: ExportTraceServiceRequest, tenant?: string) {
    return this.client.export(req, { headers: tenant === undefined ? {} : { "x-scope-orgid": tenant } });
  }

  close(): void {
    this.session.abort();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** The outcome of a grpc-js call: status code and details (0 and "OK" on success). */
export interface GrpcJsOutcome {
  code: number;
  details: string;
}

/**
 * A raw @grpc/grpc-js client (the library the OTel JS gRPC exporter uses):
 * sends already-encoded message bytes to any method, so tests can send what
 * the generated client would not (unknown methods, garbage, oversize), with
 * any channel options (keepalive, compression). `close()` closes the channel.
 */
export class GrpcJsClient implements Disposable {
  readonly client: grpcJs.Client;

  /** `endpoint` is host:port; TLS when `ca` is given. */
  constructor(endpoint: string, options: grpcJs.ChannelOptions = {}, ca?: string) {
    const creds = ca === undefined ? grpcJs.credentials.createInsecure() : grpcJs.credentials.createSsl(Buffer.from(ca));
    this.client = new grpcJs.Client(endpoint, creds, options);
  }

  /** One unary call with `message` as the request bytes; resolves with the status, never rejects. */
  call(message: Uint8Array, options: { path?: string; tenant?: string; deadlineMs?: number } = {}): Promise<GrpcJsOutcome> {
    const metadata = new grpcJs.Metadata();
    if (options.tenant !== undefined) metadata.set("x-scope-orgid", options.tenant);
    const { promise, resolve } = Promise.withResolvers<GrpcJsOutcome>();
    this.client.makeUnaryRequest(
      options.path ?? EXPORT_PATH,
      (b: Uint8Array) => Buffer.from(b),
      (b: Buffer) => b,
      message,
      metadata,
      { deadline: Date.now() + (options.deadlineMs ?? 10_000) },
      (err) => resolve(err ? { code: err.code, details: err.details } : { code: 0, details: "OK" }),
    );
    return promise;
  }

  /** Exports `req` (encoded here). */
  export(req: ExportTraceServiceRequest, tenant?: string): Promise<GrpcJsOutcome> {
    return this.call(toBinary(ExportTraceServiceRequestSchema, req), { tenant });
  }

  close(): void {
    this.client.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** A gRPC length-prefixed message: flag byte, 4-byte big-endian length, payload. */
export function grpcFrame(payload: Uint8Array, compressed = false): Uint8Array {
  const out = new Uint8Array(5 + payload.length);
  out[0] = compressed ? 1 : 0;
  new DataView(out.buffer).setUint32(1, payload.length);
  out.set(payload, 5);
  return out;
}

/** A framed ExportTraceServiceRequest, gzip-compressed when asked. */
export function exportFrame(req: ExportTraceServiceRequest, gzip = false): Uint8Array {
  const bytes = toBinary(ExportTraceServiceRequestSchema, req);
  return gzip ? grpcFrame(gzipSync(bytes), true) : grpcFrame(bytes);
}

/** What a raw gRPC call got back. */
export interface RawAnswer {
  httpStatus: number;
  /** grpc-status from the trailers (or a trailers-only response); null when absent */
  grpcStatus: number | null;
  grpcMessage: string;
  /** retryDelay seconds of a RetryInfo in grpc-status-details-bin, if any */
  retryDelaySeconds: number | null;
  /** response body bytes (framed messages) */
  body: Uint8Array;
}

/**
 * One unary call over a fresh node:http2 session with hand-made frames and
 * headers, for what a well-behaved client library refuses to send (garbage
 * messages, unknown methods, hand-set grpc-encoding). The session is closed
 * before it returns.
 */
export async function rawGrpcCall(
  baseUrl: string,
  body: Uint8Array,
  options: { path?: string; headers?: Record<string, string>; ca?: string; timeoutMs?: number } = {},
): Promise<RawAnswer> {
  const session = http2.connect(baseUrl, options.ca === undefined ? {} : { ca: options.ca });
  session.on("error", () => undefined); // surfaced through the stream below
  try {
    return await withTimeout(
      `gRPC call ${options.path ?? EXPORT_PATH}`,
      new Promise<RawAnswer>((resolve, reject) => {
        const stream = session.request({
          ":method": "POST",
          ":path": options.path ?? EXPORT_PATH,
          "content-type": "application/grpc+proto",
          te: "trailers",
          ...options.headers,
        });
        let headers: http2.IncomingHttpHeaders = {};
        let trailers: http2.IncomingHttpHeaders = {};
        const chunks: Buffer[] = [];
        stream.on("response", (h) => (headers = h));
        stream.on("trailers", (t) => (trailers = t));
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("error", reject);
        stream.on("close", () => {
          const all = { ...headers, ...trailers };
          const status = all["grpc-status"];
          const details = all["grpc-status-details-bin"];
          resolve({
            httpStatus: Number(headers[":status"] ?? 0),
            grpcStatus: status === undefined ? null : Number(status),
            grpcMessage: decodeURIComponent(String(all["grpc-message"] ?? "")),
            retryDelaySeconds: details === undefined ? null : retryDelay(String(details)),
            body: new Uint8Array(Buffer.concat(chunks)),
          });
        });
        stream.end(body);
      }),
      options.timeoutMs ?? 10_000,
    );
  } finally {
    session.close();
  }
}

function retryDelay(detailsBin: string): number | null {
  const status = fromBinary(StatusSchema, Buffer.from(detailsBin, "base64"));
  for (const any of status.details) {
    const info = anyUnpack(any, RetryInfoSchema);
    if (info !== undefined) return Number(info.retryDelay?.seconds ?? 0n);
  }
  return null;
}

/** An in-process h2c (or TLS) server around a node:http2 stream handler, on a port the kernel picks. */
export class Http2TestServer implements AsyncDisposable {
  private open = 0;
  private allClosed: (() => void) | undefined;

  private constructor(
    private listener: H2Listener | undefined,
    /** http://127.0.0.1:PORT */
    public url = "",
  ) {}

  /** A lean HTTP/2 server (receive/h2, as the gRPC port runs it) with `handler` on its streams. */
  static async start(handler: (stream: H2Stream) => void): Promise<Http2TestServer> {
    const server = new Http2TestServer(undefined);
    const events = {
      settled: () => undefined,
      streamOpened: () => undefined,
      streamClosed: () => undefined,
      pinged: () => undefined,
      closed: () => {
        if (--server.open === 0) server.allClosed?.();
      },
    };
    server.listener = listenH2({
      host: "127.0.0.1",
      port: 0,
      maxConnections: 1000,
      limits: { maxConcurrentStreams: 100, streamWindow: 4 << 20, connectionWindow: 16 << 20, maxHeaderListBytes: 64 << 10 },
      onStream: handler,
      onConnection: () => {
        server.open++;
        return events;
      },
    });
    server.url = `http://127.0.0.1:${server.listener.port}`;
    return server;
  }

  /** Stops listening and waits until every connection has closed (clients must be closed first). */
  async close(): Promise<void> {
    this.listener?.stop();
    if (this.open === 0) return;
    const { promise, resolve } = Promise.withResolvers<void>();
    this.allClosed = resolve;
    await withTimeout("the HTTP/2 test server to close", promise, 10_000);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

