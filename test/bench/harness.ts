/**
 * The in-process pipeline the benches drive: the same pieces main.ts wires
 * (projection, per-tenant registry, buildProcessors, createPush) with a clock
 * the bench sets per batch, and the periodic work main runs (processor tick
 * every 2 s, cardinality evaluation every 15 s), driven by that clock. Unlike test/support/pipeline.ts it takes
 * already-decoded SpanBatches, so either decoder can feed it.
 */
import type { ProcessorName, TenantConfig } from "../../src/config/types.ts";
import { AttributeProjection, type SpanBatch } from "../../src/decode/span-batch.ts";
import { buildProcessors } from "../../src/process/build-processors.ts";
import { TenantStats } from "../../src/process/processor.ts";
import { type Push, type PushResult, createPush } from "../../src/process/push.ts";
import { type Tenant, Tenants } from "../../src/process/tenants.ts";
import { Registry } from "../../src/registry/registry.ts";
import type { CollectMode, SeriesSink } from "../../src/registry/sink.ts";
import { benchConfig } from "./bench-config.ts";
import type { PatchIndex } from "./wire-patch.ts";

export const TENANT = "bench";
/** main.ts ticks processors (service-graph expiry) every 2 s */
export const TICK_MS = 2000;
/** and re-evaluates the cardinality controls every 15 s */
export const EVALUATE_MS = 15_000;
/** the bench clock runs this far behind a batch's last span end (as if it arrived a little later) */
export const ARRIVAL_LAG_MS = 50;

/** A projection with every key the bench config's processors register, so decoded batches fit any subset. */
export function benchProjection(cfg: TenantConfig): AttributeProjection {
  const projection = new AttributeProjection();
  const reg = newRegistry(cfg);
  buildProcessors(cfg, reg, projection, new TenantStats());
  return projection;
}

function newRegistry(cfg: TenantConfig, limiterType: "series" | "entity" = "series"): Registry {
  const r = benchConfig().generator.registry;
  return new Registry({
    limiterType,
    maxActiveEntities: () => cfg.max_active_entities,
    maxCardinalityPerLabel: () => cfg.max_cardinality_per_label,
    spanNameSanitization: () => cfg.span_name_sanitization,
    // main adds __metrics_gen_instance; keep the same label merging work
    externalLabels: { ...r.external_labels, __metrics_gen_instance: "bench" },
    maxLabelNameLength: r.max_label_name_length,
    maxLabelValueLength: r.max_label_value_length,
    staleDurationMs: r.stale_duration_ms,
    maxActiveSeries: () => cfg.max_active_series,
    traceIdLabelName: cfg.trace_id_label_name,
  });
}

/** The virtual time a batch is pushed at: its latest span end plus a small arrival lag. */
export function batchClockMs(index: PatchIndex): number {
  return Math.ceil(index.maxEndNs / 1e6) + ARRIVAL_LAG_MS;
}

export class BenchPipeline {
  readonly tenant: Tenant;
  private readonly push: Push;
  private now = 0;
  private nextTick = Number.NaN;
  private nextEvaluation = Number.NaN;

  /** `only`: run just these processors (the projection must be benchProjection(cfg)). */
  constructor(cfg: TenantConfig, projection: AttributeProjection, only?: ProcessorName[], limiterType?: "series" | "entity") {
    const tcfg = only === undefined ? cfg : { ...cfg, processors: only };
    const registry = newRegistry(tcfg, limiterType);
    const stats = new TenantStats();
    const processors = buildProcessors(tcfg, registry, projection, stats);
    if (projection.size !== benchProjection(cfg).size) throw new Error("projection does not match the bench config");
    this.tenant = { id: TENANT, config: tcfg, registry, processors, stats };
    const tenants = new Tenants(() => this.tenant);
    this.push = createPush(tenants, () => this.now);
    this.push.prepare(TENANT);
  }

  /** Moves the clock to `nowMs`, running the 2-second processor tick when due. */
  private advance(nowMs: number): void {
    if (Number.isNaN(this.nextTick)) this.nextTick = nowMs + TICK_MS;
    if (Number.isNaN(this.nextEvaluation)) this.nextEvaluation = nowMs + EVALUATE_MS;
    this.now = nowMs;
    if (nowMs >= this.nextEvaluation) {
      this.tenant.registry.maintain();
      this.nextEvaluation = nowMs + EVALUATE_MS;
    }
    if (nowMs >= this.nextTick) {
      for (const p of this.tenant.processors) p.tick?.(nowMs);
      this.nextTick = nowMs + TICK_MS;
    }
  }

  /** The full push path (slack window, counters, every processor). */
  send(batch: SpanBatch, nowMs: number): PushResult {
    this.advance(nowMs);
    return this.push.push(TENANT, batch);
  }

  /** The processors alone, without the push wrapper (single-stage benches). */
  process(batch: SpanBatch, nowMs: number): void {
    this.advance(nowMs);
    const ps = this.tenant.processors;
    for (let k = 0; k < ps.length; k++) ps[k].push(batch, nowMs);
  }

  /** Expires every pending service-graph edge (a day later), so the series match the manifest's expected counts. */
  expireAll(): void {
    for (const p of this.tenant.processors) p.tick?.(this.now + 86_400_000);
  }

  collect(sink: SeriesSink, mode: CollectMode, ts = this.now): void {
    this.tenant.registry.collect(ts, sink, mode);
  }

  get registry(): Registry {
    return this.tenant.registry;
  }

  get clock(): number {
    return this.now;
  }
}
