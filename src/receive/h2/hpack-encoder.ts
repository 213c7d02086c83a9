import { STATIC_TABLE } from "./static-table.ts";

// Responses only: fields are written as literals without indexing (or as a static-table index
// when name and value match an entry exactly, e.g. `:status: 200` → 0x88), never Huffman-coded
// and never added to the dynamic table, so the peer's SETTINGS_HEADER_TABLE_SIZE never matters.

/** Static index of each exact (name, value) pair with a non-empty value, keyed "name\0value". */
const staticFields = new Map<string, number>();
/** Lowest static index of each name. */
const staticNames = new Map<string, number>();
for (let i = STATIC_TABLE.length - 1; i >= 0; i--) {
  const [name, value] = STATIC_TABLE[i];
  staticNames.set(name, i + 1);
  if (value !== "") staticFields.set(`${name}\0${value}`, i + 1);
}

/**
 * Encodes a response header block. Names must already be lowercase; names and values are latin1
 * (a char above U+00FF throws a RangeError instead of being mangled).
 */
export function encodeHeaderBlock(headers: ReadonlyArray<readonly [string, string]>): Uint8Array {
  // Sized exactly in a first pass, written in the second.
  let length = 0;
  for (let i = 0; i < headers.length; i++) {
    const [name, value] = headers[i];
    const fieldIndex = staticFields.get(`${name}\0${value}`);
    if (fieldIndex !== undefined) {
      length += integerLength(fieldIndex, 7);
      continue;
    }
    const nameIndex = staticNames.get(name);
    length += nameIndex === undefined ? 1 + stringLength(name) : integerLength(nameIndex, 4);
    length += stringLength(value);
  }
  const out = new Uint8Array(length);
  let pos = 0;
  for (let i = 0; i < headers.length; i++) {
    const [name, value] = headers[i];
    const fieldIndex = staticFields.get(`${name}\0${value}`);
    if (fieldIndex !== undefined) {
      pos = writeInteger(out, pos, 0x80, fieldIndex, 7);
      continue;
    }
    const nameIndex = staticNames.get(name);
    if (nameIndex === undefined) {
      out[pos++] = 0x00;
      pos = writeString(out, pos, name);
    } else {
      pos = writeInteger(out, pos, 0x00, nameIndex, 4);
    }
    pos = writeString(out, pos, value);
  }
  return out;
}

function integerLength(value: number, prefixBits: number): number {
  const mask = (1 << prefixBits) - 1;
  if (value < mask) return 1;
  let length = 2;
  for (let rest = value - mask; rest >= 128; rest = Math.floor(rest / 128)) length++;
  return length;
}

function stringLength(s: string): number {
  return integerLength(s.length, 7) + s.length;
}

/** Writes an integer with an N-bit prefix (RFC 7541 §5.1); `flags` are the first byte's high bits. */
function writeInteger(out: Uint8Array, pos: number, flags: number, value: number, prefixBits: number): number {
  const mask = (1 << prefixBits) - 1;
  if (value < mask) {
    out[pos++] = flags | value;
    return pos;
  }
  out[pos++] = flags | mask;
  let rest = value - mask;
  while (rest >= 128) {
    out[pos++] = 0x80 | (rest & 0x7f);
    rest = Math.floor(rest / 128);
  }
  out[pos++] = rest;
  return pos;
}

/** Writes a string literal without Huffman coding, latin1. */
function writeString(out: Uint8Array, pos: number, s: string): number {
  pos = writeInteger(out, pos, 0x00, s.length, 7);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`header text is not latin1: U+${c.toString(16).padStart(4, "0")}`);
    out[pos++] = c;
  }
  return pos;
}
