import type { Config } from "../config/types.ts";
import { redactUrl } from "../config/redact.ts";
import type { Tenants } from "../process/tenants.ts";
import type { EndpointHealth, LiveSources, TenantHealth } from "../serve/live/live-sources.ts";
import type { KafkaIngest } from "./kafka.ts";
import type { TenantFactory } from "./tenant-factory.ts";

/** Timestamps the stats keep as 0 / +Inf for "none" become null. */
function ts(v: number): number | null {
  return v > 0 && Number.isFinite(v) ? v : null;
}

/**
 * What the live page reads, from the running parts: the tenants (registry,
 * ingest counters, series limit), their remote-write endpoints and the Kafka
 * consumer. Read on request only.
 */
export function liveSources(config: Config, version: string, tenants: Tenants, factory: TenantFactory, kafka: () => KafkaIngest | undefined): LiveSources {
  return {
    version,
    tenantIds: () => [...tenants.all()].map((t) => t.id).sort(),
    registryOf: (id) => tenants.find(id)?.registry,
    health(id): TenantHealth | undefined {
      const t = tenants.find(id);
      if (t === undefined) return undefined;
      const remoteWrite: EndpointHealth[] = factory.endpoints
        .filter((e) => e.tenant === id)
        .map((e) => ({
          name: e.name,
          url: redactUrl(e.url),
          queuedRounds: e.queue.queuedRounds,
          queueBytes: e.queue.diskBytes,
          oldestQueuedTs: ts(e.queue.oldestTs),
          highestQueuedTs: ts(e.stats.highestQueuedTs),
          highestSentTs: ts(e.stats.highestSentTs),
          samplesSent: e.stats.samplesSent,
          samplesFailed: e.stats.samplesFailed,
          samplesDropped: e.stats.samplesDropped,
          lastError: e.stats.lastError,
        }));
      return {
        spansReceived: t.stats.spansReceived,
        discarded: [...t.stats.discarded].map(([k, spans]) => {
          const [reason, processor] = k.split("\u0000");
          return { reason, processor, spans };
        }),
        activeSeries: t.registry.limiter.active,
        maxActiveSeries: t.registry.limiter.maxActive,
        seriesLimited: t.registry.limiter.limited,
        remoteWrite,
      };
    },
    kafka() {
      const k = kafka();
      if (k === undefined || config.kafka === undefined) return null;
      return {
        group: config.kafka.consumer_group,
        joined: k.receiver.ready,
        partitions: k.lag.last.map((l) => ({ topic: l.topic, partition: l.partition, lag: l.lag })),
      };
    },
  };
}
