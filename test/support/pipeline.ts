import { loadConfig } from "../../src/config/load.ts";
import type { HostInfoConfig, ProcessorName, ServiceGraphsConfig, SpanMetricsConfig, TenantConfig } from "../../src/config/types.ts";
import { batchFromRequest } from "../../src/decode/from-request.ts";
import { WireBatchDecoder } from "../../src/decode/otlp-wire.ts";
import { AttributeProjection } from "../../src/decode/span-batch.ts";
import type { ExportTraceServiceRequest } from "../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { buildProcessors } from "../../src/process/build-processors.ts";
import { TenantStats } from "../../src/process/processor.ts";
import { createPush, type PushResult } from "../../src/process/push.ts";
import { type Tenant, Tenants } from "../../src/process/tenants.ts";
import { Registry, type RegistryOptions } from "../../src/registry/registry.ts";
import { RecordingSink } from "./recording-sink.ts";

/** The embedded default tenant config with processor settings replaced. */
export function tenantConfig(over: {
  processors?: ProcessorName[];
  spanMetrics?: Partial<SpanMetricsConfig>;
  serviceGraphs?: Partial<ServiceGraphsConfig>;
  hostInfo?: Partial<HostInfoConfig>;
  tenant?: Partial<TenantConfig>;
}): TenantConfig {
  const base = loadConfig(undefined).tenant_defaults;
  return {
    ...base,
    ...over.tenant,
    processors: over.processors ?? ["span-metrics"],
    span_metrics: { ...base.span_metrics, ...over.spanMetrics },
    service_graphs: { ...base.service_graphs, ...over.serviceGraphs },
    host_info: { ...base.host_info, ...over.hostInfo },
  };
}

/**
 * The real decode → push → processors → registry path with a controllable
 * clock and no I/O; `collect` returns what a remote-write round would write.
 */
export function pipeline(cfg: TenantConfig, registry: Partial<RegistryOptions> = {}) {
  const projection = new AttributeProjection();
  let now = Date.now();
  const tenants = new Tenants((id): Tenant => {
    const reg = new Registry({
      externalLabels: {},
      maxLabelNameLength: 1024,
      maxLabelValueLength: 2048,
      staleDurationMs: 15 * 60_000,
      maxActiveSeries: () => cfg.max_active_series,
      traceIdLabelName: cfg.trace_id_label_name,
      ...registry,
    });
    const stats = new TenantStats();
    return { id, config: cfg, registry: reg, stats, processors: buildProcessors(cfg, reg, projection, stats) };
  });
  const push = createPush(tenants, () => now);
  const wire = new WireBatchDecoder(projection);
  return {
    /** Through the generated decoder (the OTLP/JSON path). */
    send(req: ExportTraceServiceRequest, tenant = "single-tenant"): PushResult {
      push.prepare(tenant);
      return push.push(tenant, batchFromRequest(req, projection));
    },
    /** As a Kafka record's payload: not re-marshalled through pdata (ids and sizes as written). */
    sendRecord(req: ExportTraceServiceRequest, tenant = "single-tenant"): PushResult {
      push.prepare(tenant);
      return push.push(tenant, batchFromRequest(req, projection, false));
    },
    /** Through the fast wire decoder (the OTLP/protobuf path), as encoded bytes. */
    sendBytes(bytes: Uint8Array, tenant = "single-tenant"): PushResult {
      push.prepare(tenant);
      return push.push(tenant, wire.decode(bytes));
    },
    /** A remote-style collection at `ts` (default: the pipeline clock). */
    collect(tenant = "single-tenant", ts = now): RecordingSink {
      const sink = new RecordingSink();
      tenants.find(tenant)?.registry.collect(ts, sink, "remote");
      return sink;
    },
    /** Current values as `metric{labels}` → value. */
    values(tenant = "single-tenant"): Record<string, number> {
      const sink = new RecordingSink();
      tenants.find(tenant)?.registry.collect(now, sink, "scrape");
      return sink.values();
    },
    tenant: (id = "single-tenant") => tenants.get(id),
    projection,
    /** Runs the periodic processor work (edge expiry) at `ms` and moves the clock there. */
    tick(ms: number, tenant = "single-tenant") {
      now = ms;
      for (const p of tenants.get(tenant).processors) p.tick?.(ms);
    },
    setNow(ms: number) {
      now = ms;
    },
    get now() {
      return now;
    },
  };
}
