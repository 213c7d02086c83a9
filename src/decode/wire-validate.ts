import { kvSize, spanSize } from "./tempo-size.ts";
import { ENTITY_REF, SCOPE, SCOPE_SPANS, skipUnknown } from "./wire-fields.ts";
import { type Cursor, readLengthEnd, readTag } from "./wire-reader.ts";

/**
 * Walks the parts of a request the processors never use, only to refuse
 * what pdata would refuse there: Tempo's receiver decodes the whole request,
 * so a malformed scope is a 400 in Tempo, and must be one here too (README:
 * "Malformed requests"). Each costs one pass over a few bytes per scope.
 */

/** An InstrumentationScope: name, version, attributes (walked as KeyValues), dropped count. */
export function validateScope(buf: Uint8Array, start: number, end: number, pdata: boolean): void {
  const c: Cursor = { pos: start };
  while (c.pos < end) {
    const t = readTag(buf, c, end);
    if (t === 0x1a) {
      const e = readLengthEnd(buf, c, end);
      kvSize(buf, c.pos, e, pdata);
      c.pos = e;
    } else skipUnknown(buf, c, t, SCOPE, end);
  }
}

/** A Resource's EntityRef: four string fields. */
export function validateEntityRef(buf: Uint8Array, start: number, end: number): void {
  const c: Cursor = { pos: start };
  while (c.pos < end) skipUnknown(buf, c, readTag(buf, c, end), ENTITY_REF, end);
}

/** A ScopeSpans whose spans are not counted (pre-1.0 `instrumentation_library_spans` next to `scope_spans`). */
export function validateScopeSpans(buf: Uint8Array, start: number, end: number, pdata: boolean): void {
  const c: Cursor = { pos: start };
  while (c.pos < end) {
    const t = readTag(buf, c, end);
    if (t === 0x0a || t === 0x12) {
      const e = readLengthEnd(buf, c, end);
      if (t === 0x0a) validateScope(buf, c.pos, e, pdata);
      else spanSize(buf, c.pos, e, pdata);
      c.pos = e;
    } else skipUnknown(buf, c, t, SCOPE_SPANS, end);
  }
}
