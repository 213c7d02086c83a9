import { AttrKind, type AttributeProjection, type ResourceBlock, type SpanBatch } from "../decode/span-batch.ts";

/** Sampling compensation settings shared by span metrics and service graphs (spec §4.6). */
export interface MultiplierSettings {
  span_multiplier_key: string;
  enable_tracestate_span_multiplier: boolean;
}

/**
 * The weight of one span: the adjusted count from the W3C tracestate `ot=th:`
 * threshold (OTEP 235) when enabled and valid, else 1/v of a double attribute
 * (span first, then resource), else 1.
 */
export class SpanMultiplier {
  private readonly slot: number;

  constructor(
    private readonly settings: MultiplierSettings,
    projection: AttributeProjection,
  ) {
    this.slot = settings.span_multiplier_key === "" ? -1 : projection.slot(settings.span_multiplier_key);
  }

  of(batch: SpanBatch, block: ResourceBlock, span: number): number {
    if (this.settings.enable_tracestate_span_multiplier) {
      const m = tracestateMultiplier(batch.traceStates[span]);
      if (m > 0) return m;
    }
    if (this.slot >= 0) {
      const at = span * batch.slotCount + this.slot;
      if (batch.attrKinds[at] === AttrKind.Double && (batch.attrValues[at] as number) > 0) return 1 / (batch.attrValues[at] as number);
      if (block.slotKinds[this.slot] === AttrKind.Double && (block.slotValues[this.slot] as number) > 0) {
        return 1 / (block.slotValues[this.slot] as number);
      }
    }
    return 1;
  }
}

const TWO_56 = 2 ** 56;
const HEX_1_14 = /^[0-9a-f]{1,14}$/;
const HEX_14 = /^[0-9a-f]{14}$/;

/**
 * Adjusted count from `ot=th:<hex>[;rv:<14 hex>]`, or 0 when absent or invalid.
 * th is the rejection threshold padded to 56 bits; count = 2^56 / (2^56 − T).
 * With rv, a fractional count is rounded stochastically using rv as the
 * uniform random value, so the expectation stays exact.
 */
export function tracestateMultiplier(tracestate: string): number {
  if (tracestate === "" || tracestate.indexOf("ot=") === -1) return 0;
  let ot: string | undefined;
  for (const entry of tracestate.split(",")) {
    const e = entry.trim();
    if (e.startsWith("ot=")) ot = e.slice(3);
  }
  if (ot === undefined) return 0;
  let th: string | undefined;
  let rv: string | undefined;
  for (const kv of ot.split(";")) {
    if (kv.startsWith("th:")) th = kv.slice(3);
    else if (kv.startsWith("rv:")) rv = kv.slice(3);
  }
  if (th === undefined || !HEX_1_14.test(th)) return 0;
  const threshold = Number.parseInt(th.padEnd(14, "0"), 16);
  if (threshold >= TWO_56) return 0;
  const count = TWO_56 / (TWO_56 - threshold);
  if (Number.isInteger(count) || rv === undefined || !HEX_14.test(rv)) return count;
  const floor = Math.floor(count);
  return Number.parseInt(rv, 16) / TWO_56 < count - floor ? floor + 1 : floor;
}
