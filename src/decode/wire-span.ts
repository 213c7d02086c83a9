import { DecodeError } from "./decode-error.ts";
import { AttrKind } from "./span-batch.ts";
import { diffSeconds } from "./unix-nanos.ts";
import { readAnyValue } from "./wire-any-value.ts";
import { allZero, anyValueSize, eventSize, lenField, linkSize, scalarSize, simpleAnyValue } from "./tempo-size.ts";
import { KEY_VALUE, SPAN, STATUS, skipUnknown } from "./wire-fields.ts";
import { readInt64String, readLengthEnd, readTag, readVarint32, truncated } from "./wire-reader.ts";
import type { WireState } from "./wire-state.ts";

/**
 * Decodes the Span in [start, end) into column i of the batch: ids, name,
 * kind, times, status, trace state and the projected attributes; events and
 * links are only walked for the size. The size is Tempo's (tempo-size.ts):
 * sized field by field as the span is read, with pdata's rules when `st.pdata`.
 */
export function readSpan(st: WireState, start: number, end: number, i: number): void {
  const { buf, c, batch: b, pdata } = st;
  const base = i * b.slotCount;
  // a loop, not fill(): the native call costs more than the dozen slots it clears
  const kinds = b.attrKinds;
  for (let k = base, stop = base + b.slotCount; k < stop; k++) kinds[k] = 0;
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
  let size = 0;
  let hasStatus = false;
  c.pos = start;
  while (c.pos < end) {
    const fieldStart = c.pos;
    const tag = readTag(buf, c, end);
    switch (tag) {
      case 0x0a:
      case 0x12:
      case 0x22: {
        const e = readLengthEnd(buf, c, end);
        let len = e - c.pos;
        // pdata refuses an id of a wrong length wherever it occurs (even if a later one is right)
        if (pdata && len !== 0 && len !== (tag === 0x0a ? 16 : 8)) throw wrongIdLength(tag, len);
        // pdata reads an all-zero id as no id: a zero trace id is then refused, a zero parent is a root.
        if (pdata && tag !== 0x12 && len > 0 && allZero(buf, c.pos, e)) len = 0;
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
        if (len > 0) size += e - fieldStart;
        c.pos = e;
        break;
      }
      case 0x1a:
      case 0x2a: {
        const e = readLengthEnd(buf, c, end);
        const s = st.strings.get(buf, c.pos, e);
        if (tag === 0x1a) b.traceStates[i] = s;
        else b.names[i] = s;
        if (e > c.pos) size += e - fieldStart;
        c.pos = e;
        break;
      }
      case 0x30:
      case 0x50:
      case 0x60:
      case 0x70: {
        const v = readVarint32(buf, c, end);
        if (tag === 0x30) b.kinds[i] = v;
        if (v !== 0) size += c.pos - fieldStart;
        break;
      }
      case 0x39:
      case 0x41: {
        if (c.pos + 8 > end) throw truncated();
        const lo = u32le(buf, c.pos);
        const hi = u32le(buf, c.pos + 4);
        if (tag === 0x39) {
          startLo = lo;
          startHi = hi;
        } else {
          endLo = lo;
          endHi = hi;
        }
        c.pos += 8;
        if (lo !== 0 || hi !== 0) size += 9;
        break;
      }
      case 0x4a: {
        // attributes come in a run: read the run here, not one switch turn each
        let at = fieldStart;
        for (;;) {
          const e = readLengthEnd(buf, c, end);
          const kv = readAttribute(st, c.pos, e, base);
          // Nearly always the KeyValue is exactly as Tempo holds it: its bytes on the wire are its size.
          size += kv === e - c.pos ? e - at : lenField(kv);
          c.pos = e;
          if (e >= end || buf[e] !== 0x4a) break;
          at = e;
          c.pos = e + 1;
        }
        break;
      }
      case 0x7a: {
        const e = readLengthEnd(buf, c, end);
        size += lenField(readStatus(st, c.pos, e, i));
        hasStatus = true;
        c.pos = e;
        break;
      }
      case 0x5a:
      case 0x6a: {
        const e = readLengthEnd(buf, c, end);
        size += lenField(tag === 0x5a ? eventSize(buf, c.pos, e, pdata) : linkSize(buf, c.pos, e, pdata));
        c.pos = e;
        break;
      }
      case 133: // flags = 16, fixed32 (a two-byte tag)
        if (c.pos + 4 > end) throw truncated();
        if (u32le(buf, c.pos) !== 0) size += 6;
        c.pos += 4;
        break;
      default:
        // Unknown fields are not part of Tempo's message.
        skipUnknown(buf, c, tag, SPAN, end);
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
  // pdata writes a Status for every span, an empty one when it had none.
  b.sizes[i] = pdata && !hasStatus ? size + 2 : size;
}

/** A projected span attribute into its slot; returns the KeyValue's Tempo size. */
function readAttribute(st: WireState, start: number, end: number, base: number): number {
  const { buf, c, batch: b } = st;
  // Nearly every KeyValue is a short non-empty key, then one simple value filling
  // the rest: then its Tempo size is its bytes, and only its key needs matching.
  const keyLen = buf[start + 1];
  const keyEnd = start + 2 + keyLen;
  if (buf[start] === 0x0a && keyLen > 0 && keyLen < 0x80 && keyEnd + 2 <= end && buf[keyEnd] === 0x12 && buf[keyEnd + 1] < 0x80 && buf[keyEnd + 1] + keyEnd + 2 === end) {
    if (end === keyEnd + 2 || simpleAnyValue(buf, keyEnd + 2, end)) {
      const slot = st.matcher.slot(buf, start + 2, keyEnd);
      if (slot >= 0 && b.attrKinds[base + slot] === AttrKind.None) {
        // A string or an int (simpleAnyValue checked that it fills the value) is read
        // here, not by the general reader; an empty value has no tag of its own.
        const valueTag = end > keyEnd + 2 ? buf[keyEnd + 2] : 0;
        if (valueTag === 0x0a && buf[keyEnd + 3] < 0x80) {
          b.attrKinds[base + slot] = AttrKind.String;
          b.attrValues[base + slot] = st.strings.get(buf, keyEnd + 4, end);
          return end - start;
        }
        if (valueTag === 0x18) {
          c.pos = keyEnd + 3;
          b.attrKinds[base + slot] = AttrKind.Int;
          b.attrValues[base + slot] = readInt64String(buf, c, end);
          return end - start;
        }
        const v = readAnyValue(st, keyEnd + 2, end);
        b.attrKinds[base + slot] = v.kind;
        b.attrValues[base + slot] = v.value;
      }
      return end - start;
    }
  }
  let slot = -1;
  let valStart = -1;
  let valEnd = -1;
  let valField = -1;
  let size = 0;
  c.pos = start;
  while (c.pos < end) {
    const fieldStart = c.pos;
    const t = readTag(buf, c, end);
    if (t === 0x0a) {
      const e = readLengthEnd(buf, c, end);
      slot = st.matcher.slot(buf, c.pos, e);
      if (e > c.pos) size += e - fieldStart;
      c.pos = e;
    } else if (t === 0x12) {
      // a repeated value (pdata merges them): the earlier one must still be valid
      if (valStart >= 0) anyValueSize(buf, valStart, valEnd, st.pdata);
      valEnd = readLengthEnd(buf, c, end);
      valStart = c.pos;
      valField = fieldStart;
      c.pos = valEnd;
    } else {
      const valueStart = c.pos;
      skipUnknown(buf, c, t, KEY_VALUE, end);
      // key_strindex (3) is part of the message when non-zero; anything else is unknown.
      if (t === 0x18) size += scalarSize(buf, fieldStart, valueStart, c.pos, 0);
    }
  }
  if (valStart >= 0) {
    if (valStart === valEnd || simpleAnyValue(buf, valStart, valEnd)) size += valEnd - valField;
    else size += lenField(anyValueSize(buf, valStart, valEnd, st.pdata));
  } else if (st.pdata) size += 2;
  if (slot >= 0 && b.attrKinds[base + slot] === AttrKind.None) {
    const v = readAnyValue(st, valStart, valEnd);
    b.attrKinds[base + slot] = v.kind;
    b.attrValues[base + slot] = v.value;
  }
  return size;
}

/** Status message and code into the span's columns; returns the Status's Tempo size (statusSize's rules). */
function readStatus(st: WireState, start: number, end: number, i: number): number {
  const { buf, c, batch: b } = st;
  let size = 0;
  c.pos = start;
  while (c.pos < end) {
    const fieldStart = c.pos;
    const t = readTag(buf, c, end);
    if (t === 0x12) {
      const e = readLengthEnd(buf, c, end);
      b.statusMessages[i] = st.strings.get(buf, c.pos, e);
      if (e > c.pos) size += e - fieldStart;
      c.pos = e;
    } else if (t === 0x18) {
      const code = readVarint32(buf, c, end);
      b.statusCodes[i] = code;
      if (code !== 0) size += c.pos - fieldStart;
    } else skipUnknown(buf, c, t, STATUS, end);
  }
  return size;
}

/** A little-endian uint32 from four bytes (DataView's getUint32 showed in profiles as a native call). */
function u32le(buf: Uint8Array, at: number): number {
  return (buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16) | (buf[at + 3] << 24)) >>> 0;
}

function copy(src: Uint8Array, from: number, dst: Uint8Array, to: number, n: number): void {
  for (let k = 0; k < n; k++) dst[to + k] = src[from + k];
}


/** The distributor's message for an id of a wrong length (pdata refuses it already, at each occurrence). */
function wrongIdLength(tag: number, len: number): DecodeError {
  if (tag === 0x0a) return new DecodeError("invalid", `trace ids must be 128 bit, received ${len * 8} bits`);
  if (tag === 0x12) return new DecodeError("invalid", `span ids must be 64 bit and not all zero, received ${len * 8} bits`);
  return new DecodeError("invalid", `parent span ids must be empty or 64 bit, received ${len * 8} bits`);
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
