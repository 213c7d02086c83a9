/**
 * The real OpenTelemetry JS SDK sends through OTLP/HTTP (protobuf and JSON,
 * each plain and gzip) to the compiled redgen, which remote-writes to a real
 * Prometheus; everything is asserted through Prometheus' HTTP API and on
 * redgen's /metrics/generated. Each exporter variant uses its own service
 * name, so the four share one Prometheus and one redgen.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { hostname } from "node:os";
import { parseExposition } from "../support/exposition.ts";
import { type ExporterChoice, LeadingZeroIdGenerator, TestTracer, exemplarTraceId } from "../support/otel-sdk.ts";
import { E2E_TIMEOUT_MS } from "../support/poll.ts";
import { Prometheus } from "../support/prometheus.ts";
import { Redgen, testConfig } from "../support/redgen-process.ts";
import {
  EXEMPLAR_COUNT,
  GROUPS,
  type Sent,
  SPAN_COUNT,
  bucketsByKey,
  byKey,
  expectedBuckets,
  expectedByGroup,
  groupKey,
  sendScenario,
  total,
} from "./scenario.ts";

const CASES: (ExporterChoice & { id: string })[] = [
  { id: "protobuf", encoding: "protobuf", gzip: false },
  { id: "protobuf-gzip", encoding: "protobuf", gzip: true },
  { id: "json", encoding: "json", gzip: false },
  { id: "json-gzip", encoding: "json", gzip: true },
];

let prom: Prometheus;
let redgen: Redgen;
/** Per case: the spans sent (all four are sent at once, then each case waits for its data). */
const sends = new Map<string, Promise<Sent>>();

beforeAll(async () => {
  prom = await Prometheus.start();
  redgen = await Redgen.start({ config: testConfig({ remoteWriteUrl: prom.remoteWriteUrl, collectionInterval: "1s" }) });
  for (const c of CASES) {
    const send = (async () => {
      await using tracer = new TestTracer({
        endpoint: redgen.otlpHttpUrl,
        encoding: c.encoding,
        gzip: c.gzip,
        resource: { "service.name": `e2e-${c.id}`, "service.version": "1.2.3" },
        idGenerator: new LeadingZeroIdGenerator(),
      });
      return sendScenario(tracer);
    })();
    send.catch(() => undefined); // awaited (and reported) by the case's tests
    sends.set(c.id, send);
  }
}, E2E_TIMEOUT_MS);

afterAll(async () => {
  try {
    await redgen?.stop();
  } finally {
    await prom?.stop();
  }
}, E2E_TIMEOUT_MS);

describe.each(CASES)("OTel SDK, OTLP/HTTP $id", (c) => {
  const service = `e2e-${c.id}`;
  const sel = `{service="${service}"}`;

  test("traces_spanmetrics_calls_total per label set", async () => {
    await sends.get(c.id);
    const calls = await prom.waitFor(`traces_spanmetrics_calls_total${sel}`, (r) => total(r) === SPAN_COUNT);
    expect(byKey(calls)).toEqual(expectedByGroup(service, (g) => g.durationsMs.length));
    for (const s of calls) expect(s.metric.__metrics_gen_instance).toBe(hostname());
  }, E2E_TIMEOUT_MS);

  test("latency buckets, _count and _sum", async () => {
    await sends.get(c.id);
    await prom.waitFor(`traces_spanmetrics_latency_count${sel}`, (r) => total(r) === SPAN_COUNT);
    expect(bucketsByKey(await prom.query(`traces_spanmetrics_latency_bucket${sel}`))).toEqual(expectedBuckets(service));
    expect(byKey(await prom.query(`traces_spanmetrics_latency_count${sel}`))).toEqual(
      expectedByGroup(service, (g) => g.durationsMs.length),
    );
    const sums = byKey(await prom.query(`traces_spanmetrics_latency_sum${sel}`));
    expect(Object.keys(sums).sort()).toEqual(GROUPS.map((g) => groupKey(g, service)).sort());
    for (const g of GROUPS) expect(sums[groupKey(g, service)]).toBeCloseTo(g.sum, 9);
  }, E2E_TIMEOUT_MS);

  test("traces_spanmetrics_size_total and the instance label", async () => {
    await sends.get(c.id);
    const sizes = await prom.waitFor(`traces_spanmetrics_size_total${sel}`, (r) => r.length === GROUPS.length);
    const bySeries = byKey(sizes);
    for (const g of GROUPS) {
      // A span carries at least its 16-byte trace id, 8-byte span id, name and two fixed64 timestamps.
      const minimum = g.durationsMs.length * (18 + 10 + 2 + g.spanName.length + 18);
      expect(bySeries[groupKey(g, service)]).toBeGreaterThanOrEqual(minimum);
    }
    for (const s of sizes) expect(s.metric.__metrics_gen_instance).toBe(hostname());
  }, E2E_TIMEOUT_MS);

  test("exemplars carry the trace id without leading zeros", async () => {
    const sent = await sends.get(c.id)!;
    const series = await prom.waitForExemplars(`traces_spanmetrics_latency_bucket${sel}`, EXEMPLAR_COUNT);
    type Got = { labels: Record<string, string>; value: number }[];
    const got: Record<string, Got> = {};
    for (const s of series) {
      got[`${s.seriesLabels.span_name} le=${s.seriesLabels.le}`] = s.exemplars.map((e) => ({
        labels: e.labels,
        value: Number(e.value.toFixed(9)),
      }));
    }
    // One exemplar per bucket that got observations: the last span observed there, its raw duration.
    const expected: Record<string, Got> = {};
    for (const g of GROUPS) {
      const spans = sent.get(g)!;
      for (const [le, i] of Object.entries(g.exemplars)) {
        expected[`${g.spanName} le=${le}`] = [
          { labels: { traceID: exemplarTraceId(spans[i].traceId) }, value: g.durationsMs[i] / 1000 },
        ];
      }
    }
    expect(got).toEqual(expected);
    // The SDK's ids really had leading zeros, so stripping was exercised.
    expect(sent.get(GROUPS[0])![0].traceId.startsWith("00000a")).toBe(true);
  }, E2E_TIMEOUT_MS);

  test("the same series on /metrics/generated", async () => {
    await sends.get(c.id);
    await prom.waitFor(`traces_spanmetrics_calls_total${sel}`, (r) => total(r) === SPAN_COUNT);
    const mine = parseExposition(await redgen.generated()).filter((s) => s.labels.service === service);
    const named = (n: string) => mine.filter((s) => s.name === n);
    expect(byKey(named("traces_spanmetrics_calls_total"))).toEqual(expectedByGroup(service, (g) => g.durationsMs.length));
    expect(bucketsByKey(named("traces_spanmetrics_latency_bucket"))).toEqual(expectedBuckets(service));
    expect(byKey(named("traces_spanmetrics_latency_count"))).toEqual(expectedByGroup(service, (g) => g.durationsMs.length));
    const sums = byKey(named("traces_spanmetrics_latency_sum"));
    for (const g of GROUPS) expect(sums[groupKey(g, service)]).toBeCloseTo(g.sum, 9);
    // The scrape shows the values Prometheus received by remote write.
    const sizes = byKey(named("traces_spanmetrics_size_total"));
    expect(sizes).toEqual(byKey(await prom.query(`traces_spanmetrics_size_total${sel}`)));
  }, E2E_TIMEOUT_MS);
});

test("new counter and bucket series start with 0 at the end of the previous minute, _sum does not", async () => {
  await sends.get("protobuf");
  const sel = `{service="e2e-protobuf",span_name="GET /users"}`;
  await prom.waitFor(`traces_spanmetrics_latency_count${sel}`, (r) => total(r) === 4);
  const firstTwo = async (selector: string) => {
    const series = await prom.querySamples(`${selector}[10m]`);
    expect(series).toHaveLength(1);
    return series[0].samples.slice(0, 2);
  };
  const calls = await firstTwo(`traces_spanmetrics_calls_total${sel}`);
  const collectedAt = calls[1][0];
  // Spec §8.3: floor(collection time to the minute) - 1 s, then the cumulative value.
  const zeroAt = Math.floor(collectedAt / 60_000) * 60_000 - 1000;
  expect(calls).toEqual([
    [zeroAt, 0],
    [collectedAt, 4],
  ]);
  expect(await firstTwo(`traces_spanmetrics_latency_count${sel}`)).toEqual([
    [zeroAt, 0],
    [collectedAt, 4],
  ]);
  expect(await firstTwo(`traces_spanmetrics_latency_bucket{service="e2e-protobuf",span_name="GET /users",le="0.005"}`)).toEqual([
    [zeroAt, 0],
    [collectedAt, 3],
  ]);
  const [sum] = await firstTwo(`traces_spanmetrics_latency_sum${sel}`);
  expect(sum[0]).toBe(collectedAt);
  expect(sum[1]).toBeCloseTo(0.029, 9);
}, E2E_TIMEOUT_MS);

// Spec §4.1: size is the *canonical* protobuf length of the Span (Tempo's
// distributor re-marshals before the generator measures), so it cannot depend
// on how the client encoded the request: the OTel JS protobuf exporter writes
// zero-valued fields explicitly, the JSON path never has them.
test("span sizes do not depend on the OTLP encoding or compression", async () => {
  await Promise.all(sends.values());
  const perCase = await Promise.all(
    CASES.map(async (c) => {
      const r = await prom.waitFor(`traces_spanmetrics_size_total{service="e2e-${c.id}"}`, (x) => x.length === GROUPS.length);
      return Object.fromEntries(r.map((s) => [s.metric.span_name, s.value]));
    }),
  );
  for (const sizes of perCase.slice(1)) expect(sizes).toEqual(perCase[0]);
}, E2E_TIMEOUT_MS);
