import type { Registry } from "../../registry/registry.ts";

/** Spans discarded for one reason by one processor. */
export interface DiscardedView {
  reason: string;
  processor: string;
  spans: number;
}

/** One remote-write endpoint of a tenant (the URL without credentials). */
export interface EndpointHealth {
  name: string;
  url: string;
  queuedRounds: number;
  queueBytes: number;
  /** timestamps in ms, null when there is none */
  oldestQueuedTs: number | null;
  highestQueuedTs: number | null;
  highestSentTs: number | null;
  samplesSent: number;
  samplesFailed: number;
  samplesDropped: number;
  lastError: string;
}

/** A tenant's ingest and output state, read at request time. */
export interface TenantHealth {
  spansReceived: number;
  discarded: DiscardedView[];
  activeSeries: number;
  /** 0 = no limit */
  maxActiveSeries: number;
  seriesLimited: number;
  remoteWrite: EndpointHealth[];
}

/** The Kafka consumer, when redgen consumes. */
export interface KafkaHealth {
  group: string;
  joined: boolean;
  partitions: { topic: string; partition: number; lag: number }[];
}

/**
 * What the live page reads of a running redgen; src/wiring/live-page.ts
 * builds it from the tenants, the remote-write queues and the Kafka consumer.
 * Every call reads current state: nothing is computed unless a page asks.
 */
export interface LiveSources {
  version: string;
  /** tenants that have sent data (or have state on disk), sorted */
  tenantIds(): string[];
  registryOf(tenant: string): Registry | undefined;
  health(tenant: string): TenantHealth | undefined;
  /** null when redgen does not consume from Kafka */
  kafka(): KafkaHealth | null;
}
