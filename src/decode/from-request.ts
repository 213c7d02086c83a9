import { toBinary } from "@bufbuild/protobuf";
import type { ExportTraceServiceRequest } from "../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import type { KeyValue } from "../gen/opentelemetry/proto/common/v1/common_pb.ts";
import { ResourceSpansSchema, SpanSchema } from "../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import type { Span } from "../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { kindOf, storedValue } from "./any-value.ts";
import { DecodeError } from "./decode-error.ts";
import { setNanos } from "./unix-nanos.ts";
import { type AttributeProjection, type ResourceBlock, type SpanBatch, allocateBatch } from "./span-batch.ts";

/**
 * Turns a request in generated types into a SpanBatch, validating ids the way
 * Tempo's distributor does (spec §2.2): a bad id rejects the whole request.
 */
export function batchFromRequest(req: ExportTraceServiceRequest, projection: AttributeProjection): SpanBatch {
  let spanCount = 0;
  for (const rs of req.resourceSpans) for (const ss of rs.scopeSpans) spanCount += ss.spans.length;
  const slotCount = projection.size;
  const b = allocateBatch(spanCount, slotCount);
  let i = 0;
  for (const rs of req.resourceSpans) {
    const block = resourceBlock(rs.resource?.attributes ?? [], projection, i);
    block.byteSize = toBinary(ResourceSpansSchema, rs).length;
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) {
        writeSpan(b, i, span, projection);
        i++;
      }
    }
    block.spanEnd = i;
    b.resources.push(block);
  }
  return b;
}

function resourceBlock(attrs: KeyValue[], projection: AttributeProjection, spanStart: number): ResourceBlock {
  const n = attrs.length;
  const block: ResourceBlock = {
    keys: new Array(n),
    kinds: new Array(n),
    values: new Array(n),
    slotKinds: new Uint8Array(projection.size),
    slotValues: new Array(projection.size),
    spanStart,
    spanEnd: spanStart,
    byteSize: 0,
  };
  for (let k = 0; k < n; k++) {
    const kv = attrs[k];
    const kind = kindOf(kv.value);
    const value = storedValue(kv.value);
    block.keys[k] = kv.key;
    block.kinds[k] = kind;
    block.values[k] = value;
    const slot = projection.slots.get(kv.key);
    if (slot !== undefined && block.slotKinds[slot] === 0) {
      block.slotKinds[slot] = kind;
      block.slotValues[slot] = value;
    }
  }
  return block;
}

function writeSpan(b: SpanBatch, i: number, span: Span, projection: AttributeProjection): void {
  checkIds(span);
  b.traceIds.set(span.traceId, i * 16);
  b.spanIds.set(span.spanId, i * 8);
  if (span.parentSpanId.length === 8) {
    b.parentSpanIds.set(span.parentSpanId, i * 8);
    b.hasParent[i] = 1;
  }
  b.names[i] = span.name;
  b.kinds[i] = span.kind;
  b.statusCodes[i] = span.status?.code ?? 0;
  b.statusMessages[i] = span.status?.message ?? "";
  b.traceStates[i] = span.traceState;
  setNanos(b.startTimes, i, span.startTimeUnixNano);
  setNanos(b.endTimes, i, span.endTimeUnixNano);
  const d = span.endTimeUnixNano - span.startTimeUnixNano;
  b.durations[i] = d > 0n ? Number(d) / 1e9 : 0;
  b.sizes[i] = toBinary(SpanSchema, span).length;
  const base = i * b.slotCount;
  for (const kv of span.attributes) {
    const slot = projection.slots.get(kv.key);
    if (slot !== undefined && slot < b.slotCount && b.attrKinds[base + slot] === 0) {
      b.attrKinds[base + slot] = kindOf(kv.value);
      b.attrValues[base + slot] = storedValue(kv.value);
    }
  }
}

function checkIds(span: Span): void {
  if (span.traceId.length !== 16) {
    throw new DecodeError("invalid", `trace ids must be 128 bit, received ${span.traceId.length * 8} bits`);
  }
  if (span.spanId.length !== 8 || isZero(span.spanId)) {
    throw new DecodeError("invalid", `span ids must be 64 bit and not all zero, received ${span.spanId.length * 8} bits`);
  }
  if (span.parentSpanId.length !== 0 && span.parentSpanId.length !== 8) {
    throw new DecodeError("invalid", `parent span ids must be empty or 64 bit, received ${span.parentSpanId.length * 8} bits`);
  }
}

function isZero(id: Uint8Array): boolean {
  for (let k = 0; k < id.length; k++) if (id[k] !== 0) return false;
  return true;
}
