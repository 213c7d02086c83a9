import { type Cursor, readLengthEnd, readVarint32, skipField } from "./wire-reader.ts";

/**
 * Canonical-size bookkeeping for the parts of a Span the decoder only skips:
 * events (tag 0x5a) and links (0x6a). Canonical encoding (what Tempo measures
 * after re-marshalling, spec §4.1) leaves out zero-valued scalars and empty
 * strings/bytes, and protobuf-es drops unknown fields; encoders such as the
 * OTel JS exporter write some of them anyway.
 */
export function spanFieldWaste(buf: Uint8Array, tag: number, start: number, end: number): number {
  return waste(buf, start, end, tag === 0x5a ? EVENT : LINK);
}

// Per message type: its known length-delimited fields. `true` marks a
// message field (kept even when empty), `false` a string/bytes scalar
// (dropped when empty). Varint and fixed fields are scalars.
type Fields = Map<number, boolean>;
const EVENT: Fields = new Map([
  [0x12, false],
  [0x1a, true],
]);
const LINK: Fields = new Map([
  [0x0a, false],
  [0x12, false],
  [0x1a, false],
  [0x22, true],
]);
const EVENT_SCALARS = new Set([0x09, 0x20]);
const LINK_SCALARS = new Set([0x28, 0x35]);

const cursor: Cursor = { pos: 0 };

/** Bytes in [start, end) that canonical encoding would not write. */
function waste(buf: Uint8Array, start: number, end: number, fields: Fields): number {
  const scalars = fields === EVENT ? EVENT_SCALARS : LINK_SCALARS;
  const c = cursor;
  let total = 0;
  c.pos = start;
  while (c.pos < end) {
    const fieldStart = c.pos;
    const tag = readVarint32(buf, c, end);
    const wire = tag & 7;
    if (wire === 2 && fields.has(tag)) {
      const valueEnd = readLengthEnd(buf, c, end);
      if (valueEnd === c.pos && fields.get(tag) === false) total += valueEnd - fieldStart;
      c.pos = valueEnd;
      continue;
    }
    const valueStart = c.pos;
    skipField(buf, c, wire, end);
    if (!scalars.has(tag)) {
      total += c.pos - fieldStart; // unknown field
      continue;
    }
    // A varint is zero when every 7-bit group is; a fixed field when every byte is.
    const mask = wire === 0 ? 0x7f : 0xff;
    let zero = true;
    for (let k = valueStart; k < c.pos && zero; k++) if ((buf[k] & mask) !== 0) zero = false;
    if (zero) total += c.pos - fieldStart;
  }
  return total;
}
