/**
 * Service graphs end to end: a small microservice topology recorded by real
 * OpenTelemetry JS SDK instances — one per service, trace context handed from
 * client to server through the W3C traceparent propagator as it would cross
 * HTTP — sent to the compiled binary and read back from a real Prometheus.
 *
 *   user ──► frontend ──► checkout ──► payment (fails)
 *                            ├──► postgres (database, by server.address)
 *                            └──► shipping (producer → consumer)
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type Context, type HrTime, ROOT_CONTEXT, SpanKind, SpanStatusCode, defaultTextMapGetter, defaultTextMapSetter, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { TestTracer, hrNow } from "../support/otel-sdk.ts";
import { E2E_TIMEOUT_MS } from "../support/poll.ts";
import { Prometheus, type Sample } from "../support/prometheus.ts";
import { Redgen, testConfig } from "../support/redgen-process.ts";

const TRACES = 3;
const propagator = new W3CTraceContextPropagator();

let prom: Prometheus;
let redgen: Redgen;
const tracers: Record<string, TestTracer> = {};

/** `ms` before `end`, in exact integer nanoseconds (a double of epoch ns would round to 256 ns). */
function at([sec, ns]: HrTime, ms: number): HrTime {
  const total = BigInt(sec) * 1_000_000_000n + BigInt(ns) - BigInt(Math.round(ms * 1e6));
  return [Number(total / 1_000_000_000n), Number(total % 1_000_000_000n)];
}

/** A span in `service`; the parent context arrives through a traceparent carrier, as over HTTP. */
function span(service: string, name: string, kind: SpanKind, parent: Record<string, string> | Context | undefined, startMs: number, endMs: number, now: HrTime, attributes = {}, error = false) {
  const ctx = parent === undefined ? ROOT_CONTEXT : "getValue" in parent ? (parent as Context) : propagator.extract(ROOT_CONTEXT, parent, defaultTextMapGetter);
  const s = tracers[service].tracer.startSpan(name, { kind, startTime: at(now, -startMs), attributes }, ctx as Context);
  if (error) s.setStatus({ code: SpanStatusCode.ERROR });
  s.end(at(now, -endMs));
  const carrier: Record<string, string> = {};
  propagator.inject(trace.setSpan(ROOT_CONTEXT, s), carrier, defaultTextMapSetter);
  return { ctx: trace.setSpan(ROOT_CONTEXT, s), carrier };
}

function oneTrace(now: HrTime): void {
  // offsets in ms relative to a base 100 ms in the past
  const t = (ms: number) => ms - 100;
  const root = span("frontend", "GET /", SpanKind.SERVER, undefined, t(0), t(90), now);
  const toCheckout = span("frontend", "POST /checkout", SpanKind.CLIENT, root.ctx, t(5), t(80), now);
  const checkout = span("checkout", "POST /checkout", SpanKind.SERVER, toCheckout.carrier, t(7), t(78), now);
  const toPayment = span("checkout", "POST /pay", SpanKind.CLIENT, checkout.ctx, t(10), t(40), now);
  span("payment", "POST /pay", SpanKind.SERVER, toPayment.carrier, t(12), t(38), now, {}, true);
  span("checkout", "SELECT orders", SpanKind.CLIENT, checkout.ctx, t(41), t(45), now, { "db.system": "postgresql", "server.address": "pg.internal" });
  const publish = span("checkout", "publish order", SpanKind.PRODUCER, checkout.ctx, t(46), t(48), now);
  span("shipping", "consume order", SpanKind.CONSUMER, publish.carrier, t(55), t(60), now);
}

beforeAll(async () => {
  prom = await Prometheus.start();
  const config = testConfig({ remoteWriteUrl: prom.remoteWriteUrl }) as {
    metrics_generator: { processor: Record<string, unknown> };
    overrides: { defaults: { metrics_generator: { processors: string[] } } };
  };
  config.metrics_generator.processor.service_graphs = { wait: "1s", enable_virtual_node_label: true, enable_messaging_system_latency_histogram: true };
  config.overrides.defaults.metrics_generator.processors = ["service-graphs"];
  redgen = await Redgen.start({ config });
  for (const service of ["frontend", "checkout", "payment", "shipping"]) {
    tracers[service] = new TestTracer({ endpoint: redgen.otlpHttpUrl, encoding: "protobuf", gzip: false, resource: { "service.name": service } });
  }
  for (let i = 0; i < TRACES; i++) oneTrace(hrNow());
  // Each service exports on its own, in separate requests, servers before clients for payment.
  for (const service of ["payment", "frontend", "checkout", "shipping"]) await tracers[service].flush();
}, E2E_TIMEOUT_MS);

afterAll(async () => {
  for (const t of Object.values(tracers)) await t.shutdown();
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
