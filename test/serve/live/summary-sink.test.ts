import { describe, expect, test } from "bun:test";
import { SummarySink } from "../../../src/serve/live/summary-sink.ts";
import { idBytes, request, span } from "../../support/otlp-builders.ts";
import { pipeline, tenantConfig } from "../../support/pipeline.ts";

const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;

/** The real processors fed a few spans; the registry then written into a SummarySink. */
function summarize() {
  const p = pipeline(
    tenantConfig({
      processors: ["span-metrics", "service-graphs"],
      spanMetrics: { histogram_buckets: [0.01, 0.1, 1], dimensions: ["http.method"] },
      serviceGraphs: { histogram_buckets: [0.05, 0.5] },
    }),
  );
  const trace = idBytes(16, 900);
  const send = (service: string, spans: ReturnType<typeof span>[]) => expect(p.send(request({ resource: { "service.name": service }, spans })).rejectedSpans).toBe(0);
  send("api", [
    // two methods: two series, one row (service + span name)
    span({ name: "GET /a", kind: SERVER, duration: 0.005, attributes: { "http.method": "GET" } }),
    span({ name: "GET /a", kind: SERVER, duration: 0.05, attributes: { "http.method": "HEAD" } }),
    span({ name: "GET /a", kind: SERVER, duration: 0.5, status: ERROR, attributes: { "http.method": "GET" } }),
    // a client span and its server below: one edge, failed by the server's error
    span({ name: "call", kind: CLIENT, duration: 0.2, traceId: trace, spanId: idBytes(8, 901) }),
    // a database call: an edge from the client span alone
    span({ name: "SELECT", kind: CLIENT, duration: 0.03, attributes: { "db.system": "postgresql", "db.name": "shop" } }),
  ]);
  send("worker", [span({ name: "handle", kind: SERVER, duration: 0.1, status: ERROR, traceId: trace, spanId: idBytes(8, 902), parentSpanId: idBytes(8, 901) })]);
  const registry = p.tenant().registry;
  const sink = new SummarySink();
  registry.collect(p.now, sink, "scrape");
  return sink.summary;
}

describe("SummarySink", () => {
  test("RED per service and span name: calls and errors summed over kind, status and dimensions, cumulative latency buckets", () => {
    const s = summarize();
    expect(s.redBounds).toEqual([0.01, 0.1, 1]);
    expect(s.red.get("api\u0000GET /a")).toEqual({ service: "api", spanName: "GET /a", calls: 3, errors: 1, buckets: [1, 2, 3, 3] });
    expect(s.red.get("worker\u0000handle")).toEqual({ service: "worker", spanName: "handle", calls: 1, errors: 1, buckets: [0, 1, 1, 1] });
    expect([...s.red.keys()].sort()).toEqual(["api\u0000GET /a", "api\u0000SELECT", "api\u0000call", "worker\u0000handle"]);
  });

  test("service-graph edges: requests, failures and server-latency buckets per client, server and connection type", () => {
    const s = summarize();
    expect(s.edgeBounds).toEqual([0.05, 0.5]);
    expect(s.edges.get("api\u0000worker\u0000\u0000")).toEqual({ client: "api", server: "worker", connectionType: "", virtualNode: "", requests: 1, failed: 1, buckets: [0, 1, 1] });
    // the database edge's server latency is the client span's duration (30 ms)
    expect(s.edges.get("api\u0000shop\u0000database\u0000")).toEqual({ client: "api", server: "shop", connectionType: "database", virtualNode: "", requests: 1, failed: 0, buckets: [1, 1, 1] });
    expect(s.edges.size).toBe(2);
  });
});
