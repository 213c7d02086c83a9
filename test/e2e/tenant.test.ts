/**
 * X-Scope-OrgID end to end: spans sent with the header belong to that tenant,
 * whose series carry `tenant=<id>` (registry.inject_tenant_id_as) and whose
 * remote-write requests carry the header; spans without it are the single
 * tenant, whose requests carry none. A recording proxy between redgen and
 * Prometheus sees the requests.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { parseExposition } from "../support/exposition.ts";
import { LeadingZeroIdGenerator, TestTracer } from "../support/otel-sdk.ts";
import { E2E_TIMEOUT_MS, poll } from "../support/poll.ts";
import { Prometheus } from "../support/prometheus.ts";
import { Redgen, testConfig } from "../support/redgen-process.ts";
import { RemoteWriteProxy } from "../support/remote-write-proxy.ts";
import { SPAN_COUNT, byKey, expectedByGroup, sendScenario, total } from "./scenario.ts";

const TEAM = "team-a";
const TEAM_SERVICE = "e2e-tenant-team";
const SINGLE_SERVICE = "e2e-tenant-single";

let prom: Prometheus;
let proxy: RemoteWriteProxy;
let redgen: Redgen;

beforeAll(async () => {
  prom = await Prometheus.start();
  proxy = new RemoteWriteProxy(prom.remoteWriteUrl);
  redgen = await Redgen.start({ config: testConfig({ remoteWriteUrl: proxy.url, injectTenantIdAs: "tenant" }) });
  const send = async (service: string, headers?: Record<string, string>) => {
    await using tracer = new TestTracer({
      endpoint: redgen.otlpHttpUrl,
      encoding: "protobuf",
      gzip: false,
      headers,
      resource: { "service.name": service },
      idGenerator: new LeadingZeroIdGenerator(),
    });
    await sendScenario(tracer);
  };
  await Promise.all([send(TEAM_SERVICE, { "X-Scope-OrgID": TEAM }), send(SINGLE_SERVICE)]);
}, E2E_TIMEOUT_MS);

afterAll(async () => {
  try {
    await redgen?.stop();
  } finally {
    proxy?.stop();
    await prom?.stop();
  }
}, E2E_TIMEOUT_MS);

test("series of spans sent with X-Scope-OrgID carry tenant=<id>", async () => {
  const q = `traces_spanmetrics_calls_total{service="${TEAM_SERVICE}"}`;
  const calls = await prom.waitFor(q, (r) => total(r) === SPAN_COUNT);
  expect(byKey(calls)).toEqual(expectedByGroup(TEAM_SERVICE, (g) => g.durationsMs.length, { tenant: TEAM }));
}, E2E_TIMEOUT_MS);

test("series of spans sent without the header carry tenant=single-tenant", async () => {
  const q = `traces_spanmetrics_calls_total{service="${SINGLE_SERVICE}"}`;
  const calls = await prom.waitFor(q, (r) => total(r) === SPAN_COUNT);
  expect(byKey(calls)).toEqual(expectedByGroup(SINGLE_SERVICE, (g) => g.durationsMs.length, { tenant: "single-tenant" }));
}, E2E_TIMEOUT_MS);

test("remote-write requests carry X-Scope-OrgID for the tenant and none for the single tenant", async () => {
  // Wait until both tenants' data has gone through the proxy (it records before forwarding).
  await prom.waitFor(`sum by (tenant) (traces_spanmetrics_calls_total{service=~"e2e-tenant-.*"})`, (r) => r.length === 2);
  await poll("in-flight remote writes to finish", () => (proxy.requests.every((r) => r.status !== 0) ? true : undefined));
  const seen = proxy.requests.map((r) => {
    const tenants = [...new Set(r.series.map((s) => s.tenant))];
    return { tenants, orgId: (r.headers["x-scope-orgid"] as string | undefined) ?? null };
  });
  expect(seen.length).toBeGreaterThanOrEqual(2);
  // Every request holds the series of exactly one tenant, and its header names that tenant (none for single-tenant).
  for (const s of seen) {
    expect(s.tenants).toHaveLength(1);
    expect(s.orgId).toBe(s.tenants[0] === "single-tenant" ? null : s.tenants[0]);
  }
  expect(new Set(seen.map((s) => s.tenants[0]))).toEqual(new Set([TEAM, "single-tenant"]));
  for (const r of proxy.requests) {
    expect({
      status: r.status,
      encoding: r.headers["content-encoding"],
      type: r.headers["content-type"],
      version: r.headers["x-prometheus-remote-write-version"],
    }).toEqual({ status: 204, encoding: "snappy", type: "application/x-protobuf", version: "0.1.0" });
  }
}, E2E_TIMEOUT_MS);

test("/metrics/generated serves each tenant's own series", async () => {
  await prom.waitFor(`traces_spanmetrics_calls_total{service="${TEAM_SERVICE}"}`, (r) => total(r) === SPAN_COUNT);
  const services = (text: string) =>
    [...new Set(parseExposition(text).filter((s) => s.name === "traces_spanmetrics_calls_total").map((s) => s.labels.service))].sort();
  expect(services(await redgen.generated(TEAM))).toEqual([TEAM_SERVICE]);
  expect(services(await redgen.generated(TEAM, "header"))).toEqual([TEAM_SERVICE]);
  expect(services(await redgen.generated())).toEqual([SINGLE_SERVICE]);
  const team = parseExposition(await redgen.generated(TEAM)).filter((s) => s.name === "traces_spanmetrics_calls_total");
  expect(byKey(team)).toEqual(expectedByGroup(TEAM_SERVICE, (g) => g.durationsMs.length, { tenant: TEAM }));
}, E2E_TIMEOUT_MS);

test("redgen counts the received spans per tenant", async () => {
  const received = parseExposition(await redgen.selfMetrics()).filter(
    (s) => s.name === "tempo_metrics_generator_spans_received_total",
  );
  expect(Object.fromEntries(received.map((s) => [s.labels.tenant, s.value]))).toEqual({
    [TEAM]: SPAN_COUNT,
    "single-tenant": SPAN_COUNT,
  });
});
