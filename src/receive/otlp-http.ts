import { Hono } from "hono";
import { DecodeError } from "../decode/decode-error.ts";
import { decompressBody } from "../decode/decompress.ts";
import { decodeJson } from "../decode/otlp.ts";
import { log } from "../util/log.ts";
import { GrpcCode, type OtlpEncoding, encodingOf, statusResponse, successResponse } from "./otlp-http-codec.ts";
import { tenantFromHeader } from "./tenant-id.ts";
import type { TraceExport } from "./trace-export.ts";

/** Limits of the OTLP/HTTP receiver. */
export interface OtlpHttpOptions {
  /** max body size after decompression (413 above) */
  maxRequestBytes: number;
  /** bodies being read at once may hold at most this many bytes (429 above) */
  maxInflightBytes: number;
}

/** Counters of the receiver itself (requests by outcome), read by /metrics. */
export class ReceiverStats {
  readonly requests = new Map<string, number>();
  count(code: number): void {
    const k = String(code);
    this.requests.set(k, (this.requests.get(k) ?? 0) + 1);
  }
}

/**
 * OTLP/HTTP traces (`POST /v1/traces`): protobuf or JSON, optionally gzip,
 * deflate or zstd encoded. Statuses follow the OTLP/HTTP spec: 400 for bad
 * data, 413 over the size limit, 415 for other media types, 429/503 with
 * Retry-After when redgen cannot take more. Rejected requests count nothing.
 */
export function otlpHttpApp(exporter: TraceExport, opts: OtlpHttpOptions, stats: ReceiverStats): Hono {
  const app = new Hono();
  let inflight = 0;

  app.post("/v1/traces", async (c) => {
    const enc = encodingOf(c.req.header("content-type"));
    const reply = (res: Response) => {
      stats.count(res.status);
      return res;
    };
    if (enc === undefined) {
      return reply(
        statusResponse("json", 415, GrpcCode.InvalidArgument, `unsupported Content-Type "${c.req.header("content-type") ?? ""}": use application/x-protobuf or application/json`),
      );
    }
    if (exporter.draining) {
      return reply(statusResponse(enc, 503, GrpcCode.Unavailable, "redgen is shutting down", { "Retry-After": "5" }));
    }
    const tenant = tenantFromHeader(c.req.header("x-scope-orgid"));
    if ("error" in tenant) return reply(statusResponse(enc, 400, GrpcCode.InvalidArgument, tenant.error));
    const declared = Number(c.req.header("content-length") ?? "0");
    if (declared > opts.maxRequestBytes) return reply(tooLarge(enc, opts.maxRequestBytes));
    if (inflight + declared > opts.maxInflightBytes) {
      return reply(statusResponse(enc, 429, GrpcCode.ResourceExhausted, "too many bytes in flight, retry later", { "Retry-After": "1" }));
    }
    inflight += declared;
    try {
      const raw = new Uint8Array(await c.req.arrayBuffer());
      const body = decompressBody(raw, c.req.header("content-encoding"), opts.maxRequestBytes);
      const result = enc === "protobuf" ? exporter.exportProtobuf(tenant.tenant, body) : exporter.export(tenant.tenant, decodeJson(body));
      return reply(successResponse(enc, result));
    } catch (e) {
      if (e instanceof DecodeError) {
        if (e.reason === "too_large") return reply(tooLarge(enc, opts.maxRequestBytes));
        return reply(statusResponse(enc, 400, GrpcCode.InvalidArgument, e.message));
      }
      log.error("OTLP/HTTP request failed", { err: e });
      return reply(statusResponse(enc, 500, GrpcCode.Internal, `internal error: ${(e as Error).message}`));
    } finally {
      inflight -= declared;
    }
  });

  app.all("/v1/traces", (c) => c.text("use POST", 405, { Allow: "POST" }));
  return app;
}

function tooLarge(enc: OtlpEncoding, limit: number): Response {
  return statusResponse(enc, 413, GrpcCode.ResourceExhausted, `request body exceeds the limit of ${limit} bytes`);
}
