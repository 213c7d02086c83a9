/**
 * Kafka record values in the formats redgen reads, built from traces the
 * test makes, and the span-metric counts those traces must give:
 * - `pushBytesValue`: Tempo's distributor record (tempopb.PushBytesRequest:
 *   traces = field 2, one marshalled tempopb.Trace each; ids = field 3;
 *   skipMetricsGeneration = field 5), key = tenant id;
 * - `tracesDataValue`: Tempo's `codec: otlp` and the Collector's `otlp_proto`
 *   (one OTLP TracesData);
 * - `otlpJsonValue`: the Collector's `otlp_json` (OTLP/JSON: hex ids, enums
 *   as integers, 64-bit integers as strings, as pdata's JSON marshaler writes).
 * A "trace" here is the list of ResourceSpans of one trace id, the shape
 * Tempo's distributor groups by.
 */
import { create, toBinary, toJsonString } from "@bufbuild/protobuf";
import { randomBytes } from "node:crypto";
import type { ExportTraceServiceRequest } from "../../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { type ResourceSpans, TracesDataSchema } from "../../../src/gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { PushBytesRequestSchema, TraceSchema } from "../../../src/gen/tempopb/tempo_pb.ts";
import { idBytes, nowNs, request, span } from "../otlp-builders.ts";

/** One trace: its id and its ResourceSpans. */
export interface TestTrace {
  traceId: Uint8Array;
  resourceSpans: ResourceSpans[];
}

let spanCounter = 0x5000_0000;
const nextSpanId = () => idBytes(8, spanCounter++);

export interface ClientServerTraceOptions {
  /** service of the root INTERNAL span and its CLIENT child */
  client: string;
  /** service of the SERVER span answering the CLIENT span */
  server: string;
  traceId?: Uint8Array;
  /** the server span ends with status ERROR */
  error?: boolean;
  /** end time of every span (default: now; the slack window drops spans ending more than 30 s away) */
  endNs?: bigint;
}

/**
 * Three spans in two ResourceSpans, as two services report one request:
 * `client` has "checkout" (INTERNAL, root) and "POST /pay" (CLIENT, its
 * child); `server` has "POST /pay" (SERVER, child of the CLIENT span), so
 * the trace makes exactly one service-graph edge, client → server, complete
 * at once (a root SERVER span would wait for a parent and end up as a
 * virtual-node edge).
 */
export function clientServerTrace(o: ClientServerTraceOptions): TestTrace {
  const traceId = o.traceId ?? new Uint8Array(randomBytes(16));
  const end = o.endNs ?? nowNs();
  const rootId = nextSpanId();
  const clientId = nextSpanId();
  const req = request(
    {
      resource: { "service.name": o.client },
      spans: [
        span({ name: "checkout", kind: 1, traceId, spanId: rootId, duration: 0.03, endNs: end }),
        span({ name: "POST /pay", kind: 3, traceId, spanId: clientId, parentSpanId: rootId, duration: 0.02, endNs: end }),
      ],
    },
    {
      resource: { "service.name": o.server },
      spans: [
        span({
          name: "POST /pay",
          kind: 2,
          traceId,
          spanId: nextSpanId(),
          parentSpanId: clientId,
          duration: 0.015,
          endNs: end,
          status: o.error ? 2 : 0,
          statusMessage: o.error ? "declined" : "",
        }),
      ],
    },
  );
  return { traceId, resourceSpans: req.resourceSpans };
}

/** `n` client/server traces; every third one has a failing server span. */
export function clientServerTraces(n: number, client: string, server: string, endNs?: bigint): TestTrace[] {
  return Array.from({ length: n }, (_, i) => clientServerTrace({ client, server, error: i % 3 === 0, endNs }));
}

/** The spans of `traces` in one TracesData / ExportTraceServiceRequest (same wire format). */
export function tracesRequest(traces: TestTrace[]): ExportTraceServiceRequest {
  const req = request();
  req.resourceSpans = traces.flatMap((t) => t.resourceSpans);
  return req;
}

/** Tempo's record value: a PushBytesRequest with one marshalled tempopb.Trace per trace, and their ids. */
export function pushBytesValue(traces: TestTrace[], skipMetricsGeneration = false): Uint8Array {
  return toBinary(
    PushBytesRequestSchema,
    create(PushBytesRequestSchema, {
      traces: traces.map((t) => toBinary(TraceSchema, create(TraceSchema, { resourceSpans: t.resourceSpans }))),
      ids: traces.map((t) => t.traceId),
      skipMetricsGeneration,
    }),
  );
}

/** A PushBytesRequest from raw trace entries (for entries that are not valid traces). */
export function pushBytesOfEntries(entries: Uint8Array[], skipMetricsGeneration = false): Uint8Array {
  return toBinary(PushBytesRequestSchema, create(PushBytesRequestSchema, { traces: entries, skipMetricsGeneration }));
}

/** Tempo `codec: otlp` / Collector `otlp_proto`: one TracesData holding every trace. */
export function tracesDataValue(traces: TestTrace[]): Uint8Array {
  return toBinary(TracesDataSchema, create(TracesDataSchema, { resourceSpans: traces.flatMap((t) => t.resourceSpans) }));
}

const ID_KEYS = new Set(["traceId", "spanId", "parentSpanId"]);

/** Collector `otlp_json`: OTLP/JSON of one TracesData, ids in hex (not proto3 JSON's base64), enums as numbers. */
export function otlpJsonValue(traces: TestTrace[]): Uint8Array {
  const data = create(TracesDataSchema, { resourceSpans: traces.flatMap((t) => t.resourceSpans) });
  const json = toJsonString(TracesDataSchema, data, { enumAsInteger: true });
  const hex = JSON.parse(json, (key, value: unknown) =>
    ID_KEYS.has(key) && typeof value === "string" ? Buffer.from(value, "base64").toString("hex") : value,
  );
  return new TextEncoder().encode(JSON.stringify(hex));
}

const KIND = ["SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"];
const STATUS = ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"];

/** The key `callsByKey` gives a traces_spanmetrics_calls_total series. */
export function callsKey(tenant: string, service: string, spanName: string, kind: string, status: string): string {
  return `${tenant} ${service} ${spanName} ${kind} ${status}`;
}

/** What traces_spanmetrics_calls_total must say for `traces` sent as `tenant`: key → calls. */
export function expectedCalls(tenant: string, traces: TestTrace[], into: Record<string, number> = {}): Record<string, number> {
  for (const t of traces) {
    for (const rs of t.resourceSpans) {
      const attr = rs.resource?.attributes.find((a) => a.key === "service.name")?.value?.value;
      const service = attr?.case === "stringValue" ? attr.value : "";
      for (const ss of rs.scopeSpans) {
        for (const s of ss.spans) {
          const k = callsKey(tenant, service, s.name, KIND[s.kind], STATUS[s.status?.code ?? 0]);
          into[k] = (into[k] ?? 0) + 1;
        }
      }
    }
  }
  return into;
}

/** Number of spans in `traces`. */
export function spanCount(traces: TestTrace[]): number {
  return traces.reduce((n, t) => n + t.resourceSpans.reduce((m, rs) => m + rs.scopeSpans.reduce((k, ss) => k + ss.spans.length, 0), 0), 0);
}

/**
 * traces_spanmetrics_calls_total samples (Prometheus' `metric` or the text
 * format's `labels`) as `callsKey` → value, summed over any other labels; the
 * tenant comes from the `tenant` label (registry.inject_tenant_id_as) or `tenant`.
 */
export function callsByKey(
  samples: { metric?: Record<string, string>; labels?: Record<string, string>; value: number }[],
  tenant?: string,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    const l = s.metric ?? s.labels ?? {};
    const k = callsKey(l.tenant ?? tenant ?? "", l.service, l.span_name, l.span_kind, l.status_code);
    out[k] = (out[k] ?? 0) + s.value;
  }
  return out;
}

/** Sum of the values in a key → value map. */
export function sumValues(m: Record<string, number>): number {
  return Object.values(m).reduce((a, b) => a + b, 0);
}

/**
 * The partition of a trace: FNV-1 (not 1a) 32-bit over the tenant bytes and
 * the 16 trace-id bytes, Tempo's TokenFor, modulo the partition count (Tempo
 * maps the token through its partition ring instead; what matters here is that
 * every span of a trace lands on one partition).
 */
export function partitionOf(tenant: string, traceId: Uint8Array, partitions: number): number {
  let h = 0x811c9dc5;
  const step = (b: number) => {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ b) >>> 0;
  };
  for (const b of Buffer.from(tenant, "utf8")) step(b);
  for (const b of traceId) step(b);
  return h % partitions;
}
