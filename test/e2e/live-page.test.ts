/**
 * The live page in a real browser: Debian's headless Chromium loads
 * http://<api>/ from the compiled binary, fed the topology of topology.ts by
 * real OpenTelemetry SDKs, and the test reads what a person sees — the nodes
 * and edges of the drawn graph, the numbers in the table, the health cards —
 * then sends more traffic and watches the page update itself. Every expected
 * figure comes from a real Prometheus that received the same series by
 * remote write (histogram_quantile over the same buckets), plus one worked
 * by hand. The screenshot is kept under .cache/artifacts/.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Chromium } from "../support/chromium.ts";
import { E2E_TIMEOUT_MS, poll } from "../support/poll.ts";
import { Prometheus, type Sample } from "../support/prometheus.ts";
import { Redgen, testConfig } from "../support/redgen-process.ts";
import { CACHE_DIR } from "../support/setup.ts";
import { Topology } from "./topology.ts";

const TRACES = 3;
const MORE = 2;
const SPANS_PER_TRACE = 8;

let prom: Prometheus;
let redgen: Redgen;
let topology: Topology;
let browser: Chromium;

/** What the page shows, read from the DOM as rendered. */
interface Seen {
  updated: string;
  status: string;
  nodes: { id: string; kind: string; text: string[]; box: [number, number, number, number] }[];
  edges: { client: string; server: string; cls: string; text: string[] }[];
  rows: string[][];
  spans: string;
  series: string;
  remote: string;
}

const READ_PAGE = `(() => {
  const texts = (g) => [...g.querySelectorAll("text")].map((t) => t.textContent);
  return {
    updated: document.body.dataset.updated || "",
    status: document.getElementById("status").textContent,
    nodes: [...document.querySelectorAll("#graph g.node")].map((g) => {
      const b = g.getBoundingClientRect();
      return { id: g.dataset.id, kind: g.classList[1], text: texts(g), box: [b.left, b.top, b.right, b.bottom] };
    }),
    edges: [...document.querySelectorAll("#graph g.edge")].map((g) => ({ client: g.dataset.client, server: g.dataset.server, cls: g.getAttribute("class"), text: texts(g) })),
    rows: [...document.querySelectorAll("#red tbody tr")].map((tr) => [...tr.cells].map((td) => td.textContent)),
    spans: document.getElementById("spans").innerText,
    series: document.getElementById("series").innerText,
    remote: document.getElementById("remote").innerText,
  };
})()`;

async function seen(): Promise<Seen> {
  return browser.evaluate<Seen>(READ_PAGE);
}

/** Three significant digits, the page's rule for every figure. */
const sig = (v: number) => String(Number(v.toPrecision(3)));
const dur = (s: number) => (s >= 1 ? `${sig(s)} s` : `${sig(s * 1000)} ms`);
const pct = (r: number) => `${sig(r * 100)} %`;

/** Prometheus answer as the values of `labels` joined) → value. */
function byLabels(r: Sample[], ...labels: string[]): Record<string, number> {
  return Object.fromEntries(r.map((s) => [labels.map((l) => s.metric[l] ?? "").join("\u0000"), s.value]));
}

beforeAll(async () => {
  prom = await Prometheus.start();
  const config = testConfig({ remoteWriteUrl: prom.remoteWriteUrl }) as {
    metrics_generator: { processor: Record<string, unknown> };
    overrides: { defaults: { metrics_generator: { processors: string[] } } };
  };
  config.metrics_generator.processor.service_graphs = { wait: "1s" };
  config.overrides.defaults.metrics_generator.processors = ["span-metrics", "service-graphs"];
  redgen = await Redgen.start({ config });
  topology = new Topology(redgen.otlpHttpUrl);
  await topology.send(TRACES);
  // All traffic is counted (the user → frontend edge comes after `wait`) and in Prometheus before the page opens.
  await prom.waitFor("sum(traces_service_graph_request_total)", (r) => r[0]?.value === 5 * TRACES);
  await prom.waitFor("sum(traces_spanmetrics_calls_total)", (r) => r[0]?.value === SPANS_PER_TRACE * TRACES);
  browser = await Chromium.start();
}, 60_000);

afterAll(async () => {
  await topology?.[Symbol.asyncDispose]();
  try {
    await browser?.stop();
  } finally {
    try {
      await redgen?.stop();
    } finally {
      await prom?.stop();
    }
  }
}, E2E_TIMEOUT_MS);

test("the page draws the service graph: services, the database, the virtual user, every edge with its figures", async () => {
  await browser.open(`${redgen.apiUrl}/`);
  const page = await poll("the page to draw 5 edges", async () => {
    const s = await seen();
    return s.edges.length === 5 ? s : undefined;
  });
  expect(browser.pageErrors).toEqual([]);

  expect(Object.fromEntries(page.nodes.map((n) => [n.id, n.kind]))).toEqual({
    checkout: "service",
    frontend: "service",
    payment: "service",
    shipping: "service",
    "pg.internal": "database",
    user: "virtual",
  });
  for (const n of page.nodes) expect(n.text[0]).toBe(n.id);
  // every node inside the drawing and no two on top of each other
  for (const a of page.nodes) {
    expect(a.box[2] - a.box[0]).toBeGreaterThan(100);
    for (const b of page.nodes) {
      if (a === b) continue;
      const overlap = a.box[0] < b.box[2] && b.box[0] < a.box[2] && a.box[1] < b.box[3] && b.box[1] < a.box[3];
      expect(overlap ? `${a.id} overlaps ${b.id}` : "").toBe("");
    }
  }

  const failed = byLabels(await prom.query("sum by (client, server) (traces_service_graph_request_failed_total)"), "client", "server");
  const total = byLabels(await prom.query("sum by (client, server) (traces_service_graph_request_total)"), "client", "server");
  const p50 = byLabels(await prom.query("histogram_quantile(0.5, sum by (client, server, le) (traces_service_graph_request_server_seconds_bucket))"), "client", "server");
  const p95 = byLabels(await prom.query("histogram_quantile(0.95, sum by (client, server, le) (traces_service_graph_request_server_seconds_bucket))"), "client", "server");
  const edges = Object.fromEntries(page.edges.map((e) => [`${e.client}\u0000${e.server}`, { cls: e.cls, text: e.text }]));
  expect(Object.keys(edges).sort()).toEqual(Object.keys(total).sort());
  for (const [key, e] of Object.entries(edges)) {
    // no rate before the window has traffic: "—" on the first view, "0/s" once there is a quiet window
    expect(e.text[0]).toMatch(new RegExp(`^(via queue · )?(—|0/s) · ${pct((failed[key] ?? 0) / total[key])} err$`));
    expect(e.text[1]).toBe(`p50 ${dur(p50[key])} · p95 ${dur(p95[key])}`);
  }
  // all server latencies are under the first bucket bound (0.1 s): 50 ms and 95 ms by interpolation
  expect(edges["frontend\u0000checkout"].text[1]).toBe("p50 50 ms · p95 95 ms");
  expect(edges["checkout\u0000payment"].cls).toContain("err");
  expect(edges["checkout\u0000payment"].text[0]).toEndWith(" · 100 % err");
  expect(edges["checkout\u0000shipping"].cls).toContain("messaging_system");
  expect(edges["checkout\u0000shipping"].text[0]).toStartWith("via queue · ");
  expect(edges["checkout\u0000pg.internal"].cls).toContain("database");
  expect(edges["user\u0000frontend"].cls).toContain("virtual_node");
}, E2E_TIMEOUT_MS);

test("the table shows calls, errors and p50/p95/p99 per service and span name, as histogram_quantile computes them", async () => {
  const page = await seen();
  const calls = byLabels(await prom.query("sum by (service, span_name) (traces_spanmetrics_calls_total)"), "service", "span_name");
  const errors = byLabels(await prom.query('sum by (service, span_name) (traces_spanmetrics_calls_total{status_code="STATUS_CODE_ERROR"})'), "service", "span_name");
  const quantile = async (q: number) =>
    byLabels(await prom.query(`histogram_quantile(${q}, sum by (service, span_name, le) (traces_spanmetrics_latency_bucket))`), "service", "span_name");
  const [q50, q95, q99] = await Promise.all([quantile(0.5), quantile(0.95), quantile(0.99)]);
  const expected = Object.keys(calls)
    .sort()
    .map((key) => {
      const [service, spanName] = key.split("\u0000");
      return [service, spanName, pct((errors[key] ?? 0) / calls[key]), dur(q50[key]), dur(q95[key]), dur(q99[key]), String(calls[key])];
    });
  expect(expected).toHaveLength(8);
  // the rate column (index 2) is "—" or "0/s" before new traffic; the rest must match exactly
  expect(page.rows.map((r) => [r[0], r[1], r[3], r[4], r[5], r[6], r[7]])).toEqual(expected);
  for (const r of page.rows) expect(["—", "0/s"]).toContain(r[2]);
  // worked by hand: 3 × 26 ms in the (25 ms, 50 ms] bucket → 25 + 25·(1.5/3), 25 + 25·0.95, 25 + 25·0.99 ms
  expect(page.rows.find((r) => r[0] === "payment")).toEqual(["payment", "POST /pay", expect.any(String), "100 %", "37.5 ms", "48.8 ms", "49.8 ms", "3"]);
}, E2E_TIMEOUT_MS);

test("the health cards: spans received and none discarded, active series as /metrics counts them, remote write ok", async () => {
  const page = await seen();
  expect(page.spans).toContain(`${SPANS_PER_TRACE * TRACES} received`);
  expect(page.spans).toContain("none discarded");
  const active = /tempo_metrics_generator_registry_active_series\{tenant="single-tenant"\} (\d+)/.exec(await redgen.selfMetrics());
  expect(active).not.toBeNull();
  expect(page.series).toContain(Number(active?.[1]).toLocaleString("en-US"));
  expect(page.series).toContain("no limit");
  expect(page.remote).toMatch(/\bok\b/);
  expect(page.remote).toContain(prom.remoteWriteUrl);
  expect(page.remote).toMatch(/[1-9][\d,]* samples sent, 0 refused, 0 dropped/);
}, E2E_TIMEOUT_MS);

test("the page updates itself after new traffic: calls grow, rates appear; the screenshot is kept", async () => {
  const before = await seen();
  await topology.send(MORE);
  const after = await poll(
    "the page to show the new calls",
    async () => {
      const s = await seen();
      return s.updated !== before.updated && s.rows.some((r) => r[0] === "frontend" && r[1] === "GET /" && r[7] === String(TRACES + MORE)) ? s : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 200 },
  );
  expect(after.spans).toContain(`${SPANS_PER_TRACE * (TRACES + MORE)} received`);
  const window = /rates over the last (\d+) s/.exec(after.status);
  expect(window).not.toBeNull();
  const seconds = Number(window?.[1]);
  // MORE calls per operation inside a window of `seconds` (rounded on the page)
  const rate = (text: string) => Number(/^([\d.]+)\/s$/.exec(text)?.[1]);
  for (const r of after.rows) {
    expect(r[7]).toBe(String(TRACES + MORE));
    expect(rate(r[2])).toBeGreaterThanOrEqual(Number((MORE / (seconds + 0.5)).toPrecision(3)));
    expect(rate(r[2])).toBeLessThanOrEqual(Number((MORE / Math.max(0.5, seconds - 0.5)).toPrecision(3)));
  }
  const pay = after.edges.find((e) => e.client === "checkout" && e.server === "payment");
  expect(pay?.text[0]).toMatch(/^[\d.]+\/s · 100 % err$/);
  expect(after.nodes.find((n) => n.id === "payment")?.text[1]).toMatch(/^[\d.]+\/s · 100 % err$/);

  const dir = join(CACHE_DIR, "artifacts");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "live-page.png");
  const bytes = await browser.screenshot(file);
  console.error(`live page screenshot: ${file} (${bytes} bytes)`);
  expect(bytes).toBeGreaterThan(10_000);
  expect(browser.pageErrors).toEqual([]);
}, E2E_TIMEOUT_MS);
