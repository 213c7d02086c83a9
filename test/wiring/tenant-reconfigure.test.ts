import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/config/load.ts";
import type { RemoteWriteConfig, TenantConfig } from "../../src/config/types.ts";
import type { RemoteWriteClient } from "../../src/remote-write/client.ts";
import type { WiredTenant } from "../../src/wiring/tenant-factory.ts";
import { reconfigureTenant } from "../../src/wiring/tenant-reconfigure.ts";
import { idBytes, request, span } from "../support/otlp-builders.ts";
import { pipeline, tenantConfig } from "../support/pipeline.ts";

const config = loadConfig(undefined);

/** A tenant of the real pipeline, wired with a writer and a client that record what they are told. */
function wired(cfg: TenantConfig) {
  const p = pipeline(cfg);
  const calls = { writer: [] as [number, boolean][], headers: [] as Record<string, string>[] };
  const writer = { reconfigure: (ms: number, off: boolean) => void calls.writer.push([ms, off]) };
  const client = { setHeaders: (h: Record<string, string>) => void calls.headers.push(h) };
  const rw = { headers: { "X-Static": "1" } } as unknown as RemoteWriteConfig;
  const w = { tenant: p.tenant(), writer, clients: [{ rw, client: client as unknown as RemoteWriteClient }] } as unknown as WiredTenant;
  // the pipeline's projection: new dimensions must reach the decoder
  return { p, w, calls, apply: (next: TenantConfig) => reconfigureTenant(w, next, config, p.projection) };
}

const http = (route: string, extra: Record<string, string> = {}) =>
  request({ resource: { "service.name": "api" }, spans: [span({ name: "GET", kind: 2, attributes: { "http.route": route, ...extra } })] });

describe("a tenant's overrides change while it runs (spec §10, kept series)", () => {
  test("a new dimension: series whose labels stay the same keep counting; a changed processor is rebuilt, an unchanged one kept", () => {
    const before = tenantConfig({ processors: ["span-metrics", "host-info"] });
    const { p, apply } = wired(before);
    p.send(http("/a"));
    p.send(http("/a"));
    const hostInfo = p.tenant().processors.find((x) => x.name === "host-info");
    const spanMetrics = p.tenant().processors.find((x) => x.name === "span-metrics");
    const change = apply(tenantConfig({ processors: ["span-metrics", "host-info"], spanMetrics: { dimensions: ["tier"] } }));
    expect(change.processors).toEqual(["span-metrics"]);
    expect(p.tenant().processors.find((x) => x.name === "host-info")).toBe(hostInfo);
    expect(p.tenant().processors.find((x) => x.name === "span-metrics")).not.toBe(spanMetrics);
    p.send(http("/a")); // no tier attribute: the same labels as before
    p.send(http("/a", { tier: "gold" }));
    const v = p.values();
    const calls = Object.entries(v).filter(([k]) => k.startsWith("traces_spanmetrics_calls_total"));
    expect(calls.find(([k]) => !k.includes("tier"))?.[1]).toBe(3);
    expect(calls.find(([k]) => k.includes('tier="gold"'))?.[1]).toBe(1);
  });

  test("pending service-graph edges survive a rebuild and pair afterwards; their dimensions move by name", () => {
    const { p, apply } = wired(tenantConfig({ processors: ["service-graphs"], serviceGraphs: { dimensions: ["region", "zone"] } }));
    const traceId = idBytes(16, 777);
    const clientId = idBytes(8, 778);
    p.send(
      request({ resource: { "service.name": "web", region: "eu", zone: "a" }, spans: [span({ kind: 3, traceId, spanId: clientId })] }),
    );
    expect(p.tenant().stats.serviceGraphs.pendingEdges).toBe(1);
    const change = apply(tenantConfig({ processors: ["service-graphs"], serviceGraphs: { dimensions: ["zone", "tier"] } }));
    expect(change.processors).toEqual(["service-graphs"]);
    expect(p.tenant().stats.serviceGraphs.pendingEdges).toBe(1);
    p.send(request({ resource: { "service.name": "db-api", tier: "t1" }, spans: [span({ kind: 2, traceId, parentSpanId: clientId })] }));
    const v = p.values();
    expect(v['traces_service_graph_request_total{client="web",server="db-api",tier="t1",zone="a"}']).toBe(1);
    expect(p.tenant().stats.serviceGraphs.pendingEdges).toBe(0);
  });

  test("changed histogram buckets replace the histogram: new buckets, the old series drained from the limiter", () => {
    const { p, apply } = wired(tenantConfig({ spanMetrics: { histogram_buckets: [0.1, 1] } }));
    p.send(http("/a"));
    const active = p.tenant().registry.limiter.active;
    expect(Object.keys(p.values()).some((k) => k.includes('le="1"'))).toBe(true);
    apply(tenantConfig({ spanMetrics: { histogram_buckets: [0.5, 2, 8] } }));
    // latency series are gone (4 + 1 fewer … then 6 back with the next span); calls and size keep theirs
    expect(p.tenant().registry.limiter.active).toBe(active - (2 + 3));
    p.send(http("/a"));
    const keys = Object.keys(p.values());
    expect(keys.some((k) => k.includes('le="8"'))).toBe(true);
    expect(keys.some((k) => k.includes('le="1"'))).toBe(false);
    expect(p.values()['traces_spanmetrics_calls_total{service="api",span_kind="SPAN_KIND_SERVER",span_name="GET",status_code="STATUS_CODE_UNSET"}']).toBe(2);
  });

  test("a changed generate_native_histograms rebuilds the processor: the latency histogram takes the new shape, counters keep counting", () => {
    const { p, apply } = wired(tenantConfig({ processors: ["span-metrics"] }));
    p.send(http("/a"));
    const calls = 'traces_spanmetrics_calls_total{service="api",span_kind="SPAN_KIND_SERVER",span_name="GET",status_code="STATUS_CODE_UNSET"}';
    const latency = 'traces_spanmetrics_latency{service="api",span_kind="SPAN_KIND_SERVER",span_name="GET",status_code="STATUS_CODE_UNSET"}';
    expect(Object.keys(p.values()).some((k) => k.startsWith("traces_spanmetrics_latency_bucket"))).toBe(true);
    const active = p.tenant().registry.limiter.active;
    const change = apply(tenantConfig({ processors: ["span-metrics"], tenant: { generate_native_histograms: "native" } }));
    expect(change.processors).toEqual(["span-metrics"]);
    // the 17 classic series of the latency histogram are drained; calls and size stay
    expect(p.tenant().registry.limiter.active).toBe(active - 17);
    p.send(http("/a"));
    let round = p.collect();
    expect(round.histograms()[latency].count).toBe(1);
    expect(Object.keys(round.values()).some((k) => k.startsWith("traces_spanmetrics_latency_"))).toBe(false);
    expect(round.values()[calls]).toBe(2);
    expect(p.tenant().registry.limiter.active).toBe(active - 17 + 1);
    apply(tenantConfig({ processors: ["span-metrics"], tenant: { generate_native_histograms: "both" } }));
    p.send(http("/a"));
    round = p.collect();
    expect(round.histograms()[latency].count).toBe(1);
    expect(round.values()[latency.replace("latency{", "latency_count{")]).toBe(1);
    expect(round.values()[calls]).toBe(3);
  });

  test("a removed processor's series stay, frozen, and count on when it comes back", () => {
    const { p, apply } = wired(tenantConfig({ processors: ["span-metrics"] }));
    p.send(http("/a"));
    apply(tenantConfig({ processors: [] }));
    expect(p.tenant().processors).toEqual([]);
    p.send(http("/a"));
    const key = 'traces_spanmetrics_calls_total{service="api",span_kind="SPAN_KIND_SERVER",span_name="GET",status_code="STATUS_CODE_UNSET"}';
    expect(p.values()[key]).toBe(1);
    apply(tenantConfig({ processors: ["span-metrics"] }));
    p.send(http("/a"));
    expect(p.values()[key]).toBe(2);
  });

  test("collection interval, disable_collection and remote_write_headers go to the writer and the clients", () => {
    const before = tenantConfig({});
    const { apply, calls } = wired(before);
    const change = apply({ ...before, collection_interval_ms: 30_000, remote_write_headers: { "X-Team": "a" } });
    expect(change).toMatchObject({ processors: [], interval: true, headers: true });
    expect(calls.writer.at(-1)).toEqual([30_000, false]);
    expect(calls.headers.at(-1)?.["X-Team"]).toBe("a");
    expect(calls.headers.at(-1)?.["X-Static"]).toBe("1");
  });

  test("limits apply at once: the per-label limit is evaluated when the overrides change, not 15 s later", () => {
    const before = { ...tenantConfig({ spanMetrics: { dimensions: ["user"] } }), max_cardinality_per_label: 1000 };
    let cfgNow = before;
    const p = pipeline(before, { maxCardinalityPerLabel: () => cfgNow.max_cardinality_per_label });
    p.tenant().registry.maintain();
    for (let i = 0; i < 50; i++) p.send(http("/a", { user: `u${i}` }));
    const w = { tenant: p.tenant(), writer: { reconfigure() {} }, clients: [] } as unknown as WiredTenant;
    cfgNow = { ...before, max_cardinality_per_label: 10 };
    const change = reconfigureTenant(w, cfgNow, config, p.projection);
    expect(change.limits).toBe(true);
    p.send(http("/a", { user: "u999" }));
    expect(Object.keys(p.values()).some((k) => k.includes('user="__cardinality_overflow__"'))).toBe(true);
  });
});
