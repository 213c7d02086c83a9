import { DecodeError } from "./decode-error.ts";

/**
 * The protobuf wire primitives the fast OTLP decoder needs, as plain
 * functions over (buffer, position) so the hot loops stay monomorphic and
 * allocation-free. Each reader returns the value and leaves the new position
 * in `cursor.pos`.
 *
 * What is malformed follows the Collector's pdata (v1.59), which decides what
 * Tempo's OTLP receivers accept: a varint longer than 10 bytes, a field
 * number that is 0 or negative as an int32, wire types 6 and 7, a length past
 * the end of its message, and groups as pdata skips them (skipField).
 */
export interface Cursor {
  pos: number;
}

/**
 * Reads a varint of up to 10 bytes. The value is exact below 2^53 (tags,
 * lengths, enums, counts); longer ones only need to be too large.
 */
export function readVarint32(buf: Uint8Array, c: Cursor, end: number): number {
  let pos = c.pos;
  // Unrolled for up to 4 bytes (28 bits, every length and tag in practice); a read
  // past `end` is caught by the check below (past the buffer, `undefined` ends the loop).
  let b = buf[pos++];
  let v = b & 0x7f;
  if (b >= 0x80) {
    b = buf[pos++];
    v |= (b & 0x7f) << 7;
    if (b >= 0x80) {
      b = buf[pos++];
      v |= (b & 0x7f) << 14;
      if (b >= 0x80) {
        b = buf[pos++];
        v |= (b & 0x7f) << 21;
        if (b >= 0x80) return readVarintTail(buf, c, end, pos, v);
      }
    }
  }
  if (pos > end) throw truncated();
  c.pos = pos;
  return v;
}

/** Bytes 5 to 10 of a varint whose first four gave `v`. */
function readVarintTail(buf: Uint8Array, c: Cursor, end: number, pos: number, v: number): number {
  let scale = 2 ** 28;
  for (let n = 4; ; n++) {
    if (pos >= end) throw truncated();
    const b = buf[pos++];
    v += (b & 0x7f) * scale;
    if (b < 0x80) break;
    if (n === 9) throw overflow();
    scale *= 128;
  }
  c.pos = pos;
  return v;
}

/**
 * Reads a field tag and returns it normalised to `fieldNumber * 8 + wireType`
 * (one byte for fields 1–15; compare with `tag & 7` for the wire type). As in
 * pdata, the field number is the tag's bits 3–34 read as an int32; zero or
 * negative is an error, larger tags keep only those bits.
 */
export function readTag(buf: Uint8Array, c: Cursor, end: number): number {
  const pos = c.pos;
  if (pos < end) {
    const b = buf[pos];
    if (b < 0x80 && b >= 8) {
      c.pos = pos + 1;
      return b;
    }
  }
  return slowTag(buf, c, end);
}

function slowTag(buf: Uint8Array, c: Cursor, end: number): number {
  const start = c.pos;
  readVarint32(buf, c, end);
  // The low 35 bits: bits 3–34 are the int32 field number, the rest is truncated away.
  let low = 0;
  let scale = 1;
  for (let k = start; k < c.pos && k < start + 5; k++) {
    low += (buf[k] & 0x7f) * scale;
    scale *= 128;
  }
  low %= 2 ** 35;
  const field = Math.floor(low / 8);
  if (field === 0 || field >= 2 ** 31) {
    throw new DecodeError("invalid", `invalid protobuf: illegal field number ${field >= 2 ** 31 ? field - 2 ** 32 : 0}`);
  }
  return field * 8 + (low % 8);
}

/** The field number of a tag from readTag. */
export function fieldOf(tag: number): number {
  return Math.floor(tag / 8);
}

/** Decimal strings of small ints (status codes, ports, counts), made once. */
const SMALL_INTS: (string | undefined)[] = new Array(1 << 16);

/** Reads a full int64 varint as a decimal string (attribute ints keep every digit). */
export function readInt64String(buf: Uint8Array, c: Cursor, end: number): string {
  let lo = 0;
  let hi = 0;
  let shift = 0;
  let pos = c.pos;
  for (;;) {
    if (pos >= end) throw truncated();
    const b = buf[pos++];
    if (shift < 28) lo |= (b & 0x7f) << shift;
    else if (shift === 28) {
      lo |= (b & 0x0f) << 28;
      hi |= (b & 0x7f) >> 4;
    } else hi |= (b & 0x7f) << (shift - 32);
    shift += 7;
    if (b < 0x80) break;
    if (shift > 63) throw overflow();
  }
  c.pos = pos;
  if (hi === 0 && lo >= 0) return lo < SMALL_INTS.length ? (SMALL_INTS[lo] ??= String(lo)) : String(lo);
  return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)).toString();
}

/**
 * Skips one field of the given wire type, exactly as pdata's ConsumeUnknown:
 * a start-group (3) reads tags on, nesting further start-groups and closing
 * them with end-groups (whose field numbers are not compared), and stops
 * after the first field that is not a group marker, even if groups are still
 * open; an end-group (4) with no group open is an error. So empty groups,
 * nested or not, are skipped, and a group holding a field fails at its end
 * marker, which the enclosing message then reads as a stray end-group.
 */
export function skipField(buf: Uint8Array, c: Cursor, wireType: number, end: number): void {
  let depth = 0;
  let wt = wireType;
  for (;;) {
    if (c.pos >= end) throw truncated();
    switch (wt) {
      case 0:
        readVarint32(buf, c, end);
        return;
      case 1:
        c.pos += 8;
        if (c.pos > end) throw truncated();
        return;
      case 2:
        c.pos = readLengthEnd(buf, c, end);
        return;
      case 5:
        c.pos += 4;
        if (c.pos > end) throw truncated();
        return;
      case 3:
        depth++;
        break;
      case 4:
        if (depth === 0) throw new DecodeError("invalid", "invalid protobuf: unexpected end of group");
        depth--;
        break;
      default:
        throw new DecodeError("invalid", `invalid protobuf: illegal wire type ${wt}`);
    }
    if (depth === 0) return;
    wt = readTag(buf, c, end) & 7;
  }
}

/** Reads a length prefix and checks the field fits before `end`; returns the field's end. */
export function readLengthEnd(buf: Uint8Array, c: Cursor, end: number): number {
  const len = readVarint32(buf, c, end);
  const fieldEnd = c.pos + len;
  if (fieldEnd > end) throw truncated();
  return fieldEnd;
}

export function truncated(): DecodeError {
  return new DecodeError("invalid", "invalid protobuf: premature end of message");
}

function overflow(): DecodeError {
  return new DecodeError("invalid", "invalid protobuf: varint longer than 10 bytes");
}

/** Bytes a varint of `n` (< 2^32) takes. */
export function varintSize(n: number): number {
  let s = 1;
  while (n >= 0x80) {
    n >>>= 7;
    s++;
  }
  return s;
}
