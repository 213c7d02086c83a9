/**
 * The OpenTelemetry Collector configuration the bench's `collector.*` figures
 * run, made from the same tenant config redgen is started with (bench-config.ts),
 * so both derive the same series from the same spans as far as the
 * Collector's connectors allow:
 *
 * | bench config (Tempo)                           | Collector                                                   |
 * |------------------------------------------------|-------------------------------------------------------------|
 * | span_metrics.dimensions                        | spanmetrics `dimensions`                                    |
 * | span_metrics.histogram_buckets (seconds)       | spanmetrics `histogram.explicit.buckets`, `unit: s`         |
 * | intrinsic_dimensions off                       | spanmetrics `exclude_dimensions` (service.name, span.name…) |
 * | series per service, not per pod                | spanmetrics `resource_metrics_key_attributes: [service.name]` |
 * | metric names traces_spanmetrics_*             | spanmetrics `namespace: traces.spanmetrics`                 |
 * | service_graphs.histogram_buckets               | servicegraph `latency_histogram_buckets`                    |
 * | service_graphs.dimensions                      | servicegraph `dimensions`                                   |
 * | service_graphs.wait, max_items                 | servicegraph `store.ttl`, `store.max_items`                 |
 * | service_graphs.peer_attributes                 | servicegraph `virtual_node_peer_attributes`                 |
 * | service_graphs.database_name_attributes        | servicegraph `database_name_attributes`                     |
 * | registry.collection_interval + remote_write    | both connectors' `metrics_flush_interval` → prometheusremotewrite |
 * | enable_target_info: false                      | prometheusremotewrite `target_info.enabled: false`          |
 *
 * Nothing in the Collector matches Tempo's `traces_spanmetrics_size_total`
 * or host-info processor; redgen does that work and the Collector does not.
 */
import { stringify } from "yaml";
import type { TenantConfig } from "../../src/config/types.ts";

export interface CollectorEndpoints {
  /** host:port of the OTLP/gRPC and OTLP/HTTP receivers */
  grpc: string;
  http: string;
  /** where prometheusremotewrite sends (a sink of the bench) */
  remoteWriteUrl: string;
  /** the Collector's own metrics (otelcol_receiver_accepted_spans…), Prometheus text on 127.0.0.1:port/metrics */
  telemetryPort: number;
}

/** Tempo's intrinsic span-metrics dimensions and the Collector's default dimension each maps to. */
const INTRINSICS: [keyof TenantConfig["span_metrics"]["intrinsic_dimensions"], string][] = [
  ["service", "service.name"],
  ["span_name", "span.name"],
  ["span_kind", "span.kind"],
  ["status_code", "status.code"],
];

/** A duration in seconds as Go's time.ParseDuration reads it. */
function goSeconds(seconds: number): string {
  const s = String(seconds);
  if (!/^\d+(\.\d+)?$/.test(s)) throw new Error(`collector-config: ${s} s has no plain decimal form`);
  return `${s}s`;
}

/** The Collector config (YAML) for a tenant config and the endpoints of one run. */
export function collectorYaml(tenant: TenantConfig, e: CollectorEndpoints): string {
  const sm = tenant.span_metrics;
  const sg = tenant.service_graphs;
  const flush = `${tenant.collection_interval_ms}ms`;
  const exclude = INTRINSICS.filter(([k]) => !sm.intrinsic_dimensions[k]).map(([, name]) => name);
  const config = {
    receivers: {
      otlp: { protocols: { grpc: { endpoint: e.grpc }, http: { endpoint: e.http } } },
    },
    connectors: {
      spanmetrics: {
        namespace: "traces.spanmetrics",
        dimensions: sm.dimensions.map((name) => ({ name })),
        ...(exclude.length > 0 ? { exclude_dimensions: exclude } : {}),
        histogram: { unit: "s", explicit: { buckets: sm.histogram_buckets.map(goSeconds) } },
        resource_metrics_key_attributes: ["service.name"],
        metrics_flush_interval: flush,
      },
      servicegraph: {
        latency_histogram_buckets: sg.histogram_buckets.map(goSeconds),
        dimensions: sg.dimensions,
        store: { ttl: `${sg.wait_ms}ms`, max_items: sg.max_items },
        virtual_node_peer_attributes: sg.peer_attributes,
        database_name_attributes: sg.database_name_attributes,
        metrics_flush_interval: flush,
      },
    },
    exporters: {
      prometheusremotewrite: { endpoint: e.remoteWriteUrl, target_info: { enabled: false } },
    },
    service: {
      telemetry: {
        metrics: { level: "normal", readers: [{ pull: { exporter: { prometheus: { host: "127.0.0.1", port: e.telemetryPort } } } }] },
      },
      pipelines: {
        traces: { receivers: ["otlp"], exporters: ["spanmetrics", "servicegraph"] },
        metrics: { receivers: ["spanmetrics", "servicegraph"], exporters: ["prometheusremotewrite"] },
      },
    },
  };
  return stringify(config);
}
