/**
 * Cardinality under control, end to end: the compiled binary, spans from the
 * OpenTelemetry SDK, series read back from a real Prometheus. An explosion of
 * distinct span names is folded by DRAIN into templates, an explosion of one
 * dimension's values turns into `__cardinality_overflow__` once the 15-second
 * evaluation sees it over max_cardinality_per_label, and the entity limiter
 * sends new label sets to `metric_overflow="true"` — while the totals of
 * every counter stay exactly what was sent.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SpanKind } from "@opentelemetry/api";
import { parseExposition } from "../support/exposition.ts";
import { TestTracer, recordSpan } from "../support/otel-sdk.ts";
import { E2E_TIMEOUT_MS, poll } from "../support/poll.ts";
import { Prometheus } from "../support/prometheus.ts";
import { Redgen, testConfig } from "../support/redgen-process.ts";

let prom: Prometheus;

beforeAll(async () => {
  prom = await Prometheus.start();
}, E2E_TIMEOUT_MS);

afterAll(async () => {
  await prom?.stop();
}, E2E_TIMEOUT_MS);

/** A test config with these overrides.defaults.metrics_generator settings (and limiter_type). */
function config(defaults: Record<string, unknown>, dimensions: string[], limiterType?: "entity"): Record<string, unknown> {
  const c = testConfig({ remoteWriteUrl: prom.remoteWriteUrl, dimensions }) as {
    metrics_generator: Record<string, unknown>;
    overrides: { defaults: { metrics_generator: Record<string, unknown> } };
  };
  c.overrides.defaults.metrics_generator = { processors: ["span-metrics"], ...defaults };
  if (limiterType !== undefined) c.metrics_generator.limiter_type = limiterType;
  return c;
}

async function send(redgen: Redgen, service: string, spans: { name: string; attributes?: Record<string, string> }[]): Promise<void> {
  await using t = new TestTracer({ endpoint: redgen.otlpHttpUrl, encoding: "protobuf", gzip: false, resource: { "service.name": service } });
  for (const s of spans) recordSpan(t.tracer, { name: s.name, kind: SpanKind.SERVER, durationMs: 3, attributes: s.attributes });
  const exported = await t.flush();
  if (exported !== spans.length) throw new Error(`exported ${exported} of ${spans.length} spans`);
}

async function selfMetrics(redgen: Redgen): Promise<ReturnType<typeof parseExposition>> {
  return parseExposition(await (await fetch(`${redgen.apiUrl}/metrics`)).text());
}

const sum = (r: { value: number }[]) => r.reduce((n, s) => n + s.value, 0);

describe("span-name sanitizing and the per-label limit", () => {
  const SERVICE = "e2e-cardinality-labels";
  const calls = `traces_spanmetrics_calls_total{service="${SERVICE}"}`;
  let redgen: Redgen;

  beforeAll(async () => {
    redgen = await Redgen.start({
      config: config({ span_name_sanitization: "enabled", max_cardinality_per_label: 20 }, ["user.id"]),
    });
  }, E2E_TIMEOUT_MS);

  afterAll(async () => {
    await redgen?.stop();
  }, E2E_TIMEOUT_MS);

  test("400 distinct REST paths become their template; every call is still counted", async () => {
    const spans = Array.from({ length: 400 }, (_, i) => ({ name: `GET /api/orders/${1000 + i * 7}`, attributes: { "user.id": `u${i % 10}` } }));
    await send(redgen, SERVICE, spans);
    const r = await prom.waitFor(calls, (x) => sum(x) === 400);
    const names = new Set(r.map((s) => s.metric.span_name));
    // The first name of a family stays as it came (DRAIN has not seen a variable token yet); the rest share the template.
    expect(names).toEqual(new Set(["GET /api/orders/1000", "GET /api/orders/<_>"]));
    expect(r.filter((s) => s.metric.span_name === "GET /api/orders/<_>").reduce((n, s) => n + s.value, 0)).toBe(399);
    const m = await selfMetrics(redgen);
    expect(m.find((s) => s.name === "tempo_metrics_generator_registry_spans_sanitized_total")?.value).toBe(399);
    expect(m.find((s) => s.name === "tempo_metrics_generator_registry_drain_patterns_detected_total")?.value).toBe(1);
  }, E2E_TIMEOUT_MS);

  test("a dimension over max_cardinality_per_label becomes __cardinality_overflow__; its totals are preserved", async () => {
    // 30 more users: 40 distinct, over the limit of 20, but only the next evaluation (every 15 s) sees it.
    await send(redgen, SERVICE, Array.from({ length: 30 }, (_, i) => ({ name: "GET /api/cart", attributes: { "user.id": `v${i}` } })));
    await poll(
      "the per-label evaluation",
      async () => {
        const est = (await selfMetrics(redgen)).find(
          (s) => s.name === "tempo_metrics_generator_registry_label_cardinality_demand_estimate" && s.labels.label_name === "user_id",
        );
        return est !== undefined && est.value > 20 ? est.value : undefined;
      },
      { timeoutMs: 25_000, intervalMs: 250 },
    );
    await send(redgen, SERVICE, Array.from({ length: 500 }, (_, i) => ({ name: "GET /api/cart", attributes: { "user.id": `w${i}` } })));
    const r = await prom.waitFor(calls, (x) => sum(x) === 930);
    const users = new Set(r.map((s) => s.metric.user_id));
    expect(users.size).toBe(10 + 30 + 1);
    expect(users.has("__cardinality_overflow__")).toBe(true);
    expect(r.filter((s) => s.metric.user_id === "__cardinality_overflow__").reduce((n, s) => n + s.value, 0)).toBe(500);
    const limited = (await selfMetrics(redgen)).find((s) => s.name === "tempo_metrics_generator_registry_label_values_limited_total");
    expect(limited?.labels.label_name).toBe("user_id");
    expect(limited?.value).toBe(500);
  }, E2E_TIMEOUT_MS);
});

test("the entity limiter: label sets over max_active_entities go to metric_overflow=\"true\" for calls, latency and size alike", async () => {
  const SERVICE = "e2e-cardinality-entities";
  await using redgen = await Redgen.start({ config: config({ max_active_entities: 5 }, [], "entity") });
  await send(redgen, SERVICE, Array.from({ length: 60 }, (_, i) => ({ name: `op-${String.fromCharCode(97 + (i % 20))}` })));
  const calls = await prom.waitFor(`traces_spanmetrics_calls_total{service="${SERVICE}"} or traces_spanmetrics_calls_total{metric_overflow="true"}`, (x) => sum(x) === 60);
  expect(calls.filter((s) => s.metric.metric_overflow !== "true")).toHaveLength(5);
  const counts = await prom.waitFor(`traces_spanmetrics_latency_count{metric_overflow="true"} or traces_spanmetrics_latency_count{service="${SERVICE}"}`, (x) => sum(x) === 60);
  expect(counts.filter((s) => s.metric.metric_overflow !== "true")).toHaveLength(5);
  const m = await selfMetrics(redgen);
  const v = (name: string) => m.find((s) => s.name === `tempo_metrics_generator_registry_${name}`)?.value;
  expect(v("active_entities")).toBe(5);
  expect(v("max_active_entities")).toBe(5);
  expect(v("entity_demand_estimate")).toBe(20);
  expect(v("entities_limited_total")).toBeGreaterThan(0);
}, E2E_TIMEOUT_MS);
