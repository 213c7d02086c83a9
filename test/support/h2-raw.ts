import http2 from "node:http2";
import { EXPORT_PATH } from "./grpc-client.ts";
import { withTimeout } from "./poll.ts";

/**
 * Raw node:http2 client steps for misbehaving gRPC clients (half-sent bodies,
 * cancelled or never-sent streams), each bounded by a deadline.
 */

/** Request headers of an OTLP/gRPC export. */
export const GRPC_HEADERS = { ":method": "POST", ":path": EXPORT_PATH, "content-type": "application/grpc", te: "trailers" };

/** An HTTP/2 client session to `url` that is connected (the server's SETTINGS arrived). */
export async function h2session(url: string): Promise<http2.ClientHttp2Session> {
  const session = http2.connect(url);
  session.on("error", () => undefined);
  const { promise, resolve, reject } = Promise.withResolvers<void>();
  session.once("remoteSettings", () => resolve());
  session.once("error", reject);
  await withTimeout("HTTP/2 connect", promise, 10_000);
  return session;
}

/** Resolves once every frame sent so far on `session` has been processed by the server (a PING round trip). */
export function pingRoundTrip(session: http2.ClientHttp2Session): Promise<void> {
  const { promise, resolve, reject } = Promise.withResolvers<void>();
  session.ping((err) => (err ? reject(err) : resolve()));
  return withTimeout("PING ack", promise, 10_000);
}

/** Writes `chunk` and resolves once it has been flushed. */
export function write(stream: http2.ClientHttp2Stream, chunk: Uint8Array): Promise<void> {
  const { promise, resolve, reject } = Promise.withResolvers<void>();
  stream.write(chunk, (err) => (err ? reject(err) : resolve()));
  return withTimeout("a write to be flushed", promise, 10_000);
}

/** Resolves when a stream or session has closed. */
export function closed(target: { once(event: "close", cb: () => void): unknown; closed?: boolean; destroyed?: boolean }): Promise<void> {
  const { promise, resolve } = Promise.withResolvers<void>();
  if (target.closed === true || target.destroyed === true) resolve();
  else target.once("close", resolve);
  return withTimeout("close", promise, 10_000);
}

/**
 * Starts an export whose single message claims 900 KiB, sends `chunks` ×
 * 64 KiB of it (each flushed before the next, then a PING round trip), and
 * returns the stream: the server is then mid-body, waiting for the rest.
 */
export async function halfSentCall(session: http2.ClientHttp2Session, chunks: number): Promise<http2.ClientHttp2Stream> {
  const stream = session.request(GRPC_HEADERS, { endStream: false });
  stream.on("error", () => undefined);
  const header = new Uint8Array(5);
  new DataView(header.buffer).setUint32(1, 900 * 1024);
  await write(stream, header);
  for (let i = 0; i < chunks; i++) await write(stream, new Uint8Array(64 * 1024).fill(0x0a));
  await pingRoundTrip(session);
  return stream;
}
