import { AttrKind, type AttrValue, type ResourceBlock, type SpanBatch } from "../decode/span-batch.ts";
import { formatFloat } from "../util/format-float.ts";
import { SPAN_KIND_NAMES, STATUS_CODE_NAMES } from "../util/otlp-names.ts";

/** The label string of a stored attribute value (spec §4.3); absent gives "". */
export function attrString(kind: number, value: AttrValue): string {
  switch (kind) {
    case AttrKind.None:
      return "";
    case AttrKind.Bool:
      return value ? "true" : "false";
    case AttrKind.Double:
      return formatFloat(value as number);
    default:
      return value as string;
  }
}

/** A resource attribute by slot, stringified ("" when absent). */
export function resourceString(block: ResourceBlock, slot: number): string {
  return attrString(block.slotKinds[slot], block.slotValues[slot]);
}

/** A span attribute by slot, stringified ("" when absent). */
export function spanString(batch: SpanBatch, span: number, slot: number): string {
  const at = span * batch.slotCount + slot;
  return attrString(batch.attrKinds[at], batch.attrValues[at]);
}

/** Resource first, then span (spec §4.3): the first place the key exists wins, even with an empty value. */
export function lookupString(batch: SpanBatch, block: ResourceBlock, span: number, slot: number): string {
  if (block.slotKinds[slot] !== AttrKind.None) return attrString(block.slotKinds[slot], block.slotValues[slot]);
  return spanString(batch, span, slot);
}

/** Whether the key exists on the resource or the span (any value, even empty). */
export function lookupExists(batch: SpanBatch, block: ResourceBlock, span: number, slot: number): boolean {
  return block.slotKinds[slot] !== AttrKind.None || batch.attrKinds[span * batch.slotCount + slot] !== AttrKind.None;
}

/** Enum name for a span kind; unknown numbers print as Go's protobuf does (the number). */
export function spanKindName(kind: number): string {
  return SPAN_KIND_NAMES[kind] ?? String(kind);
}

export function statusCodeName(code: number): string {
  return STATUS_CODE_NAMES[code] ?? String(code);
}
