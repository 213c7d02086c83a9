import type { TenantConfig } from "../../src/config/types.ts";
import { AttributeProjection } from "../../src/decode/span-batch.ts";
import { buildProcessors } from "../../src/process/build-processors.ts";
import { TenantStats } from "../../src/process/processor.ts";
import { createPush } from "../../src/process/push.ts";
import { Tenants } from "../../src/process/tenants.ts";
import { InflightBudget } from "../../src/receive/inflight-budget.ts";
import { otlpGrpcHandler } from "../../src/receive/otlp-grpc.ts";
import { ReceiverStats, otlpHttpApp } from "../../src/receive/otlp-http.ts";
import { TraceExport } from "../../src/receive/trace-export.ts";
import { Registry } from "../../src/registry/registry.ts";
import { RecordingSink } from "./recording-sink.ts";

/**
 * Both OTLP receivers of one in-process pipeline, wired as src/main.ts wires
 * them (TraceExport → createPush → Tenants → buildProcessors → Registry), with
 * no port of their own: the HTTP app answers `app.request()`, the gRPC
 * handler goes onto an HTTP/2 server the test starts (Http2TestServer).
 */
export function inProcessReceivers(cfg: TenantConfig, maxRequestBytes = 16 * 1024 * 1024, clock: () => number = Date.now) {
  const projection = new AttributeProjection();
  const tenants = new Tenants((id) => {
    const registry = new Registry({
      externalLabels: {},
      maxLabelNameLength: 1024,
      maxLabelValueLength: 2048,
      staleDurationMs: 900_000,
      maxActiveSeries: () => 0,
      traceIdLabelName: "traceID",
    });
    const stats = new TenantStats();
    return { id, config: cfg, registry, stats, processors: buildProcessors(cfg, registry, projection, stats) };
  });
  const exporter = new TraceExport(createPush(tenants, clock), projection);
  const httpStats = new ReceiverStats();
  const grpcStats = new ReceiverStats();
  const httpBudget = new InflightBudget(4 * maxRequestBytes);
  const grpcBudget = new InflightBudget(4 * maxRequestBytes);
  const httpApp = otlpHttpApp(exporter, { maxRequestBytes, budget: httpBudget }, httpStats);
  const grpcHandler = otlpGrpcHandler(exporter, { maxRequestBytes, budget: grpcBudget }, grpcStats);

  /** A collection of `tenant` at `ts` into a RecordingSink (undefined when the tenant does not exist). */
  const collect = (tenant: string, ts = Date.now()): RecordingSink | undefined => {
    const t = tenants.find(tenant);
    if (t === undefined) return undefined;
    const sink = new RecordingSink();
    t.registry.collect(ts, sink, "scrape");
    return sink;
  };
  /** Sum of traces_spanmetrics_calls_total over all series of `tenant`. */
  const calls = (tenant = "single-tenant"): number =>
    Object.entries(collect(tenant)?.values() ?? {})
      .filter(([k]) => k.startsWith("traces_spanmetrics_calls_total{"))
      .reduce((n, [, v]) => n + v, 0);
  /** Spans counted as received, over all tenants. */
  const spansReceived = (): number => [...tenants.all()].reduce((n, t) => n + t.stats.spansReceived, 0);

  return { exporter, tenants, httpApp, grpcHandler, httpStats, grpcStats, httpBudget, grpcBudget, collect, calls, spansReceived };
}
