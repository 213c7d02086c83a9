/**
 * Tempo's legacy "flat" overrides (`overrides.metrics_generator_processors`)
 * were replaced by nested blocks (`overrides.defaults.metrics_generator.processors`)
 * and only load in Tempo with a compatibility switch. redgen does not load
 * them; it names the nested key to write instead.
 */

// Flat names outside metrics_generator, mapped to their nested spelling.
const FLAT_TO_NESTED: Record<string, string> = {
  ingestion_rate_strategy: "ingestion.rate_strategy",
  ingestion_rate_limit_bytes: "ingestion.rate_limit_bytes",
  ingestion_burst_size_bytes: "ingestion.burst_size_bytes",
  max_traces_per_user: "ingestion.max_traces_per_user",
  max_global_traces_per_user: "ingestion.max_global_traces_per_user",
  max_bytes_per_trace: "global.max_bytes_per_trace",
  max_bytes_per_tag_values_query: "read.max_bytes_per_tag_values_query",
  max_blocks_per_tag_values_query: "read.max_blocks_per_tag_values_query",
  max_search_duration: "read.max_search_duration",
  block_retention: "compaction.block_retention",
  parquet_dedicated_columns: "storage.parquet_dedicated_columns",
};

// Prefixes inside metrics_generator_*, longest first, mapped to their nested block.
const GENERATOR_PREFIXES: [string, string][] = [
  ["processor_service_graphs_", "processor.service_graphs."],
  ["processor_span_metrics_", "processor.span_metrics."],
  ["processor_local_blocks_", "processor.local_blocks."],
  ["processor_host_info_", "processor.host_info."],
  ["forwarder_", "forwarder."],
];

/** The nested key (relative to a tenant's overrides block) a legacy flat key moved to, if it is one. */
export function nestedOverrideKey(flatKey: string): string | undefined {
  const mapped = FLAT_TO_NESTED[flatKey];
  if (mapped !== undefined) return mapped;
  if (!flatKey.startsWith("metrics_generator_")) return undefined;
  const rest = flatKey.slice("metrics_generator_".length);
  for (const [prefix, nested] of GENERATOR_PREFIXES) {
    if (rest.startsWith(prefix)) return `metrics_generator.${nested}${rest.slice(prefix.length)}`;
  }
  return `metrics_generator.${rest}`;
}

/** Unknown-key hint for legacy flat keys found where `blockPath` (e.g. "overrides.defaults") is the nested home. */
export function legacyOverrideHint(blockPath: string): (key: string) => string | undefined {
  return (key) => {
    const nested = nestedOverrideKey(key);
    if (nested === undefined) return undefined;
    return `legacy flat overrides are not supported: write it as ${blockPath}.${nested}`;
  };
}
