import type { SpanMetricsConfig, TenantConfig } from "../config/types.ts";
import type { AttributeProjection } from "../decode/span-batch.ts";
import type { Registry } from "../registry/registry.ts";
import type { Processor, TenantStats } from "./processor.ts";
import { HostInfoProcessor } from "./host-info.ts";
import { ServiceGraphsProcessor } from "./service-graphs/service-graphs.ts";
import { SpanMetricsProcessor } from "./span-metrics/span-metrics.ts";

/** Tempo's built-in span-metrics buckets: 0.002 × 2^n, 14 buckets. */
export const DEFAULT_SPAN_METRICS_BUCKETS = Array.from({ length: 14 }, (_, n) => 0.002 * 2 ** n);

/** A processor a tenant config asks for: what decides its shape, and how to make it. */
export interface ProcessorSpec {
  readonly name: string;
  /** equal fingerprints make equal processors: a reload keeps the running one */
  readonly fingerprint: string;
  make(): Processor;
}

/**
 * The processors of a tenant's processor list (spec §1, §4.1, §5.5): a bare
 * name turns on all its parts, sub-names alone turn on only those. Nothing
 * is built until `make` is called.
 */
export function processorSpecs(cfg: TenantConfig, registry: Registry, projection: AttributeProjection, stats: TenantStats): ProcessorSpec[] {
  const on = new Set<string>(cfg.processors);
  const out: ProcessorSpec[] = [];
  const full = on.has("span-metrics");
  const parts = {
    count: full || on.has("span-metrics-count"),
    latency: full || on.has("span-metrics-latency"),
    size: full || on.has("span-metrics-size"),
  };
  if (parts.count || parts.latency || parts.size) {
    const sm = spanMetricsConfig(cfg.span_metrics, full, parts.latency);
    const mode = cfg.generate_native_histograms;
    out.push(spec("span-metrics", [sm, parts, mode], () => new SpanMetricsProcessor(sm, parts, registry, projection, stats, mode)));
  }
  const graphs = on.has("service-graphs");
  const sg = {
    request: graphs || on.has("service-graphs-request"),
    latency: graphs || on.has("service-graphs-latency"),
    connectionInfo: on.has("service-graphs-connection-info"),
  };
  if (sg.request || sg.latency || sg.connectionInfo) {
    const mode = cfg.generate_native_histograms;
    out.push(
      spec("service-graphs", [cfg.service_graphs, sg, mode], () => new ServiceGraphsProcessor(cfg.service_graphs, sg, registry, projection, stats, mode)),
    );
  }
  if (on.has("host-info")) out.push(spec("host-info", [cfg.host_info], () => new HostInfoProcessor(cfg.host_info, registry, stats)));
  return out;
}

/** Builds a tenant's processors. */
export function buildProcessors(cfg: TenantConfig, registry: Registry, projection: AttributeProjection, stats: TenantStats): Processor[] {
  return processorSpecs(cfg, registry, projection, stats).map((s) => s.make());
}

function spec(name: string, shape: unknown, make: () => Processor): ProcessorSpec {
  return { name, fingerprint: JSON.stringify(shape, (_k, v: unknown) => (v instanceof RegExp ? v.source : v)), make };
}

/** Using only sub-names with span-metrics-latency forces the built-in buckets (spec §15.15). */
function spanMetricsConfig(cfg: SpanMetricsConfig, full: boolean, latency: boolean): SpanMetricsConfig {
  if (full || !latency) return cfg;
  return { ...cfg, histogram_buckets: DEFAULT_SPAN_METRICS_BUCKETS };
}
