/**
 * The shipped Grafana dashboards and Prometheus rules (src/assets/) against
 * a real Prometheus fed by the compiled binary: remote write of the
 * generated series, a scrape of redgen's /metrics, and the rule file loaded
 * and evaluated by Prometheus itself. Known traffic makes every condition
 * happen that a test can make happen in seconds:
 *   - the topology of topology.ts (payment fails: error ratios), plus a slow
 *     `reports` service (2 s server spans: the latency SLO burns);
 *   - spans that ended two hours ago (discarded: outside the ingestion slack);
 *   - a tenant `limited` (host-info only, max_active_series 5) sent more hosts
 *     than it may keep (series refused by the limit);
 *   - three remote-write endpoints: Prometheus, a URL Prometheus answers 404
 *     (samples refused), and one that answers 503 (rounds queue up, behind).
 * Every panel query and every rule expression is run and must return exactly
 * the expected series; a query without an expectation here fails the test,
 * so a new panel or rule cannot go untested.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SpanKind } from "@opentelemetry/api";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { TestTracer, hrNow, recordSpan } from "../support/otel-sdk.ts";
import { poll } from "../support/poll.ts";
import { Prometheus, type Sample } from "../support/prometheus.ts";
import { Redgen, testConfig } from "../support/redgen-process.ts";
import { RemoteWriteProxy } from "../support/remote-write-proxy.ts";
import { REPO_ROOT } from "../support/setup.ts";
import { Topology } from "./topology.ts";

const GRAFANA = join(REPO_ROOT, "src/assets/grafana");
const RULES = join(REPO_ROOT, "src/assets/prometheus/redgen-alerts.yml");
const TIMEOUT = 90_000;

let prom: Prometheus;
let redgen: Redgen;
let down: RemoteWriteProxy;
let dir: string;

const SERVICES = ["checkout", "frontend", "payment", "reports", "shipping"];
const OPS = [
  "checkout|POST /checkout",
  "checkout|POST /pay",
  "checkout|SELECT orders",
  "checkout|publish order",
  "frontend|GET /",
  "frontend|POST /checkout",
  "payment|POST /pay",
  "reports|GET /report",
  "shipping|consume order",
];
const EDGES = ["checkout|payment", "checkout|pg.internal", "checkout|shipping", "frontend|checkout", "user|frontend", "user|reports"];
const EDGE_TYPES = [
  "checkout|payment|",
  "checkout|pg.internal|database",
  "checkout|shipping|messaging_system",
  "frontend|checkout|",
  "user|frontend|virtual_node",
  "user|reports|virtual_node",
];
const TENANTS = ["limited", "single-tenant"];
const ENDPOINTS = ["down", "prometheus", "refusing"];
/** 2 s in Tempo's default span buckets (1.024, 2.048] and the service-graph buckets (1.6, 3.2], at the 95th percentile. */
const P95_2S_SPAN = 1.024 + 1.024 * 0.95;
const P95_2S_EDGE = 1.6 + 1.6 * 0.95;

/** The series' values of `labels`, joined with "|", sorted. */
function keys(r: Sample[], ...labels: string[]): string[] {
  return r.map((s) => labels.map((l) => s.metric[l] ?? "").join("|")).sort();
}

/** key → value. */
function values(r: Sample[], ...labels: string[]): Record<string, number> {
  return Object.fromEntries(r.map((s) => [labels.map((l) => s.metric[l] ?? "").join("|"), s.value]));
}

/** Every value of `r` is > 0. */
function allPositive(r: Sample[]): void {
  expect(r.filter((s) => !(s.value > 0))).toEqual([]);
}

/** `key` → `want` for the listed keys, 0 for every other series. */
function onlyThese(r: Sample[], labels: string[], want: Record<string, number>): void {
  const got = values(r, ...labels);
  for (const k of Object.keys(got)) expect([k, got[k]]).toEqual([k, expect.closeTo(want[k] ?? 0, 9)]);
}

/** Grafana's variables as a test selects them: every value ("All"), a 5 m rate interval. */
function substitute(expr: string): string {
  return expr.replaceAll("$__rate_interval", "5m").replace(/\$(service|span_name|span_kind|client|server|job|tenant)\b/g, ".+");
}

type Check = (r: Sample[]) => void;

const PANELS: Record<string, Check> = {
  // RED
  "redgen-red.json › Request rate by service › A": (r) => (expect(keys(r, "service")).toEqual(SERVICES), allPositive(r)),
  "redgen-red.json › Error ratio by service › A": (r) => (expect(keys(r, "service")).toEqual(SERVICES), onlyThese(r, ["service"], { payment: 1 })),
  "redgen-red.json › Duration p95 by service › A": (r) => {
    expect(keys(r, "service")).toEqual(SERVICES);
    expect(values(r, "service").reports).toBeCloseTo(P95_2S_SPAN, 9);
  },
  "redgen-red.json › Operations › A": (r) => (expect(keys(r, "service", "span_name")).toEqual(OPS), allPositive(r)),
  "redgen-red.json › Operations › B": (r) => (expect(keys(r, "service", "span_name")).toEqual(OPS), onlyThese(r, ["service", "span_name"], { "payment|POST /pay": 1 })),
  // 26 ms in (16 ms, 32 ms]: the median is halfway
  "redgen-red.json › Operations › C": (r) => (expect(keys(r, "service", "span_name")).toEqual(OPS), expect(values(r, "service", "span_name")["payment|POST /pay"]).toBeCloseTo(0.024, 9)),
  "redgen-red.json › Operations › D": (r) => (expect(keys(r, "service", "span_name")).toEqual(OPS), expect(values(r, "service", "span_name")["reports|GET /report"]).toBeCloseTo(P95_2S_SPAN, 9)),
  "redgen-red.json › Operations › E": (r) => expect(keys(r, "service", "span_name")).toEqual(OPS),
  "redgen-red.json › Request rate by operation › A": (r) => (expect(keys(r, "service", "span_name")).toEqual(OPS), allPositive(r)),
  "redgen-red.json › Errors by operation › A": (r) => (expect(keys(r, "service", "span_name")).toEqual(["payment|POST /pay"]), allPositive(r)),
  "redgen-red.json › Duration p95 by operation › A": (r) => expect(keys(r, "service", "span_name")).toEqual(OPS),
  // service graph
  "redgen-service-graph.json › Service graph › A": (r) => {
    expect(keys(r, "client", "server")).toEqual(EDGES);
    for (const s of r) expect(s.metric.id).toBe(`${s.metric.client} → ${s.metric.server}`);
    allPositive(r);
  },
  "redgen-service-graph.json › Service graph › B": (r) => (expect(keys(r, "client", "server", "id")).toEqual(EDGES.map((e) => `${e}|${e.replace("|", " → ")}`)), onlyThese(r, ["client", "server"], { "checkout|payment": 100 })),
  "redgen-service-graph.json › Service graph › C": (r) => {
    expect(keys(r, "client", "server")).toEqual(EDGES);
    expect(values(r, "client", "server")["user|reports"]).toBeCloseTo(P95_2S_EDGE, 9);
    // 71 ms in the first bucket [0, 100 ms]
    expect(values(r, "client", "server")["frontend|checkout"]).toBeCloseTo(0.095, 9);
  },
  "redgen-service-graph.json › Edges › A": (r) => (expect(keys(r, "client", "server", "connection_type")).toEqual(EDGE_TYPES), allPositive(r)),
  "redgen-service-graph.json › Edges › B": (r) => (expect(keys(r, "client", "server", "connection_type")).toEqual(EDGE_TYPES), onlyThese(r, ["client", "server"], { "checkout|payment": 1 })),
  "redgen-service-graph.json › Edges › C": (r) => expect(keys(r, "client", "server", "connection_type")).toEqual(EDGE_TYPES),
  "redgen-service-graph.json › Edges › D": (r) => expect(keys(r, "client", "server", "connection_type")).toEqual(EDGE_TYPES),
  "redgen-service-graph.json › Edges › E": (r) => expect(keys(r, "client", "server", "connection_type")).toEqual(EDGE_TYPES),
  "redgen-service-graph.json › Request rate by edge › A": (r) => (expect(keys(r, "client", "server")).toEqual(EDGES), allPositive(r)),
  "redgen-service-graph.json › Failed ratio by edge › A": (r) => (expect(keys(r, "client", "server")).toEqual(EDGES), onlyThese(r, ["client", "server"], { "checkout|payment": 1 })),
  "redgen-service-graph.json › Server latency p95 by edge › A": (r) => expect(keys(r, "client", "server")).toEqual(EDGES),
  // instance health (redgen's /metrics, scraped)
  "redgen-health.json › Spans received › A": (r) => (expect(keys(r, "tenant")).toEqual(TENANTS), allPositive(r)),
  "redgen-health.json › Spans discarded › A": (r) => (expect(keys(r, "tenant", "reason")).toEqual(["single-tenant|outside_metrics_ingestion_slack"]), allPositive(r)),
  "redgen-health.json › OTLP requests › A": (r) => (expect(keys(r, "protocol", "code")).toEqual(["http|200"]), allPositive(r)),
  "redgen-health.json › Active series and limit › A": (r) => (expect(keys(r, "tenant")).toEqual(TENANTS), expect(values(r, "tenant").limited).toBe(5)),
  "redgen-health.json › Active series and limit › B": (r) => expect(values(r, "tenant")).toEqual({ limited: 5 }),
  "redgen-health.json › Series refused by the limit › A": (r) => {
    expect(keys(r, "tenant")).toEqual(TENANTS);
    expect(values(r, "tenant").limited).toBeGreaterThan(0);
    expect(values(r, "tenant")["single-tenant"]).toBe(0);
  },
  "redgen-health.json › Memory and CPU › A": (r) => (expect(r).toHaveLength(1), allPositive(r)),
  "redgen-health.json › Memory and CPU › B": (r) => (expect(r).toHaveLength(1), allPositive(r)),
  "redgen-health.json › Seconds behind › A": (r) => {
    expect(keys(r, "tenant", "remote_name")).toEqual(TENANTS.flatMap((t) => ENDPOINTS.map((e) => `${t}|${e}`)));
    const v = values(r, "tenant", "remote_name");
    for (const t of TENANTS) {
      expect(v[`${t}|down`]).toBeGreaterThan(120);
      expect(v[`${t}|prometheus`]).toBeLessThan(60);
    }
  },
  "redgen-health.json › Queue on disk › A": (r) => {
    expect(keys(r, "tenant", "remote_name")).toEqual(TENANTS.flatMap((t) => ENDPOINTS.map((e) => `${t}|${e}`)));
    for (const t of TENANTS) expect(values(r, "tenant", "remote_name")[`${t}|down`]).toBeGreaterThan(0);
  },
  "redgen-health.json › Queue on disk › B": (r) => {
    expect(keys(r, "tenant", "remote_name")).toEqual(TENANTS.flatMap((t) => ENDPOINTS.map((e) => `${t}|${e}`)));
    for (const t of TENANTS) expect(values(r, "tenant", "remote_name")[`${t}|down`]).toBeGreaterThan(0);
  },
  "redgen-health.json › Samples sent, refused, dropped › A": (r) => (expect(keys(r, "remote_name")).toEqual(ENDPOINTS), onlyThese(r, ["remote_name"], { prometheus: values(r, "remote_name").prometheus }), expect(values(r, "remote_name").prometheus).toBeGreaterThan(0)),
  "redgen-health.json › Samples sent, refused, dropped › B": (r) => (expect(keys(r, "remote_name")).toEqual(ENDPOINTS), onlyThese(r, ["remote_name"], { refusing: values(r, "remote_name").refusing }), expect(values(r, "remote_name").refusing).toBeGreaterThan(0)),
  "redgen-health.json › Samples sent, refused, dropped › C": (r) => (expect(keys(r, "remote_name")).toEqual(ENDPOINTS), onlyThese(r, ["remote_name"], {})),
};

/** Template variable → the values it must offer. */
const VARIABLES: Record<string, string[]> = {
  "redgen-red.json › service": SERVICES,
  "redgen-red.json › span_name": [...new Set(OPS.map((o) => o.split("|")[1]))].sort(),
  "redgen-red.json › span_kind": ["SPAN_KIND_CLIENT", "SPAN_KIND_CONSUMER", "SPAN_KIND_PRODUCER", "SPAN_KIND_SERVER"],
  "redgen-service-graph.json › client": ["checkout", "frontend", "user"],
  "redgen-service-graph.json › server": ["checkout", "frontend", "payment", "pg.internal", "reports", "shipping"],
  "redgen-health.json › job": ["redgen"],
  "redgen-health.json › tenant": TENANTS,
};

/** The server-span services of the SLO recording rules: only `reports` misses 512 ms. */
const sloMiss: Check = (r) => (expect(keys(r, "service")).toEqual(["checkout", "frontend", "payment", "reports"]), onlyThese(r, ["service"], { reports: 1 }));

const RULE_EXPRS: Record<string, Check> = {
  "service:traces_spanmetrics_latency_slo_miss:ratio_rate5m": sloMiss,
  "service:traces_spanmetrics_latency_slo_miss:ratio_rate30m": sloMiss,
  "service:traces_spanmetrics_latency_slo_miss:ratio_rate1h": sloMiss,
  "service:traces_spanmetrics_latency_slo_miss:ratio_rate6h": sloMiss,
  RedgenServiceErrorRatioHigh: (r) => expect(values(r, "service")).toEqual({ payment: 1 }),
  RedgenEdgeErrorRatioHigh: (r) => expect(values(r, "client", "server")).toEqual({ "checkout|payment": 1 }),
  RedgenLatencySLOFastBurn: (r) => expect(values(r, "service")).toEqual({ reports: 1 }),
  RedgenLatencySLOSlowBurn: (r) => expect(values(r, "service")).toEqual({ reports: 1 }),
  RedgenSpansDiscarded: (r) => (expect(keys(r, "job", "tenant", "reason")).toEqual(["redgen|single-tenant|outside_metrics_ingestion_slack"]), allPositive(r)),
  RedgenSeriesLimitReached: (r) => (expect(keys(r, "job", "tenant")).toEqual(["redgen|limited"]), allPositive(r)),
  RedgenSeriesNearLimit: (r) => expect(values(r, "tenant")).toEqual({ limited: 1 }),
  RedgenRemoteWriteFailing: (r) => (expect(keys(r, "tenant", "remote_name")).toEqual(TENANTS.map((t) => `${t}|refusing`)), allPositive(r)),
  RedgenRemoteWriteBehind: (r) => (expect(keys(r, "tenant", "remote_name")).toEqual(TENANTS.map((t) => `${t}|down`)), allPositive(r)),
  // Conditions a test cannot reach in seconds (5 minutes of backlog, a failing disk, the disk
  // budget): empty here, and test/assets/alerts.test.ts fires them with promtool's unit tests.
  RedgenRemoteWriteBacklog: (r) => expect(r).toEqual([]),
  RedgenRemoteWriteDropping: (r) => expect(r).toEqual([]),
  RedgenCheckpointFailing: (r) => expect(r).toEqual([]),
};

/** Alerts whose expression holds after the traffic: Prometheus has them pending (their `for` has not passed). */
const PENDING = Object.keys(RULE_EXPRS).filter((k) => k.startsWith("Redgen") && !["RedgenRemoteWriteBacklog", "RedgenRemoteWriteDropping", "RedgenCheckpointFailing"].includes(k));

interface Dashboard {
  panels: { title: string; type: string; targets?: { refId: string; expr: string }[] }[];
  templating: { list: { name: string; type: string; query: string | { query: string } }[] };
}

function dashboards(): [string, Dashboard][] {
  return readdirSync(GRAFANA)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(join(GRAFANA, f), "utf8")) as Dashboard]);
}

interface RuleFile {
  groups: { name: string; rules: { record?: string; alert?: string; expr: string }[] }[];
}

function rules(): { name: string; expr: string }[] {
  const file = parse(readFileSync(RULES, "utf8")) as RuleFile;
  return file.groups.flatMap((g) => g.rules.map((r) => ({ name: r.alert ?? r.record ?? "?", expr: r.expr })));
}

/** Spans of `service` recorded by their own SDK and sent at once. */
async function sendSpans(o: { service: string; tenant?: string; host?: string; count: number; name: string; durationMs: number; endedMsAgo?: number }): Promise<void> {
  const resource: Record<string, string> = { "service.name": o.service };
  if (o.host !== undefined) resource["host.id"] = o.host;
  const t = new TestTracer({ endpoint: redgen.otlpHttpUrl, encoding: "protobuf", gzip: false, resource, headers: o.tenant ? { "X-Scope-OrgID": o.tenant } : {} });
  const [sec, ns] = hrNow();
  const end: [number, number] = [sec - Math.round((o.endedMsAgo ?? 0) / 1000), ns];
  for (let i = 0; i < o.count; i++) recordSpan(t.tracer, { name: o.name, kind: SpanKind.SERVER, durationMs: o.durationMs }, end);
  await t.flush();
  await t.shutdown();
}

/** Waits until Prometheus answers `promql` with a sample above `min` (scrapes are 1 s apart). */
async function waitAbove(promql: string, min: number): Promise<void> {
  await prom.waitFor(promql, (r) => r.length > 0 && r.every((s) => s.value > min), 30_000);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "redgen-e2e-assets-"));
  prom = await Prometheus.start("prometheus", { ruleFiles: [RULES] });
  down = new RemoteWriteProxy(prom.remoteWriteUrl);
  down.down = true;
  const runtime = join(dir, "runtime.yaml");
  writeFileSync(runtime, "overrides:\n  limited:\n    metrics_generator:\n      processors: [host-info]\n      max_active_series: 5\n");
  const config = testConfig() as {
    metrics_generator: { processor: Record<string, Record<string, unknown>>; storage: Record<string, unknown> };
    overrides: Record<string, unknown> & { defaults: { metrics_generator: { processors: string[] } } };
  };
  // Tempo's default span buckets: the SLO rule's le="0.512" is one of them.
  delete config.metrics_generator.processor.span_metrics.histogram_buckets;
  config.metrics_generator.processor.service_graphs = { wait: "1s" };
  config.metrics_generator.storage.remote_write = [
    { name: "prometheus", url: prom.remoteWriteUrl },
    { name: "refusing", url: `${prom.url}/api/v1/no-such-endpoint` },
    { name: "down", url: down.url },
  ];
  config.metrics_generator.storage.remote_write_flush_deadline = "1s";
  config.overrides.defaults.metrics_generator.processors = ["span-metrics", "service-graphs"];
  config.overrides.per_tenant_override_config = runtime;
  redgen = await Redgen.start({ config });
  await prom.reload({ ruleFiles: [RULES], scrape: { job: "redgen", targets: [new URL(redgen.apiUrl).host] } });

  await using topology = new Topology(redgen.otlpHttpUrl);
  await topology.send(3);
  await sendSpans({ service: "reports", count: 3, name: "GET /report", durationMs: 2000 });
  // Counters that appear with their first increment show no rate until they move again: each condition twice, a scrape apart.
  await sendSpans({ service: "stale", count: 2, name: "old", durationMs: 5, endedMsAgo: 2 * 3600_000 });
  for (let h = 0; h < 8; h++) await sendSpans({ service: "edge", tenant: "limited", host: `host-${h}`, count: 1, name: "tick", durationMs: 1 });
  await waitAbove('tempo_metrics_generator_spans_discarded_total{job="redgen"}', 0);
  await waitAbove('tempo_metrics_generator_registry_series_limited_total{job="redgen", tenant="limited"}', 0);
  await sendSpans({ service: "stale", count: 2, name: "old", durationMs: 5, endedMsAgo: 2 * 3600_000 });
  for (let h = 8; h < 10; h++) await sendSpans({ service: "edge", tenant: "limited", host: `host-${h}`, count: 1, name: "tick", durationMs: 1 });

  // Everything has arrived: all edges (user → … after `wait`), rates that moved, the recording rules evaluated.
  await waitAbove('rate(tempo_metrics_generator_spans_discarded_total{job="redgen"}[5m])', 0);
  await waitAbove('rate(tempo_metrics_generator_registry_series_limited_total{job="redgen", tenant="limited"}[5m])', 0);
  await waitAbove('rate(prometheus_remote_storage_samples_failed_total{remote_name="refusing"}[5m])', 0);
  await prom.waitFor("sum by (client, server) (traces_service_graph_request_total)", (r) => r.length === EDGES.length, 30_000);
  await prom.waitFor("sum(traces_spanmetrics_calls_total)", (r) => r[0]?.value === 3 * 8 + 3, 30_000);
  await prom.waitFor("service:traces_spanmetrics_latency_slo_miss:ratio_rate6h", (r) => r.length === 4, 30_000);
}, TIMEOUT);

afterAll(async () => {
  try {
    await redgen?.stop();
  } finally {
    down?.stop();
    await prom?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}, TIMEOUT);

describe("Grafana dashboards", () => {
  test("every panel query returns exactly the expected series", async () => {
    const seen: string[] = [];
    for (const [file, d] of dashboards()) {
      for (const p of d.panels) {
        for (const t of p.targets ?? []) {
          const key = `${file} › ${p.title} › ${t.refId}`;
          seen.push(key);
          const check = PANELS[key];
          if (check === undefined) throw new Error(`no expectation for ${key}: add one to PANELS`);
          let r: Sample[];
          try {
            r = await prom.query(substitute(t.expr));
          } catch (e) {
            throw new Error(`${key}: ${(e as Error).message}`);
          }
          try {
            check(r);
          } catch (e) {
            throw new Error(`${key}:\n${substitute(t.expr)}\ngot ${JSON.stringify(r)}\n${(e as Error).message}`);
          }
        }
      }
    }
    expect(seen.sort()).toEqual(Object.keys(PANELS).sort());
  }, TIMEOUT);

  test("every template variable offers the expected values", async () => {
    const seen: string[] = [];
    for (const [file, d] of dashboards()) {
      for (const v of d.templating.list) {
        if (v.type !== "query") continue;
        const key = `${file} › ${v.name}`;
        seen.push(key);
        const q = typeof v.query === "string" ? v.query : v.query.query;
        const m = /^label_values\((.+), (\w+)\)$/.exec(q);
        if (m === null) throw new Error(`${key}: not a label_values(selector, label) query: ${q}`);
        const got = await prom.api<string[]>(`/api/v1/label/${m[2]}/values`, { "match[]": substitute(m[1]) });
        expect([key, got.sort()]).toEqual([key, VARIABLES[key]]);
      }
    }
    expect(seen.sort()).toEqual(Object.keys(VARIABLES).sort());
  }, TIMEOUT);
});

describe("Prometheus rules", () => {
  test("every rule expression returns exactly the expected series", async () => {
    const all = rules();
    expect(all.map((r) => r.name).sort()).toEqual(Object.keys(RULE_EXPRS).sort());
    for (const rule of all) {
      const r = await prom.query(rule.expr);
      try {
        RULE_EXPRS[rule.name](r);
      } catch (e) {
        throw new Error(`${rule.name}:\n${rule.expr}\ngot ${JSON.stringify(r)}\n${(e as Error).message}`);
      }
    }
  }, TIMEOUT);

  test("the signals behind the alerts a test cannot fire are there (backlog age, dropped samples, checkpoint failures)", async () => {
    const age = await prom.query('redgen_remote_write_queue_oldest_round_age_seconds{remote_name="down"}');
    expect(keys(age, "tenant")).toEqual(TENANTS);
    allPositive(age);
    const dropped = await prom.query("sum by (tenant, remote_name) (rate(prometheus_remote_storage_samples_dropped_total[5m]))");
    expect(dropped).toHaveLength(TENANTS.length * ENDPOINTS.length);
    const failures = await prom.query("increase(redgen_checkpoint_failures_total[15m])");
    expect(keys(failures, "tenant")).toEqual(TENANTS);
  }, TIMEOUT);

  test("Prometheus loads the rule file, evaluates every rule without error, and has the expected alerts pending", async () => {
    const groups = await prom.api<{ groups: { rules: { name: string; health: string; lastError?: string }[] }[] }>("/api/v1/rules", {});
    const evaluated = groups.groups.flatMap((g) => g.rules);
    expect(evaluated.map((r) => r.name).sort()).toEqual(Object.keys(RULE_EXPRS).sort());
    expect(evaluated.filter((r) => r.health !== "ok")).toEqual([]);
    const alerts = await poll(
      "every expected alert to be pending",
      async () => {
        const a = await prom.api<{ alerts: { labels: { alertname: string }; state: string }[] }>("/api/v1/alerts", {});
        const names = [...new Set(a.alerts.map((x) => x.labels.alertname))].sort();
        return names.length === PENDING.length ? a.alerts : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 250 },
    );
    expect([...new Set(alerts.map((a) => a.labels.alertname))].sort()).toEqual(PENDING.sort());
    expect(alerts.filter((a) => a.state !== "pending")).toEqual([]);
  }, TIMEOUT);
});
