/**
 * `overrides:` in tempo.yaml and the per-tenant runtime file (spec §10). Every
 * field is optional with no default: whether a field is present decides whether
 * it overrides the static processor config.
 */
import { z } from "zod";
import { block, ignored, ignoredBecause, opt, optionalBlock, strictBlock, withDefault } from "./schema-blocks.ts";
import {
  bool,
  duration,
  finiteNumber,
  intAtLeast,
  nonEmptyStringList,
  oneOf,
  str,
  stringList,
  stringMap,
} from "./schema-scalars.ts";
import { filterPolicies } from "./schema-filter-policy.ts";
import {
  dimensionList,
  dimensionMapping,
  histogramBuckets,
  hostIdentifiers,
  hostInfoMetricName,
  intrinsicDimensionsPartial,
} from "./schema-processor-fields.ts";
import { legacyOverrideHint } from "./legacy-overrides.ts";

/** native_histogram_bucket_factor: 0 (use the default) or above 1 (client_golang's schemas need a factor > 1). */
const bucketFactor = finiteNumber.refine((v) => v === 0 || v > 1, { message: "must be greater than 1 (or 0 for the default)" });

/** Hint for static-only processor settings written under overrides. */
function staticOnly(processor: string, keys: readonly string[]): (key: string) => string | undefined {
  return (key) =>
    keys.includes(key)
      ? `cannot be overridden per tenant: set metrics_generator.processor.${processor}.${key} instead`
      : undefined;
}

const spanMetricsOverrides = strictBlock({
  histogram_buckets: opt(histogramBuckets),
  dimensions: opt(dimensionList),
  intrinsic_dimensions: opt(intrinsicDimensionsPartial),
  filter_policies: opt(filterPolicies),
  dimension_mappings: opt(z.array(dimensionMapping)),
  enable_target_info: opt(bool),
  target_info_excluded_dimensions: opt(nonEmptyStringList),
  enable_instance_label: opt(bool),
  span_multiplier_key: opt(str),
  enable_tracestate_span_multiplier: opt(bool),
});

const serviceGraphsOverrides = strictBlock(
  {
    histogram_buckets: opt(histogramBuckets),
    dimensions: opt(dimensionList),
    peer_attributes: opt(nonEmptyStringList),
    filter_policies: opt(filterPolicies),
    enable_client_server_prefix: opt(bool),
    enable_messaging_system_latency_histogram: opt(bool),
    enable_virtual_node_label: opt(bool),
    span_multiplier_key: opt(str),
    enable_tracestate_span_multiplier: opt(bool),
  },
  { hint: staticOnly("service_graphs", ["wait", "max_items", "workers", "database_name_attributes"]) },
);

const hostInfoOverrides = strictBlock({
  host_identifiers: opt(hostIdentifiers),
  metric_name: opt(hostInfoMetricName),
});

/** `metrics_generator` inside one overrides block (the defaults or one tenant). */
export const generatorOverridesSchema = strictBlock({
  processors: opt(stringList),
  max_active_series: opt(intAtLeast(0)),
  max_active_entities: opt(intAtLeast(0)),
  max_cardinality_per_label: opt(intAtLeast(0)),
  collection_interval: opt(duration),
  disable_collection: opt(bool),
  trace_id_label_name: opt(str),
  ingestion_time_range_slack: opt(duration),
  generate_native_histograms: opt(oneOf(["classic", "native", "both"] as const)),
  // 0 (or absent) falls back to overrides.defaults' value, then Tempo's default (spec §10).
  native_histogram_bucket_factor: opt(bucketFactor),
  native_histogram_max_bucket_number: opt(intAtLeast(0)),
  native_histogram_min_reset_duration: opt(duration),
  span_name_sanitization: opt(oneOf(["", "dry_run", "enabled"] as const)),
  remote_write_headers: opt(stringMap),
  forwarder: ignored(undefined, ignoredBecause("redgen has no single-binary forwarder queue")),
  ring_size: ignored(intAtLeast(0), ignoredBecause("unused since Tempo 3.0")),
  processor: optionalBlock(
    strictBlock({
      span_metrics: optionalBlock(spanMetricsOverrides),
      service_graphs: optionalBlock(serviceGraphsOverrides),
      host_info: optionalBlock(hostInfoOverrides),
      local_blocks: ignored(undefined, ignoredBecause("the local-blocks processor was removed in Tempo 3.x")),
    }),
  ),
});

/** Parsed `metrics_generator` overrides of one block. */
export type GeneratorOverrides = z.output<typeof generatorOverridesSchema>;

const onlyGenerator = ignoredBecause("redgen only uses the metrics_generator overrides");

/** One overrides block: `overrides.defaults`, or one tenant's entry in the runtime file. */
function tenantBlock(blockPath: string) {
  return strictBlock(
    {
      metrics_generator: optionalBlock(generatorOverridesSchema),
      ingestion: ignored(undefined, onlyGenerator),
      read: ignored(undefined, onlyGenerator),
      compaction: ignored(undefined, onlyGenerator),
      global: ignored(undefined, onlyGenerator),
      storage: ignored(undefined, onlyGenerator),
      forwarders: ignored(undefined, onlyGenerator),
      cost_attribution: ignored(undefined, onlyGenerator),
    },
    { hint: legacyOverrideHint(blockPath) },
  );
}

/** Top-level `overrides:` of tempo.yaml. */
export const overridesSchema = strictBlock(
  {
    defaults: block(tenantBlock("overrides.defaults")),
    per_tenant_override_config: withDefault(str, ""),
    per_tenant_override_period: withDefault(duration, "10s"),
    user_configurable_overrides: ignored(undefined, ignoredBecause("the /api/overrides API is not implemented")),
  },
  { hint: legacyOverrideHint("overrides.defaults") },
);

/** The per-tenant runtime file: `overrides: { "<tenant>": { metrics_generator: {...} } }`. */
export const runtimeOverridesSchema = strictBlock({
  overrides: withDefault(z.record(z.string(), block(tenantBlock("overrides.<tenant>"))), {}),
});
