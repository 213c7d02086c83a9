import type { SpanMetricsConfig } from "../../config/types.ts";
import type { AttributeProjection, ResourceBlock } from "../../decode/span-batch.ts";
import type { Gauge } from "../../registry/gauge.ts";
import type { PairLabelSchema } from "../../registry/label-schema.ts";
import type { Registry } from "../../registry/registry.ts";
import { INTRINSIC_LABELS, dimensionLabelName } from "../../util/sanitize-label-name.ts";
import { attrString, resourceString } from "../attribute-value.ts";
import type { TenantStats } from "../processor.ts";

const RESERVED: ReadonlySet<string> = new Set([...INTRINSIC_LABELS, "job", "instance"]);
const SKIPPED = new Set(["service.name", "service.namespace", "service.instance.id"]);

/**
 * traces_target_info (spec §4.5): one info series per resource, built from
 * every resource attribute except the service identity and the excluded keys,
 * plus job and instance. Set-if-absent: an existing series is not refreshed.
 */
export class TargetInfo {
  private readonly gauge: Gauge;
  private readonly schema: PairLabelSchema;
  private readonly excluded: Set<string>;
  private readonly serviceSlot: number;
  private readonly namespaceSlot: number;
  private readonly instanceIdSlot: number;

  constructor(
    private readonly cfg: SpanMetricsConfig,
    private readonly registry: Registry,
    projection: AttributeProjection,
    private readonly stats: TenantStats,
  ) {
    this.gauge = registry.gauge("traces_target_info", { help: "Resource attributes of the services that sent spans", unit: "" });
    this.schema = registry.pairSchema();
    this.excluded = new Set(cfg.target_info_excluded_dimensions);
    this.serviceSlot = projection.slot("service.name");
    this.namespaceSlot = projection.slot("service.namespace");
    this.instanceIdSlot = projection.slot("service.instance.id");
  }

  /**
   * Emits target_info for the resource. Returns true when done for this
   * resource (emitted, or nothing to emit); false when the labels were invalid
   * UTF-8, in which case the next accepted span of the resource tries again.
   */
  emit(block: ResourceBlock, now: number): boolean {
    const pairs: string[] = [];
    for (let k = 0; k < block.keys.length; k++) {
      const key = block.keys[k];
      if (key === "" || (key.charCodeAt(0) >= 48 && key.charCodeAt(0) <= 57)) continue;
      if (SKIPPED.has(key) || this.excluded.has(key)) continue;
      pairs.push(dimensionLabelName(key, RESERVED), attrString(block.kinds[k], block.values[k]));
    }
    let others = 0;
    const last = new Map<string, string>();
    for (let k = 0; k < pairs.length; k += 2) last.set(pairs[k], pairs[k + 1]);
    for (const v of last.values()) if (v !== "") others++;
    const svc = resourceString(block, this.serviceSlot);
    const ns = resourceString(block, this.namespaceSlot);
    const job = svc === "" ? "" : ns === "" ? svc : `${ns}/${svc}`;
    const instance = this.cfg.enable_instance_label ? resourceString(block, this.instanceIdSlot) : "";
    if ((job === "" && instance === "") || others === 0) return true;
    pairs.push("job", job);
    if (this.cfg.enable_instance_label) pairs.push("instance", instance);
    const ls = this.schema.resolve(pairs);
    if (ls === null) {
      this.stats.discard("invalid_utf8", "span-metrics");
      return false;
    }
    this.gauge.setIfAbsent(ls, 1, now);
    if (ls.live === 0) this.registry.release(ls);
    return true;
  }
}
