import type { SpanBatch } from "../decode/span-batch.ts";
import type { BinReader, BinWriter } from "../util/bin-codec.ts";
import { ServiceGraphStats } from "./service-graphs/service-graph-stats.ts";

/**
 * A processor turns spans into series of its tenant's registry. `push` runs
 * synchronously on the event loop: a request is fully counted before it is
 * answered, which is what lets the response report rejected spans.
 */
export interface Processor {
  readonly name: string;
  push(batch: SpanBatch, nowMs: number): void;
  /** Periodic work (service-graph expiry); called with the wall clock. */
  tick?(nowMs: number): void;
  /** State outside the registry a checkpoint must keep (pending service-graph edges). */
  snapshot?(w: BinWriter): void;
  /** Restores what `snapshot` wrote; returns how many items came back. Throws on data that does not fit. */
  restore?(r: BinReader): number;
  /** Takes over the state of the processor of the same name it replaces (a changed tenant config). */
  adopt?(previous: Processor): void;
}

/** Why a span was discarded (spec §11.1, tempo_metrics_generator_spans_discarded_total). */
export type DiscardReason = "outside_metrics_ingestion_slack" | "span_metrics_filtered" | "service_graphs_filtered" | "invalid_utf8";

/** Per-tenant ingest counters, read by the self-metrics endpoint. */
export class TenantStats {
  spansReceived = 0;
  bytesReceived = 0;
  /** processors not run because a Kafka record said skipMetricsGeneration (one per processor per push) */
  skippedProcessorPushes = 0;
  /** "reason\u0000processor" → spans */
  readonly discarded = new Map<string, number>();
  readonly serviceGraphs = new ServiceGraphStats();

  discard(reason: DiscardReason, processor: string, n = 1): void {
    const k = `${reason}\u0000${processor}`;
    this.discarded.set(k, (this.discarded.get(k) ?? 0) + n);
  }
}
