import { hostname } from "node:os";
import type { Config, RemoteWriteConfig } from "../config/types.ts";
import { tenantConfigFor } from "../config/load.ts";
import type { AttributeProjection } from "../decode/span-batch.ts";
import { buildProcessors } from "../process/build-processors.ts";
import { TenantStats } from "../process/processor.ts";
import type { Tenant } from "../process/tenants.ts";
import type { KafkaProgress } from "../receive/kafka/kafka-progress.ts";
import { Registry } from "../registry/registry.ts";
import { RemoteWriteClient } from "../remote-write/client.ts";
import { EndpointStats } from "../remote-write/endpoint-stats.ts";
import { remoteWriteHeaders } from "../remote-write/headers.ts";
import { RemoteWriteQueue } from "../remote-write/queue.ts";
import { type RoundCheckpointer, TenantWriter, type WriterEndpoint } from "../remote-write/tenant-writer.ts";
import { SegmentLog } from "../storage/segment-log.ts";
import { type Capture, type Restored, TenantState } from "../storage/tenant-state.ts";
import type { EndpointView } from "../telemetry/collectors.ts";
import { log } from "../util/log.ts";
import type { Storage } from "./storage.ts";
import type { TenantConfig } from "../config/types.ts";
import type { NativeSettings } from "../registry/native/native-state.ts";

const NO_OFFSETS: ReadonlyMap<string, bigint> = new Map();

/** A tenant plus what only the wiring needs of it. */
export interface WiredTenant {
  tenant: Tenant;
  writer: TenantWriter<Capture>;
  state: TenantState;
  /** one client per remote_write endpoint, to re-apply the tenant's headers */
  clients: { rw: RemoteWriteConfig; client: RemoteWriteClient }[];
}

/**
 * Builds a tenant (Tempo's per-tenant instance, spec §1): its registry and
 * processors, its durable state restored from storage.path, one disk queue
 * per remote_write endpoint, and the writer that runs its rounds. The
 * composition that main.ts delegates, one tenant at a time.
 */
export class TenantFactory {
  readonly wired = new Map<string, WiredTenant>();
  readonly endpoints: EndpointView[] = [];

  constructor(
    private readonly config: Config,
    private readonly storage: Storage,
    private readonly projection: AttributeProjection,
    private readonly userAgent: string,
    private readonly kafka: () => KafkaProgress | undefined,
  ) {}

  create(id: string): Tenant {
    const gen = this.config.generator;
    const cfg = tenantConfigFor(this.config, id);
    const state = new TenantState(this.storage.root, id);
    let built = this.build(id);
    const outcome = state.restore(built);
    let restored: Restored | undefined;
    if (outcome !== undefined && "error" in outcome) {
      log.error("tenant state does not fit this configuration: starting it afresh", { tenant: id, reason: outcome.error });
      built = this.build(id);
    } else restored = outcome?.restored;

    const clients: WiredTenant["clients"] = [];
    const endpoints: WriterEndpoint[] = gen.storage.remote_write.map((rw) => {
      const headers = remoteWriteHeaders(rw.headers, cfg.remote_write_headers, id, gen.storage.remote_write_add_org_id_header);
      const client = new RemoteWriteClient(rw, headers, this.userAgent);
      clients.push({ rw, client });
      const stats = new EndpointStats();
      const { log: wal, report } = SegmentLog.open(state.queueDir(rw.name), this.storage.segmentBytes);
      stats.corruptions += report.repairs;
      // Rounds written after the checkpoint were never sent; their counts come back with the restore.
      if (restored !== undefined) wal.cutAfter(restored.roundSeq);
      const queue = new RemoteWriteQueue(client, rw, stats, id, wal, () => void this.storage.budget.enforce());
      this.storage.budget.add(queue);
      this.endpoints.push({ tenant: id, name: rw.name, url: rw.url, stats, queue });
      return {
        queue,
        maxSamplesPerSend: rw.queue.max_samples_per_send,
        sendExemplars: rw.send_exemplars,
        protocol: rw.protobuf_message === "io.prometheus.write.v2.Request" ? "v2" : "v1",
        // Tempo derives send_native_histograms from the tenant's current mode (spec §9).
        sendNative: () => tenant.config.generate_native_histograms !== "classic",
      } satisfies WriterEndpoint;
    });

    const kafka = this.kafka();
    kafka?.addTenant(id, restored?.kafka);
    const tenant: Tenant = { id, config: cfg, registry: built.registry, processors: built.processors, stats: built.stats };
    const checkpointer: RoundCheckpointer<Capture> = {
      // the tenant, not `built`: its processors are rebuilt when its overrides change
      // The offsets are read at the capture's first step, its point in time: its counts include exactly them (README "Durability").
      capture: function* (roundSeq, roundTs) {
        return yield* state.captureSteps(tenant, roundSeq, roundTs, kafka?.processed() ?? NO_OFFSETS);
      },
      write: (c) => state.checkpoint.write(c.seq, c.payload),
      writeSync: (c) => state.checkpoint.writeSync(c.seq, c.payload),
      durable: (c) => void kafka?.durableFor(id, c.kafka),
    };
    // Without a checkpoint, rounds left on disk still go out first; new ones follow them.
    const left = endpoints.flatMap((e) => e.queue.lastRound());
    const resume = restored ?? { roundSeq: Math.max(0, ...left.map((r) => r.seq)), roundTs: Math.max(0, ...left.map((r) => r.ts)) };
    const interval = cfg.collection_interval_ms || gen.registry.collection_interval_ms;
    const writer = new TenantWriter(id, built.registry, endpoints, interval, cfg.disable_collection, checkpointer, resume);
    writer.start();
    this.wired.set(id, { tenant, writer, state, clients });
    if (restored !== undefined) {
      log.info("tenant restored", {
        tenant: id,
        series: restored.registry.series,
        label_sets: restored.registry.labelSets,
        pending_edges: restored.pendingEdges,
        queued_rounds: endpoints.reduce((n, e) => n + e.queue.queuedRounds, 0),
        checkpoint_age_s: Math.round((Date.now() - restored.writtenAt) / 1000),
        skipped_metrics: restored.registry.skippedMetrics.join(",") || "none",
      });
    } else log.info("tenant created", { tenant: id, processors: cfg.processors.join(",") || "none" });
    return tenant;
  }

  /** Checkpoints every tenant before returning (a Kafka rebalance is about to hand partitions over). */
  checkpointAllSync(): boolean {
    let ok = true;
    for (const w of this.wired.values()) if (!w.writer.checkpointSync()) ok = false;
    return ok;
  }

  /** A fresh registry and processors for a tenant. */
  private build(id: string): { registry: Registry; processors: ReturnType<typeof buildProcessors>; stats: TenantStats } {
    const gen = this.config.generator;
    const cfg = tenantConfigFor(this.config, id);
    const external: Record<string, string> = { ...gen.registry.external_labels, __metrics_gen_instance: hostname() };
    if (gen.registry.inject_tenant_id_as !== "") external[gen.registry.inject_tenant_id_as] = id;
    const registry = new Registry({
      externalLabels: external,
      maxLabelNameLength: gen.registry.max_label_name_length,
      maxLabelValueLength: gen.registry.max_label_value_length,
      staleDurationMs: gen.registry.stale_duration_ms,
      // Limits are read from the current overrides where they apply, so a reload changes them at once.
      limiterType: gen.limiter_type,
      maxActiveSeries: () => tenantConfigFor(this.config, id).max_active_series,
      maxActiveEntities: () => tenantConfigFor(this.config, id).max_active_entities,
      maxCardinalityPerLabel: () => tenantConfigFor(this.config, id).max_cardinality_per_label,
      spanNameSanitization: () => tenantConfigFor(this.config, id).span_name_sanitization,
      traceIdLabelName: cfg.trace_id_label_name,
      nativeHistograms: () => nativeSettingsOf(tenantConfigFor(this.config, id)),
    });
    const stats = new TenantStats();
    return { registry, processors: buildProcessors(cfg, registry, this.projection, stats), stats };
  }
}

/** A tenant's native-histogram overrides as the registry reads them (one object per config). */
const nativeSettingsCache = new WeakMap<TenantConfig, NativeSettings>();
export function nativeSettingsOf(cfg: TenantConfig): NativeSettings {
  let s = nativeSettingsCache.get(cfg);
  if (s === undefined) {
    s = {
      factor: cfg.native_histogram_bucket_factor,
      maxBuckets: cfg.native_histogram_max_bucket_number,
      minResetMs: cfg.native_histogram_min_reset_duration_ms,
    };
    nativeSettingsCache.set(cfg, s);
  }
  return s;
}
