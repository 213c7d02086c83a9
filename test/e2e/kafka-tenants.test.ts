/**
 * Tenant separation on Tempo's topic: records keyed by two tenants,
 * interleaved on the same partitions, land in two registries
 * (/metrics/generated?tenant=) and two remote-write streams, each request
 * carrying its tenant's X-Scope-OrgID (a recording proxy sits between the
 * compiled redgen and a real Prometheus). Records without a key or with an
 * invalid tenant id are skipped and counted, and create no tenant.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type KafkaBroker, createTopic, startKafka } from "../support/kafka/broker.ts";
import { type OutRecord, TestProducer } from "../support/kafka/producers.ts";
import { kafkaConfig, selfSamples } from "../support/kafka/redgen-kafka.ts";
import { type TestTrace, callsByKey, clientServerTraces, expectedCalls, pushBytesValue, spanCount, sumValues } from "../support/kafka/tempo-records.ts";
import { parseExposition } from "../support/exposition.ts";
import { E2E_TIMEOUT_MS, poll } from "../support/poll.ts";
import { Prometheus } from "../support/prometheus.ts";
import { Redgen } from "../support/redgen-process.ts";
import { RemoteWriteProxy } from "../support/remote-write-proxy.ts";

const TOPIC = "tenants";
const PARTITIONS = 3;
const TENANTS = ["team-kafka-a", "team-kafka-b"];

let broker: KafkaBroker;
let prom: Prometheus;
let proxy: RemoteWriteProxy;
let redgen: Redgen;
const sent = new Map<string, TestTrace[]>(TENANTS.map((t) => [t, []]));

beforeAll(async () => {
  [broker, prom] = await Promise.all([startKafka(), Prometheus.start()]);
  proxy = new RemoteWriteProxy(prom.remoteWriteUrl);
  await createTopic(broker.bootstrap, TOPIC, PARTITIONS);
  redgen = await Redgen.start({
    config: kafkaConfig({
      bootstrap: broker.bootstrap,
      group: "tenants",
      instanceId: "tenants-1",
      topic: TOPIC,
      remoteWriteUrl: proxy.url,
      injectTenantIdAs: "tenant",
      dimensions: [],
    }),
  });
  const records: OutRecord[] = [];
  for (let i = 0; i < 12; i++) {
    const tenant = TENANTS[i % 2];
    // the same service names for both tenants: only the tenant keeps them apart
    const traces = clientServerTraces(2 + (i % 3), "shop", "payments");
    sent.get(tenant)!.push(...traces);
    records.push({ key: tenant, value: pushBytesValue(traces), partition: i % PARTITIONS });
  }
  records.push({ value: pushBytesValue(clientServerTraces(1, "shop", "payments")), partition: 0 });
  records.push({ key: "team|other", value: pushBytesValue(clientServerTraces(1, "shop", "payments")), partition: 1 });
  const producer = new TestProducer(broker.bootstrap);
  try {
    await producer.send(TOPIC, "snappy", records);
  } finally {
    await producer.close();
  }
}, 60_000);

afterAll(async () => {
  await redgen?.stop().catch(() => undefined);
  proxy?.stop();
  await Promise.allSettled([prom?.stop(), broker?.stop()]);
}, E2E_TIMEOUT_MS);

const expectedOf = (tenant: string) => expectedCalls(tenant, sent.get(tenant)!);

test("each tenant's spans, exactly, in Prometheus under its tenant label", async () => {
  const all = { ...expectedOf(TENANTS[0]), ...expectedOf(TENANTS[1]) };
  const got = await prom.waitFor("traces_spanmetrics_calls_total", (r) => sumValues(callsByKey(r)) >= sumValues(all), 20_000);
  expect(callsByKey(got)).toEqual(all);
}, E2E_TIMEOUT_MS);

test("two registries: /metrics/generated?tenant= serves each tenant's own counts; no single-tenant registry", async () => {
  await poll("both tenants counted", async () => {
    const n = (await Promise.all(TENANTS.map(async (t) => sumValues(callsByKey(calls(await redgen.generated(t)), t))))).reduce((a, b) => a + b);
    return n === spanCount([...sent.values()].flat()) ? true : undefined;
  });
  for (const t of TENANTS) expect(callsByKey(calls(await redgen.generated(t)), t)).toEqual(expectedOf(t));
  const single = await fetch(`${redgen.apiUrl}/metrics/generated`);
  expect(calls(await single.text())).toEqual([]);
}, E2E_TIMEOUT_MS);

test("two remote-write streams, each request with its tenant's X-Scope-OrgID", async () => {
  await prom.waitFor(`sum by (tenant) (traces_spanmetrics_calls_total)`, (r) => r.length === 2, 20_000);
  await poll("in-flight remote writes to finish", () => (proxy.requests.every((r) => r.status !== 0) ? true : undefined));
  const seen = proxy.requests.map((r) => ({
    tenants: [...new Set(r.series.map((s) => s.tenant))],
    orgId: r.headers["x-scope-orgid"] ?? null,
    status: r.status,
  }));
  for (const s of seen) expect(s).toEqual({ tenants: [s.orgId!], orgId: s.orgId, status: 204 });
  expect(new Set(seen.map((s) => s.orgId))).toEqual(new Set(TENANTS));
}, E2E_TIMEOUT_MS);

test("records without a key or with an invalid tenant are skipped, counted, and make no tenant", async () => {
  const text = await poll("all records seen", async () => {
    const t = await redgen.selfMetrics();
    return selfSamples(t, "redgen_kafka_records_total")[`topic=${TOPIC}`] === 14 ? t : undefined;
  });
  expect(selfSamples(text, "redgen_kafka_records_skipped_total")).toEqual({
    [`topic=${TOPIC},reason=missing_tenant_key`]: 1,
    [`topic=${TOPIC},reason=invalid_tenant`]: 1,
  });
  expect(Object.keys(selfSamples(text, "tempo_metrics_generator_spans_received_total")).sort()).toEqual(TENANTS.map((t) => `tenant=${t}`));
}, E2E_TIMEOUT_MS);

function calls(text: string) {
  return parseExposition(text).filter((s) => s.name === "traces_spanmetrics_calls_total");
}
