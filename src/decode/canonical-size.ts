import { type Cursor, readLengthEnd, readVarint32, skipField } from "./wire-reader.ts";

/**
 * The canonical protobuf size of a Span given as wire bytes: what Tempo
 * measures after re-marshalling (spec §4.1, traces_spanmetrics_size_total).
 * Encoders may write zero-valued scalars explicitly (the OTel JS exporter
 * writes dropped_*_count = 0 and status.code = 0); canonical encoding leaves
 * them out. Attributes, being messages and oneofs, are canonical as sent
 * except for an explicitly empty key; events, links and status are walked
 * one level deep.
 */
export function canonicalSpanSize(buf: Uint8Array, start: number, end: number): number {
  return end - start - waste(buf, start, end, SPAN_MESSAGES);
}

// Length-delimited fields that are messages (kept even when empty); every
// other LEN field of these types is a string/bytes scalar, dropped when empty.
// Values: the message-field sets of the nested type, walked one level.
type Messages = Map<number, Messages | null>;
const KEY_VALUE: Messages = new Map([[0x12, null]]);
const EVENT: Messages = new Map([[0x1a, KEY_VALUE]]);
const LINK: Messages = new Map([[0x22, KEY_VALUE]]);
const STATUS: Messages = new Map();
const SPAN_MESSAGES: Messages = new Map([
  [0x4a, KEY_VALUE],
  [0x5a, EVENT],
  [0x6a, LINK],
  [0x7a, STATUS],
]);

const cursor: Cursor = { pos: 0 };

/** Bytes in [start, end) that canonical encoding would not write. */
function waste(buf: Uint8Array, start: number, end: number, messages: Messages): number {
  const c = cursor;
  let total = 0;
  c.pos = start;
  while (c.pos < end) {
    const fieldStart = c.pos;
    const tag = readVarint32(buf, c, end);
    const wire = tag & 7;
    if (wire === 2) {
      const valueEnd = readLengthEnd(buf, c, end);
      const len = valueEnd - c.pos;
      const nested = messages.get(tag);
      if (nested === undefined) {
        if (len === 0) total += valueEnd - fieldStart;
      } else if (nested !== null && len > 0) {
        const inner = waste(buf, c.pos, valueEnd, nested);
        if (inner > 0) total += varintSize(len) - varintSize(len - inner) + inner;
      }
      c.pos = valueEnd;
      continue;
    }
    const valueStart = c.pos;
    skipField(buf, c, wire, end);
    // A varint is zero when every 7-bit group is; a fixed field when every byte is.
    const mask = wire === 0 ? 0x7f : 0xff;
    let zero = true;
    for (let k = valueStart; k < c.pos && zero; k++) if ((buf[k] & mask) !== 0) zero = false;
    if (zero) total += c.pos - fieldStart;
  }
  c.pos = end;
  return total;
}

function varintSize(n: number): number {
  let s = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    s++;
  }
  return s;
}
