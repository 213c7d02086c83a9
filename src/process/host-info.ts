import type { HostInfoConfig } from "../config/types.ts";
import { AttrKind, type SpanBatch } from "../decode/span-batch.ts";
import type { Gauge } from "../registry/gauge.ts";
import type { FixedLabelSchema } from "../registry/fixed-label-schema.ts";
import type { Registry } from "../registry/registry.ts";
import type { Processor, TenantStats } from "./processor.ts";

/**
 * traces_host_info{grafana_host_id, host_source} (spec §6): per ResourceSpans,
 * the first host identifier that is a non-empty string resource attribute.
 * Ignores filters and span counts: it fires even when the slack window
 * removed every span.
 */
export class HostInfoProcessor implements Processor {
  readonly name = "host-info";
  private readonly gauge: Gauge;
  private readonly schema: FixedLabelSchema;
  private readonly values = ["", ""];

  constructor(
    private readonly cfg: HostInfoConfig,
    private readonly registry: Registry,
    private readonly stats: TenantStats,
  ) {
    this.gauge = registry.gauge(cfg.metric_name, { help: "Hosts that sent spans", unit: "" });
    this.schema = registry.infoSchema(["grafana_host_id", "host_source"]);
  }

  push(batch: SpanBatch, now: number): void {
    for (const block of batch.resources) {
      const found = this.hostOf(block.keys, block.kinds, block.values as string[]);
      if (found < 0) continue;
      this.values[0] = block.values[found] as string;
      this.values[1] = block.keys[found];
      const ls = this.schema.resolve(this.values);
      if (ls === null) {
        this.stats.discard("invalid_utf8", this.name, block.spanEnd - block.spanStart);
        continue;
      }
      this.gauge.set(ls, 1, now);
      if (ls.live === 0) this.registry.release(ls);
    }
  }

  /** Index of the attribute to use, or -1. */
  private hostOf(keys: string[], kinds: number[], values: string[]): number {
    for (const id of this.cfg.host_identifiers) {
      for (let k = 0; k < keys.length; k++) {
        if (keys[k] === id && kinds[k] === AttrKind.String && values[k] !== "") return k;
      }
    }
    return -1;
  }

}
