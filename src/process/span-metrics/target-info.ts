import type { SpanMetricsConfig } from "../../config/types.ts";
import type { AttributeProjection, ResourceBlock } from "../../decode/span-batch.ts";
import type { Gauge } from "../../registry/gauge.ts";
import type { LabelSet } from "../../registry/label-set.ts";
import type { PairLabelSchema } from "../../registry/label-schema.ts";
import type { Registry } from "../../registry/registry.ts";
import { INTRINSIC_LABELS, dimensionLabelName } from "../../util/sanitize-label-name.ts";
import { attrString, resourceString } from "../attribute-value.ts";
import type { TenantStats } from "../processor.ts";

const RESERVED: ReadonlySet<string> = new Set([...INTRINSIC_LABELS, "job", "instance"]);
const SKIPPED = new Set(["service.name", "service.namespace", "service.instance.id"]);
/** resources remembered at most; past it the memory starts over (an attacker's endless resources cost no more) */
const MAX_REMEMBERED = 4096;

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
  /**
   * What each resource resolved to, by its raw attributes: the same resource
   * arrives in every request, and building its labels (sanitized names,
   * sorting, the label text) cost ~40 % of span metrics with target_info on.
   * null: the resource has nothing to emit.
   */
  private readonly remembered = new Map<string, LabelSet | null>();

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
    const id = resourceIdentity(block);
    const known = this.remembered.get(id);
    if (known === null) return true;
    if (known !== undefined && !known.pruned) {
      this.schema.revisit(known);
      this.set(known, now);
      return true;
    }
    const ls = this.resolve(block);
    if (ls === undefined) {
      this.stats.discard("invalid_utf8", "span-metrics");
      return false;
    }
    if (this.remembered.size >= MAX_REMEMBERED) this.remembered.clear();
    this.remembered.set(id, ls);
    if (ls !== null) this.set(ls, now);
    return true;
  }

  private set(ls: LabelSet, now: number): void {
    this.gauge.setIfAbsent(ls, 1, now);
    if (ls.live === 0) this.registry.release(ls);
  }

  /** The resource's info label set; null when it has nothing to emit, undefined when a value is invalid UTF-8. */
  private resolve(block: ResourceBlock): LabelSet | null | undefined {
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
    if ((job === "" && instance === "") || others === 0) return null;
    pairs.push("job", job);
    if (this.cfg.enable_instance_label) pairs.push("instance", instance);
    return this.schema.resolve(pairs) ?? undefined;
  }
}

/** An injective text of a resource's attributes as the labels see them (each part length-prefixed). */
function resourceIdentity(block: ResourceBlock): string {
  let id = "";
  for (let k = 0; k < block.keys.length; k++) {
    const key = block.keys[k];
    const value = attrString(block.kinds[k], block.values[k]);
    id += `${key.length}:${key}${value.length}:${value}`;
  }
  return id;
}
