import { spanFieldWaste } from "./canonical-size.ts";
import { DecodeError } from "./decode-error.ts";
import { AttrKind } from "./span-batch.ts";
import { diffSeconds } from "./unix-nanos.ts";
import { readAnyValue } from "./wire-any-value.ts";
import { readLengthEnd, readVarint32, skipField, truncated, varintSize } from "./wire-reader.ts";
import type { WireState } from "./wire-state.ts";

/**
 * Decodes the Span in [start, end) into column i of the batch: ids, name,
 * kind, times, status, trace state and the projected attributes; events and
 * links are only walked for the canonical size (spec §4.1: zero-valued
 * scalars an encoder wrote explicitly do not count, as Tempo re-marshals).
 */
export function readSpan(st: WireState, start: number, end: number, i: number): void {
  const { buf, c, batch: b, view } = st;
  const base = i * b.slotCount;
  b.attrKinds.fill(0, base, base + b.slotCount);
  b.names[i] = "";
  b.statusMessages[i] = "";
  b.traceStates[i] = "";
  b.kinds[i] = 0;
  b.statusCodes[i] = 0;
  b.marks[i] = 0;
  let traceLen = 0;
  let spanLen = 0;
  let parentLen = 0;
  let startLo = 0;
  let startHi = 0;
  let endLo = 0;
  let endHi = 0;
  let waste = 0;
  c.pos = start;
  while (c.pos < end) {
    const fieldStart = c.pos;
    const tag = readVarint32(buf, c, end);
    switch (tag) {
      case 0x0a:
      case 0x12:
      case 0x22: {
        const e = readLengthEnd(buf, c, end);
        const len = e - c.pos;
        if (tag === 0x0a) {
          traceLen = len;
          if (len === 16) copy(buf, c.pos, b.traceIds, i * 16, 16);
        } else if (tag === 0x12) {
          spanLen = len;
          if (len === 8) copy(buf, c.pos, b.spanIds, i * 8, 8);
        } else {
          parentLen = len;
          if (len === 8) copy(buf, c.pos, b.parentSpanIds, i * 8, 8);
        }
        if (len === 0) waste += e - fieldStart;
        c.pos = e;
        break;
      }
      case 0x1a:
      case 0x2a: {
        const e = readLengthEnd(buf, c, end);
        const s = st.strings.get(buf, c.pos, e);
        if (tag === 0x1a) b.traceStates[i] = s;
        else b.names[i] = s;
        if (e === c.pos) waste += e - fieldStart;
        c.pos = e;
        break;
      }
      case 0x30:
      case 0x50:
      case 0x60:
      case 0x70: {
        const v = readVarint32(buf, c, end);
        if (tag === 0x30) b.kinds[i] = v;
        if (v === 0) waste += c.pos - fieldStart;
        break;
      }
      case 0x39:
      case 0x41: {
        if (c.pos + 8 > end) throw truncated();
        const lo = view.getUint32(c.pos, true);
        const hi = view.getUint32(c.pos + 4, true);
        if (tag === 0x39) {
          startLo = lo;
          startHi = hi;
        } else {
          endLo = lo;
          endHi = hi;
        }
        c.pos += 8;
        if (lo === 0 && hi === 0) waste += c.pos - fieldStart;
        break;
      }
      case 0x4a: {
        const e = readLengthEnd(buf, c, end);
        const lenStart = c.pos;
        waste += nestedWaste(e - lenStart, readAttribute(st, lenStart, e, base));
        c.pos = e;
        break;
      }
      case 0x7a: {
        const e = readLengthEnd(buf, c, end);
        const lenStart = c.pos;
        waste += nestedWaste(e - lenStart, readStatus(st, lenStart, e, i));
        c.pos = e;
        break;
      }
      case 0x5a:
      case 0x6a: {
        const e = readLengthEnd(buf, c, end);
        const lenStart = c.pos;
        waste += nestedWaste(e - lenStart, spanFieldWaste(buf, tag, lenStart, e));
        c.pos = e;
        break;
      }
      case 133: // flags = 16, fixed32 (a two-byte tag)
        if (c.pos + 4 > end) throw truncated();
        if (view.getUint32(c.pos, true) === 0) waste += c.pos + 4 - fieldStart;
        c.pos += 4;
        break;
      default:
        // Unknown fields are not part of the canonical message either.
        skipField(buf, c, tag & 7, end);
        waste += c.pos - fieldStart;
    }
  }
  checkIds(traceLen, spanLen, parentLen, b.spanIds, i);
  if (parentLen !== 8) b.parentSpanIds.fill(0, i * 8, i * 8 + 8);
  b.hasParent[i] = parentLen === 8 ? 1 : 0;
  b.startTimes[i * 2] = startLo;
  b.startTimes[i * 2 + 1] = startHi;
  b.endTimes[i * 2] = endLo;
  b.endTimes[i * 2 + 1] = endHi;
  b.durations[i] = diffSeconds(startLo, startHi, endLo, endHi);
  b.sizes[i] = end - start - waste;
}

/** What dropping `inner` bytes from a nested message of `len` bytes saves, length prefix included. */
function nestedWaste(len: number, inner: number): number {
  if (inner === 0) return 0;
  return varintSize(len) - varintSize(len - inner) + inner;
}

/** A projected span attribute into its slot; returns the KeyValue's canonical waste (an explicitly empty key). */
function readAttribute(st: WireState, start: number, end: number, base: number): number {
  const { buf, c, batch: b } = st;
  let slot = -1;
  let valStart = -1;
  let valEnd = -1;
  let waste = 0;
  c.pos = start;
  while (c.pos < end) {
    const fieldStart = c.pos;
    const t = readVarint32(buf, c, end);
    if (t === 0x0a) {
      const e = readLengthEnd(buf, c, end);
      slot = st.matcher.slot(buf, c.pos, e);
      if (e === c.pos) waste += e - fieldStart;
      c.pos = e;
    } else if (t === 0x12) {
      valEnd = readLengthEnd(buf, c, end);
      valStart = c.pos;
      c.pos = valEnd;
    } else {
      skipField(buf, c, t & 7, end);
      waste += c.pos - fieldStart;
    }
  }
  if (slot >= 0 && b.attrKinds[base + slot] === AttrKind.None) {
    const v = readAnyValue(st, valStart, valEnd);
    b.attrKinds[base + slot] = v.kind;
    b.attrValues[base + slot] = v.value;
  }
  return waste;
}

/** Status message and code; returns the canonical waste (an empty message or a zero code written out). */
function readStatus(st: WireState, start: number, end: number, i: number): number {
  const { buf, c, batch: b } = st;
  let waste = 0;
  c.pos = start;
  while (c.pos < end) {
    const fieldStart = c.pos;
    const t = readVarint32(buf, c, end);
    if (t === 0x12) {
      const e = readLengthEnd(buf, c, end);
      b.statusMessages[i] = st.strings.get(buf, c.pos, e);
      if (e === c.pos) waste += e - fieldStart;
      c.pos = e;
    } else if (t === 0x18) {
      const code = readVarint32(buf, c, end);
      b.statusCodes[i] = code;
      if (code === 0) waste += c.pos - fieldStart;
    } else {
      skipField(buf, c, t & 7, end);
      waste += c.pos - fieldStart;
    }
  }
  return waste;
}

function copy(src: Uint8Array, from: number, dst: Uint8Array, to: number, n: number): void {
  for (let k = 0; k < n; k++) dst[to + k] = src[from + k];
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
