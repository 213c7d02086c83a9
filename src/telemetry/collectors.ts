import type { Tenant } from "../process/tenants.ts";
import type { ReceiverStats } from "../receive/otlp-http.ts";
import type { EndpointStats } from "../remote-write/endpoint-stats.ts";
import type { RemoteWriteQueue } from "../remote-write/queue.ts";
import type { SelfFamily, SelfMetrics } from "./self-metrics.ts";
import { redactUrl } from "../config/redact.ts";
import { limiterFamilies } from "./limiter-collectors.ts";

/** One remote-write endpoint of one tenant, as /metrics labels it. */
export interface EndpointView {
  tenant: string;
  name: string;
  url: string;
  stats: EndpointStats;
  queue: RemoteWriteQueue;
}

/** Everything the self-metrics read; main supplies the live views. */
export interface TelemetrySources {
  version: string;
  tenants: () => Iterable<Tenant>;
  endpoints: () => Iterable<EndpointView>;
  receivers: { protocol: string; stats: ReceiverStats }[];
}

const P = "tempo_metrics_generator";

function counter(name: string, help: string, samples: SelfFamily["samples"]): SelfFamily {
  return { name, help, type: "counter", samples };
}
function gauge(name: string, help: string, samples: SelfFamily["samples"]): SelfFamily {
  return { name, help, type: "gauge", samples };
}

/**
 * Registers redgen's self-metrics. Ingest and registry families keep Tempo's
 * names (spec §11.1) so existing generator dashboards and alerts work;
 * remote-write families keep Prometheus' names with a tenant label.
 */
export function registerCollectors(m: SelfMetrics, src: TelemetrySources): void {
  const started = Date.now() / 1000;
  m.register(() => [
    gauge("redgen_build_info", "Build information; value is 1.", [
      { labels: { version: src.version, bun_version: Bun.version }, value: 1 },
    ]),
    gauge("process_start_time_seconds", "Start time of the process since the epoch, in seconds.", [{ labels: {}, value: started }]),
    gauge("process_resident_memory_bytes", "Resident memory size in bytes.", [{ labels: {}, value: process.memoryUsage.rss() }]),
    counter("process_cpu_seconds_total", "User and system CPU time spent, in seconds.", [
      { labels: {}, value: (process.cpuUsage().user + process.cpuUsage().system) / 1e6 },
    ]),
    counter(
      "redgen_otlp_requests_total",
      "OTLP export requests by protocol and response status.",
      src.receivers.flatMap((r) => [...r.stats.requests].map(([code, n]) => ({ labels: { protocol: r.protocol, code }, value: n }))),
    ),
  ]);
  m.register(() => tenantFamilies([...src.tenants()]));
  m.register(() => endpointFamilies([...src.endpoints()]));
}

function tenantFamilies(tenants: Tenant[]): SelfFamily[] {
  const per = (f: (t: Tenant) => number) => tenants.map((t) => ({ labels: { tenant: t.id }, value: f(t) }));
  const discarded = tenants.flatMap((t) =>
    [...t.stats.discarded].map(([k, n]) => {
      const [reason, processor] = k.split("\u0000");
      return { labels: { tenant: t.id, reason, processor }, value: n };
    }),
  );
  return [
    counter(`${P}_spans_received_total`, "Spans received, before any filtering.", per((t) => t.stats.spansReceived)),
    counter(`${P}_bytes_received_total`, "Protobuf bytes of the ResourceSpans received.", per((t) => t.stats.bytesReceived)),
    counter(`${P}_spans_discarded_total`, "Spans discarded, by reason and processor.", discarded),
    counter(
      `${P}_metrics_generation_skipped_processor_pushes_total`,
      "Processor runs skipped because the record asked for no metrics generation.",
      per((t) => t.stats.skippedProcessorPushes),
    ),
    ...limiterFamilies(tenants),
    counter(`${P}_registry_collections_total`, "Collection rounds.", per((t) => t.registry.collections)),
    ...serviceGraphFamilies(tenants),
  ];
}

/** Tempo's service-graph processor metrics (note: three of them have no _total suffix in Tempo). */
function serviceGraphFamilies(tenants: Tenant[]): SelfFamily[] {
  const SG = `${P}_processor_service_graphs`;
  const per = (f: (t: Tenant) => number) => tenants.map((t) => ({ labels: { tenant: t.id }, value: f(t) }));
  const expired = tenants.flatMap((t) =>
    [...t.stats.serviceGraphs.expiredEdges].map(([kind, n]) => ({ labels: { tenant: t.id, unmatched_span_kind: kind }, value: n })),
  );
  return [
    counter(`${SG}_edges`, "Edges created, including ones complete at once.", per((t) => t.stats.serviceGraphs.edges)),
    counter(`${SG}_dropped_spans`, "Spans dropped because the edge store was full (max_items).", per((t) => t.stats.serviceGraphs.droppedSpans)),
    counter(`${SG}_expired_edges`, "Unpaired edges that expired without being emitted.", expired),
    counter(`${SG}_dropped_edges_total`, "Edges dropped because one side was filtered out.", per((t) => t.stats.serviceGraphs.droppedEdges)),
    counter(
      `${SG}_dropped_span_side_cache_overflow_total`,
      "Filtered-side markers that did not fit in the cache.",
      per((t) => t.stats.serviceGraphs.sideCacheOverflow),
    ),
    gauge("redgen_service_graphs_pending_edges", "Edges waiting for their other side.", per((t) => t.stats.serviceGraphs.pendingEdges)),
  ];
}

function endpointFamilies(endpoints: EndpointView[]): SelfFamily[] {
  const per = (f: (s: EndpointStats) => number) =>
    endpoints.map((e) => ({ labels: { tenant: e.tenant, remote_name: e.name, url: redactUrl(e.url) }, value: f(e.stats) }));
  const R = "prometheus_remote_storage";
  return [
    counter(`${R}_samples_total`, "Samples sent successfully.", per((s) => s.samplesSent)),
    counter(`${R}_exemplars_total`, "Exemplars sent successfully.", per((s) => s.exemplarsSent)),
    counter(`${R}_samples_failed_total`, "Samples in requests the backend refused for good (4xx).", per((s) => s.samplesFailed)),
    counter(`${R}_samples_retried_total`, "Samples in batches sent again after a recoverable error.", per((s) => s.samplesRetried)),
    counter(`${R}_samples_dropped_total`, "Samples in rounds dropped unsent (disk budget, sample_age_limit, damage).", per((s) => s.samplesDropped)),
    gauge(`${R}_samples_pending`, "Samples waiting to be sent.", per((s) => s.pendingSamples)),
    counter(`${R}_sent_batches_total`, "Requests sent successfully.", per((s) => s.requestsSent)),
    counter(`${R}_bytes_total`, "Compressed bytes sent successfully.", per((s) => s.bytesSent)),
  ];
}
