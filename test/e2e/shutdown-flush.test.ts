/**
 * SIGTERM runs a final collection and flushes remote write: with a one-minute
 * collection interval nothing is written before the signal, and yet the
 * counts are in Prometheus once redgen has exited.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { hostname } from "node:os";
import { LeadingZeroIdGenerator, TestTracer } from "../support/otel-sdk.ts";
import { E2E_TIMEOUT_MS } from "../support/poll.ts";
import { Prometheus } from "../support/prometheus.ts";
import { Redgen, testConfig } from "../support/redgen-process.ts";
import { GROUPS, SPAN_COUNT, bucketsByKey, byKey, expectedBuckets, expectedByGroup, sendScenario } from "./scenario.ts";

let prom: Prometheus;

beforeAll(async () => {
  prom = await Prometheus.start();
}, E2E_TIMEOUT_MS);

afterAll(async () => {
  await prom?.stop();
}, E2E_TIMEOUT_MS);

test.each(["SIGTERM", "SIGINT"] as const)("%s flushes what was received before the first collection", async (signal) => {
  const service = `e2e-${signal.toLowerCase()}-flush`;
  const sel = `{service="${service}"}`;
  await using redgen = await Redgen.start({
    config: testConfig({ remoteWriteUrl: prom.remoteWriteUrl, collectionInterval: "1m" }),
  });
  {
    await using tracer = new TestTracer({
      endpoint: redgen.otlpHttpUrl,
      encoding: "protobuf",
      gzip: true,
      resource: { "service.name": service },
      idGenerator: new LeadingZeroIdGenerator(),
    });
    await sendScenario(tracer);
  }
  // Nothing has been written yet: the first round is a minute away.
  expect(await prom.query(`traces_spanmetrics_calls_total${sel}`)).toEqual([]);

  const code = await redgen.stop(signal);
  expect({ code, log: code === 0 ? "" : redgen.process.tail() }).toEqual({ code: 0, log: "" });

  // redgen has exited, so the flush is complete: query once, no waiting.
  const calls = await prom.query(`traces_spanmetrics_calls_total${sel}`);
  expect(byKey(calls)).toEqual(expectedByGroup(service, (g) => g.durationsMs.length));
  for (const s of calls) expect(s.metric.__metrics_gen_instance).toBe(hostname());
  expect(bucketsByKey(await prom.query(`traces_spanmetrics_latency_bucket${sel}`))).toEqual(expectedBuckets(service));
  const counts = await prom.query(`sum(traces_spanmetrics_latency_count${sel})`);
  expect(counts.map((s) => s.value)).toEqual([SPAN_COUNT]);
  expect(await prom.query(`count(traces_spanmetrics_size_total${sel} > 0)`)).toEqual([{ metric: {}, value: GROUPS.length }]);
  expect(redgen.process.stderr).toContain('msg="shutting down"');
}, E2E_TIMEOUT_MS);
