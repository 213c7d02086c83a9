import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { DescMethodUnary } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import "../decode/otlp.ts"; // installs the UTF-8 handling every protobuf decode here relies on
import { DecodeError } from "../decode/decode-error.ts";
import { joinResourceSpans } from "../decode/otlp-wire.ts";
import { RetryInfoSchema } from "../gen/google/rpc/status_pb.ts";
import { TraceService } from "../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { RawExportTraceServiceRequestSchema } from "../gen/redgen/v1/raw_export_pb.ts";
import { log } from "../util/log.ts";
import type { ReceiverStats } from "./otlp-http.ts";
import { tenantFromHeader } from "./tenant-id.ts";
import type { TraceExport } from "./trace-export.ts";

/** Limits of the OTLP/gRPC receiver. */
export interface OtlpGrpcOptions {
  /** max message size after decompression (RESOURCE_EXHAUSTED above) */
  maxRequestBytes: number;
}

/**
 * TraceService/Export with the request read as raw ResourceSpans bytes
 * (wire-compatible), so the spans go through the same fast decoder as
 * OTLP/HTTP protobuf instead of becoming protobuf-es objects first.
 */
const rawExport = {
  ...TraceService.method.export,
  input: RawExportTraceServiceRequestSchema,
} as unknown as DescMethodUnary<typeof RawExportTraceServiceRequestSchema, typeof TraceService.method.export.output>;

/** A RetryInfo detail asking the client to come back after `seconds`. */
function retryLater(message: string, code: Code, seconds: number): ConnectError {
  return new ConnectError(message, code, undefined, [
    { desc: RetryInfoSchema, value: { retryDelay: { seconds: BigInt(seconds), nanos: 0 } } },
  ]);
}

/**
 * OTLP/gRPC `TraceService/Export` as a node:http2 request handler (connect-node).
 * Tenant from `x-scope-orgid` metadata; partial success for rejected spans;
 * INVALID_ARGUMENT for malformed data; UNAVAILABLE with RetryInfo while
 * draining. gzip is accepted; size is enforced after decompression.
 */
export function otlpGrpcHandler(exporter: TraceExport, opts: OtlpGrpcOptions, stats: ReceiverStats) {
  const routes = (router: ConnectRouter) =>
    router.rpc(rawExport, (req, ctx) => {
      try {
        if (exporter.draining) throw retryLater("redgen is shutting down", Code.Unavailable, 5);
        const tenant = tenantFromHeader(ctx.requestHeader.get("x-scope-orgid"));
        if ("error" in tenant) throw new ConnectError(tenant.error, Code.InvalidArgument);
        const result = exporter.exportProtobuf(tenant.tenant, joinResourceSpans(req.resourceSpans));
        return result.rejectedSpans > 0
          ? { partialSuccess: { rejectedSpans: BigInt(result.rejectedSpans), errorMessage: result.errorMessage } }
          : {};
      } catch (e) {
        if (e instanceof ConnectError) throw e;
        if (e instanceof DecodeError) throw new ConnectError(e.message, Code.InvalidArgument);
        log.error("OTLP/gRPC request failed", { err: e });
        throw new ConnectError(`internal error: ${(e as Error).message}`, Code.Internal);
      }
    });
  const handler = connectNodeAdapter({ routes, readMaxBytes: opts.maxRequestBytes });
  return (req: Http2ServerRequest, res: Http2ServerResponse) => {
    observeStatus(res, stats);
    handler(req, res);
  };
}

/**
 * Counts every answer by grpc-status, including those connect gives before
 * the handler runs (too large, undecodable). connect reports a request that
 * is not valid protobuf as INTERNAL ("parse binary"); the OTLP spec wants
 * INVALID_ARGUMENT for malformed data, so that one status is rewritten here.
 */
function observeStatus(res: Http2ServerResponse, stats: ReceiverStats): void {
  const addTrailers = res.addTrailers.bind(res);
  res.addTrailers = (trailers) => {
    const t = trailers as Record<string, string>;
    if (t["grpc-status"] === String(Code.Internal) && decodeURIComponent(t["grpc-message"] ?? "").startsWith("parse binary")) {
      t["grpc-status"] = String(Code.InvalidArgument);
    }
    stats.count(Number(t["grpc-status"] ?? Code.Unknown));
    addTrailers(trailers);
  };
}
