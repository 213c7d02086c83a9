import { protobuf } from "../util/protobuf-runtime.ts";
import type { ExportTraceServiceRequest } from "../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import type { KeyValue } from "../gen/opentelemetry/proto/common/v1/common_pb.ts";
import type * as TracePb from "../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import type { Span } from "../gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { lazy } from "../util/lazy.ts";
import { kindOf, storedValue } from "./any-value.ts";
import { DecodeError } from "./decode-error.ts";
import { spanSize } from "./tempo-size.ts";
import { setNanos } from "./unix-nanos.ts";
import { type AttributeProjection, type ResourceBlock, type SpanBatch, allocateBatch } from "./span-batch.ts";


// loaded on first use (util/lazy.ts: generated modules cost the start ~25 ms)
const tracePb = lazy(() => require("../gen/opentelemetry/proto/trace/v1/trace_pb.ts") as typeof TracePb);
/**
 * Turns a request in generated types into a SpanBatch, validating ids the way
 * Tempo's distributor does (spec §2.2): a bad id rejects the whole request.
 */
export function batchFromRequest(req: ExportTraceServiceRequest, projection: AttributeProjection, pdata = true): SpanBatch {
  let spanCount = 0;
  for (const rs of req.resourceSpans) for (const ss of rs.scopeSpans) spanCount += ss.spans.length;
  const slotCount = projection.size;
  const b = allocateBatch(spanCount, slotCount);
  let i = 0;
  for (const rs of req.resourceSpans) {
    const block = resourceBlock(rs.resource?.attributes ?? [], projection, i);
    block.byteSize = protobuf().toBinary(tracePb().ResourceSpansSchema, rs).length;
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) {
        writeSpan(b, i, span, projection, pdata);
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

function writeSpan(b: SpanBatch, i: number, span: Span, projection: AttributeProjection, pdata: boolean): void {
  // pdata (Tempo's distributor) reads an all-zero id as no id: tempo-size.ts.
  const traceId = pdata && isZero(span.traceId) ? EMPTY : span.traceId;
  const parentSpanId = pdata && isZero(span.parentSpanId) ? EMPTY : span.parentSpanId;
  checkIds(traceId, span.spanId, parentSpanId);
  b.traceIds.set(traceId, i * 16);
  b.spanIds.set(span.spanId, i * 8);
  if (parentSpanId.length === 8) {
    b.parentSpanIds.set(parentSpanId, i * 8);
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
  const bytes = protobuf().toBinary(tracePb().SpanSchema, span);
  b.sizes[i] = spanSize(bytes, 0, bytes.length, pdata);
  const base = i * b.slotCount;
  for (const kv of span.attributes) {
    const slot = projection.slots.get(kv.key);
    if (slot !== undefined && slot < b.slotCount && b.attrKinds[base + slot] === 0) {
      b.attrKinds[base + slot] = kindOf(kv.value);
      b.attrValues[base + slot] = storedValue(kv.value);
    }
  }
}

function checkIds(traceId: Uint8Array, spanId: Uint8Array, parentSpanId: Uint8Array): void {
  if (traceId.length !== 16) {
    throw new DecodeError("invalid", `trace ids must be 128 bit, received ${traceId.length * 8} bits`);
  }
  if (spanId.length !== 8 || isZero(spanId)) {
    throw new DecodeError("invalid", `span ids must be 64 bit and not all zero, received ${spanId.length * 8} bits`);
  }
  if (parentSpanId.length !== 0 && parentSpanId.length !== 8) {
    throw new DecodeError("invalid", `parent span ids must be empty or 64 bit, received ${parentSpanId.length * 8} bits`);
  }
}

const EMPTY = new Uint8Array(0);

function isZero(id: Uint8Array): boolean {
  if (id.length === 0) return false;
  for (let k = 0; k < id.length; k++) if (id[k] !== 0) return false;
  return true;
}
