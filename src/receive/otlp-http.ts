import { Hono } from "hono";
import type { AuthStats } from "../auth/auth-stats.ts";
import type { Authenticator } from "../auth/authenticator.ts";
import { DecodeError } from "../decode/decode-error.ts";
import { decompressBody } from "../decode/decompress.ts";
import { decodeJson } from "../decode/otlp.ts";
import { log } from "../util/log.ts";
import { freeNow, readBody } from "./body-reader.ts";
import type { InflightBudget } from "./inflight-budget.ts";
import { GrpcCode, type OtlpEncoding, encodingOf, statusResponse, successResponse } from "./otlp-http-codec.ts";
import { tenantFor } from "./tenant-id.ts";
import type { TraceExport } from "./trace-export.ts";

/** Limits and access rules of the OTLP/HTTP receiver. */
export interface OtlpHttpOptions {
  /** max body size after decompression (413 above) */
  maxRequestBytes: number;
  /** the bytes of bodies being read at once (429 when a body does not fit) */
  budget: InflightBudget;
  /** required credentials; none when absent */
  auth?: Authenticator;
  authStats?: AuthStats;
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
 * data, 401/403 for missing or foreign credentials, 413 over the size limit,
 * 415 for other media types, 429/503 with Retry-After when redgen cannot take
 * more. Credentials are checked before a byte of the body is read; the body
 * is read against the size limit and the in-flight budget as it arrives.
 * Rejected requests count nothing.
 */
export function otlpHttpApp(exporter: TraceExport, opts: OtlpHttpOptions, stats: ReceiverStats): Hono {
  const app = new Hono();

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
    let pinned: string | undefined;
    if (opts.auth !== undefined) {
      const headers = c.req.raw.headers;
      const auth = await opts.auth.check((n) => headers.get(n));
      if (!auth.ok) {
        opts.authStats?.fail(auth.reason);
        return reply(statusResponse(enc, 401, GrpcCode.Unauthenticated, "missing or invalid credentials", { "WWW-Authenticate": 'Bearer realm="redgen"' }));
      }
      pinned = auth.tenant;
    }
    const tenant = tenantFor(c.req.header("x-scope-orgid"), pinned);
    if ("forbidden" in tenant) {
      opts.authStats?.fail("tenant_mismatch");
      return reply(statusResponse(enc, 403, GrpcCode.PermissionDenied, tenant.forbidden));
    }
    if ("error" in tenant) return reply(statusResponse(enc, 400, GrpcCode.InvalidArgument, tenant.error));
    const body = await readBody(c.req.raw, opts.maxRequestBytes, opts.budget);
    let inflated: Uint8Array | undefined;
    try {
      if (!body.ok) {
        if (body.reason === "too_large") return reply(tooLarge(enc, opts.maxRequestBytes));
        return reply(statusResponse(enc, 429, GrpcCode.ResourceExhausted, "too many bytes in flight, retry later", { "Retry-After": "1" }));
      }
      inflated = decompressBody(body.bytes, c.req.header("content-encoding"), opts.maxRequestBytes);
      const result = enc === "protobuf" ? exporter.exportProtobuf(tenant.tenant, inflated) : exporter.export(tenant.tenant, decodeJson(inflated));
      return reply(successResponse(enc, result));
    } catch (e) {
      if (e instanceof DecodeError) {
        if (e.reason === "too_large") return reply(tooLarge(enc, opts.maxRequestBytes));
        return reply(statusResponse(enc, 400, GrpcCode.InvalidArgument, e.message));
      }
      log.error("OTLP/HTTP request failed", { err: e });
      return reply(statusResponse(enc, 500, GrpcCode.Internal, `internal error: ${(e as Error).message}`));
    } finally {
      opts.budget.give(body.held);
      // handling is synchronous and the decoders copy what they keep
      if (body.ok && body.owned) freeNow(body.bytes);
      if (inflated !== undefined && body.ok && inflated !== body.bytes) freeNow(inflated);
    }
  });

  app.all("/v1/traces", (c) => c.text("use POST", 405, { Allow: "POST" }));
  return app;
}

function tooLarge(enc: OtlpEncoding, limit: number): Response {
  return statusResponse(enc, 413, GrpcCode.ResourceExhausted, `request body exceeds the limit of ${limit} bytes`);
}
