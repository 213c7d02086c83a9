import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { Registry } from "../../../src/registry/registry.ts";
import type { LiveSources } from "../../../src/serve/live/live-sources.ts";
import { mountLivePage, pageDocument } from "../../../src/serve/live/page-routes.ts";
import type { LiveView } from "../../../src/serve/live/live-view.ts";

function registry(): Registry {
  const r = new Registry({ externalLabels: {}, maxLabelNameLength: 1024, maxLabelValueLength: 2048, staleDurationMs: 900_000, maxActiveSeries: () => 0, traceIdLabelName: "traceID" });
  const schema = r.fixedSchema(["service", "span_name", "status_code"]);
  const ls = schema.resolve(["api", "<img src=x onerror=alert(1)>", "STATUS_CODE_ERROR"]);
  if (ls === null) throw new Error("labels refused");
  r.counter("traces_spanmetrics_calls_total").add(ls, 4, Date.now());
  return r;
}

function app(kafka: LiveSources["kafka"] = () => null) {
  const registries = new Map([["team-a", registry()]]);
  const sources: LiveSources = {
    version: "9.9.9",
    tenantIds: () => [...registries.keys()],
    registryOf: (t) => registries.get(t),
    health: (t) =>
      registries.has(t) ? { spansReceived: 4, discarded: [], activeSeries: 1, maxActiveSeries: 10, seriesLimited: 0, remoteWrite: [] } : undefined,
    kafka,
  };
  const hono = new Hono();
  const page = mountLivePage(hono, sources);
  return { hono, page };
}

describe("live page routes", () => {
  test("GET / serves the embedded page with a CSP that admits exactly its inline script and style", async () => {
    const res = await app().hono.request("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await res.text();
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    for (const tag of ["script", "style"]) {
      const body = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(html)?.[1] ?? "";
      const hash = new Bun.CryptoHasher("sha256").update(body).digest("base64");
      expect(csp).toContain(`${tag}-src 'sha256-${hash}'`);
    }
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  test("the page needs nothing from elsewhere: no external script, style, font or image", () => {
    const { html } = pageDocument();
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i);
    // url(#arrow) is the SVG marker inside the page
    expect(html).not.toMatch(/@import|url\((?!#)/);
    // the only absolute URL is the SVG namespace name
    expect(html.match(/https?:\/\/[^"'\s)]+/g)).toEqual(["http://www.w3.org/2000/svg"]);
  });

  test("gzip when the client takes it: the same document", async () => {
    const res = await app().hono.request("/", { headers: { "Accept-Encoding": "gzip, br" } });
    expect(res.headers.get("content-encoding")).toBe("gzip");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(new TextDecoder().decode(Bun.gunzipSync(bytes))).toBe(pageDocument().html);
    expect(bytes.length).toBeLessThan(pageDocument().html.length / 2);
  });

  test("GET /live/summary answers the tenant's figures as JSON; label values are data, never markup", async () => {
    const { hono, page } = app();
    const res = await hono.request("/live/summary?tenant=team-a");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const v = (await res.json()) as LiveView;
    expect({ tenant: v.tenant, tenants: v.tenants, version: v.version, windowSeconds: v.windowSeconds }).toEqual({ tenant: "team-a", tenants: ["team-a"], version: "9.9.9", windowSeconds: null });
    expect(v.red).toEqual([{ service: "api", spanName: "<img src=x onerror=alert(1)>", calls: 4, rate: null, errorRatio: 1, sinceStart: true, p50: null, p95: null, p99: null }]);
    expect(v.health?.maxActiveSeries).toBe(10);
    expect(page.watched).toBe(1);
    // and the page only ever writes text: no innerHTML, no insertAdjacentHTML, no document.write
    expect(pageDocument().html).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });

  test("without ?tenant= the only tenant is shown; a made-up tenant gets an empty view and costs no ring; a bad one is a 400", async () => {
    const { hono, page } = app();
    expect(((await (await hono.request("/live/summary")).json()) as LiveView).tenant).toBe("team-a");
    const ghost = (await (await hono.request("/live/summary?tenant=nobody")).json()) as LiveView;
    expect({ tenant: ghost.tenant, red: ghost.red, health: ghost.health }).toEqual({ tenant: "nobody", red: [], health: null });
    expect(page.watched).toBe(1);
    expect((await hono.request("/live/summary?tenant=a%7Cb")).status).toBe(400);
  });

  test("Kafka lag per partition travels with every tenant's view when redgen consumes", async () => {
    const lag = { group: "metrics-generator", joined: true, partitions: [{ topic: "tempo-ingest", partition: 0, lag: 42 }] };
    const v = (await (await app(() => lag).hono.request("/live/summary")).json()) as LiveView;
    expect(v.kafka).toEqual(lag);
    expect(((await (await app().hono.request("/live/summary")).json()) as LiveView).kafka).toBeNull();
  });
});
