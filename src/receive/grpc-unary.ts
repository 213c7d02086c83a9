import { protobuf } from "../util/protobuf-runtime.ts";
import { DecodeError } from "../decode/decode-error.ts";
import { decompressBody } from "../decode/decompress.ts";
import { ErrorCode } from "./h2/frames.ts";
import type { H2Stream } from "./h2/h2-stream.ts";
import { encodeHeaderBlock } from "./h2/hpack-encoder.ts";
import type * as StatusPb from "../gen/google/rpc/status_pb.ts";
import { lazy } from "../util/lazy.ts";
import { log } from "../util/log.ts";
import type { InflightBudget } from "./inflight-budget.ts";
import type { MessageBuffers } from "./message-buffers.ts";

// Loaded on first use, for the first error with a retry delay (util/lazy.ts: they cost the start ~25 ms).
const statusPb = lazy(() => require("../gen/google/rpc/status_pb.ts") as typeof StatusPb);

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
  /** where request messages are assembled (reused once a request is answered) */
  buffers: MessageBuffers;
  /** runs on the headers before any byte of the body is read; throws GrpcError (or rejects with one) to refuse */
  admit(headers: Record<string, string>): Ctx | Promise<Ctx>;
  /** the response message for a request message; throws GrpcError or DecodeError to refuse */
  handle(message: Uint8Array, ctx: Ctx): Uint8Array;
  /** every answer's status, for the receiver's counters */
  answered(code: number): void;
}

const HEADERS: [string, string][] = [
  [":status", "200"],
  ["content-type", "application/grpc"],
  ["grpc-accept-encoding", "gzip"],
];
const RESPONSE_HEAD = encodeHeaderBlock(HEADERS);
const OK_TRAILERS = encodeHeaderBlock([["grpc-status", "0"]]);
const UNSUPPORTED_MEDIA = encodeHeaderBlock([[":status", "415"]]);

/**
 * The gRPC unary protocol on the lean HTTP/2 server's streams, for a server
 * with one method: content type, path and grpc-encoding checks, then the
 * request message read as DATA arrives, every byte counted against the
 * message limit and the port's in-flight budget (an oversized length prefix
 * is refused before its body comes), gzip inflated within the limit, and the
 * answer as a response message with OK trailers or a trailers-only error.
 * Malformed framing is INVALID_ARGUMENT, never INTERNAL.
 */
export function unaryHandler<Ctx>(m: UnaryMethod<Ctx>): (stream: H2Stream) => void {
  return (stream) => {
    const headers = stream.headers;
    const contentType = headers["content-type"] ?? "";
    if (!/^application\/grpc(\+proto)?(;|$)/.test(contentType)) {
      respond(stream, UNSUPPORTED_MEDIA);
      return;
    }
    const fail = (e: GrpcError) => {
      m.answered(e.code);
      trailersOnly(stream, e);
    };
    if (headers[":method"] !== "POST" || headers[":path"] !== m.path) return fail(new GrpcError(Status.UNIMPLEMENTED, `unknown method ${headers[":path"]}`));
    const encoding = headers["grpc-encoding"] ?? "identity";
    if (encoding !== "identity" && encoding !== "gzip") return fail(new GrpcError(Status.UNIMPLEMENTED, `grpc-encoding ${encoding} is not supported: use gzip or identity`));

    let held = 0;
    let done = false;
    // the frame as it arrives: the 5-byte prefix into flag/declared, the message into `msg`
    let prefix = 0;
    let flag = 0;
    let declared = 0;
    let msg: Buffer | undefined;
    let copied = 0;
    let extra = false;
    const release = () => {
      if (msg !== undefined) m.buffers.give(msg);
      msg = undefined;
    };
    const refuse = (e: GrpcError) => {
      if (done) return;
      done = true; // whatever else arrives is dropped
      release();
      fail(e);
    };
    const limit = 5 + m.maxMessageBytes;
    const data = (chunk: Uint8Array, at: number, len: number) => {
      if (done) return;
      if (held + len > limit) return refuse(tooLarge(m.maxMessageBytes));
      if (!m.budget.take(len)) return refuse(new GrpcError(Status.RESOURCE_EXHAUSTED, "too many bytes in flight, retry later", 1));
      held += len;
      let off = at;
      const stop = at + len;
      if (prefix < 5) {
        for (; off < stop && prefix < 5; off++, prefix++) {
          if (prefix === 0) flag = chunk[off];
          else declared = declared * 256 + chunk[off];
        }
        if (prefix < 5) return;
        // an oversized length prefix is refused before its body comes
        if (declared > m.maxMessageBytes) return refuse(tooLarge(m.maxMessageBytes));
        msg = m.buffers.take(declared);
      }
      const n = Math.min(stop - off, declared - copied);
      if (n > 0) {
        (msg as Buffer).set(chunk.subarray(off, off + n), copied);
        copied += n;
      }
      if (stop - off > n) extra = true;
    };
    const end = () => {
      if (done) return;
      done = true;
      try {
        const response = m.handle(message(held, prefix, flag, declared, copied, extra, msg, encoding, m.maxMessageBytes), ctx as Ctx);
        m.answered(Status.OK);
        respondMessage(stream, response);
      } catch (e) {
        if (e instanceof GrpcError) return fail(e);
        if (e instanceof DecodeError) return fail(e.reason === "too_large" ? tooLarge(m.maxMessageBytes) : new GrpcError(Status.INVALID_ARGUMENT, e.message));
        log.error("OTLP/gRPC request failed", { err: e });
        fail(new GrpcError(Status.INTERNAL, `internal error: ${(e as Error).message}`));
      } finally {
        release(); // handle() is synchronous and the decoder copies what it keeps
      }
    };
    const close = () => {
      m.budget.give(held);
      held = 0;
      done = true;
      release();
    };
    let ctx: Ctx | undefined;
    const start = (admitted: Ctx) => {
      if (done || stream.closed) return;
      ctx = admitted;
      stream.listen({ data, end, close });
    };
    const denied = (e: unknown) => refuse(e instanceof GrpcError ? e : new GrpcError(Status.INTERNAL, `internal error: ${(e as Error).message}`));
    let admitted: Ctx | Promise<Ctx>;
    try {
      admitted = m.admit(headers);
    } catch (e) {
      return denied(e);
    }
    // without credentials to check there is nothing to wait for: no promise per request
    if (admitted instanceof Promise) admitted.then(start, denied);
    else start(admitted);
  };
}

/** The one message of a unary request body (as read by the handler), inflated when its flag says so. */
function message(
  held: number,
  prefix: number,
  flag: number,
  declared: number,
  copied: number,
  extra: boolean,
  msg: Buffer | undefined,
  encoding: string,
  max: number,
): Uint8Array {
  if (held === 0) throw new GrpcError(Status.INVALID_ARGUMENT, "missing request message");
  if (prefix < 5 || copied < declared || msg === undefined) throw new GrpcError(Status.INVALID_ARGUMENT, "truncated message frame");
  if (extra) throw new GrpcError(Status.INVALID_ARGUMENT, "a unary call takes one request message");
  const payload = msg.subarray(0, declared);
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

/** The frame of an empty response message (OTLP's answer when every span is taken), never written to. */
const EMPTY_FRAME = new Uint8Array(5);

function respondMessage(stream: H2Stream, payload: Uint8Array): void {
  let frame = EMPTY_FRAME;
  if (payload.length > 0) {
    frame = new Uint8Array(5 + payload.length);
    new DataView(frame.buffer).setUint32(1, payload.length);
    frame.set(payload, 5);
  }
  stream.respond(RESPONSE_HEAD, false);
  stream.sendMessage(frame, OK_TRAILERS);
}

/** A trailers-only answer; the client's remaining upload is cut short with RST_STREAM(NO_ERROR). */
function trailersOnly(stream: H2Stream, e: GrpcError): void {
  const headers: [string, string][] = [...HEADERS, ["grpc-status", String(e.code)], ["grpc-message", percentEncode(e.message)]];
  if (e.retryAfterSeconds !== undefined) headers.push(["grpc-status-details-bin", retryDetails(e)]);
  respond(stream, encodeHeaderBlock(headers));
}

function respond(stream: H2Stream, block: Uint8Array): void {
  stream.respond(block, true);
  if (!stream.remoteEnded) stream.reset(ErrorCode.NO_ERROR);
}

/** grpc-message: percent-encoded UTF-8 outside printable ASCII (and "%" itself). */
function percentEncode(s: string): string {
  let out = "";
  for (const b of Buffer.from(s.slice(0, 1024))) out += b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  return out;
}

/** grpc-status-details-bin: a google.rpc.Status with a RetryInfo, base64. */
function retryDetails(e: GrpcError): string {
  const { RetryInfoSchema, StatusSchema } = statusPb();
  const retry = protobuf().create(RetryInfoSchema, { retryDelay: { seconds: BigInt(e.retryAfterSeconds ?? 0), nanos: 0 } });
  const st = protobuf().create(StatusSchema, { code: e.code, message: e.message, details: [protobuf().anyPack(RetryInfoSchema, retry)] });
  return Buffer.from(protobuf().toBinary(StatusSchema, st)).toString("base64");
}
