import { protobuf } from "../util/protobuf-runtime.ts";
import type { AuthStats } from "../auth/auth-stats.ts";
import type { Authenticator } from "../auth/authenticator.ts";
import type * as TraceServicePb from "../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { lazy } from "../util/lazy.ts";
import { GrpcError, Status, unaryHandler } from "./grpc-unary.ts";
import type { H2Stream } from "./h2/h2-stream.ts";
import type { InflightBudget } from "./inflight-budget.ts";
import { MessageBuffers } from "./message-buffers.ts";
import type { ReceiverStats } from "./otlp-http.ts";
import { tenantFor } from "./tenant-id.ts";
import type { TraceExport } from "./trace-export.ts";

/** Limits and access rules of the OTLP/gRPC receiver. */
export interface OtlpGrpcOptions {
  /** max message size after decompression (RESOURCE_EXHAUSTED above) */
  maxRequestBytes: number;
  /** the bytes of messages being read at once (RESOURCE_EXHAUSTED with RetryInfo when one does not fit) */
  budget: InflightBudget;
  auth?: Authenticator;
  authStats?: AuthStats;
}

/** The HTTP/2 path of TraceService/Export. */
export const EXPORT_PATH = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

/** ExportTraceServiceResponse without partial_success: an empty message encodes to no bytes. */
const EMPTY_RESPONSE = new Uint8Array(0);
// loaded on first use (util/lazy.ts: generated modules cost the start ~25 ms)
const traceService = lazy(() => require("../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts") as typeof TraceServicePb);

/**
 * OTLP/gRPC `TraceService/Export` as a handler of the lean HTTP/2 server's streams. The
 * request message goes as bytes straight into the fast decoder (the request
 * is an ExportTraceServiceRequest; no message objects). Credentials and the
 * tenant (`authorization`, `x-scope-orgid` metadata) are checked before the
 * message is read: UNAUTHENTICATED, PERMISSION_DENIED for another tenant;
 * INVALID_ARGUMENT for malformed data; partial success for rejected spans;
 * UNAVAILABLE with RetryInfo while draining.
 */
export function otlpGrpcHandler(
  exporter: TraceExport,
  opts: OtlpGrpcOptions,
  stats: ReceiverStats,
): (stream: H2Stream) => void {
  const header = (h: Record<string, string>, name: string): string | undefined => h[name];
  const tenantOf = (headers: Record<string, string>, pinned: string | undefined): string => {
    const tenant = tenantFor(header(headers, "x-scope-orgid"), pinned);
    if ("forbidden" in tenant) {
      opts.authStats?.fail("tenant_mismatch");
      throw new GrpcError(Status.PERMISSION_DENIED, tenant.forbidden);
    }
    if ("error" in tenant) throw new GrpcError(Status.INVALID_ARGUMENT, tenant.error);
    return tenant.tenant;
  };
  return unaryHandler<string>({
    path: EXPORT_PATH,
    maxMessageBytes: opts.maxRequestBytes,
    budget: opts.budget,
    buffers: new MessageBuffers(),
    admit(headers) {
      if (exporter.draining) throw new GrpcError(Status.UNAVAILABLE, "redgen is shutting down", 5);
      if (opts.auth === undefined) return tenantOf(headers, undefined);
      return opts.auth.check((n) => header(headers, n)).then((auth) => {
        if (!auth.ok) {
          opts.authStats?.fail(auth.reason);
          throw new GrpcError(Status.UNAUTHENTICATED, "missing or invalid credentials");
        }
        return tenantOf(headers, auth.tenant);
      });
    },
    handle(message, tenant) {
      if (exporter.draining) throw new GrpcError(Status.UNAVAILABLE, "redgen is shutting down", 5);
      const result = exporter.exportProtobuf(tenant, message);
      if (result.rejectedSpans === 0) return EMPTY_RESPONSE;
      const { ExportTraceServiceResponseSchema } = traceService();
      const res = protobuf().create(ExportTraceServiceResponseSchema, {
        partialSuccess: { rejectedSpans: BigInt(result.rejectedSpans), errorMessage: result.errorMessage },
      });
      return protobuf().toBinary(ExportTraceServiceResponseSchema, res);
    },
    answered: (code) => stats.count(code),
  });
}
