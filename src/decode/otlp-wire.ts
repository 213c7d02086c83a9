import { formatFloat } from "../util/format-float.ts";
import { canonicalSpanSize } from "./canonical-size.ts";
import { DecodeError } from "./decode-error.ts";
import { KeyMatcher } from "./key-matcher.ts";
import { AttrKind, type AttrValue, type AttributeProjection, type ResourceBlock, type SpanBatch, allocateBatch } from "./span-batch.ts";
import { decodeUtf8Escaped } from "./utf8.ts";
import { type Cursor, readInt64String, readLengthEnd, readVarint32, skipField, truncated } from "./wire-reader.ts";

/**
 * The fast path: OTLP/protobuf ExportTraceServiceRequest bytes straight into
 * a SpanBatch, reading only what processors use. Resource attributes are
 * decoded once per ResourceSpans; span attributes only when their key is in
 * the projection (matched on bytes, so other keys never become strings);
 * events, links and scopes are skipped. Ids are validated as in Tempo's
 * distributor. The result equals batchFromRequest(fromBinary(...)) — a test
 * holds the two paths to that.
 */
export function decodeProtobufBatch(buf: Uint8Array, projection: AttributeProjection): SpanBatch {
  const d = new WireDecoder(buf, matcherFor(projection));
  return d.decode();
}

/**
 * Re-frames ResourceSpans messages (as the gRPC receiver gets them, one byte
 * view each) into ExportTraceServiceRequest bytes for decodeProtobufBatch.
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

function varintSize(n: number): number {
  let s = 1;
  while (n >= 0x80) {
    n >>>= 7;
    s++;
  }
  return s;
}

let cachedMatcher: { projection: AttributeProjection; size: number; matcher: KeyMatcher } | undefined;

function matcherFor(p: AttributeProjection): KeyMatcher {
  if (cachedMatcher === undefined || cachedMatcher.projection !== p || cachedMatcher.size !== p.size) {
    cachedMatcher = { projection: p, size: p.size, matcher: new KeyMatcher(p) };
  }
  return cachedMatcher.matcher;
}

/** The decoded value of one AnyValue. */
interface Value {
  kind: number;
  value: AttrValue;
}

class WireDecoder {
  private readonly c: Cursor = { pos: 0 };
  private readonly view: DataView;
  private readonly latin1: Buffer;
  private b!: SpanBatch;
  private readonly v: Value = { kind: 0, value: "" };

  constructor(
    private readonly buf: Uint8Array,
    private readonly matcher: KeyMatcher,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.latin1 = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  decode(): SpanBatch {
    this.b = allocateBatch(this.countSpans(), this.matcher.size);
    const { buf, c } = this;
    c.pos = 0;
    let span = 0;
    while (c.pos < buf.length) {
      const tag = readVarint32(buf, c, buf.length);
      if (tag === 0x0a) {
        const end = readLengthEnd(buf, c, buf.length);
        span = this.resourceSpans(c.pos, end, span);
        c.pos = end;
      } else skipField(buf, c, tag & 7, buf.length);
    }
    return this.b;
  }

  /** First pass: how many spans, so the columns are allocated once. */
  private countSpans(): number {
    const { buf, c } = this;
    let n = 0;
    c.pos = 0;
    while (c.pos < buf.length) {
      const tag = readVarint32(buf, c, buf.length);
      if (tag !== 0x0a) {
        skipField(buf, c, tag & 7, buf.length);
        continue;
      }
      const rsEnd = readLengthEnd(buf, c, buf.length);
      while (c.pos < rsEnd) {
        const t = readVarint32(buf, c, rsEnd);
        if (t !== 0x12) {
          skipField(buf, c, t & 7, rsEnd);
          continue;
        }
        const ssEnd = readLengthEnd(buf, c, rsEnd);
        while (c.pos < ssEnd) {
          const u = readVarint32(buf, c, ssEnd);
          if (u === 0x12) n++;
          skipField(buf, c, u & 7, ssEnd);
        }
      }
    }
    return n;
  }

  private resourceSpans(start: number, end: number, span: number): number {
    const { buf, c } = this;
    const slots = this.matcher.size;
    const block: ResourceBlock = {
      keys: [],
      kinds: [],
      values: [],
      slotKinds: new Uint8Array(slots),
      slotValues: new Array(slots),
      spanStart: span,
      spanEnd: span,
      byteSize: end - start,
    };
    c.pos = start;
    while (c.pos < end) {
      const tag = readVarint32(buf, c, end);
      if (tag === 0x0a) {
        const rEnd = readLengthEnd(buf, c, end);
        this.resource(c.pos, rEnd, block);
        c.pos = rEnd;
      } else if (tag === 0x12) {
        const ssEnd = readLengthEnd(buf, c, end);
        while (c.pos < ssEnd) {
          const t = readVarint32(buf, c, ssEnd);
          if (t === 0x12) {
            const sEnd = readLengthEnd(buf, c, ssEnd);
            this.span(c.pos, sEnd, span++);
            c.pos = sEnd;
          } else skipField(buf, c, t & 7, ssEnd);
        }
      } else skipField(buf, c, tag & 7, end);
    }
    block.spanEnd = span;
    this.b.resources.push(block);
    return span;
  }

  private resource(start: number, end: number, block: ResourceBlock): void {
    const { buf, c } = this;
    c.pos = start;
    while (c.pos < end) {
      const tag = readVarint32(buf, c, end);
      if (tag !== 0x0a) {
        skipField(buf, c, tag & 7, end);
        continue;
      }
      const kvEnd = readLengthEnd(buf, c, end);
      const save = kvEnd;
      let keyStart = c.pos;
      let keyEnd = c.pos;
      let valStart = -1;
      let valEnd = -1;
      while (c.pos < kvEnd) {
        const t = readVarint32(buf, c, kvEnd);
        if (t === 0x0a) {
          keyEnd = readLengthEnd(buf, c, kvEnd);
          keyStart = c.pos;
          c.pos = keyEnd;
        } else if (t === 0x12) {
          valEnd = readLengthEnd(buf, c, kvEnd);
          valStart = c.pos;
          c.pos = valEnd;
        } else skipField(buf, c, t & 7, kvEnd);
      }
      const v = this.anyValue(valStart, valEnd);
      const key = this.string(keyStart, keyEnd);
      block.keys.push(key);
      block.kinds.push(v.kind);
      block.values.push(v.value);
      const slot = this.matcher.slot(buf, keyStart, keyEnd);
      if (slot >= 0 && block.slotKinds[slot] === AttrKind.None) {
        block.slotKinds[slot] = v.kind;
        block.slotValues[slot] = v.value;
      }
      c.pos = save;
    }
  }

  private span(start: number, end: number, i: number): void {
    const { buf, c, b, view } = this;
    const base = i * b.slotCount;
    let traceLen = 0;
    let spanLen = 0;
    let parentLen = 0;
    let startLo = 0;
    let startHi = 0;
    let endLo = 0;
    let endHi = 0;
    b.names[i] = "";
    b.statusMessages[i] = "";
    b.traceStates[i] = "";
    c.pos = start;
    while (c.pos < end) {
      const tag = readVarint32(buf, c, end);
      switch (tag) {
        case 0x0a: {
          const e = readLengthEnd(buf, c, end);
          traceLen = e - c.pos;
          if (traceLen === 16) b.traceIds.set(buf.subarray(c.pos, e), i * 16);
          c.pos = e;
          break;
        }
        case 0x12: {
          const e = readLengthEnd(buf, c, end);
          spanLen = e - c.pos;
          if (spanLen === 8) b.spanIds.set(buf.subarray(c.pos, e), i * 8);
          c.pos = e;
          break;
        }
        case 0x1a: {
          const e = readLengthEnd(buf, c, end);
          b.traceStates[i] = this.string(c.pos, e);
          c.pos = e;
          break;
        }
        case 0x22: {
          const e = readLengthEnd(buf, c, end);
          parentLen = e - c.pos;
          if (parentLen === 8) b.parentSpanIds.set(buf.subarray(c.pos, e), i * 8);
          c.pos = e;
          break;
        }
        case 0x2a: {
          const e = readLengthEnd(buf, c, end);
          b.names[i] = this.string(c.pos, e);
          c.pos = e;
          break;
        }
        case 0x30:
          b.kinds[i] = readVarint32(buf, c, end);
          break;
        case 0x39:
          if (c.pos + 8 > end) throw truncated();
          startLo = view.getUint32(c.pos, true);
          startHi = view.getUint32(c.pos + 4, true);
          c.pos += 8;
          break;
        case 0x41:
          if (c.pos + 8 > end) throw truncated();
          endLo = view.getUint32(c.pos, true);
          endHi = view.getUint32(c.pos + 4, true);
          c.pos += 8;
          break;
        case 0x4a: {
          const e = readLengthEnd(buf, c, end);
          this.spanAttribute(c.pos, e, base);
          c.pos = e;
          break;
        }
        case 0x7a: {
          const e = readLengthEnd(buf, c, end);
          this.status(c.pos, e, i);
          c.pos = e;
          break;
        }
        default:
          skipField(buf, c, tag & 7, end);
      }
    }
    checkIds(traceLen, spanLen, parentLen, b.spanIds, i);
    b.hasParent[i] = parentLen === 8 ? 1 : 0;
    b.startNs[i] = startHi * 4294967296 + startLo;
    b.endNs[i] = endHi * 4294967296 + endLo;
    // Exact integer nanoseconds (below 2^53) before the division, as the bigint path does.
    const diff = (endHi - startHi) * 4294967296 + (endLo - startLo);
    b.durations[i] = diff > 0 ? diff / 1e9 : 0;
    b.sizes[i] = canonicalSpanSize(buf, start, end);
  }

  private spanAttribute(start: number, end: number, base: number): void {
    const { buf, c, b } = this;
    let slot = -1;
    let valStart = -1;
    let valEnd = -1;
    c.pos = start;
    while (c.pos < end) {
      const t = readVarint32(buf, c, end);
      if (t === 0x0a) {
        const e = readLengthEnd(buf, c, end);
        slot = this.matcher.slot(buf, c.pos, e);
        c.pos = e;
      } else if (t === 0x12) {
        valEnd = readLengthEnd(buf, c, end);
        valStart = c.pos;
        c.pos = valEnd;
      } else skipField(buf, c, t & 7, end);
    }
    if (slot < 0 || b.attrKinds[base + slot] !== AttrKind.None) return;
    const v = this.anyValue(valStart, valEnd);
    b.attrKinds[base + slot] = v.kind;
    b.attrValues[base + slot] = v.value;
  }

  private status(start: number, end: number, i: number): void {
    const { buf, c, b } = this;
    c.pos = start;
    while (c.pos < end) {
      const t = readVarint32(buf, c, end);
      if (t === 0x12) {
        const e = readLengthEnd(buf, c, end);
        b.statusMessages[i] = this.string(c.pos, e);
        c.pos = e;
      } else if (t === 0x18) b.statusCodes[i] = readVarint32(buf, c, end);
      else skipField(buf, c, t & 7, end);
    }
  }

  /** Decodes the AnyValue in [start, end) into this.v (start < 0: no value). */
  private anyValue(start: number, end: number): Value {
    const v = this.v;
    v.kind = AttrKind.Empty;
    v.value = "";
    if (start < 0) return v;
    const { buf, c } = this;
    const save = c.pos;
    c.pos = start;
    while (c.pos < end) {
      const t = readVarint32(buf, c, end);
      switch (t) {
        case 0x0a: {
          const e = readLengthEnd(buf, c, end);
          v.kind = AttrKind.String;
          v.value = this.string(c.pos, e);
          c.pos = e;
          break;
        }
        case 0x10:
          v.kind = AttrKind.Bool;
          v.value = readVarint32(buf, c, end) !== 0;
          break;
        case 0x18:
          v.kind = AttrKind.Int;
          v.value = readInt64String(buf, c, end);
          break;
        case 0x21:
          if (c.pos + 8 > end) throw truncated();
          v.kind = AttrKind.Double;
          v.value = this.view.getFloat64(c.pos, true);
          c.pos += 8;
          break;
        case 0x2a:
        case 0x32: {
          const e = readLengthEnd(buf, c, end);
          const s = t === 0x2a ? `[${this.arrayText(c.pos, e)}]` : `{${this.kvlistText(c.pos, e)}}`;
          v.kind = t === 0x2a ? AttrKind.Array : AttrKind.KvList;
          v.value = s;
          c.pos = e;
          break;
        }
        case 0x3a: {
          const e = readLengthEnd(buf, c, end);
          v.kind = AttrKind.Empty;
          v.value = "";
          c.pos = e;
          break;
        }
        default:
          skipField(buf, c, t & 7, end);
      }
    }
    c.pos = save;
    return v;
  }

  /** Tempo's text of an ArrayValue's elements (concatenated, no separator). */
  private arrayText(start: number, end: number): string {
    const { buf, c } = this;
    let s = "";
    c.pos = start;
    while (c.pos < end) {
      const t = readVarint32(buf, c, end);
      if (t !== 0x0a) {
        skipField(buf, c, t & 7, end);
        continue;
      }
      const e = readLengthEnd(buf, c, end);
      const v = this.anyValue(c.pos, e);
      s += valueText(v.kind, v.value);
      c.pos = e;
    }
    return s;
  }

  /** Tempo's text of a KeyValueList: `k:v` pairs concatenated. */
  private kvlistText(start: number, end: number): string {
    const { buf, c } = this;
    let s = "";
    c.pos = start;
    while (c.pos < end) {
      const t = readVarint32(buf, c, end);
      if (t !== 0x0a) {
        skipField(buf, c, t & 7, end);
        continue;
      }
      const kvEnd = readLengthEnd(buf, c, end);
      let key = "";
      let vs = -1;
      let ve = -1;
      while (c.pos < kvEnd) {
        const u = readVarint32(buf, c, kvEnd);
        if (u === 0x0a) {
          const e = readLengthEnd(buf, c, kvEnd);
          key = this.string(c.pos, e);
          c.pos = e;
        } else if (u === 0x12) {
          ve = readLengthEnd(buf, c, kvEnd);
          vs = c.pos;
          c.pos = ve;
        } else skipField(buf, c, u & 7, kvEnd);
      }
      const v = this.anyValue(vs, ve);
      s += `${key}:${valueText(v.kind, v.value)}`;
      c.pos = kvEnd;
    }
    return s;
  }

  /** UTF-8 text; ASCII goes through the native latin1 slice, the rest through the escaping decoder. */
  private string(start: number, end: number): string {
    const buf = this.buf;
    for (let k = start; k < end; k++) {
      if (buf[k] >= 0x80) return decodeUtf8Escaped(buf.subarray(start, end));
    }
    return this.latin1.toString("latin1", start, end);
  }
}

function valueText(kind: number, value: AttrValue): string {
  if (kind === AttrKind.Bool) return value ? "true" : "false";
  if (kind === AttrKind.Double) return formatFloat(value as number);
  return value as string;
}

function checkIds(traceLen: number, spanLen: number, parentLen: number, spanIds: Uint8Array, i: number): void {
  if (traceLen !== 16) throw new DecodeError("invalid", `trace ids must be 128 bit, received ${traceLen * 8} bits`);
  let zero = spanLen === 8;
  for (let k = 0; zero && k < 8; k++) if (spanIds[i * 8 + k] !== 0) zero = false;
  if (spanLen !== 8 || zero) throw new DecodeError("invalid", `span ids must be 64 bit and not all zero, received ${spanLen * 8} bits`);
  if (parentLen !== 0 && parentLen !== 8) {
    throw new DecodeError("invalid", `parent span ids must be empty or 64 bit, received ${parentLen * 8} bits`);
  }
}
