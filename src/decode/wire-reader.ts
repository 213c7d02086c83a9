import { DecodeError } from "./decode-error.ts";

/**
 * The protobuf wire primitives the fast OTLP decoder needs, as plain
 * functions over (buffer, position) so the hot loops stay monomorphic and
 * allocation-free. Each reader returns the value and leaves the new position
 * in `cursor.pos`.
 */
export interface Cursor {
  pos: number;
}

/** Reads a varint of at most 32 significant bits (tags, lengths, enums). */
export function readVarint32(buf: Uint8Array, c: Cursor, end: number): number {
  let pos = c.pos;
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
        if (b >= 0x80) {
          b = buf[pos++];
          v += (b & 0x7f) * 2 ** 28;
          // A 64-bit varint may continue; the high bits are dropped (enums, lengths never use them).
          while (b >= 0x80 && pos < end) b = buf[pos++];
          if (b >= 0x80) throw truncated();
        }
      }
    }
  }
  if (pos > end) throw truncated();
  c.pos = pos;
  return v;
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
    if (shift > 63) throw new DecodeError("invalid", "invalid protobuf: varint too long");
  }
  c.pos = pos;
  if (hi === 0 && lo >= 0) return lo < SMALL_INTS.length ? (SMALL_INTS[lo] ??= String(lo)) : String(lo);
  return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)).toString();
}

/** Skips one field of the given wire type. */
export function skipField(buf: Uint8Array, c: Cursor, wireType: number, end: number): void {
  switch (wireType) {
    case 0:
      while (c.pos < end && buf[c.pos] >= 0x80) c.pos++;
      c.pos++;
      break;
    case 1:
      c.pos += 8;
      break;
    case 2: {
      const len = readVarint32(buf, c, end);
      c.pos += len;
      break;
    }
    case 5:
      c.pos += 4;
      break;
    default:
      throw new DecodeError("invalid", `invalid protobuf: unsupported wire type ${wireType}`);
  }
  if (c.pos > end) throw truncated();
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

/** Bytes a varint of `n` (< 2^32) takes. */
export function varintSize(n: number): number {
  let s = 1;
  while (n >= 0x80) {
    n >>>= 7;
    s++;
  }
  return s;
}
