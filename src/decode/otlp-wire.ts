import { KeyMatcher } from "./key-matcher.ts";
import { AttrKind, type AttributeProjection, type ResourceBlock, type SpanBatch, allocateBatch, grownBatch } from "./span-batch.ts";
import { ResourceCache } from "./resource-cache.ts";
import { StringTable } from "./string-table.ts";
import { readAnyValue } from "./wire-any-value.ts";
import { KEY_VALUE, REQUEST, RESOURCE, RESOURCE_SPANS, SCOPE_SPANS, skipUnknown } from "./wire-fields.ts";
import { readLengthEnd, readTag, varintSize } from "./wire-reader.ts";
import { readSpan } from "./wire-span.ts";
import { validateEntityRef, validateScope, validateScopeSpans } from "./wire-validate.ts";
import type { WireState } from "./wire-state.ts";

/**
 * The fast path: OTLP/protobuf ExportTraceServiceRequest (or TracesData)
 * bytes straight into a SpanBatch, reading only what processors use.
 * Resource attributes are decoded once per ResourceSpans; span attributes only
 * when their key is in the projection (matched on bytes, so other keys never
 * become strings); events, links and scopes are only skipped. Ids are
 * validated as in Tempo's distributor, and what pdata would refuse anywhere in
 * the request is refused (wire-fields.ts, wire-validate.ts). The result equals
 * batchFromRequest(fromBinary(...)) — tests hold the two paths to that.
 *
 * One decoder reuses its batch: a batch is valid until the next decode, which
 * fits the synchronous push path (decode → push → answer) and saves
 * allocating columns per request.
 */
export class WireBatchDecoder {
  private batch: SpanBatch | undefined;
  private matcher: KeyMatcher | undefined;
  private readonly strings = new StringTable(latin1);
  private resources = new ResourceCache(0);

  constructor(
    private readonly projection: AttributeProjection,
    /**
     * true for requests Tempo would take through its distributor (OTLP/gRPC and
     * HTTP: re-marshalled through pdata before sizing); false for Kafka records,
     * which Tempo sizes as they were written (tempo-size.ts).
     */
    private readonly pdata = true,
  ) {}

  decode(buf: Uint8Array): SpanBatch {
    const slots = this.projection.size;
    if (this.matcher === undefined || this.matcher.size !== slots) {
      this.matcher = new KeyMatcher(this.projection);
      this.resources = new ResourceCache(slots);
    }
    if (this.batch === undefined || this.batch.slotCount !== slots) this.batch = allocateBatch(0, slots, 64);
    const b = this.batch;
    b.resources = [];
    b.spanCount = 0;
    const st: WireState = {
      buf,
      view: new DataView(buf.buffer, buf.byteOffset, buf.byteLength),
      c: { pos: 0 },
      matcher: this.matcher,
      strings: this.strings,
      resources: this.resources,
      batch: b,
      capacity: b.hasParent.length,
      pdata: this.pdata,
    };
    const spans = readRequest(st);
    this.batch = st.batch;
    st.batch.spanCount = spans;
    return st.batch;
  }
}

/** A fresh batch for `buf` (tests, benches): a new decoder every call. */
export function decodeProtobufBatch(buf: Uint8Array, projection: AttributeProjection, pdata = true): SpanBatch {
  return new WireBatchDecoder(projection, pdata).decode(buf);
}

let latin1View: Buffer | undefined;
/** ASCII bytes as a string through Buffer's native latin1 slice. */
function latin1(buf: Uint8Array, start: number, end: number): string {
  // the same memory can come back with another length (receivers reuse message buffers)
  if (latin1View === undefined || latin1View.buffer !== buf.buffer || latin1View.byteOffset !== buf.byteOffset || latin1View.byteLength !== buf.byteLength) {
    latin1View = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  return latin1View.toString("latin1", start, end);
}

/** Walks the request's ResourceSpans (field 1); returns how many spans were read. */
function readRequest(st: WireState): number {
  const { buf, c } = st;
  let span = 0;
  while (c.pos < buf.length) {
    const tag = readTag(buf, c, buf.length);
    if (tag === 0x0a) {
      const end = readLengthEnd(buf, c, buf.length);
      span = readResourceSpans(st, c.pos, end, span);
      c.pos = end;
    } else skipUnknown(buf, c, tag, REQUEST, buf.length);
  }
  return span;
}

function readResourceSpans(st: WireState, start: number, end: number, span: number): number {
  const { buf, c } = st;
  // starts with the cache's shared arrays of an empty resource, copied before anything is added
  const none = st.resources.none;
  const block: ResourceBlock = {
    keys: none.keys,
    kinds: none.kinds,
    values: none.values,
    slotKinds: none.slotKinds,
    slotValues: none.slotValues,
    spanStart: span,
    spanEnd: span,
    byteSize: end - start,
  };
  let scopes = 0;
  let legacy: number[] | undefined;
  // the one Resource field's range (-1: none yet, -2: more than one, as pdata merges them)
  let rStart = -1;
  let rEnd = -1;
  let cached = false;
  let shared = true;
  c.pos = start;
  while (c.pos < end) {
    const tag = readTag(buf, c, end);
    if (tag === 0x0a) {
      const e = readLengthEnd(buf, c, end);
      if (rStart === -1) {
        rStart = c.pos;
        rEnd = e;
        cached = st.resources.take(buf, rStart, rEnd, block);
      } else {
        // a second Resource adds to the first (never to the cached arrays)
        cached = false;
        rStart = -2;
      }
      if (!cached) {
        if (shared) unshare(block);
        shared = false;
        readResource(st, c.pos, e, block);
      }
      c.pos = e;
    } else if (tag === 0x12) {
      const ssEnd = readLengthEnd(buf, c, end);
      span = readScopeSpans(st, c.pos, ssEnd, span);
      scopes++;
      c.pos = ssEnd;
    } else if (tag === INSTRUMENTATION_LIBRARY_SPANS) {
      const ilEnd = readLengthEnd(buf, c, end);
      (legacy ??= []).push(c.pos, ilEnd);
      c.pos = ilEnd;
    } else skipUnknown(buf, c, tag, RESOURCE_SPANS, end);
  }
  // Pre-1.0 OTLP (field 1000, same shape as ScopeSpans): Tempo's receiver moves it
  // into scope_spans when a ResourceSpans has none, so its spans count; otherwise
  // pdata still decodes (and so validates) it.
  if (legacy !== undefined) {
    for (let k = 0; k < legacy.length; k += 2) {
      if (scopes === 0) span = readScopeSpans(st, legacy[k], legacy[k + 1], span);
      else validateScopeSpans(buf, legacy[k], legacy[k + 1], st.pdata);
    }
  }
  block.spanEnd = span;
  if (rStart >= 0 && !cached) st.resources.keep(buf, rStart, rEnd, block);
  st.batch.resources.push(block);
  return span;
}

function unshare(block: ResourceBlock): void {
  block.keys = block.keys.slice();
  block.kinds = block.kinds.slice();
  block.values = block.values.slice();
  block.slotKinds = block.slotKinds.slice();
  block.slotValues = block.slotValues.slice();
}

/** ResourceSpans.instrumentation_library_spans = 1000, length-delimited. */
const INSTRUMENTATION_LIBRARY_SPANS = (1000 << 3) | 2;

/** The spans (field 2) of one ScopeSpans in [start, end); returns the next span index. */
function readScopeSpans(st: WireState, start: number, end: number, span: number): number {
  const { buf, c } = st;
  c.pos = start;
  while (c.pos < end) {
    const t = readTag(buf, c, end);
    if (t !== 0x12) {
      if (t === 0x0a) {
        const e = readLengthEnd(buf, c, end);
        validateScope(buf, c.pos, e, st.pdata);
        c.pos = e;
      } else skipUnknown(buf, c, t, SCOPE_SPANS, end);
      continue;
    }
    const sEnd = readLengthEnd(buf, c, end);
    if (span >= st.capacity) grow(st, span);
    readSpan(st, c.pos, sEnd, span++);
    c.pos = sEnd;
  }
  return span;
}

/** Doubles the batch columns (rare once a decoder has seen its usual request size). */
function grow(st: WireState, used: number): void {
  st.capacity = Math.max(64, st.capacity * 2);
  st.batch = grownBatch(st.batch, used, st.capacity);
}

/** Every resource attribute, plus the projected ones in their slots. */
function readResource(st: WireState, start: number, end: number, block: ResourceBlock): void {
  const { buf, c } = st;
  c.pos = start;
  while (c.pos < end) {
    const tag = readTag(buf, c, end);
    if (tag !== 0x0a) {
      if (tag === 0x1a) {
        const e = readLengthEnd(buf, c, end);
        validateEntityRef(buf, c.pos, e);
        c.pos = e;
      } else skipUnknown(buf, c, tag, RESOURCE, end);
      continue;
    }
    const kvEnd = readLengthEnd(buf, c, end);
    let keyStart = c.pos;
    let keyEnd = c.pos;
    let valStart = -1;
    let valEnd = -1;
    while (c.pos < kvEnd) {
      const t = readTag(buf, c, kvEnd);
      if (t === 0x0a) {
        keyEnd = readLengthEnd(buf, c, kvEnd);
        keyStart = c.pos;
        c.pos = keyEnd;
      } else if (t === 0x12) {
        // a repeated value (pdata merges them): the earlier one must still be valid
        if (valStart >= 0) readAnyValue(st, valStart, valEnd);
        valEnd = readLengthEnd(buf, c, kvEnd);
        valStart = c.pos;
        c.pos = valEnd;
      } else skipUnknown(buf, c, t, KEY_VALUE, kvEnd);
    }
    const v = readAnyValue(st, valStart, valEnd);
    block.keys.push(st.strings.get(buf, keyStart, keyEnd));
    block.kinds.push(v.kind);
    block.values.push(v.value);
    const slot = st.matcher.slot(buf, keyStart, keyEnd);
    if (slot >= 0 && block.slotKinds[slot] === AttrKind.None) {
      block.slotKinds[slot] = v.kind;
      block.slotValues[slot] = v.value;
    }
    c.pos = kvEnd;
  }
}

/**
 * Re-frames ResourceSpans messages (as the gRPC receiver gets them, one byte
 * view each) into ExportTraceServiceRequest bytes for the decoder.
 */
export function joinResourceSpans(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += 1 + varintSize(p.length) + p.length;
  const out = new Uint8Array(total);
  let pos = 0;
  for (const p of parts) {
    out[pos++] = 0x0a;
    let n = p.length;
    while (n >= 0x80) {
      out[pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    out[pos++] = n;
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}
