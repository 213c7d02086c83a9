/**
 * Encodes one batch of generated spans as an ExportTraceServiceRequest, the
 * way an OTel Collector's batch processor sends them: grouped by resource
 * (pod), then by instrumentation scope, in first-seen order. Error spans get
 * an `exception` event.
 */
import { type MessageInitShape, create, toBinary } from "@bufbuild/protobuf";
import { ExportTraceServiceRequestSchema } from "../../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import type { ResourceSpansSchema, ScopeSpansSchema, SpanSchema, Span_SpanKind } from "../../../src/gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { spanAttributes, str } from "./attributes.ts";
import type { Instance } from "./shop.ts";
import { type GSpan, KINDS, Kind, Type } from "./span.ts";

/** The instrumentation scope each span type is reported under. */
const SCOPES: Record<Type, string> = {
  [Type.HttpServer]: "io.opentelemetry.http-server",
  [Type.HttpClient]: "io.opentelemetry.http-client",
  [Type.Db]: "io.opentelemetry.db",
  [Type.Producer]: "io.opentelemetry.kafka",
  [Type.Consumer]: "io.opentelemetry.kafka",
  [Type.Internal]: "app",
};

/** One span's OTLP message. */
function spanInit(s: GSpan): MessageInitShape<typeof SpanSchema> {
  const kind = KINDS[s.type];
  const msg = s.error ? (s.code > 0 ? `HTTP ${s.code}` : s.type === Type.Db ? "connection reset by peer" : "processing failed") : "";
  return {
    traceId: s.trace,
    spanId: s.spanId,
    parentSpanId: s.parent ?? new Uint8Array(0),
    // OTLP's has-is-remote bit on every span; is-remote too where the parent lives in another process
    flags: s.parent !== null && (kind === Kind.Server || kind === Kind.Consumer) ? 0x300 : 0x100,
    name: s.name,
    kind: kind as number as Span_SpanKind,
    startTimeUnixNano: BigInt(s.startNs),
    endTimeUnixNano: BigInt(s.endNs),
    attributes: spanAttributes(s),
    events: s.error
      ? [
          {
            timeUnixNano: BigInt(s.endNs - 1000),
            name: "exception",
            attributes: [
              str("exception.type", s.code > 0 ? "HttpError" : "IOException"),
              str("exception.message", msg),
              str("exception.stacktrace", `Error: ${msg}\n    at handler (/app/src/${s.inst.service.name}/handler.ts:42:13)\n    at process (node:internal/process:83:21)`),
            ],
          },
        ]
      : [],
    status: { code: s.error ? 2 : 0, message: msg },
  };
}

/** One request's bytes: the spans grouped by resource, then scope, in first-seen order. */
export function encodeBatch(spans: GSpan[]): Uint8Array {
  const byInst = new Map<Instance, Map<string, GSpan[]>>();
  for (const s of spans) {
    let scopes = byInst.get(s.inst);
    if (scopes === undefined) byInst.set(s.inst, (scopes = new Map()));
    const scope = SCOPES[s.type];
    let list = scopes.get(scope);
    if (list === undefined) scopes.set(scope, (list = []));
    list.push(s);
  }
  const resourceSpans: MessageInitShape<typeof ResourceSpansSchema>[] = [];
  for (const [inst, scopes] of byInst) {
    const scopeSpans: MessageInitShape<typeof ScopeSpansSchema>[] = [];
    for (const [scope, list] of scopes) {
      scopeSpans.push({ scope: { name: scope, version: inst.service.lang.version }, spans: list.map(spanInit) });
    }
    resourceSpans.push({ resource: { attributes: inst.resource }, scopeSpans, schemaUrl: "https://opentelemetry.io/schemas/1.26.0" });
  }
  return toBinary(ExportTraceServiceRequestSchema, create(ExportTraceServiceRequestSchema, { resourceSpans }));
}
