/**
 * Native histograms end to end: the real OpenTelemetry JS SDK sends spans
 * with exact durations to the compiled redgen (generate_native_histograms:
 * native), which remote-writes them to Debian's Prometheus 2.42 over remote
 * write 1.0 and to Prometheus 3 over remote write 2.0; a third Prometheus
 * (2.42) scrapes /metrics/generated in the protobuf format. PromQL's
 * histogram_count, histogram_sum and histogram_quantile must give the same
 * answers in all three. Also: 2.0 sent to a 1.0-only receiver fails clearly,
 * and both-mode histograms count on across a restart.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SpanKind } from "@opentelemetry/api";
import { TestTracer, recordSpan } from "../support/otel-sdk.ts";
import { E2E_TIMEOUT_MS } from "../support/poll.ts";
import { Prometheus } from "../support/prometheus.ts";
import { Redgen, testConfig } from "../support/redgen-process.ts";

const SERVICE = "e2e-native";
/** 40 spans of 10 ms and 10 of 1 s: the median is in 10 ms' bucket, the 95th percentile in 1 s'. */
const FAST = 40;
const SLOW = 10;
const SUM = FAST * 0.01 + SLOW * 1;

let v1: Prometheus;
let v2: Prometheus;
let scraper: Prometheus;
let redgen: Redgen;
let sentAt = 0;

beforeAll(async () => {
  [v1, v2] = await Promise.all([Prometheus.start(), Prometheus.start3()]);
  const config = testConfig({ collectionInterval: "1s" }) as {
    metrics_generator: { storage: { remote_write: unknown[] } };
    overrides: { defaults: { metrics_generator: Record<string, unknown> } };
  };
  config.metrics_generator.storage.remote_write = [
    { url: v1.remoteWriteUrl, name: "rw1" },
    { url: v2.remoteWriteUrl, name: "rw2", protobuf_message: "io.prometheus.write.v2.Request" },
  ];
  config.overrides.defaults.metrics_generator.generate_native_histograms = "native";
  redgen = await Redgen.start({ config });
  const target = new URL(redgen.apiUrl).host;
  scraper = await Prometheus.start("prometheus", {
    scrapeConfigs: `[{job_name: scrape, honor_labels: true, scrape_interval: 1s, metrics_path: /metrics/generated, static_configs: [{targets: ["${target}"]}]}]`,
  });
  sentAt = Date.now();
  await using tracer = new TestTracer({ endpoint: redgen.otlpHttpUrl, encoding: "protobuf", gzip: false, resource: { "service.name": SERVICE } });
  for (let i = 0; i < FAST + SLOW; i++) recordSpan(tracer.tracer, { name: "GET /item", kind: SpanKind.SERVER, durationMs: i < FAST ? 10 : 1000 });
  expect(await tracer.flush()).toBe(FAST + SLOW);
}, E2E_TIMEOUT_MS);

afterAll(async () => {
  await Promise.allSettled([redgen?.stop(), scraper?.stop()]);
  await Promise.allSettled([v1?.stop(), v2?.stop()]);
}, E2E_TIMEOUT_MS);

const cases = () => [
  { name: "Prometheus 2.42, remote write 1.0", prom: v1, sel: `{service="${SERVICE}"}` },
  { name: "Prometheus 3, remote write 2.0", prom: v2, sel: `{service="${SERVICE}"}` },
  { name: "Prometheus 2.42 scraping the protobuf exposition", prom: scraper, sel: `{service="${SERVICE}",job="scrape"}` },
];

describe("native histograms reach Prometheus and PromQL reads them", () => {
  for (const i of [0, 1, 2]) {
    test(`histogram_count, histogram_sum and histogram_quantile (${["RW 1.0 → 2.42", "RW 2.0 → 3", "scrape → 2.42"][i]})`, async () => {
      const { prom, sel } = cases()[i];
      const metric = `traces_spanmetrics_latency${sel}`;
      const count = await prom.waitFor(`histogram_count(${metric})`, (r) => r.length === 1 && r[0].value === FAST + SLOW, 30_000);
      expect(count[0].value).toBe(FAST + SLOW);
      const [sum] = await prom.query(`histogram_sum(${metric})`);
      expect(sum.value).toBeCloseTo(SUM, 9);
      // schema 3: 10 ms lies in (2^(-54/8), 2^(-53/8)], 1 s in (2^(-1/8), 1]
      const [p50] = await prom.query(`histogram_quantile(0.5, ${metric})`);
      expect(p50.value).toBeGreaterThan(2 ** (-54 / 8));
      expect(p50.value).toBeLessThanOrEqual(2 ** (-53 / 8));
      const [p95] = await prom.query(`histogram_quantile(0.95, ${metric})`);
      expect(p95.value).toBeGreaterThan(2 ** (-1 / 8));
      expect(p95.value).toBeLessThanOrEqual(1);
      // native mode: no classic series
      expect(await prom.query(`traces_spanmetrics_latency_bucket${sel}`)).toEqual([]);
    }, E2E_TIMEOUT_MS);
  }

  test("remote write 1.0 writes the zero-first sample; 2.0 sends the start timestamp instead, which Prometheus 3 turns into the zero", async () => {
    const calls = `traces_spanmetrics_calls_total{service="${SERVICE}"}`;
    await v1.waitFor(calls, (r) => r.length === 1 && r[0].value === FAST + SLOW, 30_000);
    await v2.waitFor(calls, (r) => r.length === 1 && r[0].value === FAST + SLOW, 30_000);
    const [a] = await v1.querySamples(`${calls}[10m]`);
    expect(a.samples[0][1]).toBe(0);
    expect(a.samples[0][0] % 60_000).toBe(59_000);
    const [b] = await v2.querySamples(`${calls}[10m]`);
    expect(b.samples[0][1]).toBe(0);
    // the zero sits where the series was created (when the spans arrived), not at a minute's end
    expect(b.samples[0][0]).toBeGreaterThanOrEqual(sentAt - 1);
    expect(b.samples[0][0]).toBeLessThan(b.samples[1][0]);
    expect(b.samples[1][1]).toBe(FAST + SLOW);
  }, E2E_TIMEOUT_MS);

  for (const [name, prom] of [["RW 1.0 → 2.42", () => v1], ["RW 2.0 → 3", () => v2]] as const) {
    test(`native exemplars arrive, sent again every round (${name})`, async () => {
      // Prometheus keeps few exemplars of one series per timestamp (2.42: one), so count rounds, not exemplars
      const ex = await prom().waitForExemplars(`traces_spanmetrics_latency{service="${SERVICE}"}`, 3, 30_000);
      const all = ex.flatMap((s) => s.exemplars);
      const perRound = new Map<number, number>();
      for (const e of all) {
        expect(Object.keys(e.labels)).toEqual(["traceID"]);
        expect([0.01, 1]).toContain(e.value);
        perRound.set(e.timestamp, (perRound.get(e.timestamp) ?? 0) + 1);
      }
      expect(perRound.size).toBeGreaterThan(1);
      expect(Math.max(...perRound.values())).toBeLessThanOrEqual(10);
    }, E2E_TIMEOUT_MS);
  }

  test("redgen counts what both endpoints accepted, and none failed", async () => {
    const text = await redgen.selfMetrics();
    const failed = [...text.matchAll(/^prometheus_remote_storage_samples_failed_total\{[^}]*\} (\S+)$/gm)].map((m) => Number(m[1]));
    expect(failed.length).toBe(2);
    expect(failed.every((v) => v === 0)).toBe(true);
  }, E2E_TIMEOUT_MS);
});

describe("remote write 2.0 to a receiver that only speaks 1.0", () => {
  test("Prometheus 2.42 answers 204 without written counts and stores nothing: redgen counts the samples as failed and says why", async () => {
    const config = testConfig({ collectionInterval: "1s" }) as { metrics_generator: { storage: { remote_write: unknown[] } } };
    config.metrics_generator.storage.remote_write = [{ url: v1.remoteWriteUrl, name: "old", protobuf_message: "io.prometheus.write.v2.Request" }];
    await using r = await Redgen.start({ config });
    await using tracer = new TestTracer({ endpoint: r.otlpHttpUrl, encoding: "protobuf", gzip: false, resource: { "service.name": "e2e-v2-to-v1" } });
    recordSpan(tracer.tracer, { name: "GET /", kind: SpanKind.SERVER, durationMs: 5 });
    expect(await tracer.flush()).toBe(1);
    await r.process.waitForStderr(/does not take remote write 2\.0 and stored nothing/, 15_000);
    const failed = /^prometheus_remote_storage_samples_failed_total\{[^}]*\} (\S+)$/m.exec(await r.selfMetrics());
    expect(Number(failed?.[1])).toBeGreaterThan(0);
    expect(await v1.query('traces_spanmetrics_calls_total{service="e2e-v2-to-v1"}')).toEqual([]);
  }, E2E_TIMEOUT_MS);
});

describe("native histograms survive a restart (checkpoint)", () => {
  test("both mode: the native and the classic series count on after SIGTERM and a restart on the same storage.path", async () => {
    const state = mkdtempSync(join(tmpdir(), "redgen-e2e-native-state-"));
    try {
      const config = testConfig({ remoteWriteUrl: v1.remoteWriteUrl, collectionInterval: "1s" }) as {
        overrides: { defaults: { metrics_generator: Record<string, unknown> } };
      };
      config.overrides.defaults.metrics_generator.generate_native_histograms = "both";
      const service = "e2e-native-restart";
      const send = async (r: Redgen, n: number) => {
        await using tracer = new TestTracer({ endpoint: r.otlpHttpUrl, encoding: "protobuf", gzip: false, resource: { "service.name": service } });
        for (let i = 0; i < n; i++) recordSpan(tracer.tracer, { name: "GET /", kind: SpanKind.SERVER, durationMs: 20 + i });
        expect(await tracer.flush()).toBe(n);
      };
      const native = `histogram_count(traces_spanmetrics_latency{service="${service}"})`;
      const classic = `traces_spanmetrics_latency_count{service="${service}"}`;
      const first = await Redgen.start({ config, stateDir: state });
      await send(first, 5);
      await v1.waitFor(native, (r) => r[0]?.value === 5, 30_000);
      expect(await first.stop()).toBe(0);
      const second = await Redgen.start({ config, stateDir: state });
      try {
        await send(second, 3);
        await v1.waitFor(native, (r) => r[0]?.value === 8, 30_000);
        await v1.waitFor(classic, (r) => r[0]?.value === 8, 30_000);
        const [sum] = await v1.query(`histogram_sum(traces_spanmetrics_latency{service="${service}"})`);
        expect(sum.value).toBeCloseTo((20 + 21 + 22 + 23 + 24 + 20 + 21 + 22) / 1000, 9);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  }, E2E_TIMEOUT_MS);
});
