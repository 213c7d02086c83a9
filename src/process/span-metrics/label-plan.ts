import type { SpanMetricsConfig } from "../../config/types.ts";
import { AttrKind, type AttributeProjection, type ResourceBlock, type SpanBatch } from "../../decode/span-batch.ts";
import { dimensionLabelName } from "../../util/sanitize-label-name.ts";
import { attrString, lookupString, resourceString, spanString } from "../attribute-value.ts";

interface Mapping {
  pos: number;
  slots: number[];
  join: string;
}

/**
 * The span-metrics label layout (spec §4.2), fixed when the processor is
 * built: label names in the order Tempo adds them, and where each value comes
 * from. Positions of disabled intrinsics are -1.
 */
export class SpanLabelPlan {
  readonly names: string[] = [];
  readonly service: number;
  readonly span_name: number;
  readonly span_kind: number;
  readonly status_code: number;
  readonly status_message: number;
  private readonly dimPos: number[] = [];
  private readonly dimSlot: number[] = [];
  /** per dimension: 1 when the current resource supplies it (resource wins over span) */
  private readonly dimOnResource: Uint8Array;
  private readonly mappings: Mapping[] = [];
  private readonly job: number = -1;
  private readonly instance: number = -1;
  private readonly serviceSlot: number;
  private readonly namespaceSlot: number;
  private readonly instanceIdSlot: number;

  constructor(cfg: SpanMetricsConfig, projection: AttributeProjection) {
    const i = cfg.intrinsic_dimensions;
    this.service = i.service ? this.add("service") : -1;
    this.span_name = i.span_name ? this.add("span_name") : -1;
    this.span_kind = i.span_kind ? this.add("span_kind") : -1;
    this.status_code = i.status_code ? this.add("status_code") : -1;
    this.status_message = i.status_message ? this.add("status_message") : -1;
    for (const d of cfg.dimensions) {
      this.dimPos.push(this.add(dimensionLabelName(d)));
      this.dimSlot.push(projection.slot(d));
    }
    this.dimOnResource = new Uint8Array(cfg.dimensions.length);
    for (const m of cfg.dimension_mappings) {
      this.mappings.push({
        pos: this.add(dimensionLabelName(m.name)),
        slots: m.source_labels.map((s) => projection.slot(s)),
        join: m.join,
      });
    }
    if (cfg.enable_target_info) {
      this.job = this.add("job");
      if (cfg.enable_instance_label) this.instance = this.add("instance");
    }
    this.serviceSlot = projection.slot("service.name");
    this.namespaceSlot = projection.slot("service.namespace");
    this.instanceIdSlot = projection.slot("service.instance.id");
  }

  /** positions whose values depend only on the resource (service, job, instance) */
  get resourcePositions(): number[] {
    return [this.service, this.job, this.instance].filter((p) => p >= 0);
  }

  private add(name: string): number {
    this.names.push(name);
    return this.names.length - 1;
  }

  /** Fills the values that depend only on the resource; once per ResourceSpans. */
  fillResource(block: ResourceBlock, values: string[]): void {
    const svc = resourceString(block, this.serviceSlot);
    if (this.service >= 0) values[this.service] = svc;
    if (this.job >= 0) {
      const ns = resourceString(block, this.namespaceSlot);
      values[this.job] = svc === "" ? "" : ns === "" ? svc : `${ns}/${svc}`;
    }
    if (this.instance >= 0) values[this.instance] = resourceString(block, this.instanceIdSlot);
    for (let d = 0; d < this.dimSlot.length; d++) {
      const slot = this.dimSlot[d];
      const onResource = block.slotKinds[slot] !== AttrKind.None;
      this.dimOnResource[d] = onResource ? 1 : 0;
      if (onResource) values[this.dimPos[d]] = attrString(block.slotKinds[slot], block.slotValues[slot]);
    }
  }

  /** Fills the values that come from span attributes. */
  fillSpan(batch: SpanBatch, block: ResourceBlock, span: number, values: string[]): void {
    for (let d = 0; d < this.dimSlot.length; d++) {
      if (this.dimOnResource[d] === 0) values[this.dimPos[d]] = spanString(batch, span, this.dimSlot[d]);
    }
    for (let k = 0; k < this.mappings.length; k++) {
      const m = this.mappings[k];
      let joined = "";
      let first = true;
      for (let s = 0; s < m.slots.length; s++) {
        const v = lookupString(batch, block, span, m.slots[s]);
        if (v === "") continue;
        joined = first ? v : joined + m.join + v;
        first = false;
      }
      values[m.pos] = joined;
    }
  }
}
