/**
 * `metrics_generator:` (spec §8.6, §9, §12): processors, registry, storage and
 * the top-level generator keys. Keys that only matter for Tempo's Kafka or ring
 * setup are validated by type and reported as ignored.
 */
import { z } from "zod";
import type { RegistryConfig } from "./types.ts";
import { block, ignored, ignoredBecause, strictBlock, withDefault } from "./schema-blocks.ts";
import { bool, byteSize, duration, intAtLeast, oneOf, positiveDuration, str, stringMap } from "./schema-scalars.ts";
import { processorSchema } from "./schema-processors.ts";
import { remoteWriteSchema } from "./schema-remote-write.ts";

const labelMap = stringMap.superRefine((labels, ctx) => {
  for (const name of Object.keys(labels)) {
    if (name === "") ctx.addIssue({ code: "custom", message: "label names must not be empty", path: [name] });
  }
});

const registrySchema = strictBlock({
  collection_interval: withDefault(positiveDuration, "15s"),
  stale_duration: withDefault(positiveDuration, "15m"),
  external_labels: withDefault(labelMap, {}),
  inject_tenant_id_as: withDefault(str, ""),
  max_label_name_length: withDefault(intAtLeast(1), 1024),
  max_label_value_length: withDefault(intAtLeast(1), 2048),
}).transform(
  (r): RegistryConfig => ({
    collection_interval_ms: r.collection_interval,
    stale_duration_ms: r.stale_duration,
    external_labels: r.external_labels,
    inject_tenant_id_as: r.inject_tenant_id_as,
    max_label_name_length: r.max_label_name_length,
    max_label_value_length: r.max_label_value_length,
  }),
);

const storageSchema = strictBlock({
  path: withDefault(str, ""),
  wal: ignored(undefined, ignoredBecause("redgen keeps its own remote-write queue under storage.path")),
  // redgen addition: the disk budget of every remote-write queue together
  max_queue_bytes: withDefault(byteSize, "1GiB"),
  remote_write: withDefault(z.array(remoteWriteSchema), []),
  remote_write_flush_deadline: withDefault(duration, "1m"),
  remote_write_add_org_id_header: withDefault(bool, true),
});

const inOrder = ignoredBecause("redgen decodes and processes records in order on one event loop");
const singleInstance = ignoredBecause("redgen runs as a single instance without a ring");
const removedIn3 = ignoredBecause("removed in Tempo 3.x");

/** `metrics_generator:` as parsed; build-config.ts turns it into Config.generator and the tenant configs. */
export const generatorSchema = strictBlock({
  ring: ignored(undefined, singleInstance),
  processor: block(processorSchema),
  registry: block(registrySchema),
  storage: block(storageSchema),
  metrics_ingestion_time_range_slack: withDefault(duration, "30s"),
  instance_id: withDefault(str, ""),
  limiter_type: withDefault(oneOf(["series", "entity"] as const), "series"),
  override_ring_key: ignored(str, singleInstance, "metrics-generator"),
  ring_mode: ignored(oneOf(["partition", "generator"] as const), singleInstance, "partition"),
  codec: withDefault(oneOf(["push-bytes", "otlp"] as const), "push-bytes"),
  ingest_concurrency: ignored(intAtLeast(1), inOrder, 16),
  leave_consumer_group_on_shutdown: withDefault(bool, false),
  skip_stale_backlog_on_startup: withDefault(bool, false),
  startup_replay_horizon: ignored(duration, ignoredBecause("not in Tempo 3.x")),
  traces_storage: ignored(undefined, removedIn3),
  traces_query_storage: ignored(undefined, removedIn3),
  query_timeout: ignored(duration, removedIn3),
  disable_local_blocks: ignored(bool, removedIn3),
  disable_grpc: ignored(bool, removedIn3),
});

/** Parsed `metrics_generator:` block. */
export type ParsedGenerator = z.output<typeof generatorSchema>;
