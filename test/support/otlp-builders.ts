import { type MessageInitShape, create } from "@bufbuild/protobuf";
import {
  type ExportTraceServiceRequest,
  ExportTraceServiceRequestSchema,
} from "../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import type { AnyValue, KeyValue } from "../../src/gen/opentelemetry/proto/common/v1/common_pb.ts";
import type { SpanSchema } from "../../src/gen/opentelemetry/proto/trace/v1/trace_pb.ts";

/** A span as create() accepts it. */
export type SpanInit = MessageInitShape<typeof SpanSchema>;

type Scalar = string | number | boolean | bigint | Uint8Array | null | { double: number } | Scalar[];

/** An AnyValue from a JS value: bigint → int, {double} → double, number → int when integral else double. */
export function anyValue(v: Scalar): AnyValue {
  const value = (): AnyValue["value"] => {
    if (v === null) return { case: undefined };
    if (typeof v === "string") return { case: "stringValue", value: v };
    if (typeof v === "boolean") return { case: "boolValue", value: v };
    if (typeof v === "bigint") return { case: "intValue", value: v };
    if (typeof v === "number") return Number.isInteger(v) ? { case: "intValue", value: BigInt(v) } : { case: "doubleValue", value: v };
    if (v instanceof Uint8Array) return { case: "bytesValue", value: v };
    if (Array.isArray(v)) return { case: "arrayValue", value: { $typeName: "opentelemetry.proto.common.v1.ArrayValue", values: v.map(anyValue) } };
    return { case: "doubleValue", value: v.double };
  };
  return { $typeName: "opentelemetry.proto.common.v1.AnyValue", value: value() };
}

export function attrs(o: Record<string, Scalar>): KeyValue[] {
  return Object.entries(o).map(([key, v]) => ({ $typeName: "opentelemetry.proto.common.v1.KeyValue", keyStrindex: 0, key, value: anyValue(v) }));
}

/** Nanoseconds for "now + offsetMs". */
export function nowNs(offsetMs = 0): bigint {
  return BigInt(Date.now() + offsetMs) * 1_000_000n;
}

export interface SpanSpec {
  name?: string;
  kind?: number;
  status?: number;
  statusMessage?: string;
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  parentSpanId?: Uint8Array;
  /** duration in seconds (default 0.01); end = endNs or now */
  duration?: number;
  endNs?: bigint;
  attributes?: Record<string, Scalar>;
  traceState?: string;
}

let counter = 1;

/** A span ending now (unless endNs) with the given duration and fresh ids. */
export function span(s: SpanSpec = {}): SpanInit {
  const n = counter++;
  const end = s.endNs ?? nowNs();
  const durNs = BigInt(Math.round((s.duration ?? 0.01) * 1e9));
  return {
    traceId: s.traceId ?? idBytes(16, n),
    spanId: s.spanId ?? idBytes(8, n),
    parentSpanId: s.parentSpanId ?? new Uint8Array(0),
    name: s.name ?? "op",
    kind: s.kind ?? 2,
    startTimeUnixNano: end - durNs,
    endTimeUnixNano: end,
    attributes: attrs(s.attributes ?? {}),
    traceState: s.traceState ?? "",
    status: { $typeName: "opentelemetry.proto.trace.v1.Status", code: s.status ?? 0, message: s.statusMessage ?? "" },
  };
}

/** Deterministic non-zero id bytes from a number. */
export function idBytes(len: number, n: number): Uint8Array {
  const b = new Uint8Array(len);
  let x = n;
  for (let i = len - 1; i >= 0 && x > 0; i--) {
    b[i] = x & 0xff;
    x = Math.floor(x / 256);
  }
  b[0] |= 0x10;
  return b;
}

/** A request with one ResourceSpans per entry. */
export function request(...resources: { resource: Record<string, Scalar>; spans: SpanInit[] }[]): ExportTraceServiceRequest {
  return create(ExportTraceServiceRequestSchema, {
    resourceSpans: resources.map((r) => ({
      resource: { attributes: attrs(r.resource) },
      scopeSpans: [{ scope: { name: "test" }, spans: r.spans }],
    })),
  });
}
