/**
 * The whole tempo.yaml. redgen reads four sections (server, distributor,
 * metrics_generator, overrides); every other Tempo section is accepted with one
 * warning, and so are unknown top-level keys, because Tempo versions add and
 * remove sections and a Tempo config should load as it is.
 */
import type { z } from "zod";
import { block, ignoreAll, openBlock } from "./schema-blocks.ts";
import { distributorSchema } from "./schema-distributor.ts";
import { generatorSchema } from "./schema-generator.ts";
import { ingestSchema } from "./schema-ingest.ts";
import { overridesSchema } from "./schema-overrides.ts";
import { serverSchema } from "./schema-server.ts";

// Tempo sections (mappings) that configure components redgen does not have.
const UNUSED_SECTIONS = [
  "internal_server",
  "ingester_client",
  "metrics_generator_client",
  "live_store_client",
  "querier",
  "query_frontend",
  "compactor",
  "ingester",
  "block_builder",
  "storage",
  "memberlist",
  "usage_report",
  "cache",
  "backend_scheduler",
  "backend_scheduler_client",
  "backend_worker",
  "live_store",
] as const;

// Tempo top-level scalar settings redgen does not use.
const UNUSED_SETTINGS = [
  "target",
  "auth_enabled",
  "multitenancy_enabled",
  "shutdown_delay",
  "stream_over_http_enabled",
  "http_api_prefix",
  "enable_go_runtime_metrics",
  "use_otel_tracer",
  "search_enabled",
  "metrics_generator_enabled",
] as const;

function undefinedFor<K extends string>(keys: readonly K[]): Record<K, undefined> {
  return Object.fromEntries(keys.map((k) => [k, undefined])) as Record<K, undefined>;
}

/** The root of tempo.yaml. */
export const rootSchema = openBlock(
  {
    server: block(serverSchema),
    distributor: block(distributorSchema),
    metrics_generator: block(generatorSchema),
    overrides: block(overridesSchema),
    ingest: block(ingestSchema),
    ...ignoreAll(undefinedFor(UNUSED_SECTIONS), (path) => `section ${path} is not used by redgen`),
    ...ignoreAll(undefinedFor(UNUSED_SETTINGS), (path) => `${path} is not used by redgen`),
  },
  (path) => `unknown top-level key ${path} is ignored (it may belong to another Tempo version)`,
);

/** tempo.yaml as parsed and defaulted, before it becomes a Config. */
export type ParsedRoot = z.output<typeof rootSchema>;


