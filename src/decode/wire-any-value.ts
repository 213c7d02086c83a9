import { formatFloat } from "../util/format-float.ts";
import { AttrKind, type AttrValue } from "./span-batch.ts";
import { ANY_VALUE, KEY_VALUE, MAX_VALUE_DEPTH, VALUE_LIST, skipUnknown, tooDeep } from "./wire-fields.ts";
import type { WireState } from "./wire-state.ts";
import { readInt64String, readLengthEnd, readTag, readVarint32, truncated } from "./wire-reader.ts";

/** The decoded value of one AnyValue (a reused scratch object: read it before the next call). */
export interface Value {
  kind: number;
  value: AttrValue;
}

const scratch: Value = { kind: 0, value: "" };

/**
 * Decodes the AnyValue in [start, end) (start < 0: a KeyValue without value)
 * the way decode/any-value.ts does for generated types: strings, bools and
 * doubles typed, ints as decimal strings, arrays and kvlists as Tempo's text,
 * bytes and empty values as "". Restores the cursor. `depth` is the value's
 * nesting level (1 for an attribute's own value); deeper than MAX_VALUE_DEPTH
 * is refused before the stack could run out.
 */
export function readAnyValue(st: WireState, start: number, end: number, depth = 1): Value {
  const v = scratch;
  v.kind = AttrKind.Empty;
  v.value = "";
  if (start < 0) return v;
  if (depth > MAX_VALUE_DEPTH) throw tooDeep();
  const { buf, c } = st;
  const save = c.pos;
  c.pos = start;
  while (c.pos < end) {
    const t = readTag(buf, c, end);
    switch (t) {
      case 0x0a: {
        const e = readLengthEnd(buf, c, end);
        v.kind = AttrKind.String;
        v.value = st.strings.get(buf, c.pos, e);
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
        v.value = st.view.getFloat64(c.pos, true);
        c.pos += 8;
        break;
      case 0x2a:
      case 0x32: {
        const e = readLengthEnd(buf, c, end);
        const text = t === 0x2a ? `[${listText(st, c.pos, e, false, depth)}]` : `{${listText(st, c.pos, e, true, depth)}}`;
        v.kind = t === 0x2a ? AttrKind.Array : AttrKind.KvList;
        v.value = text;
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
      case 0x40: // string_value_strindex: a profiles-only form Tempo stringifies as ""
        readVarint32(buf, c, end);
        v.kind = AttrKind.Empty;
        v.value = "";
        break;
      default:
        skipUnknown(buf, c, t, ANY_VALUE, end);
    }
  }
  c.pos = save;
  return v;
}

/** Tempo's text of an ArrayValue (values concatenated) or a KeyValueList (`k:v` concatenated). */
function listText(st: WireState, start: number, end: number, keyed: boolean, depth: number): string {
  const { buf, c } = st;
  let s = "";
  c.pos = start;
  while (c.pos < end) {
    const t = readTag(buf, c, end);
    if (t !== 0x0a) {
      skipUnknown(buf, c, t, VALUE_LIST, end);
      continue;
    }
    const itemEnd = readLengthEnd(buf, c, end);
    if (!keyed) {
      const v = readAnyValue(st, c.pos, itemEnd, depth + 1);
      s += valueText(v.kind, v.value);
      c.pos = itemEnd;
      continue;
    }
    let key = "";
    let vs = -1;
    let ve = -1;
    while (c.pos < itemEnd) {
      const u = readTag(buf, c, itemEnd);
      if (u === 0x0a) {
        const e = readLengthEnd(buf, c, itemEnd);
        key = st.strings.get(buf, c.pos, e);
        c.pos = e;
      } else if (u === 0x12) {
        // a repeated value (pdata merges them): the earlier one must still be valid
        if (vs >= 0) {
          const at = c.pos;
          readAnyValue(st, vs, ve, depth + 1);
          c.pos = at;
        }
        ve = readLengthEnd(buf, c, itemEnd);
        vs = c.pos;
        c.pos = ve;
      } else skipUnknown(buf, c, u, KEY_VALUE, itemEnd);
    }
    const v = readAnyValue(st, vs, ve, depth + 1);
    s += `${key}:${valueText(v.kind, v.value)}`;
    c.pos = itemEnd;
  }
  return s;
}

function valueText(kind: number, value: AttrValue): string {
  if (kind === AttrKind.Bool) return value ? "true" : "false";
  if (kind === AttrKind.Double) return formatFloat(value as number);
  return value as string;
}
