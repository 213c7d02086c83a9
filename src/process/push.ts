import { type SpanBatch, SpanMark } from "../decode/span-batch.ts";
import { endNsApprox } from "../decode/unix-nanos.ts";
import type { Tenants } from "./tenants.ts";

/** What the receiver reports back (OTLP partial success when rejected > 0). */
export interface PushResult {
  rejectedSpans: number;
  errorMessage: string;
}

/**
 * The one entry point every receiver uses. `prepare` runs before decoding:
 * creating a tenant builds its processors, which register the attribute
 * keys the decoder must keep.
 */
export interface Push {
  prepare(tenant: string): void;
  /** `skipMetricsGeneration` (Tempo's Kafka flag): count the spans, run no processor. */
  push(tenant: string, batch: SpanBatch, skipMetricsGeneration?: boolean): PushResult;
}

/**
 * The shared push path (spec §1, §3): count what arrived, mark spans outside
 * the ingestion slack window, then run every processor of the tenant. The
 * clock is read once per batch.
 */
export function createPush(tenants: Tenants, clock: () => number = Date.now): Push {
  const prepare = (tenantId: string) => {
    tenants.get(tenantId);
  };
  const push = (tenantId: string, batch: SpanBatch, skipMetricsGeneration = false): PushResult => {
    const tenant = tenants.get(tenantId);
    const now = clock();
    const stats = tenant.stats;
    stats.spansReceived += batch.spanCount;
    for (const r of batch.resources) stats.bytesReceived += r.byteSize;

    const slackNs = tenant.config.ingestion_time_range_slack_ms * 1e6;
    const nowNs = now * 1e6;
    let outside = 0;
    for (let i = 0; i < batch.spanCount; i++) {
      const end = endNsApprox(batch.endTimes, i);
      if (end < nowNs - slackNs || end > nowNs + slackNs) {
        batch.marks[i] |= SpanMark.OutsideSlack;
        outside++;
      }
    }
    if (outside > 0) stats.discard("outside_metrics_ingestion_slack", "all", outside);

    if (skipMetricsGeneration) {
      stats.skippedProcessorPushes += tenant.processors.length;
      return result(outside, 0, tenant.config.ingestion_time_range_slack_ms);
    }
    for (const p of tenant.processors) p.push(batch, now);

    let invalid = 0;
    for (let i = 0; i < batch.spanCount; i++) {
      if (batch.marks[i] === SpanMark.InvalidUtf8) invalid++;
    }
    return result(outside, invalid, tenant.config.ingestion_time_range_slack_ms);
  };
  return { prepare, push };
}

function result(outside: number, invalid: number, slackMs: number): PushResult {
  if (outside + invalid === 0) return { rejectedSpans: 0, errorMessage: "" };
  const parts: string[] = [];
  if (outside > 0) parts.push(`${outside} ended outside the ingestion window (now ± ${slackMs / 1000}s)`);
  if (invalid > 0) parts.push(`${invalid} had invalid UTF-8 in their metric labels`);
  return { rejectedSpans: outside + invalid, errorMessage: `${outside + invalid} spans were not used: ${parts.join(", ")}` };
}
