import type { Config, TenantConfig } from "../config/types.ts";
import type { AttributeProjection } from "../decode/span-batch.ts";
import { processorSpecs } from "../process/build-processors.ts";
import type { Processor } from "../process/processor.ts";
import { remoteWriteHeaders } from "../remote-write/headers.ts";
import { log } from "../util/log.ts";
import type { WiredTenant } from "./tenant-factory.ts";

/** What changed for one tenant, for the log line. */
export interface TenantChange {
  processors: string[];
  interval: boolean;
  headers: boolean;
  limits: boolean;
}

/**
 * Applies a tenant's new effective overrides without a restart (spec §10).
 * A processor whose config changed is rebuilt on the same registry, so every
 * series whose labels stay the same keeps counting, and the service-graph
 * processor hands its pending edges on (Tempo resets both, §15.14). The
 * collection interval, disable_collection and remote_write_headers apply
 * from the next round; limits are read from the config where they apply, and
 * the per-label limits and sanitizer mode are re-evaluated at once.
 */
export function reconfigureTenant(w: WiredTenant, next: TenantConfig, config: Config, projection: AttributeProjection): TenantChange {
  const t = w.tenant;
  const prev = t.config;
  const oldSpecs = processorSpecs(prev, t.registry, projection, t.stats);
  const newSpecs = processorSpecs(next, t.registry, projection, t.stats);
  const rebuilt: string[] = [];
  const processors: Processor[] = [];
  for (const spec of newSpecs) {
    const running = t.processors.find((p) => p.name === spec.name);
    const same = oldSpecs.find((s) => s.name === spec.name)?.fingerprint === spec.fingerprint;
    if (running !== undefined && same) {
      processors.push(running);
      continue;
    }
    const p = spec.make();
    if (running !== undefined) p.adopt?.(running);
    processors.push(p);
    rebuilt.push(spec.name);
  }
  for (const p of t.processors) if (!newSpecs.some((s) => s.name === p.name)) rebuilt.push(`-${p.name}`);
  t.processors = processors;
  t.config = next;

  const gen = config.generator;
  const interval = (next.collection_interval_ms || gen.registry.collection_interval_ms) !== (prev.collection_interval_ms || gen.registry.collection_interval_ms) || next.disable_collection !== prev.disable_collection;
  w.writer.reconfigure(next.collection_interval_ms || gen.registry.collection_interval_ms, next.disable_collection);
  const headers = JSON.stringify(next.remote_write_headers) !== JSON.stringify(prev.remote_write_headers);
  if (headers) {
    for (const { rw, client } of w.clients) {
      client.setHeaders(remoteWriteHeaders(rw.headers, next.remote_write_headers, t.id, gen.storage.remote_write_add_org_id_header));
    }
  }
  const limits =
    next.max_active_series !== prev.max_active_series ||
    next.max_active_entities !== prev.max_active_entities ||
    next.max_cardinality_per_label !== prev.max_cardinality_per_label ||
    next.span_name_sanitization !== prev.span_name_sanitization;
  t.registry.maintain();
  const change = { processors: rebuilt, interval, headers, limits };
  if (rebuilt.length > 0 || interval || headers || limits) {
    log.info("tenant overrides applied", {
      tenant: t.id,
      processors_rebuilt: rebuilt.join(",") || "none",
      collection_interval_ms: next.collection_interval_ms || gen.registry.collection_interval_ms,
      remote_write_headers_changed: headers,
      limits_changed: limits,
    });
  }
  return change;
}
