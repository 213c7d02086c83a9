import type { ServiceGraphsConfig } from "../../config/types.ts";
import { diffSeconds } from "../../decode/unix-nanos.ts";
import type { Histogram } from "../../registry/classic-histogram.ts";
import type { Counter } from "../../registry/counter.ts";
import type { Gauge } from "../../registry/gauge.ts";
import type { FixedLabelSchema } from "../../registry/fixed-label-schema.ts";
import type { HistogramMode, Registry } from "../../registry/registry.ts";
import type { TenantStats } from "../processor.ts";
import type { Edge } from "./edge.ts";
import { writeTraceId } from "./edge-key.ts";
import type { EdgeLabels } from "./edge-labels.ts";

/** Help and unit of the service-graph metrics (remote write 2.0 metadata; Tempo sends none). */
const META = {
  requests: { help: "Requests between two services", unit: "" },
  failed: { help: "Failed requests between two services", unit: "" },
  server: { help: "Duration of requests between two services, as the server saw it", unit: "seconds" },
  client: { help: "Duration of requests between two services, as the client saw it", unit: "seconds" },
  messaging: { help: "Time between the producer span's end and the consumer span's start", unit: "seconds" },
  info: { help: "Connections between two services", unit: "" },
};

/** Which service-graph metrics are on (spec §5.5 sub-processors). */
export interface ServiceGraphParts {
  request: boolean;
  latency: boolean;
  connectionInfo: boolean;
}

/**
 * Writes one emitted edge to the registry (spec §5.5): request and failed
 * counters, client/server latency (0 for the missing side of a virtual edge),
 * messaging-system latency, and the connection-info gauge.
 */
export class EdgeMetrics {
  private readonly requests: Counter | null;
  private readonly failed: Counter | null;
  private readonly server: Histogram | null;
  private readonly client: Histogram | null;
  private readonly messaging: Histogram | null;
  private readonly info: Gauge | null;
  private readonly schema: FixedLabelSchema;
  private readonly values: string[];
  /** the exemplar trace id of the edge being emitted */
  private readonly trace = new Uint8Array(16);
  private readonly trace32 = new Int32Array(this.trace.buffer);

  constructor(
    cfg: ServiceGraphsConfig,
    parts: ServiceGraphParts,
    private readonly registry: Registry,
    private readonly labels: EdgeLabels,
    private readonly stats: TenantStats,
    mode: HistogramMode = "classic",
  ) {
    this.schema = registry.fixedSchema(labels.names);
    this.values = new Array<string>(labels.names.length).fill("");
    const b = cfg.histogram_buckets;
    this.requests = parts.request ? registry.counter("traces_service_graph_request_total", META.requests) : null;
    this.failed = parts.request ? registry.counter("traces_service_graph_request_failed_total", META.failed) : null;
    this.server = parts.latency ? registry.histogram("traces_service_graph_request_server_seconds", b, mode, META.server) : null;
    this.client = parts.latency ? registry.histogram("traces_service_graph_request_client_seconds", b, mode, META.client) : null;
    this.messaging =
      parts.latency && cfg.enable_messaging_system_latency_histogram
        ? registry.histogram("traces_service_graph_request_messaging_system_seconds", b, mode, META.messaging)
        : null;
    this.info = parts.connectionInfo ? registry.gauge("traces_service_graph_connection_info", META.info) : null;
  }

  /** Emits the edge; `virtualNode` is "client"/"server" on expiry-created edges. */
  emit(e: Edge, now: number, virtualNode: "" | "client" | "server"): void {
    const v = this.values;
    v[0] = e.clientService;
    v[1] = e.serverService;
    v[2] = e.connectionType;
    const dims = e.dims;
    for (let p = 3; p < v.length; p++) v[p] = dims?.[p] ?? "";
    if (virtualNode !== "" && this.labels.virtualNodePos >= 0) v[this.labels.virtualNodePos] = virtualNode;
    const ls = this.schema.resolve(v);
    if (ls === null) {
      this.stats.discard("invalid_utf8", "service-graphs");
      return;
    }
    const m = e.multiplier;
    writeTraceId(e, this.trace32);
    const t = this.trace;
    this.requests?.add(ls, m, now);
    if (e.failed) this.failed?.add(ls, m, now);
    this.server?.observe(ls, e.serverLatency, m, t, 0, now);
    this.client?.observe(ls, e.clientLatency, m, t, 0, now);
    if (this.messaging !== null && e.connectionType === "messaging_system") {
      const gap = diffSeconds(e.clientEndLo, e.clientEndHi, e.serverStartLo, e.serverStartHi);
      if (gap > 0) this.messaging.observe(ls, gap, m, t, 0, now);
    }
    this.info?.set(ls, 1, now);
    if (ls.live === 0) this.registry.release(ls);
  }
}
