import { tracestateMultiplier } from "./tracestate-sampling.ts";
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
