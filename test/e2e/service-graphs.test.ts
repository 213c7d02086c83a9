/**
 * Service graphs end to end: the topology of topology.ts, recorded by real
 * OpenTelemetry JS SDK instances, sent to the compiled binary and read back
 * from a real Prometheus.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { E2E_TIMEOUT_MS } from "../support/poll.ts";
import { Prometheus, type Sample } from "../support/prometheus.ts";
import { Redgen, testConfig } from "../support/redgen-process.ts";
import { Topology } from "./topology.ts";

const TRACES = 3;

let prom: Prometheus;
let redgen: Redgen;
let topology: Topology;

beforeAll(async () => {
  prom = await Prometheus.start();
  const config = testConfig({ remoteWriteUrl: prom.remoteWriteUrl }) as {
    metrics_generator: { processor: Record<string, unknown> };
    overrides: { defaults: { metrics_generator: { processors: string[] } } };
  };
  config.metrics_generator.processor.service_graphs = { wait: "1s", enable_virtual_node_label: true, enable_messaging_system_latency_histogram: true };
  config.overrides.defaults.metrics_generator.processors = ["service-graphs"];
  redgen = await Redgen.start({ config });
  topology = new Topology(redgen.otlpHttpUrl);
  await topology.send(TRACES);
}, E2E_TIMEOUT_MS);

afterAll(async () => {
  await topology?.[Symbol.asyncDispose]();
  try {
    await redgen?.stop();
  } finally {
    await prom?.stop();
  }
}, E2E_TIMEOUT_MS);

function edges(r: Sample[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of r) {
    const { client, server, connection_type = "", virtual_node = "" } = s.metric;
    out[`${client}->${server}${connection_type ? ` ${connection_type}` : ""}${virtual_node ? ` (${virtual_node})` : ""}`] = s.value;
  }
  return out;
}

test("every edge of the topology with exact request counts, including user → frontend after wait", async () => {
  const r = await prom.waitFor("traces_service_graph_request_total", (x) => x.length === 5);
  expect(edges(r)).toEqual({
    "user->frontend virtual_node (client)": TRACES,
    "frontend->checkout": TRACES,
    "checkout->payment": TRACES,
    "checkout->pg.internal database": TRACES,
    "checkout->shipping messaging_system": TRACES,
  });
}, E2E_TIMEOUT_MS);

test("failed requests come from the failing server side", async () => {
  const r = await prom.waitFor("traces_service_graph_request_failed_total", (x) => x.length === 1);
  expect(edges(r)).toEqual({ "checkout->payment": TRACES });
}, E2E_TIMEOUT_MS);

test("latency histograms: client and server seconds per edge, messaging latency from producer end to consumer start", async () => {
  const client = await prom.waitFor('traces_service_graph_request_client_seconds_sum{client="frontend"}', (x) => x.length === 1);
  expect(client[0].value).toBeCloseTo(TRACES * 0.075, 6);
  const server = await prom.waitFor('traces_service_graph_request_server_seconds_sum{server="checkout"}', (x) => x.length === 1);
  expect(server[0].value).toBeCloseTo(TRACES * 0.071, 6);
  const db = await prom.waitFor('traces_service_graph_request_server_seconds_count{connection_type="database"}', (x) => x.length === 1);
  expect(db[0].value).toBe(TRACES);
  const msg = await prom.waitFor("traces_service_graph_request_messaging_system_seconds_sum", (x) => x.length === 1);
  expect(msg[0].value).toBeCloseTo(TRACES * 0.007, 6);
  const buckets = await prom.waitFor('traces_service_graph_request_client_seconds_bucket{client="checkout",server="payment"}', (x) => x.length === 9);
  const le = Object.fromEntries(buckets.map((b) => [b.metric.le, b.value]));
  expect(le).toEqual({ "0.1": TRACES, "0.2": TRACES, "0.4": TRACES, "0.8": TRACES, "1.6": TRACES, "3.2": TRACES, "6.4": TRACES, "12.8": TRACES, "+Inf": TRACES });
}, E2E_TIMEOUT_MS);

test("self-metrics count the edges and nothing unpaired", async () => {
  const text = await redgen.selfMetrics();
  expect(text).toContain('tempo_metrics_generator_processor_service_graphs_edges{tenant="single-tenant"} 15');
  expect(text).toContain('redgen_service_graphs_pending_edges{tenant="single-tenant"} 0');
  expect(text).not.toContain("unmatched_span_kind=");
}, E2E_TIMEOUT_MS);
