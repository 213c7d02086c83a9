import type { Storage } from "../wiring/storage.ts";
import type { TenantFactory } from "../wiring/tenant-factory.ts";
import type { SelfMetrics } from "./self-metrics.ts";
import { redactUrl } from "../config/redact.ts";

/**
 * Durability self-metrics: the remote-write queues in Prometheus' own names
 * where Prometheus has them (highest timestamps, so its usual "remote write
 * behind" alert works), redgen's for the disk queue and the checkpoints.
 */
export function registerStorageCollectors(m: SelfMetrics, storage: Storage, factory: TenantFactory): void {
  m.register(() => {
    const eps = factory.endpoints;
    const per = (f: (e: (typeof eps)[number]) => number) =>
      eps.map((e) => ({ labels: { tenant: e.tenant, remote_name: e.name, url: redactUrl(e.url) }, value: f(e) }));
    const tenants = [...factory.wired.values()];
    const perTenant = (f: (w: (typeof tenants)[number]) => number) => tenants.map((w) => ({ labels: { tenant: w.tenant.id }, value: f(w) }));
    const now = Date.now();
    return [
      { name: "prometheus_remote_storage_highest_timestamp_in_seconds", help: "Timestamp of the newest round queued.", type: "gauge", samples: per((e) => e.stats.highestQueuedTs / 1000) },
      { name: "prometheus_remote_storage_queue_highest_sent_timestamp_seconds", help: "Timestamp of the newest round delivered.", type: "gauge", samples: per((e) => e.stats.highestSentTs / 1000) },
      { name: "redgen_remote_write_queue_bytes", help: "Bytes of the endpoint's queue on disk.", type: "gauge", samples: per((e) => e.queue.diskBytes) },
      { name: "redgen_remote_write_queue_rounds", help: "Collection rounds waiting to be sent.", type: "gauge", samples: per((e) => e.queue.queuedRounds) },
      {
        name: "redgen_remote_write_queue_oldest_round_age_seconds",
        help: "Age of the oldest round waiting (0 when none).",
        type: "gauge",
        samples: per((e) => (e.queue.oldestTs === Number.POSITIVE_INFINITY ? 0 : Math.max(0, (now - e.queue.oldestTs) / 1000))),
      },
      {
        name: "redgen_remote_write_rounds_dropped_total",
        help: "Rounds dropped unsent, by reason (disk_budget, sample_age_limit, corrupt, queue_full, shutdown).",
        type: "counter",
        samples: eps.flatMap((e) => [...e.stats.roundsDropped].map(([reason, n]) => ({ labels: { tenant: e.tenant, remote_name: e.name, reason }, value: n }))),
      },
      { name: "prometheus_tsdb_wal_corruptions_total", help: "Queue records cut off or dropped as damaged.", type: "counter", samples: per((e) => e.stats.corruptions) },
      { name: "redgen_remote_write_queue_write_failures_total", help: "Rounds the disk refused (kept in memory instead).", type: "counter", samples: per((e) => e.stats.diskWriteFailures) },
      { name: "redgen_storage_queue_bytes_limit", help: "storage.max_queue_bytes.", type: "gauge", samples: [{ labels: {}, value: storage.budget.maxBytes }] },
      { name: "redgen_checkpoint_writes_total", help: "Checkpoints written.", type: "counter", samples: perTenant((w) => w.state.checkpoint.writes) },
      { name: "redgen_checkpoint_failures_total", help: "Checkpoints that could not be written.", type: "counter", samples: perTenant((w) => w.state.checkpoint.failures) },
      { name: "redgen_checkpoint_bytes", help: "Size of the newest checkpoint.", type: "gauge", samples: perTenant((w) => w.state.checkpoint.lastSize) },
      { name: "redgen_checkpoint_written_bytes_total", help: "Bytes of checkpoints written.", type: "counter", samples: perTenant((w) => w.state.checkpoint.bytesWritten) },
      { name: "redgen_checkpoint_duration_seconds", help: "Time the newest checkpoint took to compress and write.", type: "gauge", samples: perTenant((w) => w.state.checkpoint.lastWriteMs / 1000) },
    ];
  });
}

/** GET /status/storage: where state lives and what every queue holds. */
export function storageStatus(storage: Storage, factory: TenantFactory): unknown {
  const now = Date.now();
  return {
    path: storage.root,
    max_queue_bytes: storage.budget.maxBytes,
    used_queue_bytes: storage.budget.usedBytes,
    tenants: [...factory.wired.values()].map((w) => ({
      tenant: w.tenant.id,
      checkpoint: { writes: w.state.checkpoint.writes, failures: w.state.checkpoint.failures, bytes: w.state.checkpoint.lastSize },
      queues: factory.endpoints
        .filter((e) => e.tenant === w.tenant.id)
        .map((e) => ({
          remote_name: e.name,
          url: redactUrl(e.url),
          rounds: e.queue.queuedRounds,
          bytes: e.queue.diskBytes,
          pending_samples: e.stats.pendingSamples,
          oldest_round_age_s: e.queue.oldestTs === Number.POSITIVE_INFINITY ? 0 : Math.round((now - e.queue.oldestTs) / 1000),
          newest_sent: e.stats.highestSentTs === 0 ? null : new Date(e.stats.highestSentTs).toISOString(),
          rounds_dropped: Object.fromEntries(e.stats.roundsDropped),
          last_error: e.stats.lastError,
        })),
    })),
  };
}
