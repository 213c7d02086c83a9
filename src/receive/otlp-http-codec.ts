import { protobuf } from "../util/protobuf-runtime.ts";
import type * as StatusPb from "../gen/google/rpc/status_pb.ts";
import type * as TraceServicePb from "../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import type { PushResult } from "../process/push.ts";
import { lazy } from "../util/lazy.ts";

// Generated modules load on first use (util/lazy.ts: they cost the start ~25 ms).
const traceService = lazy(() => require("../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts") as typeof TraceServicePb);
const statusPb = lazy(() => require("../gen/google/rpc/status_pb.ts") as typeof StatusPb);

/** The two OTLP/HTTP encodings; responses use the request's. */
export type OtlpEncoding = "protobuf" | "json";

/** The encoding of a Content-Type, or undefined when it is neither OTLP encoding. */
export function encodingOf(contentType: string | undefined): OtlpEncoding | undefined {
  const base = (contentType ?? "").split(";")[0].trim().toLowerCase();
  if (base === "application/x-protobuf" || base === "application/protobuf") return "protobuf";
  if (base === "application/json") return "json";
  return undefined;
}

const CONTENT_TYPE: Record<OtlpEncoding, string> = { protobuf: "application/x-protobuf", json: "application/json" };
const EMPTY = new Uint8Array(0);

/** 200 with ExportTraceServiceResponse; partial_success only when spans were rejected. */
export function successResponse(enc: OtlpEncoding, result: PushResult): Response {
  // every span taken: the empty message, which encodes to no bytes (protobuf) or {} (JSON)
  if (result.rejectedSpans === 0) return new Response(enc === "protobuf" ? EMPTY : "{}", { status: 200, headers: { "Content-Type": CONTENT_TYPE[enc] } });
  const { ExportTraceServiceResponseSchema } = traceService();
  const msg = protobuf().create(ExportTraceServiceResponseSchema, {
    partialSuccess:
      { rejectedSpans: BigInt(result.rejectedSpans), errorMessage: result.errorMessage },
  });
  const body = enc === "protobuf" ? protobuf().toBinary(ExportTraceServiceResponseSchema, msg) : protobuf().toJsonString(ExportTraceServiceResponseSchema, msg);
  return new Response(body, { status: 200, headers: { "Content-Type": CONTENT_TYPE[enc] } });
}

/** gRPC codes used in Status bodies. */
export const GrpcCode = { InvalidArgument: 3, PermissionDenied: 7, ResourceExhausted: 8, Unimplemented: 12, Internal: 13, Unavailable: 14, Unauthenticated: 16 } as const;

/** An error answer with a google.rpc.Status body (OTLP/HTTP spec, "Failures"). */
export function statusResponse(
  enc: OtlpEncoding,
  httpStatus: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  const { StatusSchema } = statusPb();
  const st = protobuf().create(StatusSchema, { code, message });
  const body = enc === "protobuf" ? protobuf().toBinary(StatusSchema, st) : protobuf().toJsonString(StatusSchema, st);
  return new Response(body, { status: httpStatus, headers: { ...headers, "Content-Type": CONTENT_TYPE[enc] } });
}
