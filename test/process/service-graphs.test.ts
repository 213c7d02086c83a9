import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import type { ProcessorName, ServiceGraphsConfig } from "../../src/config/types.ts";
import { SpanKind } from "../../src/decode/span-batch.ts";
import { TenantState } from "../../src/storage/tenant-state.ts";
import { ExportTraceServiceRequestSchema } from "../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { onlyResources, traceFixture } from "../support/fixtures.ts";
import { idBytes, nowNs, request, span } from "../support/otlp-builders.ts";
import { pipeline, tenantConfig } from "../support/pipeline.ts";

function graphs(serviceGraphs: Partial<ServiceGraphsConfig> = {}, processors: ProcessorName[] = ["service-graphs"]) {
  return pipeline(tenantConfig({ processors, serviceGraphs }));
}

/** Only the service-graph series, as `metric{labels}` → value. */
function edges(p: ReturnType<typeof graphs>): Record<string, number> {
  return Object.fromEntries(Object.entries(p.values()).filter(([k]) => k.startsWith("traces_service_graph")));
}

const req = (labels: string) => `traces_service_graph_request_total{${labels}}`;

describe("pairing and emission (spec §5.2, §5.5, §15.10)", () => {
  test("a client/server pair is one plain edge, without connection_type, emitted at once", async () => {
    const p = graphs();
    p.send(await traceFixture("service-graphs/client-server.json"));
    const v = edges(p);
    expect(v[req('client="frontend",server="checkout"')]).toBe(1);
    expect(v['traces_service_graph_request_failed_total{client="frontend",server="checkout"}']).toBeUndefined();
    expect(v['traces_service_graph_request_client_seconds_sum{client="frontend",server="checkout"}']).toBeCloseTo(0.03, 9);
    expect(v['traces_service_graph_request_server_seconds_sum{client="frontend",server="checkout"}']).toBeCloseTo(0.02, 9);
    expect(v['traces_service_graph_request_server_seconds_bucket{client="frontend",server="checkout",le="0.1"}']).toBe(1);
    expect(p.tenant().stats.serviceGraphs.edges).toBe(1);
    expect(p.tenant().stats.serviceGraphs.pendingEdges).toBe(0);
  });

  test("Failed is an OR of STATUS_CODE_ERROR on either side", async () => {
    const p = graphs();
    p.send(await traceFixture("service-graphs/failed-pair.json"));
    expect(edges(p)['traces_service_graph_request_failed_total{client="frontend",server="payment"}']).toBe(1);
  });

  test("producer → consumer is messaging_system; its latency is consumer start − producer end", async () => {
    const p = graphs({ enable_messaging_system_latency_histogram: true });
    p.send(await traceFixture("service-graphs/producer-consumer.json"));
    const v = edges(p);
    const l = 'client="orders",connection_type="messaging_system",server="shipping"';
    expect(v[req(l)]).toBe(1);
    expect(v[`traces_service_graph_request_messaging_system_seconds_sum{${l}}`]).toBeCloseTo(0.005, 6);
  });

  test("the messaging histogram is off by default", async () => {
    const p = graphs();
    p.send(await traceFixture("service-graphs/producer-consumer.json"));
    expect(Object.keys(edges(p)).some((k) => k.includes("messaging_system_seconds"))).toBe(false);
  });

  test("out of order: the server span first, in its own request, then the client", async () => {
    const p = graphs();
    const trace = await traceFixture("service-graphs/client-server.json");
    p.send(onlyResources(trace, 1));
    expect(edges(p)).toEqual({});
    expect(p.tenant().stats.serviceGraphs.pendingEdges).toBe(1);
    p.send(onlyResources(trace, 0));
    expect(edges(p)[req('client="frontend",server="checkout"')]).toBe(1);
  });

  test("span multiplier: the last writer's multiplier is added", async () => {
    const p = graphs({ span_multiplier_key: "ratio" });
    const trace = await traceFixture("service-graphs/client-server.json");
    trace.resourceSpans[1].scopeSpans[0].spans[0].attributes.push({
      $typeName: "opentelemetry.proto.common.v1.KeyValue",
      keyStrindex: 0,
      key: "ratio",
      value: { $typeName: "opentelemetry.proto.common.v1.AnyValue", value: { case: "doubleValue", value: 0.25 } },
    });
    p.send(trace);
    expect(edges(p)[req('client="frontend",server="checkout"')]).toBe(4);
  });

  test("exemplars on both latency histograms carry the edge's trace id", async () => {
    const p = graphs();
    p.send(await traceFixture("service-graphs/client-server.json"));
    const ex = [...p.collect().series].flatMap(([k, s]) => s.exemplars.map((e) => `${k.split("{")[0]} ${e.value}`));
    expect(ex.sort()).toEqual([
      "traces_service_graph_request_client_seconds_bucket af7651916cd43dd8448eb211c80319c",
      "traces_service_graph_request_server_seconds_bucket af7651916cd43dd8448eb211c80319c",
    ]);
  });
});

describe("database edges (spec §5.3)", () => {
  test("complete from the client span alone; server name by peer.service, server.address, address:port, db name", async () => {
    const p = graphs();
    p.send(await traceFixture("service-graphs/database-calls.json"));
    const v = edges(p);
    for (const server of ["cart-db", "db.internal", "10.0.0.7:6379", "inventory"]) {
      expect(v[req(`client="checkout",connection_type="database",server="${server}"`)]).toBe(1);
    }
    // the "server" latency of a database edge is the client duration
    expect(v['traces_service_graph_request_server_seconds_sum{client="checkout",connection_type="database",server="cart-db"}']).toBeCloseTo(0.004, 9);
    expect(p.tenant().stats.serviceGraphs.pendingEdges).toBe(0);
  });
});

describe("expiry and virtual nodes (spec §5.4)", () => {
  test("a root server span becomes user → service only after wait", async () => {
    const p = graphs({ enable_virtual_node_label: true });
    const t0 = p.now;
    p.send(await traceFixture("service-graphs/root-server.json", t0));
    p.tick(t0 + 5_000);
    expect(edges(p)).toEqual({});
    p.tick(t0 + 12_000);
    const v = edges(p);
    const l = 'client="user",connection_type="virtual_node",server="checkout",virtual_node="client"';
    expect(v[req(l)]).toBe(1);
    // the missing client side observes 0
    expect(v[`traces_service_graph_request_client_seconds_bucket{${l},le="0.1"}`]).toBe(1);
    expect(v[`traces_service_graph_request_client_seconds_sum{${l}}`]).toBe(0);
  });

  test("a client span with a peer attribute becomes a virtual server", async () => {
    const p = graphs();
    p.send(await traceFixture("service-graphs/virtual-server.json", p.now));
    p.tick(p.now + 11_000);
    expect(edges(p)[req('client="checkout",connection_type="virtual_node",server="rates-api"')]).toBe(1);
  });

  test("an unmatched client without a peer expires without emission and is counted by span kind", async () => {
    const p = graphs();
    p.send(await traceFixture("service-graphs/unmatched-client.json", p.now));
    p.tick(p.now + 11_000);
    expect(edges(p)).toEqual({});
    expect(p.tenant().stats.serviceGraphs.expiredEdges.get("SPAN_KIND_CLIENT")).toBe(1);
  });

  test("expiry is creation + wait in whole seconds and is not extended by updates", () => {
    const p = graphs({ wait_ms: 2_000 });
    const t0 = Math.floor(p.now / 1000) * 1000 + 900;
    p.setNow(t0);
    p.send(request({ resource: { "service.name": "a" }, spans: [span({ kind: SpanKind.Client, spanId: idBytes(8, 77), attributes: { "peer.service": "x" } })] }));
    p.tick(t0 + 1_099); // floor((t0 + 2000)/1000) s has not come yet
    expect(edges(p)).toEqual({});
    p.tick(t0 + 1_100);
    expect(edges(p)[req('client="a",connection_type="virtual_node",server="x"')]).toBe(1);
  });

});

describe("pending edges across a restart (checkpoint)", () => {
  /** Checkpoints `from`'s tenant and restores it into a fresh pipeline, as a restart does. */
  function restart(from: ReturnType<typeof graphs>, cfg: Partial<ServiceGraphsConfig> = {}) {
    const dir = mkdtempSync(join(tmpdir(), "redgen-sg-"));
    try {
      const state = new TenantState(dir, "single-tenant");
      const c = state.capture(from.tenant(), 1, from.now, new Map());
      expect(state.checkpoint.writeSync(c.seq, c.payload)).toBe(true);
      const to = graphs(cfg);
      const restored = new TenantState(dir, "single-tenant").restore(to.tenant());
      return { to, restored };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  test("a client span before the restart pairs with its server span after it", async () => {
    const p = graphs();
    const trace = await traceFixture("service-graphs/client-server.json");
    p.send(onlyResources(trace, 0));
    const { to, restored } = restart(p);
    expect(restored !== undefined && "restored" in restored ? restored.restored.pendingEdges : -1).toBe(1);
    to.send(onlyResources(trace, 1));
    expect(edges(to)[req('client="frontend",server="checkout"')]).toBe(1);
    expect(to.tenant().stats.serviceGraphs.pendingEdges).toBe(0);
  });

  test("a restored edge keeps its expiry: a lone root server span still becomes user → service", async () => {
    const p = graphs();
    p.send(await traceFixture("service-graphs/root-server.json", p.now));
    const { to } = restart(p);
    to.tick(p.now + 12_000);
    expect(edges(to)[req('client="user",connection_type="virtual_node",server="checkout"')]).toBe(1);
  });

  test("edges collected under other dimensions are not restored (the tenant starts afresh)", async () => {
    const p = graphs();
    p.send(onlyResources(await traceFixture("service-graphs/client-server.json"), 0));
    const { to, restored } = restart(p, { dimensions: ["http.method"] });
    expect(restored !== undefined && "error" in restored ? restored.error : "").toContain("service-graph labels changed");
    expect(to.tenant().stats.serviceGraphs.pendingEdges).toBe(0);
  });
});

describe("store limits, dimensions, filters, sub-processors", () => {
  test("a full store refuses new edges (no eviction) and counts dropped spans", () => {
    const p = graphs({ max_items: 2 });
    const spans = [1, 2, 3].map((n) => span({ kind: SpanKind.Client, spanId: idBytes(8, 100 + n), attributes: { "peer.service": "x" } }));
    p.send(request({ resource: { "service.name": "a" }, spans }));
    expect(p.tenant().stats.serviceGraphs.droppedSpans).toBe(1);
    expect(p.tenant().stats.serviceGraphs.pendingEdges).toBe(2);
    p.tick(p.now + 11_000);
    expect(edges(p)[req('client="a",connection_type="virtual_node",server="x"')]).toBe(2);
  });

  test("a full store still takes edges that complete at once (database calls)", async () => {
    const p = graphs({ max_items: 0 });
    p.send(await traceFixture("service-graphs/database-calls.json"));
    expect(Object.keys(edges(p)).filter((k) => k.startsWith("traces_service_graph_request_total")).length).toBe(4);
  });

  test("dimensions without prefix: one label, the last span processed wins", async () => {
    const p = graphs({ dimensions: ["k8s.namespace.name", "http.method"] });
    p.send(await traceFixture("service-graphs/client-server.json"));
    expect(edges(p)[req('client="frontend",http_method="GET",k8s_namespace_name="shop",server="checkout"')]).toBe(1);
  });

  test("dimensions with enable_client_server_prefix: client_ and server_ labels from each side", async () => {
    const p = graphs({ dimensions: ["k8s.namespace.name"], enable_client_server_prefix: true });
    p.send(await traceFixture("service-graphs/client-server.json"));
    expect(edges(p)[req('client="frontend",client_k8s_namespace_name="web",server="checkout",server_k8s_namespace_name="shop"')]).toBe(1);
  });

  test("a dimension named like a built-in label overrides it, or deletes it when empty", async () => {
    const p = graphs({ dimensions: ["server"] });
    p.send(await traceFixture("service-graphs/client-server.json"));
    expect(Object.keys(edges(p)).filter((k) => k.startsWith("traces_service_graph_request_total"))).toEqual([req('client="frontend"')]);
    const q = graphs({ dimensions: ["server"] });
    q.send(request({ resource: { "service.name": "a", server: "override" }, spans: [span({ kind: SpanKind.Client, attributes: { "db.system": "pg" } })] }));
    expect(edges(q)[req('client="a",connection_type="database",server="override"')]).toBe(1);
  });

  test("filtering one side drops the edge and marks the side, counted as dropped edges", async () => {
    const p = graphs({ filter_policies: [{ exclude: { match_type: "strict", attributes: [{ key: "resource.service.name", value: "checkout" }] } }] });
    const trace = await traceFixture("service-graphs/client-server.json");
    p.send(onlyResources(trace, 0));
    p.send(onlyResources(trace, 1));
    expect(edges(p)).toEqual({});
    expect(p.tenant().stats.serviceGraphs.droppedEdges).toBe(1);
    expect(p.tenant().stats.discarded.get("service_graphs_filtered\u0000service-graphs")).toBe(1);
    p.tick(p.now + 11_000);
    expect(edges(p)).toEqual({});
  });

  test("a span arriving after its counterpart was filtered is dropped", async () => {
    const p = graphs({ filter_policies: [{ exclude: { match_type: "strict", attributes: [{ key: "resource.service.name", value: "frontend" }] } }] });
    const trace = await traceFixture("service-graphs/client-server.json");
    p.send(onlyResources(trace, 0));
    p.send(onlyResources(trace, 1));
    expect(p.tenant().stats.serviceGraphs.droppedEdges).toBe(1);
    expect(p.tenant().stats.serviceGraphs.pendingEdges).toBe(0);
  });

  test("resources without service.name are ignored", () => {
    const p = graphs();
    p.send(request({ resource: {}, spans: [span({ kind: SpanKind.Client, attributes: { "db.system": "x" } })] }));
    expect(edges(p)).toEqual({});
  });

  test("sub-processors: request only; connection_info only with its own name", async () => {
    const p = graphs({}, ["service-graphs-request"]);
    p.send(await traceFixture("service-graphs/client-server.json"));
    expect(Object.keys(edges(p))).toEqual([req('client="frontend",server="checkout"')]);
    const q = graphs({}, ["service-graphs", "service-graphs-connection-info"]);
    q.send(await traceFixture("service-graphs/client-server.json"));
    expect(edges(q)['traces_service_graph_connection_info{client="frontend",server="checkout"}']).toBe(1);
    expect(Object.keys(edges(graphs())).some((k) => k.includes("connection_info"))).toBe(false);
  });
});

describe("exact latencies: durations and gaps are taken on the integer nanoseconds", () => {
  // 1.7e18 ns as a double resolves only 256 ns: a gap of 301 ns would come out as 256 or 512.
  const t = nowNs() + 123_457n;
  const trace = idBytes(16, 4242);
  const producerId = idBytes(8, 4243);
  const messaging = request(
    { resource: { "service.name": "orders" }, spans: [span({ kind: SpanKind.Producer, traceId: trace, spanId: producerId, endNs: t, duration: 0.000_000_777 })] },
    {
      resource: { "service.name": "shipping" },
      spans: [span({ kind: SpanKind.Consumer, traceId: trace, parentSpanId: producerId, endNs: t + 301n + 1_001n, duration: 0.000_001_001 })],
    },
  );
  const l = 'client="orders",connection_type="messaging_system",server="shipping"';

  test.each([
    ["generated decoder (OTLP/JSON path)", (p: ReturnType<typeof graphs>) => p.send(messaging)],
    ["wire decoder (OTLP/protobuf path)", (p: ReturnType<typeof graphs>) => p.sendBytes(toBinary(ExportTraceServiceRequestSchema, messaging))],
  ])("messaging-system latency is consumer start − producer end to the nanosecond: %s", (_name, send) => {
    const p = graphs({ enable_messaging_system_latency_histogram: true });
    send(p);
    const v = edges(p);
    expect(v[`traces_service_graph_request_messaging_system_seconds_sum{${l}}`]).toBe(301 / 1e9);
    expect(v[`traces_service_graph_request_client_seconds_sum{${l}}`]).toBe(777 / 1e9);
    expect(v[`traces_service_graph_request_server_seconds_sum{${l}}`]).toBe(1001 / 1e9);
  });

  test("a consumer that starts before the producer ends is not observed", () => {
    const p = graphs({ enable_messaging_system_latency_histogram: true });
    const early = create(ExportTraceServiceRequestSchema, messaging);
    early.resourceSpans[1].scopeSpans[0].spans[0].startTimeUnixNano = t - 1n;
    p.sendBytes(toBinary(ExportTraceServiceRequestSchema, early));
    expect(edges(p)[req(l)]).toBe(1);
    expect(edges(p)[`traces_service_graph_request_messaging_system_seconds_count{${l}}`]).toBeUndefined();
  });
});

describe("virtual_node label (enable_virtual_node_label)", () => {
  const pair = (attributes: Record<string, string>) => {
    const trace = idBytes(16, 5151);
    const clientId = idBytes(8, 5152);
    return request(
      { resource: { "service.name": "web" }, spans: [span({ kind: SpanKind.Client, traceId: trace, spanId: clientId, attributes })] },
      { resource: { "service.name": "api" }, spans: [span({ kind: SpanKind.Server, traceId: trace, parentSpanId: clientId, attributes })] },
    );
  };

  test("with the client/server prefix, a span attribute named virtual_node never becomes the label", () => {
    const p = graphs({ enable_virtual_node_label: true, enable_client_server_prefix: true, dimensions: ["virtual_node"] });
    p.send(pair({ virtual_node: "spoofed" }));
    expect(Object.keys(edges(p)).filter((k) => k.startsWith("traces_service_graph_request_total"))).toEqual([req('client="web",server="api"')]);
  });

  test("with the prefix, the label still marks expiry-created edges", async () => {
    const p = graphs({ enable_virtual_node_label: true, enable_client_server_prefix: true });
    p.send(await traceFixture("service-graphs/root-server.json", p.now));
    p.tick(p.now + 12_000);
    expect(edges(p)[req('client="user",connection_type="virtual_node",server="checkout",virtual_node="client"')]).toBe(1);
  });

  test("without the prefix, a span attribute named virtual_node is the label (as in Tempo)", () => {
    const p = graphs({ enable_virtual_node_label: true });
    p.send(pair({ virtual_node: "spoofed" }));
    expect(edges(p)[req('client="web",server="api",virtual_node="spoofed"')]).toBe(1);
  });
});

describe("peer node: the first peer attribute present on the span wins, even when empty", () => {
  const lone = (attributes: Record<string, string>) =>
    request({ resource: { "service.name": "checkout" }, spans: [span({ kind: SpanKind.Client, spanId: idBytes(8, 6161), attributes })] });

  test("an empty first peer attribute means no virtual server (the next attribute is not tried)", () => {
    const p = graphs({ peer_attributes: ["peer.service", "net.peer.name"] });
    p.send(lone({ "peer.service": "", "net.peer.name": "rates-api" }));
    p.tick(p.now + 11_000);
    expect(edges(p)).toEqual({});
    expect(p.tenant().stats.serviceGraphs.expiredEdges.get("SPAN_KIND_CLIENT")).toBe(1);
  });

  test("a later attribute is used when the earlier ones are absent", () => {
    const p = graphs({ peer_attributes: ["peer.service", "net.peer.name"] });
    p.send(lone({ "net.peer.name": "rates-api" }));
    p.tick(p.now + 11_000);
    expect(edges(p)[req('client="checkout",connection_type="virtual_node",server="rates-api"')]).toBe(1);
  });
});

describe("an all-zero parent span id", () => {
  const rootish = (send: "send" | "sendRecord") => {
    const p = graphs();
    p[send](request({ resource: { "service.name": "checkout" }, spans: [span({ kind: SpanKind.Server, parentSpanId: new Uint8Array(8) })] }));
    p.tick(p.now + 12_000);
    return edges(p)[req('client="user",connection_type="virtual_node",server="checkout"')];
  };

  test("over OTLP is no parent (pdata reads it as none): the server span is a root, user → service", () => {
    expect(rootish("send")).toBe(1);
  });

  test("in a Kafka record it is a parent (Tempo reads the record as written): no user edge", () => {
    expect(rootish("sendRecord")).toBeUndefined();
  });
});
