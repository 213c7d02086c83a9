import type { SpanMetricsConfig } from "../../config/types.ts";
import { type AttributeProjection, type ResourceBlock, type SpanBatch, SpanMark } from "../../decode/span-batch.ts";
import type { Counter } from "../../registry/counter.ts";
import type { Histogram } from "../../registry/classic-histogram.ts";
import type { FixedLabelSchema } from "../../registry/fixed-label-schema.ts";
import type { HistogramMode, Registry } from "../../registry/registry.ts";
import { spanKindName, statusCodeName } from "../attribute-value.ts";
import { SpanFilter } from "../filter-policy.ts";
import type { Processor, TenantStats } from "../processor.ts";
import { SpanMultiplier } from "../span-multiplier.ts";
import { SpanLabelPlan } from "./label-plan.ts";
import { TargetInfo } from "./target-info.ts";

/** Help and unit of the span metrics (remote write 2.0 metadata; Tempo sends none). */
const META = {
  calls: { help: "Spans received, multiplied by the span multiplier", unit: "" },
  latency: { help: "Duration of spans", unit: "seconds" },
  size: { help: "Size of spans in bytes, as Tempo's distributor measures it", unit: "bytes" },
};

/** Which span-metrics metrics are on (spec §4.1 subprocessors). */
export interface SpanMetricsParts {
  count: boolean;
  latency: boolean;
  size: boolean;
}

/**
 * RED metrics per span (spec §4): traces_spanmetrics_calls_total,
 * traces_spanmetrics_latency and traces_spanmetrics_size_total, plus
 * traces_target_info. Per ResourceSpans it resolves the resource-side label
 * values once; per span it fills one reused value array and builds a key.
 */
export class SpanMetricsProcessor implements Processor {
  readonly name = "span-metrics";
  private readonly calls: Counter | null;
  private readonly latency: Histogram | null;
  private readonly size: Counter | null;
  private readonly plan: SpanLabelPlan;
  private readonly schema: FixedLabelSchema;
  private readonly filter: SpanFilter;
  private readonly multiplier: SpanMultiplier;
  private readonly targetInfo: TargetInfo | null;
  private readonly values: string[];

  constructor(
    cfg: SpanMetricsConfig,
    parts: SpanMetricsParts,
    private readonly registry: Registry,
    projection: AttributeProjection,
    private readonly stats: TenantStats,
    /** generate_native_histograms (spec §8.4) */
    histogramMode: HistogramMode = "classic",
  ) {
    this.plan = new SpanLabelPlan(cfg, projection);
    this.schema = registry.fixedSchema(this.plan.names, this.plan.resourcePositions);
    this.values = new Array<string>(this.plan.names.length).fill("");
    this.calls = parts.count ? registry.counter("traces_spanmetrics_calls_total", META.calls) : null;
    this.latency = parts.latency ? registry.histogram("traces_spanmetrics_latency", cfg.histogram_buckets, histogramMode, META.latency) : null;
    this.size = parts.size ? registry.counter("traces_spanmetrics_size_total", META.size) : null;
    this.filter = new SpanFilter(cfg.filter_policies, projection);
    this.multiplier = new SpanMultiplier(cfg, projection);
    this.targetInfo = cfg.enable_target_info ? new TargetInfo(cfg, registry, projection, stats) : null;
  }

  push(batch: SpanBatch, now: number): void {
    const resources = batch.resources;
    for (let r = 0; r < resources.length; r++) this.pushResource(batch, resources[r], now);
  }

  private pushResource(batch: SpanBatch, block: ResourceBlock, now: number): void {
    const plan = this.plan;
    const values = this.values;
    plan.fillResource(block, values);
    this.schema.enterResource(values);
    let targetInfoPending = this.targetInfo !== null;
    for (let i = block.spanStart; i < block.spanEnd; i++) {
      if ((batch.marks[i] & SpanMark.OutsideSlack) !== 0) continue;
      if (!this.filter.empty && !this.filter.keep(batch, block, i)) {
        this.stats.discard("span_metrics_filtered", this.name);
        continue;
      }
      if (plan.span_name >= 0) values[plan.span_name] = batch.names[i];
      if (plan.span_kind >= 0) values[plan.span_kind] = spanKindName(batch.kinds[i]);
      if (plan.status_code >= 0) values[plan.status_code] = statusCodeName(batch.statusCodes[i]);
      if (plan.status_message >= 0) values[plan.status_message] = batch.statusMessages[i];
      plan.fillSpan(batch, block, i, values);
      const ls = this.schema.resolve(values);
      if (ls === null) {
        batch.marks[i] |= SpanMark.InvalidUtf8;
        this.stats.discard("invalid_utf8", this.name);
        continue;
      }
      const m = this.multiplier.of(batch, block, i);
      this.calls?.add(ls, m, now);
      this.latency?.observe(ls, batch.durations[i], m, batch.traceIds, i * 16, now);
      this.size?.add(ls, batch.sizes[i], now);
      // Every metric refused the set (active-series limit): do not keep it around.
      if (ls.live === 0) this.registry.release(ls);
      if (targetInfoPending) targetInfoPending = !(this.targetInfo as TargetInfo).emit(block, now);
    }
  }

}

