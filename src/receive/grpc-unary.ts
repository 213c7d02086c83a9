import type { IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import { create, toBinary } from "@bufbuild/protobuf";
import { anyPack } from "@bufbuild/protobuf/wkt";
import { DecodeError } from "../decode/decode-error.ts";
import { decompressBody } from "../decode/decompress.ts";
import { RetryInfoSchema, StatusSchema } from "../gen/google/rpc/status_pb.ts";
import { log } from "../util/log.ts";
import type { InflightBudget } from "./inflight-budget.ts";

/** gRPC status codes redgen answers with. */
export const Status = {
  OK: 0,
  INVALID_ARGUMENT: 3,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** An answer other than OK; `retryAfterSeconds` adds a RetryInfo detail. */
export class GrpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** One unary method on an HTTP/2 server. */
export interface UnaryMethod<Ctx> {
  path: string;
  /** max message size, compressed and after decompression */
  maxMessageBytes: number;
  /** the bytes of messages being read at once, across the port's streams */
  budget: InflightBudget;
  /** runs on the headers before any byte of the body is read; throws GrpcError to refuse */
  admit(headers: IncomingHttpHeaders): Promise<Ctx>;
  /** the response message for a request message; throws GrpcError or DecodeError to refuse */
  handle(message: Uint8Array, ctx: Ctx): Uint8Array;
  /** every answer's status, for the receiver's counters */
  answered(code: number): void;
}

const HEADERS = { ":status": 200, "content-type": "application/grpc", "grpc-accept-encoding": "gzip" };

/**
 * The gRPC unary protocol over node:http2 streams, for a server with one
 * method: content type, path and grpc-encoding checks, then the request
 * message read frame by frame, every DATA byte counted against the message
 * limit and the port's in-flight budget as it arrives (an oversized length
 * prefix is refused before its body comes), gzip inflated within the limit,
 * and the answer as a response message with OK trailers or a trailers-only
 * error. Malformed framing is INVALID_ARGUMENT, never INTERNAL.
 */
export function unaryHandler<Ctx>(m: UnaryMethod<Ctx>): (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void {
  return (stream, headers) => {
    stream.on("error", () => undefined); // a client reset: 'close' follows, nothing to answer
    const contentType = String(headers["content-type"] ?? "");
    if (!/^application\/grpc(\+proto)?(;|$)/.test(contentType)) {
      respond(stream, { ":status": 415 }, true);
      return;
    }
    const fail = (e: GrpcError) => {
      m.answered(e.code);
      trailersOnly(stream, e);
    };
    if (headers[":method"] !== "POST" || headers[":path"] !== m.path) return fail(new GrpcError(Status.UNIMPLEMENTED, `unknown method ${String(headers[":path"])}`));
    const encoding = String(headers["grpc-encoding"] ?? "identity");
    if (encoding !== "identity" && encoding !== "gzip") return fail(new GrpcError(Status.UNIMPLEMENTED, `grpc-encoding ${encoding} is not supported: use gzip or identity`));

    const chunks: Buffer[] = [];
    let held = 0;
    let done = false;
    stream.once("close", () => {
      m.budget.give(held);
      held = 0;
      done = true;
    });
    const refuse = (e: GrpcError) => {
      if (done) return;
      done = true;
      stream.removeAllListeners("data");
      stream.resume(); // discard whatever else arrives
      fail(e);
    };
    const limit = 5 + m.maxMessageBytes;
    const onData = (chunk: Buffer) => {
      if (done) return;
      if (held + chunk.length > limit) return refuse(tooLarge(m.maxMessageBytes));
      if (!m.budget.take(chunk.length)) return refuse(new GrpcError(Status.RESOURCE_EXHAUSTED, "too many bytes in flight, retry later", 1));
      held += chunk.length;
      chunks.push(chunk);
      if (chunks.length === 1 || held - chunk.length < 5) {
        const head = chunks.length === 1 ? chunk : Buffer.concat(chunks);
        if (head.length >= 5 && head.readUInt32BE(1) > m.maxMessageBytes) refuse(tooLarge(m.maxMessageBytes));
      }
    };
    m.admit(headers).then(
      (ctx) => {
        if (done) return;
        stream.on("data", onData);
        stream.once("end", () => {
          if (done) return;
          done = true;
          try {
            const response = m.handle(message(Buffer.concat(chunks, held), encoding, m.maxMessageBytes), ctx);
            m.answered(Status.OK);
            respondMessage(stream, response);
          } catch (e) {
            if (e instanceof GrpcError) return fail(e);
            if (e instanceof DecodeError) return fail(e.reason === "too_large" ? tooLarge(m.maxMessageBytes) : new GrpcError(Status.INVALID_ARGUMENT, e.message));
            log.error("OTLP/gRPC request failed", { err: e });
            fail(new GrpcError(Status.INTERNAL, `internal error: ${(e as Error).message}`));
          }
        });
      },
      (e: unknown) => refuse(e instanceof GrpcError ? e : new GrpcError(Status.INTERNAL, `internal error: ${(e as Error).message}`)),
    );
  };
}

/** The one message of a unary request body, inflated when its flag says so. */
function message(body: Buffer, encoding: string, max: number): Uint8Array {
  if (body.length === 0) throw new GrpcError(Status.INVALID_ARGUMENT, "missing request message");
  if (body.length < 5) throw new GrpcError(Status.INVALID_ARGUMENT, "truncated message frame");
  const flag = body[0];
  const len = body.readUInt32BE(1);
  if (body.length < 5 + len) throw new GrpcError(Status.INVALID_ARGUMENT, "truncated message frame");
  if (body.length > 5 + len) throw new GrpcError(Status.INVALID_ARGUMENT, "a unary call takes one request message");
  const payload = body.subarray(5, 5 + len);
  if (flag === 0) return payload;
  if (flag !== 1) throw new GrpcError(Status.INVALID_ARGUMENT, `invalid message flags ${flag}`);
  if (encoding !== "gzip") throw new GrpcError(Status.INVALID_ARGUMENT, "compressed message without grpc-encoding");
  try {
    return decompressBody(payload, "gzip", max);
  } catch (e) {
    if (e instanceof DecodeError && e.reason === "too_large") throw tooLarge(max);
    throw new GrpcError(Status.INVALID_ARGUMENT, "decompression failed");
  }
}

function tooLarge(max: number): GrpcError {
  return new GrpcError(Status.RESOURCE_EXHAUSTED, `message larger than the limit of ${max} bytes`);
}

function respondMessage(stream: ServerHttp2Stream, payload: Uint8Array): void {
  if (stream.destroyed || stream.closed) return;
  const frame = Buffer.allocUnsafe(5 + payload.length);
  frame[0] = 0;
  frame.writeUInt32BE(payload.length, 1);
  frame.set(payload, 5);
  try {
    stream.respond(HEADERS, { waitForTrailers: true });
    stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
    stream.end(frame);
  } catch {
    // the client went away meanwhile
  }
}

/** A trailers-only answer; the client's remaining upload is cut short with RST_STREAM(NO_ERROR). */
function trailersOnly(stream: ServerHttp2Stream, e: GrpcError): void {
  const headers: Record<string, string | number> = { ...HEADERS, "grpc-status": String(e.code), "grpc-message": percentEncode(e.message) };
  if (e.retryAfterSeconds !== undefined) headers["grpc-status-details-bin"] = retryDetails(e);
  respond(stream, headers, !stream.readableEnded);
}

function respond(stream: ServerHttp2Stream, headers: Record<string, string | number>, cutUpload: boolean): void {
  if (stream.destroyed || stream.closed) return;
  try {
    stream.respond(headers, { endStream: true });
    if (cutUpload) stream.close(0);
  } catch {
    // the client went away meanwhile
  }
}

/** grpc-message: percent-encoded UTF-8 outside printable ASCII (and "%" itself). */
function percentEncode(s: string): string {
  let out = "";
  for (const b of Buffer.from(s.slice(0, 1024))) out += b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  return out;
}

/** grpc-status-details-bin: a google.rpc.Status with a RetryInfo, base64. */
function retryDetails(e: GrpcError): string {
  const retry = create(RetryInfoSchema, { retryDelay: { seconds: BigInt(e.retryAfterSeconds ?? 0), nanos: 0 } });
  const st = create(StatusSchema, { code: e.code, message: e.message, details: [anyPack(RetryInfoSchema, retry)] });
  return Buffer.from(toBinary(StatusSchema, st)).toString("base64");
}
