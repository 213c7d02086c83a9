import type { SpanMetricsConfig, TenantConfig } from "../config/types.ts";
import type { AttributeProjection } from "../decode/span-batch.ts";
import type { Registry } from "../registry/registry.ts";
import type { Processor, TenantStats } from "./processor.ts";
import { HostInfoProcessor } from "./host-info.ts";
import { ServiceGraphsProcessor } from "./service-graphs/service-graphs.ts";
import { SpanMetricsProcessor } from "./span-metrics/span-metrics.ts";

/** Tempo's built-in span-metrics buckets: 0.002 × 2^n, 14 buckets. */
export const DEFAULT_SPAN_METRICS_BUCKETS = Array.from({ length: 14 }, (_, n) => 0.002 * 2 ** n);

/**
 * Builds a tenant's processors from its processor list (spec §1, §4.1, §5.5):
 * a bare name turns on all its parts, sub-names alone turn on only those.
 */
export function buildProcessors(
  cfg: TenantConfig,
  registry: Registry,
  projection: AttributeProjection,
  stats: TenantStats,
): Processor[] {
  const on = new Set<string>(cfg.processors);
  const out: Processor[] = [];
  const full = on.has("span-metrics");
  const parts = {
    count: full || on.has("span-metrics-count"),
    latency: full || on.has("span-metrics-latency"),
    size: full || on.has("span-metrics-size"),
  };
  if (parts.count || parts.latency || parts.size) {
    out.push(new SpanMetricsProcessor(spanMetricsConfig(cfg.span_metrics, full, parts.latency), parts, registry, projection, stats));
  }
  const graphs = on.has("service-graphs");
  const sg = {
    request: graphs || on.has("service-graphs-request"),
    latency: graphs || on.has("service-graphs-latency"),
    connectionInfo: on.has("service-graphs-connection-info"),
  };
  if (sg.request || sg.latency || sg.connectionInfo) {
    out.push(new ServiceGraphsProcessor(cfg.service_graphs, sg, registry, projection, stats));
  }
  if (on.has("host-info")) out.push(new HostInfoProcessor(cfg.host_info, registry, stats));
  return out;
}

/** Using only sub-names with span-metrics-latency forces the built-in buckets (spec §15.15). */
function spanMetricsConfig(cfg: SpanMetricsConfig, full: boolean, latency: boolean): SpanMetricsConfig {
  if (full || !latency) return cfg;
  return { ...cfg, histogram_buckets: DEFAULT_SPAN_METRICS_BUCKETS };
}
