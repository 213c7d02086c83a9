/**
 * Real OTLP/gRPC clients in three languages against the compiled redgen,
 * which remote-writes to a real Prometheus; counts are asserted exactly
 * through Prometheus' HTTP API:
 * - the OpenTelemetry JS SDK's gRPC exporter (grpc-js), plain and gzip;
 * - the OpenTelemetry Python SDK's OTLP gRPC exporter (grpcio), plain and gzip;
 * - Go `telemetrygen` from opentelemetry-collector-contrib;
 * - an SDK-like grpc-js client with keepalive pings that idles between two
 *   exports on one connection (the receiver's keepalive enforcement_policy
 *   permits its pings, as a Collector's would have to).
 * All clients start at once in beforeAll, each with its own service name, and
 * share one Prometheus and one redgen; each test awaits its client.
 * test/support/setup.ts installs the Python SDK and telemetrygen when missing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { parseExposition } from "../support/exposition.ts";
import { ChildProcess } from "../support/child-process.ts";
import { LeadingZeroIdGenerator, TestTracer } from "../support/otel-sdk.ts";
import { E2E_TIMEOUT_MS } from "../support/poll.ts";
import { Prometheus } from "../support/prometheus.ts";
import { Redgen, testConfig } from "../support/redgen-process.ts";
import { REPO_ROOT, ensurePythonOtel, ensureTelemetrygen } from "../support/setup.ts";
import { GROUPS, SPAN_COUNT, bucketsByKey, byKey, expectedBuckets, expectedByGroup, sendScenario, seriesKey, total } from "./scenario.ts";

// Synchronous and instant once installed; installs on first use (`npm test` runs setup first).
const PYTHON = ensurePythonOtel();
const TELEMETRYGEN = ensureTelemetrygen();
const FIXTURES = join(REPO_ROOT, "test/fixtures/grpc");

/** What python-sdk-fixture.py sends: (span name, kind, status) → count. Keep in step with its SPANS. */
const PYTHON_SPANS: [string, string, string, number][] = [
  ["GET /py", "SPAN_KIND_SERVER", "STATUS_CODE_UNSET", 7],
  ["GET /py", "SPAN_KIND_SERVER", "STATUS_CODE_ERROR", 2],
  ["SELECT py", "SPAN_KIND_CLIENT", "STATUS_CODE_UNSET", 3],
  ["py work", "SPAN_KIND_INTERNAL", "STATUS_CODE_UNSET", 1],
];
const TG_WORKERS = 2;
const TG_TRACES_PER_WORKER = 15;
const KEEPALIVE_SPANS_PER_EXPORT = 3;
const KEEPALIVE_PINGS = 5;

/** A spawned client's result: exit code, stdout, and the log tail for failure messages. */
interface Ran {
  code: number;
  stdout: string;
  log: string;
}

async function runClient(name: string, cmd: string[], env: Record<string, string> = {}): Promise<Ran> {
  await using child = new ChildProcess(name, cmd, { env: { ...process.env, ...env } });
  const code = await child.exited(E2E_TIMEOUT_MS);
  return { code, stdout: child.stdout.trim(), log: code === 0 ? "" : child.tail() };
}

let prom: Prometheus;
let redgen: Redgen;
const clients = new Map<string, Promise<unknown>>();

/** Starts a client now; its test awaits (and reports) the outcome. */
function launch(id: string, run: () => Promise<unknown>): void {
  const p = run();
  p.catch(() => undefined);
  clients.set(id, p);
}

const JS_CASES = [
  { id: "grpc-js", gzip: false },
  { id: "grpc-js-gzip", gzip: true },
];
const PY_CASES = [
  { id: "python", gzip: false },
  { id: "python-gzip", gzip: true },
];

beforeAll(async () => {
  prom = await Prometheus.start();
  // The keepalive client pings every 400 ms, also without calls: the policy must allow it (grpc-go's default would not).
  const keepalive = { enforcement_policy: { min_time: "100ms", permit_without_stream: true } };
  redgen = await Redgen.start({ config: testConfig({ remoteWriteUrl: prom.remoteWriteUrl, grpc: { keepalive } }) });
  for (const c of JS_CASES) {
    launch(c.id, async () => {
      await using tracer = new TestTracer({
        endpoint: redgen.otlpGrpcUrl,
        encoding: "grpc",
        gzip: c.gzip,
        resource: { "service.name": `e2e-${c.id}` },
        idGenerator: new LeadingZeroIdGenerator(),
      });
      return sendScenario(tracer);
    });
  }
  for (const c of PY_CASES) {
    const args = [PYTHON, join(FIXTURES, "python-sdk-fixture.py"), redgen.otlpGrpcEndpoint, `e2e-${c.id}`];
    launch(c.id, () => runClient(c.id, c.gzip ? [...args, "gzip"] : args));
  }
  launch("telemetrygen", () =>
    runClient("telemetrygen", [
      TELEMETRYGEN, "traces", "--otlp-insecure", "--otlp-endpoint", redgen.otlpGrpcEndpoint,
      "--service", "e2e-telemetrygen", "--workers", String(TG_WORKERS), "--traces", String(TG_TRACES_PER_WORKER), "--rate", "0",
    ]),
  );
  launch("keepalive", () =>
    runClient(
      "keepalive",
      [process.execPath, join(FIXTURES, "keepalive-fixture.ts"), redgen.otlpGrpcEndpoint, "e2e-keepalive", String(KEEPALIVE_SPANS_PER_EXPORT), String(KEEPALIVE_PINGS)],
      { GRPC_TRACE: "keepalive,transport", GRPC_VERBOSITY: "DEBUG" },
    ),
  );
}, E2E_TIMEOUT_MS);

afterAll(async () => {
  try {
    await redgen?.stop();
  } finally {
    await prom?.stop();
  }
}, E2E_TIMEOUT_MS);

/** Prometheus series of traces_spanmetrics_calls_total for `service`, once they add up to `count`. */
async function callsOf(service: string, count: number): Promise<Record<string, number>> {
  return byKey(await prom.waitFor(`traces_spanmetrics_calls_total{service="${service}"}`, (r) => total(r) === count));
}

describe.each(JS_CASES)("OTel JS SDK, OTLP/gRPC exporter ($id)", (c) => {
  const service = `e2e-${c.id}`;

  test("calls, latency buckets and counts per label set", async () => {
    await clients.get(c.id);
    expect(await callsOf(service, SPAN_COUNT)).toEqual(expectedByGroup(service, (g) => g.durationsMs.length));
    const sel = `{service="${service}"}`;
    expect(bucketsByKey(await prom.query(`traces_spanmetrics_latency_bucket${sel}`))).toEqual(expectedBuckets(service));
    expect(byKey(await prom.query(`traces_spanmetrics_latency_count${sel}`))).toEqual(expectedByGroup(service, (g) => g.durationsMs.length));
    const sums = byKey(await prom.query(`traces_spanmetrics_latency_sum${sel}`));
    for (const g of GROUPS) expect(sums[seriesKey({ service, ...g.labels })]).toBeCloseTo(g.sum, 9);
  }, E2E_TIMEOUT_MS);
});

describe.each(PY_CASES)("OTel Python SDK, OTLP gRPC exporter ($id)", (c) => {
  const service = `e2e-${c.id}`;

  test("exports every span, and the calls per span name, kind and status are exact", async () => {
    const ran = (await clients.get(c.id)) as Ran;
    const sent = PYTHON_SPANS.reduce((n, s) => n + s[3], 0);
    expect({ code: ran.code, log: ran.log }).toEqual({ code: 0, log: "" });
    expect(JSON.parse(ran.stdout)).toEqual({ exported: sent, failures: 0 });
    const expected = Object.fromEntries(
      PYTHON_SPANS.map(([name, kind, status, n]) => [seriesKey({ service, span_name: name, span_kind: kind, status_code: status }), n]),
    );
    expect(await callsOf(service, sent)).toEqual(expected);
  }, E2E_TIMEOUT_MS);
});

test("Go telemetrygen: each trace is a client span and a child server span, counted exactly", async () => {
  const ran = (await clients.get("telemetrygen")) as Ran;
  expect({ code: ran.code, log: ran.log }).toEqual({ code: 0, log: "" });
  const traces = TG_WORKERS * TG_TRACES_PER_WORKER;
  const service = "e2e-telemetrygen";
  // telemetrygen's exit code does not reflect failed exports: the exact counts do.
  expect(await callsOf(service, 2 * traces)).toEqual({
    [seriesKey({ service, span_name: "lets-go", span_kind: "SPAN_KIND_CLIENT", status_code: "STATUS_CODE_UNSET" })]: traces,
    [seriesKey({ service, span_name: "okey-dokey-0", span_kind: "SPAN_KIND_SERVER", status_code: "STATUS_CODE_UNSET" })]: traces,
  });
}, E2E_TIMEOUT_MS);

test("an idle connection with keepalive pings stays up: both exports on one connection, every ping answered", async () => {
  const ran = (await clients.get("keepalive")) as Ran;
  expect({ code: ran.code, log: ran.log }).toEqual({ code: 0, log: "" });
  const summary = JSON.parse(ran.stdout) as { codes: number[]; pingsAnswered: number; pingsFailed: number; connections: number; closed: number; idleMs: number };
  expect({ codes: summary.codes, pingsFailed: summary.pingsFailed, connections: summary.connections, closed: summary.closed }).toEqual({
    codes: [0, 0],
    pingsFailed: 0,
    connections: 1,
    closed: 0,
  });
  expect(summary.pingsAnswered).toBeGreaterThanOrEqual(KEEPALIVE_PINGS);
  expect(summary.idleMs).toBeGreaterThanOrEqual(1500);
  const service = "e2e-keepalive";
  expect(await callsOf(service, 2 * KEEPALIVE_SPANS_PER_EXPORT)).toEqual({
    [seriesKey({ service, span_name: "keepalive", span_kind: "SPAN_KIND_SERVER", status_code: "STATUS_CODE_UNSET" })]: 2 * KEEPALIVE_SPANS_PER_EXPORT,
  });
}, E2E_TIMEOUT_MS);

test("everything above arrived over gRPC: redgen counted no OTLP/HTTP request", async () => {
  await Promise.allSettled(clients.values());
  const own = parseExposition(await redgen.selfMetrics()).filter((s) => s.name === "redgen_otlp_requests_total");
  const byProtocol = (p: string) => own.filter((s) => s.labels.protocol === p).reduce((n, s) => n + s.value, 0);
  expect(byProtocol("http")).toBe(0);
  // At least one request per client (telemetrygen batches its workers' spans together), two for keepalive.
  expect(byProtocol("grpc")).toBeGreaterThanOrEqual(JS_CASES.length + PY_CASES.length + 1 + 2);
  expect(own.filter((s) => s.labels.protocol === "grpc" && s.labels.code !== "0")).toEqual([]);
}, E2E_TIMEOUT_MS);
