/**
 * `metrics_generator.processor.*`: the static processor config with Tempo's
 * defaults (spec §12). Each block stays undefined when absent so the config
 * builder can tell which processors the user configured.
 */
import { z } from "zod";
import type { HostInfoConfig, ServiceGraphsConfig, SpanMetricsConfig } from "./types.ts";
import { block, ignored, ignoredBecause, optionalBlock, strictBlock, withDefault } from "./schema-blocks.ts";
import { bool, intAtLeast, nonEmptyStringList, positiveDuration, str } from "./schema-scalars.ts";
import { filterPolicies } from "./schema-filter-policy.ts";
import {
  dimensionList,
  dimensionMapping,
  histogramBuckets,
  hostIdentifiers,
  hostInfoMetricName,
} from "./schema-processor-fields.ts";

/** Tempo's default span-metrics latency buckets: 0.002 × 2^n seconds, 14 buckets. */
export const DEFAULT_SPAN_METRICS_BUCKETS = [
  0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384,
];

/** Tempo's default service-graph latency buckets. */
export const DEFAULT_SERVICE_GRAPHS_BUCKETS = [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8];

const intrinsicDimensions = strictBlock({
  service: withDefault(bool, true),
  span_name: withDefault(bool, true),
  span_kind: withDefault(bool, true),
  status_code: withDefault(bool, true),
  status_message: withDefault(bool, false),
});

/** `processor.span_metrics` (spec §4). */
export const spanMetricsSchema = strictBlock({
  histogram_buckets: withDefault(histogramBuckets, DEFAULT_SPAN_METRICS_BUCKETS),
  intrinsic_dimensions: block(intrinsicDimensions),
  dimensions: withDefault(dimensionList, []),
  dimension_mappings: withDefault(z.array(dimensionMapping), []),
  enable_target_info: withDefault(bool, false),
  target_info_excluded_dimensions: withDefault(nonEmptyStringList, []),
  enable_instance_label: withDefault(bool, true),
  span_multiplier_key: withDefault(str, ""),
  enable_tracestate_span_multiplier: withDefault(bool, false),
  filter_policies: withDefault(filterPolicies, []),
}).transform((c): SpanMetricsConfig => c);

/** `processor.service_graphs` (spec §5); `wait` becomes `wait_ms`. */
export const serviceGraphsSchema = strictBlock({
  wait: withDefault(positiveDuration, "10s"),
  max_items: withDefault(intAtLeast(1), 10_000),
  workers: withDefault(intAtLeast(1), 10),
  histogram_buckets: withDefault(histogramBuckets, DEFAULT_SERVICE_GRAPHS_BUCKETS),
  dimensions: withDefault(dimensionList, []),
  enable_client_server_prefix: withDefault(bool, false),
  enable_messaging_system_latency_histogram: withDefault(bool, false),
  peer_attributes: withDefault(nonEmptyStringList, ["peer.service", "db.name", "db.system", "db.system.name"]),
  span_multiplier_key: withDefault(str, ""),
  enable_tracestate_span_multiplier: withDefault(bool, false),
  enable_virtual_node_label: withDefault(bool, false),
  database_name_attributes: withDefault(nonEmptyStringList, ["db.namespace", "db.name", "db.system", "db.system.name"]),
  filter_policies: withDefault(filterPolicies, []),
}).transform(({ wait, ...rest }): ServiceGraphsConfig => ({ wait_ms: wait, ...rest }));

/** `processor.host_info` (spec §6). */
export const hostInfoSchema = strictBlock({
  host_identifiers: withDefault(hostIdentifiers, ["k8s.node.name", "host.id"]),
  metric_name: withDefault(hostInfoMetricName, "traces_host_info"),
}).transform((c): HostInfoConfig => c);

/** `metrics_generator.processor`: each block undefined when absent, defaults when present (even empty). */
export const processorSchema = strictBlock({
  span_metrics: optionalBlock(spanMetricsSchema),
  service_graphs: optionalBlock(serviceGraphsSchema),
  host_info: optionalBlock(hostInfoSchema),
  local_blocks: ignored(undefined, ignoredBecause("the local-blocks processor was removed in Tempo 3.x")),
});
