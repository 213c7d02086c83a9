/**
 * Per-tenant runtime overrides edited while redgen runs (spec §10): the
 * compiled binary re-reads the file every per_tenant_override_period (1 s
 * here) and on SIGHUP. A new dimension and a new remote-write header apply
 * within a period; series whose labels did not change keep counting (no
 * reset in Prometheus); a broken edit changes nothing and is reported.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SpanKind } from "@opentelemetry/api";
import { parseExposition } from "../support/exposition.ts";
import { TestTracer, recordSpan } from "../support/otel-sdk.ts";
import { E2E_TIMEOUT_MS, poll } from "../support/poll.ts";
import { Prometheus } from "../support/prometheus.ts";
import { Redgen, testConfig } from "../support/redgen-process.ts";
import { RemoteWriteProxy } from "../support/remote-write-proxy.ts";

const TENANT = "team-a";
const SERVICE = "e2e-overrides";

let prom: Prometheus;
let proxy: RemoteWriteProxy;

beforeAll(async () => {
  prom = await Prometheus.start();
  proxy = new RemoteWriteProxy(prom.remoteWriteUrl);
}, E2E_TIMEOUT_MS);

afterAll(async () => {
  proxy?.stop();
  await prom?.stop();
}, E2E_TIMEOUT_MS);

/** The runtime overrides file's text for team-a. */
function overrides(o: { dimensions: string[]; headers?: Record<string, string>; extra?: string }): string {
  const headers = o.headers === undefined ? "" : `      remote_write_headers: ${JSON.stringify(o.headers)}\n`;
  return (
    `overrides:\n  ${TENANT}:\n    metrics_generator:\n      processors: [span-metrics]\n${headers}${o.extra ?? ""}` +
    `      processor:\n        span_metrics:\n          dimensions: ${JSON.stringify(o.dimensions)}\n`
  );
}

async function startWith(period: string, file: string): Promise<Redgen> {
  const config = testConfig({ remoteWriteUrl: proxy.url, collectionInterval: "1s", dimensions: [] });
  (config.overrides as Record<string, unknown>).per_tenant_override_config = file;
  (config.overrides as Record<string, unknown>).per_tenant_override_period = period;
  return Redgen.start({ config });
}

/** Sends `n` server spans of team-a, with an http.route attribute or without. */
async function send(redgen: Redgen, n: number, route?: string): Promise<void> {
  await using t = new TestTracer({
    endpoint: redgen.otlpHttpUrl,
    encoding: "protobuf",
    gzip: false,
    headers: { "X-Scope-OrgID": TENANT },
    resource: { "service.name": SERVICE },
  });
  for (let i = 0; i < n; i++) {
    recordSpan(t.tracer, { name: "GET /orders", kind: SpanKind.SERVER, durationMs: 5, attributes: route === undefined ? {} : { "http.route": route } });
  }
  await t.flush();
}

async function selfMetric(redgen: Redgen, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${redgen.apiUrl}/metrics`)).text();
  return parseExposition(text).find((s) => s.name === name)?.value;
}

async function hashOf(redgen: Redgen): Promise<string | undefined> {
  const text = await (await fetch(`${redgen.apiUrl}/metrics`)).text();
  return parseExposition(text).find((s) => s.name === "tempo_runtime_config_hash")?.labels.sha256;
}

const calls = (labels: string) => `traces_spanmetrics_calls_total{service="${SERVICE}"${labels}}`;

describe("overrides edited while traffic flows", () => {
  let redgen: Redgen;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "redgen-overrides-"));
    file = join(dir, "runtime.yaml");
    writeFileSync(file, overrides({ dimensions: [] }));
    redgen = await startWith("1s", file);
  }, E2E_TIMEOUT_MS);

  afterAll(async () => {
    await redgen?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, E2E_TIMEOUT_MS);

  test("a new dimension and a new header apply within a period; unchanged series keep counting without a reset", async () => {
    await send(redgen, 10, "/orders");
    await prom.waitFor(calls(""), (r) => r.length === 1 && r[0].value === 10);
    const before = await hashOf(redgen);

    writeFileSync(file, overrides({ dimensions: ["http.route"], headers: { "X-Team": "blue" } }));
    const changedAt = Date.now();
    await poll("the reloaded overrides", async () => ((await hashOf(redgen)) !== before ? true : undefined), { timeoutMs: 5000, intervalMs: 50 });
    // within one period (1 s) plus the time a reload and a scrape take
    expect(Date.now() - changedAt).toBeLessThan(3000);

    await send(redgen, 7, "/orders");
    await send(redgen, 5); // no http.route: the same labels as before the change
    const after = await prom.waitFor(calls(""), (r) => r.length === 2 && r.reduce((n, s) => n + s.value, 0) === 22);
    const routed = after.find((s) => s.metric.http_route === "/orders");
    const plain = after.find((s) => s.metric.http_route === undefined);
    expect(routed?.value).toBe(7);
    expect(plain?.value).toBe(15);
    const resets = await prom.query(`resets(${calls("")}[10m])`);
    expect(resets.map((r) => r.value)).toEqual([0, 0]);

    await poll("a remote write with the new header", () => (proxy.requests.some((r) => r.headers["x-team"] === "blue") ? true : undefined));
    const first = proxy.requests.findIndex((r) => r.headers["x-team"] === "blue");
    // from then on, every request of the tenant carries it
    expect(proxy.requests.slice(first).filter((r) => r.headers["x-scope-orgid"] === TENANT && r.headers["x-team"] !== "blue" && r.status !== 0)).toEqual([]);
    expect(await selfMetric(redgen, "tempo_runtime_config_last_reload_successful")).toBe(1);
  }, E2E_TIMEOUT_MS);

  test("a broken edit changes nothing: the last good overrides stay, the key path is logged, a failure is counted", async () => {
    const good = await hashOf(redgen);
    writeFileSync(file, overrides({ dimensions: [], extra: "      max_active_series: lots\n" }));
    await poll("the failed reload", async () => ((await selfMetric(redgen, "tempo_runtime_config_last_reload_successful")) === 0 ? true : undefined), {
      timeoutMs: 5000,
      intervalMs: 50,
    });
    expect(await selfMetric(redgen, "redgen_runtime_config_reload_failures_total")).toBeGreaterThanOrEqual(1);
    expect(redgen.process.stderr).toContain(`overrides.${TENANT}.metrics_generator.max_active_series`);
    expect(await hashOf(redgen)).toBe(good);

    // http.route is still a dimension: the broken file's empty list did not apply
    await send(redgen, 4, "/orders");
    await prom.waitFor(calls(',http_route="/orders"'), (r) => r.length === 1 && r[0].value === 11);

    writeFileSync(file, overrides({ dimensions: ["http.route"], headers: { "X-Team": "blue" } }));
    await poll("the repaired file", async () => ((await selfMetric(redgen, "tempo_runtime_config_last_reload_successful")) === 1 ? true : undefined), {
      timeoutMs: 5000,
      intervalMs: 50,
    });
  }, E2E_TIMEOUT_MS);
});

test("SIGHUP reloads at once, whatever the period", async () => {
  const dir = mkdtempSync(join(tmpdir(), "redgen-overrides-"));
  const file = join(dir, "runtime.yaml");
  writeFileSync(file, overrides({ dimensions: [] }));
  await using redgen = await startWith("1h", file);
  await using _cleanup = { [Symbol.asyncDispose]: async () => rmSync(dir, { recursive: true, force: true }) };
  const before = await hashOf(redgen);
  writeFileSync(file, overrides({ dimensions: ["http.route"] }));
  process.kill(redgen.pid, "SIGHUP");
  await poll("the reload SIGHUP asked for", async () => ((await hashOf(redgen)) !== before ? true : undefined), { timeoutMs: 5000, intervalMs: 50 });
  await send(redgen, 3, "/hup");
  await prom.waitFor(calls(',http_route="/hup"'), (r) => r.length === 1 && r[0].value === 3);
  expect(redgen.process.stderr).toContain('msg="per-tenant overrides reloaded" trigger=SIGHUP');
}, E2E_TIMEOUT_MS);
