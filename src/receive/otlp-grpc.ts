import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import "../decode/otlp.ts"; // installs the UTF-8 handling every protobuf decode here relies on
import { DecodeError } from "../decode/decode-error.ts";
import { RetryInfoSchema } from "../gen/google/rpc/status_pb.ts";
import { TraceService } from "../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { log } from "../util/log.ts";
import type { ReceiverStats } from "./otlp-http.ts";
import { tenantFromHeader } from "./tenant-id.ts";
import type { TraceExport } from "./trace-export.ts";

/** Limits of the OTLP/gRPC receiver. */
export interface OtlpGrpcOptions {
  /** max message size after decompression (RESOURCE_EXHAUSTED above) */
  maxRequestBytes: number;
}

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
    router.service(TraceService, {
      export(req, ctx) {
        try {
          if (exporter.draining) throw retryLater("redgen is shutting down", Code.Unavailable, 5);
          const tenant = tenantFromHeader(ctx.requestHeader.get("x-scope-orgid"));
          if ("error" in tenant) throw new ConnectError(tenant.error, Code.InvalidArgument);
          const result = exporter.export(tenant.tenant, req);
          stats.count(0);
          return result.rejectedSpans > 0
            ? { partialSuccess: { rejectedSpans: BigInt(result.rejectedSpans), errorMessage: result.errorMessage } }
            : {};
        } catch (e) {
          const err =
            e instanceof ConnectError
              ? e
              : e instanceof DecodeError
                ? new ConnectError(e.message, Code.InvalidArgument)
                : internal(e);
          stats.count(err.code);
          throw err;
        }
      },
    });
  return connectNodeAdapter({
    routes,
    readMaxBytes: opts.maxRequestBytes,
    binaryOptions: { readUnknownFields: false },
  });
}

function internal(e: unknown): ConnectError {
  log.error("OTLP/gRPC request failed", { err: e });
  return new ConnectError(`internal error: ${(e as Error).message}`, Code.Internal);
}
