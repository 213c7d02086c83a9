import { DecodeError } from "./decode-error.ts";
import { type Cursor, fieldOf, skipField } from "./wire-reader.ts";

/**
 * The fields of each OTLP trace message with their wire types, as pdata
 * (v1.59) knows them. pdata rejects a known field of the wrong wire type (a
 * group on a known field number included) and skips unknown ones; the fast
 * decoder reads only the fields it needs and hands every other tag to
 * `skipUnknown` with the message's table, so it refuses what pdata refuses.
 */
export type KnownFields = Uint8Array;

const VARINT = 1;
const I64 = 2;
const LEN = 3;
const I32 = 6;

/** A table: field number → wire type + 1 (0: unknown). */
function fields(name: string, spec: Record<number, number>): KnownFields {
  const max = Math.max(...Object.keys(spec).map(Number));
  const t = new Uint8Array(max + 1);
  for (const [f, wt] of Object.entries(spec)) t[Number(f)] = wt;
  NAMES.set(t, name);
  return t;
}
const NAMES = new Map<KnownFields, string>();

export const REQUEST = fields("ExportTraceServiceRequest", { 1: LEN });
export const RESOURCE_SPANS = fields("ResourceSpans", { 1: LEN, 2: LEN, 3: LEN, 1000: LEN });
export const RESOURCE = fields("Resource", { 1: LEN, 2: VARINT, 3: LEN });
export const ENTITY_REF = fields("EntityRef", { 1: LEN, 2: LEN, 3: LEN, 4: LEN });
export const SCOPE_SPANS = fields("ScopeSpans", { 1: LEN, 2: LEN, 3: LEN });
export const SCOPE = fields("InstrumentationScope", { 1: LEN, 2: LEN, 3: LEN, 4: VARINT });
export const SPAN = fields("Span", {
  1: LEN, 2: LEN, 3: LEN, 4: LEN, 5: LEN, 6: VARINT, 7: I64, 8: I64, 9: LEN,
  10: VARINT, 11: LEN, 12: VARINT, 13: LEN, 14: VARINT, 15: LEN, 16: I32,
});
export const EVENT = fields("Span.Event", { 1: I64, 2: LEN, 3: LEN, 4: VARINT });
export const LINK = fields("Span.Link", { 1: LEN, 2: LEN, 3: LEN, 4: LEN, 5: VARINT, 6: I32 });
export const STATUS = fields("Status", { 2: LEN, 3: VARINT });
export const KEY_VALUE = fields("KeyValue", { 1: LEN, 2: LEN, 3: VARINT });
export const ANY_VALUE = fields("AnyValue", { 1: LEN, 2: VARINT, 3: VARINT, 4: I64, 5: LEN, 6: LEN, 7: LEN, 8: VARINT });
export const VALUE_LIST = fields("ArrayValue", { 1: LEN });

/**
 * Skips a field the caller does not read. A known field arriving here has the
 * wrong wire type (the callers read every known field of the right type that
 * matters to them, and skip the rest only through this, with the right type
 * they are skipped): an error, as in pdata.
 */
export function skipUnknown(buf: Uint8Array, c: Cursor, tag: number, known: KnownFields, end: number): void {
  const wt = tag & 7;
  const f = fieldOf(tag);
  if (f < known.length && known[f] !== 0 && known[f] !== wt + 1) {
    throw new DecodeError("invalid", `invalid protobuf: wrong wire type ${wt} for field ${f} of ${NAMES.get(known)}`);
  }
  skipField(buf, c, wt, end);
}

/** How deep AnyValues may nest (arrays and kvlists inside attribute values); see README. */
export const MAX_VALUE_DEPTH = 100;

/** The error for an AnyValue nested deeper than MAX_VALUE_DEPTH. */
export function tooDeep(): DecodeError {
  return new DecodeError("invalid", `attribute value nested deeper than ${MAX_VALUE_DEPTH} levels`);
}
