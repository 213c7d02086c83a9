import { DecodeError } from "./decode-error.ts";
import {
  ANY_VALUE, EVENT, KEY_VALUE, LINK, MAX_VALUE_DEPTH, SPAN, STATUS, VALUE_LIST, skipUnknown, tooDeep,
} from "./wire-fields.ts";
import { type Cursor, readLengthEnd, readTag, readVarint32, truncated, varintSize } from "./wire-reader.ts";

/**
 * The byte size Tempo's generator measures for a span (`size_total`, spec
 * §4.1): gogo-protobuf's Size() of the span as Tempo holds it. On the OTLP
 * paths Tempo's distributor first re-marshals every request through the
 * Collector's pdata (v1.59), which always writes some fields; gogo then drops
 * empty ids again. Kafka records were marshalled that way before they were
 * written, so they are measured as they are (`pdata` false). The rules:
 *
 * - gogo counts a scalar only when non-zero, a string or bytes field only when
 *   non-empty, a present message always, every oneof value that is set (even
 *   zero), and drops unknown fields;
 * - pdata writes a Status for every span (+2 when absent) and a value for every
 *   KeyValue (+2 when absent, at any depth), and reads an all-zero id as no id
 *   (an all-zero parent span id makes the span a root).
 *
 * These functions size sub-messages from their wire bytes [start, end); the
 * span's own fields are sized where they are decoded (wire-span.ts) or by
 * `spanSize` for the generated-types path. Walking every byte, they also
 * refuse what pdata refuses (wire-fields.ts), and AnyValues nested deeper
 * than MAX_VALUE_DEPTH; `depth` is the nesting level of the value sized.
 */

/** A length-delimited field of `n` content bytes with a one-byte tag. */
export function lenField(n: number): number {
  return 1 + varintSize(n) + n;
}

/** Whether [start, end) holds only zero bytes (an id pdata reads as absent). */
export function allZero(buf: Uint8Array, start: number, end: number): boolean {
  for (let k = start; k < end; k++) if (buf[k] !== 0) return false;
  return true;
}

/** Size of a scalar field (varint or fixed) written at [fieldStart, pos) when its value is non-zero, else 0. */
export function scalarSize(buf: Uint8Array, fieldStart: number, valueStart: number, pos: number, wire: number): number {
  const mask = wire === 0 ? 0x7f : 0xff;
  for (let k = valueStart; k < pos; k++) if ((buf[k] & mask) !== 0) return pos - fieldStart;
  return 0;
}

/** gogo size of a KeyValue: key if non-empty, value if present (pdata: always), key_strindex if non-zero. */
export function kvSize(buf: Uint8Array, start: number, end: number, pdata: boolean, depth = 1): number {
  const c: Cursor = { pos: start };
  let size = 0;
  let value = -1;
  while (c.pos < end) {
    const fieldStart = c.pos;
    const tag = readTag(buf, c, end);
    if (tag === 0x0a) {
      const e = readLengthEnd(buf, c, end);
      if (e > c.pos) size += lenField(e - c.pos);
      c.pos = e;
    } else if (tag === 0x12) {
      const e = readLengthEnd(buf, c, end);
      value = anyValueSize(buf, c.pos, e, pdata, depth);
      c.pos = e;
    } else {
      const valueStart = c.pos;
      skipUnknown(buf, c, tag, KEY_VALUE, end);
      if (tag === 0x18) size += scalarSize(buf, fieldStart, valueStart, c.pos, 0);
    }
  }
  if (value >= 0) size += lenField(value);
  else if (pdata) size += 2;
  return size;
}

/**
 * Whether an AnyValue is one string, bytes or scalar value filling the whole
 * message: then gogo's size is its byte length. The hot path checks this
 * before sizing anything (nearly every attribute value is such a value).
 */
export function simpleAnyValue(buf: Uint8Array, start: number, end: number): boolean {
  const tag = buf[start];
  if (tag === 0x0a || tag === 0x3a) {
    const b1 = buf[start + 1];
    if (b1 < 0x80) return start + 2 + b1 === end;
    let len = 0;
    let shift = 0;
    let k = start + 1;
    for (; k < end && shift < 35; shift += 7) {
      const b = buf[k++];
      len += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    return k + len === end;
  }
  if (tag === 0x21) return start + 9 === end;
  if (tag === 0x18 || tag === 0x40 || tag === 0x10) {
    let k = start + 1;
    while (k < end && buf[k] >= 0x80) k++;
    // longer than 10 bytes is malformed: the full path refuses it
    if (k - start > 10) return false;
    // a bool is always 2 bytes to gogo, whatever varint encoded it
    return k + 1 === end && (tag !== 0x10 || end - start === 2);
  }
  return false;
}

/**
 * gogo size of an AnyValue: the last oneof value written counts in full (zero
 * values too); unknown fields do not.
 */
export function anyValueSize(buf: Uint8Array, start: number, end: number, pdata: boolean, depth = 1): number {
  if (depth > MAX_VALUE_DEPTH) throw tooDeep();
  if (start === end) return 0;
  if (simpleAnyValue(buf, start, end)) return end - start;
  const c: Cursor = { pos: start };
  let size = 0;
  while (c.pos < end) {
    const fieldStart = c.pos;
    const t = readTag(buf, c, end);
    switch (t) {
      case 0x0a:
      case 0x3a: {
        const e = readLengthEnd(buf, c, end);
        size = lenField(e - c.pos);
        c.pos = e;
        break;
      }
      case 0x2a:
      case 0x32: {
        const e = readLengthEnd(buf, c, end);
        size = lenField(listSize(buf, c.pos, e, pdata, t === 0x32, depth + 1));
        c.pos = e;
        break;
      }
      case 0x10:
      case 0x18:
      case 0x40:
        readVarint32(buf, c, end);
        size = t === 0x10 ? 2 : c.pos - fieldStart;
        break;
      case 0x21:
        if (c.pos + 8 > end) throw truncated();
        c.pos += 8;
        size = 9;
        break;
      default:
        skipUnknown(buf, c, t, ANY_VALUE, end);
    }
  }
  return size;
}

/**
 * gogo size of an ArrayValue (every value, even an empty one) or a
 * KeyValueList (every KeyValue): the messages of field 1 in [start, end);
 * other fields are unknown and dropped. `depth` is the level of the items.
 */
function listSize(buf: Uint8Array, start: number, end: number, pdata: boolean, keyed: boolean, depth: number): number {
  const c: Cursor = { pos: start };
  let size = 0;
  while (c.pos < end) {
    const t = readTag(buf, c, end);
    if (t !== 0x0a) {
      skipUnknown(buf, c, t, VALUE_LIST, end);
      continue;
    }
    const e = readLengthEnd(buf, c, end);
    size += lenField(keyed ? kvSize(buf, c.pos, e, pdata, depth) : anyValueSize(buf, c.pos, e, pdata, depth));
    c.pos = e;
  }
  return size;
}

/** gogo size of a Span.Event: time, name, attributes, dropped count. */
export function eventSize(buf: Uint8Array, start: number, end: number, pdata: boolean): number {
  const c: Cursor = { pos: start };
  let size = 0;
  while (c.pos < end) {
    const fieldStart = c.pos;
    const t = readTag(buf, c, end);
    if (t === 0x12 || t === 0x1a) {
      const e = readLengthEnd(buf, c, end);
      if (t === 0x1a) size += lenField(kvSize(buf, c.pos, e, pdata));
      else if (e > c.pos) size += lenField(e - c.pos);
      c.pos = e;
      continue;
    }
    const valueStart = c.pos;
    skipUnknown(buf, c, t, EVENT, end);
    if (t === 0x09 || t === 0x20) size += scalarSize(buf, fieldStart, valueStart, c.pos, t & 7);
  }
  return size;
}

/**
 * gogo size of a Span.Link: ids (pdata: all-zero is none, and a length
 * other than 0 or 16 / 8 is malformed), trace state, attributes, dropped
 * count, flags.
 */
export function linkSize(buf: Uint8Array, start: number, end: number, pdata: boolean): number {
  const c: Cursor = { pos: start };
  let size = 0;
  while (c.pos < end) {
    const fieldStart = c.pos;
    const t = readTag(buf, c, end);
    if (t === 0x0a || t === 0x12 || t === 0x1a || t === 0x22) {
      const e = readLengthEnd(buf, c, end);
      if (pdata && t !== 0x1a && t !== 0x22) checkIdLength(e - c.pos, t === 0x0a ? 16 : 8, t === 0x0a ? "link trace id" : "link span id");
      if (t === 0x22) size += lenField(kvSize(buf, c.pos, e, pdata));
      else if (e > c.pos && !(pdata && t !== 0x1a && allZero(buf, c.pos, e))) size += lenField(e - c.pos);
      c.pos = e;
      continue;
    }
    const valueStart = c.pos;
    skipUnknown(buf, c, t, LINK, end);
    if (t === 0x28 || t === 0x35) size += scalarSize(buf, fieldStart, valueStart, c.pos, t & 7);
  }
  return size;
}

/** gogo size of a Status: message if non-empty, code if non-zero (the deprecated field 1 is unknown). */
export function statusSize(buf: Uint8Array, start: number, end: number): number {
  const c: Cursor = { pos: start };
  let size = 0;
  while (c.pos < end) {
    const fieldStart = c.pos;
    const t = readTag(buf, c, end);
    if (t === 0x12) {
      const e = readLengthEnd(buf, c, end);
      if (e > c.pos) size += lenField(e - c.pos);
      c.pos = e;
      continue;
    }
    const valueStart = c.pos;
    skipUnknown(buf, c, t, STATUS, end);
    if (t === 0x18) size += scalarSize(buf, fieldStart, valueStart, c.pos, 0);
  }
  return size;
}

/**
 * The whole span's Tempo size from its encoded bytes (the generated-types
 * path re-encodes a decoded span and sizes it here; the wire decoder sizes the
 * span's own fields while it reads them, with the same rules).
 */
export function spanSize(buf: Uint8Array, start: number, end: number, pdata: boolean): number {
  const c: Cursor = { pos: start };
  let size = 0;
  let status = false;
  while (c.pos < end) {
    const fieldStart = c.pos;
    const t = readTag(buf, c, end);
    switch (t) {
      case 0x0a:
      case 0x12:
      case 0x1a:
      case 0x22:
      case 0x2a: {
        const e = readLengthEnd(buf, c, end);
        if (pdata && t !== 0x1a && t !== 0x2a) checkIdLength(e - c.pos, t === 0x0a ? 16 : 8, t === 0x0a ? "trace id" : t === 0x12 ? "span id" : "parent span id");
        const zeroParent = pdata && t === 0x22 && allZero(buf, c.pos, e);
        if (e > c.pos && !zeroParent) size += lenField(e - c.pos);
        c.pos = e;
        break;
      }
      case 0x4a:
      case 0x5a:
      case 0x6a:
      case 0x7a: {
        const e = readLengthEnd(buf, c, end);
        const s = c.pos;
        size += lenField(t === 0x4a ? kvSize(buf, s, e, pdata) : t === 0x5a ? eventSize(buf, s, e, pdata) : t === 0x6a ? linkSize(buf, s, e, pdata) : statusSize(buf, s, e));
        if (t === 0x7a) status = true;
        c.pos = e;
        break;
      }
      default: {
        const valueStart = c.pos;
        skipUnknown(buf, c, t, SPAN, end);
        const known = t === 0x30 || t === 0x39 || t === 0x41 || t === 0x50 || t === 0x60 || t === 0x70 || t === 133;
        if (known) size += scalarSize(buf, fieldStart, valueStart, c.pos, t & 7);
      }
    }
  }
  if (pdata && !status) size += 2;
  return size;
}

/** pdata reads an id of any length but 0 or the id's own as malformed. */
export function checkIdLength(len: number, want: number, what: string): void {
  if (len !== 0 && len !== want) throw new DecodeError("invalid", `invalid protobuf: ${what} of ${len} bytes (must be ${want})`);
}
