/**
 * A tenant's effective generator settings: the static processor config with one
 * overrides block applied by Tempo's rules (spec §10). A list applies whenever
 * it is present (so `[]` empties it), a string when non-empty, a boolean when
 * set, except enable_client_server_prefix, which an override can only turn on.
 */
import type {
  Config,
  HostInfoConfig,
  ProcessorName,
  ServiceGraphsConfig,
  SpanMetricsConfig,
  TenantConfig,
} from "./types.ts";
import type { GeneratorOverrides } from "./schema-overrides.ts";

/** The static settings every tenant starts from. */
export interface GeneratorBase {
  span_metrics: SpanMetricsConfig;
  service_graphs: ServiceGraphsConfig;
  host_info: HostInfoConfig;
  /** registry.collection_interval, used when the override is 0 or unset */
  collection_interval_ms: number;
  /** metrics_ingestion_time_range_slack, used when the override is 0 or unset */
  ingestion_time_range_slack_ms: number;
  /** overrides.defaults' span_name_sanitization: a tenant entry without one falls back to it (spec §10) */
  span_name_sanitization: "" | "dry_run" | "enabled";
  /** overrides.defaults' native-histogram settings (Tempo's defaults where unset): a tenant's 0 falls back to them */
  native_histograms: { factor: number; maxBuckets: number; minResetMs: number };
}

/** Tempo's flag defaults for the native-histogram overrides (spec §8.4). */
export const NATIVE_HISTOGRAM_DEFAULTS = { factor: 1.1, maxBuckets: 100, minResetMs: 900_000 };

/** Applies one overrides block (the defaults, or a tenant's entry, never both) over the static config. */
export function buildTenantConfig(
  base: GeneratorBase,
  processors: ProcessorName[],
  o: GeneratorOverrides | undefined,
): TenantConfig {
  const sm = structuredClone(base.span_metrics);
  const smo = o?.processor?.span_metrics;
  if (smo !== undefined) {
    sm.histogram_buckets = smo.histogram_buckets ?? sm.histogram_buckets;
    sm.dimensions = smo.dimensions ?? sm.dimensions;
    sm.filter_policies = smo.filter_policies ?? sm.filter_policies;
    sm.dimension_mappings = smo.dimension_mappings ?? sm.dimension_mappings;
    sm.target_info_excluded_dimensions = smo.target_info_excluded_dimensions ?? sm.target_info_excluded_dimensions;
    sm.enable_target_info = smo.enable_target_info ?? sm.enable_target_info;
    sm.enable_instance_label = smo.enable_instance_label ?? sm.enable_instance_label;
    sm.enable_tracestate_span_multiplier = smo.enable_tracestate_span_multiplier ?? sm.enable_tracestate_span_multiplier;
    if (smo.span_multiplier_key) sm.span_multiplier_key = smo.span_multiplier_key;
    // The override is a map: only the intrinsics it names change.
    for (const [name, on] of Object.entries(smo.intrinsic_dimensions ?? {})) {
      if (on !== undefined) sm.intrinsic_dimensions[name as keyof typeof sm.intrinsic_dimensions] = on;
    }
  }

  const sg = structuredClone(base.service_graphs);
  const sgo = o?.processor?.service_graphs;
  if (sgo !== undefined) {
    sg.histogram_buckets = sgo.histogram_buckets ?? sg.histogram_buckets;
    sg.dimensions = sgo.dimensions ?? sg.dimensions;
    sg.peer_attributes = sgo.peer_attributes ?? sg.peer_attributes;
    sg.filter_policies = sgo.filter_policies ?? sg.filter_policies;
    if (sgo.enable_client_server_prefix === true) sg.enable_client_server_prefix = true;
    sg.enable_messaging_system_latency_histogram =
      sgo.enable_messaging_system_latency_histogram ?? sg.enable_messaging_system_latency_histogram;
    sg.enable_virtual_node_label = sgo.enable_virtual_node_label ?? sg.enable_virtual_node_label;
    sg.enable_tracestate_span_multiplier = sgo.enable_tracestate_span_multiplier ?? sg.enable_tracestate_span_multiplier;
    if (sgo.span_multiplier_key) sg.span_multiplier_key = sgo.span_multiplier_key;
  }

  const hi = structuredClone(base.host_info);
  const hio = o?.processor?.host_info;
  if (hio !== undefined) {
    hi.host_identifiers = hio.host_identifiers ?? hi.host_identifiers;
    if (hio.metric_name) hi.metric_name = hio.metric_name;
  }

  return {
    processors,
    span_metrics: sm,
    service_graphs: sg,
    host_info: hi,
    max_active_series: o?.max_active_series ?? 0,
    max_active_entities: o?.max_active_entities ?? 0,
    max_cardinality_per_label: o?.max_cardinality_per_label ?? 0,
    span_name_sanitization: o?.span_name_sanitization || base.span_name_sanitization,
    collection_interval_ms: o?.collection_interval || base.collection_interval_ms,
    disable_collection: o?.disable_collection ?? false,
    trace_id_label_name: o?.trace_id_label_name || "traceID",
    ingestion_time_range_slack_ms: o?.ingestion_time_range_slack || base.ingestion_time_range_slack_ms,
    generate_native_histograms: o?.generate_native_histograms ?? "classic",
    native_histogram_bucket_factor: o?.native_histogram_bucket_factor || base.native_histograms.factor,
    native_histogram_max_bucket_number: o?.native_histogram_max_bucket_number || base.native_histograms.maxBuckets,
    native_histogram_min_reset_duration_ms: o?.native_histogram_min_reset_duration || base.native_histograms.minResetMs,
    remote_write_headers: o?.remote_write_headers ?? {},
  };
}

/** The config a tenant runs with: its own runtime entry, else the "*" entry, else the defaults. */
export function tenantConfigFor(config: Config, tenant: string): TenantConfig {
  return config.tenant_overrides[tenant] ?? config.tenant_overrides["*"] ?? config.tenant_defaults;
}
