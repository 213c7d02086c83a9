/**
 * Builds the default tenant config (static processor config + overrides.defaults)
 * and one config per tenant of the runtime overrides file (static processor
 * config + that tenant's entry: the entry replaces the defaults, spec §10).
 * The runtime part runs again on every reload (runtimeTenantConfigs).
 */
import type { z } from "zod";
import { Problems, type PathSegment } from "./config-error.ts";
import type { ProcessorName, RuntimeOverridesSource, TenantConfig } from "./types.ts";
import type { ParsedRoot } from "./schema-root.ts";
import type { GeneratorOverrides } from "./schema-overrides.ts";
import type { hostInfoSchema, serviceGraphsSchema, spanMetricsSchema } from "./schema-processors.ts";
import { processorDefaults } from "./schema-facts.ts" with { type: "macro" };
import { NATIVE_HISTOGRAM_DEFAULTS, buildTenantConfig, type GeneratorBase } from "./tenant-config.ts";
import { defaultProcessors, validProcessors } from "./processor-selection.ts";
import { checkDimensionMappings } from "./dimension-mapping-check.ts";
import { loadRuntimeOverrides } from "./runtime-overrides.ts";

interface ProcessorDefaults {
  span_metrics: z.output<typeof spanMetricsSchema>;
  service_graphs: z.output<typeof serviceGraphsSchema>;
  host_info: z.output<typeof hostInfoSchema>;
}

/** The tenant part of Config, plus problems found in runtime overrides files (by file name). */
export interface TenantConfigs {
  tenant_defaults: TenantConfig;
  tenant_overrides: Record<string, TenantConfig>;
  runtimeProblems: Map<string, Problems>;
  runtime_overrides?: RuntimeOverridesSource;
}

/** `tenant_defaults` and `tenant_overrides` of Config; problems of tempo.yaml go to `problems`. */
export function buildTenantConfigs(parsed: ParsedRoot, problems: Problems, warnings: string[]): TenantConfigs {
  const gen = parsed.metrics_generator;
  const blocks = gen.processor;
  const defaults = parsed.overrides.defaults.metrics_generator;
  const base: GeneratorBase = {
    span_name_sanitization: defaults?.span_name_sanitization ?? "",
    // In overrides.defaults a 0 means what it says (no bucket limit, no reset), as in Tempo; a factor of 0 is the default.
    native_histograms: {
      factor: defaults?.native_histogram_bucket_factor || NATIVE_HISTOGRAM_DEFAULTS.factor,
      maxBuckets: defaults?.native_histogram_max_bucket_number ?? NATIVE_HISTOGRAM_DEFAULTS.maxBuckets,
      minResetMs: defaults?.native_histogram_min_reset_duration ?? NATIVE_HISTOGRAM_DEFAULTS.minResetMs,
    },
    // a fresh copy each time: a literal made when the binary was built
    span_metrics: blocks.span_metrics ?? (processorDefaults() as ProcessorDefaults).span_metrics,
    service_graphs: blocks.service_graphs ?? (processorDefaults() as ProcessorDefaults).service_graphs,
    host_info: blocks.host_info ?? (processorDefaults() as ProcessorDefaults).host_info,
    collection_interval_ms: gen.registry.collection_interval_ms,
    ingestion_time_range_slack_ms: gen.metrics_ingestion_time_range_slack,
  };
  const configured = {
    span_metrics: blocks.span_metrics !== undefined,
    service_graphs: blocks.service_graphs !== undefined,
    host_info: blocks.host_info !== undefined,
  };
  const tenant_defaults = buildTenantConfig(base, defaultProcessors(defaults?.processors, configured, warnings), defaults);
  checkDimensionMappings(tenant_defaults.span_metrics, mappingsPath(defaults, ["overrides", "defaults"]), problems);

  const runtimeFile = parsed.overrides.per_tenant_override_config;
  if (runtimeFile === "") return { tenant_defaults, tenant_overrides: {}, runtimeProblems: new Map() };
  const runtime_overrides: RuntimeOverridesSource = { files: runtimeFile, period_ms: parsed.overrides.per_tenant_override_period, base };
  const { tenant_overrides, runtimeProblems } = runtimeTenantConfigs(runtime_overrides, problems, warnings);
  return { tenant_defaults, tenant_overrides, runtimeProblems, runtime_overrides };
}

/**
 * One config per tenant entry of the runtime file(s). A file that cannot be
 * read is a problem of `overrides.per_tenant_override_config` in `problems`;
 * a file whose content is invalid throws a ConfigError naming the file and
 * key path; other problems of a file's entries are returned by file name.
 */
export function runtimeTenantConfigs(
  source: RuntimeOverridesSource,
  problems: Problems,
  warnings: string[],
): { tenant_overrides: Record<string, TenantConfig>; runtimeProblems: Map<string, Problems> } {
  const tenant_overrides: Record<string, TenantConfig> = {};
  const runtimeProblems = new Map<string, Problems>();
  for (const [tenant, { file, entry }] of Object.entries(loadRuntimeOverrides(source.files, problems, warnings))) {
    const o = entry.metrics_generator;
    const at = ["overrides", tenant, "metrics_generator", "processors"];
    let processors: ProcessorName[] = [];
    if (o?.processors !== undefined) {
      processors = validProcessors(o.processors, at, warnings);
    } else {
      warnings.push(
        `per-tenant overrides file ${file}: tenant ${JSON.stringify(tenant)} has no metrics_generator.processors, ` +
          "so nothing is generated for it (a tenant entry replaces overrides.defaults as a whole)",
      );
    }
    tenant_overrides[tenant] = buildTenantConfig(source.base, processors, o);
    // A collision the tenant's entry causes belongs to its file; one from the static config to tempo.yaml.
    let target = problems;
    if (o?.processor?.span_metrics !== undefined) {
      target = runtimeProblems.get(file) ?? new Problems();
      runtimeProblems.set(file, target);
    }
    checkDimensionMappings(tenant_overrides[tenant].span_metrics, mappingsPath(o, ["overrides", tenant]), target);
  }
  return { tenant_overrides, runtimeProblems };
}

// Collisions are reported where the mappings were written: the override if it sets them, else the static config.
function mappingsPath(o: GeneratorOverrides | undefined, overridePath: PathSegment[]): PathSegment[] {
  if (o?.processor?.span_metrics?.dimension_mappings !== undefined) {
    return [...overridePath, "metrics_generator", "processor", "span_metrics", "dimension_mappings"];
  }
  return ["metrics_generator", "processor", "span_metrics", "dimension_mappings"];
}
