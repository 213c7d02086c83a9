import { describe, expect, test } from "bun:test";
import { Registry } from "../../src/registry/registry.ts";
import { apiApp } from "../../src/serve/api.ts";
import { escapeValue } from "../../src/serve/exposition.ts";
import { SelfMetrics } from "../../src/telemetry/self-metrics.ts";
import type { LabelSource } from "../../src/registry/label-schema.ts";
import type { LabelSet } from "../../src/registry/label-set.ts";

/** The label set for `values` (fails the test when the values are invalid). */
function set(schema: LabelSource, values: readonly string[]): LabelSet {
  const ls = schema.resolve(values);
  if (ls === null) throw new Error(`invalid labels ${JSON.stringify(values)}`);
  return ls;
}


function registry(): Registry {
  const r = new Registry({
    externalLabels: { __metrics_gen_instance: "h" },
    maxLabelNameLength: 1024,
    maxLabelValueLength: 2048,
    staleDurationMs: 900_000,
    maxActiveSeries: () => 0,
    traceIdLabelName: "traceID",
  });
  const s = r.fixedSchema(["service"]);
  r.counter("calls_total").add(set(s, ['a"b']), 2, Date.now());
  r.histogram("lat", [1]).observe(set(s, ["x"]), 0.5, 1, new Uint8Array(16), 0, Date.now());
  return r;
}

function app(notReady: string | null = null) {
  const regs = new Map([["team-a", registry()]]);
  const self = new SelfMetrics();
  self.register(() => [{ name: "up_things", help: "h", type: "gauge", samples: [{ labels: { x: "1" }, value: 3 }] }]);
  return apiApp({ selfMetrics: self, registryOf: (t) => regs.get(t), notReady: () => notReady, statusConfig: () => "{}", statusStorage: () => ({ path: "/x" }) });
}

describe("API port", () => {
  test("/metrics/generated serves a tenant's series as text, by ?tenant= or X-Scope-OrgID", async () => {
    for (const init of [{ path: "/metrics/generated?tenant=team-a" }, { path: "/metrics/generated", headers: { "X-Scope-OrgID": "team-a" } }]) {
      const res = await app().request(init.path, { headers: init.headers });
      expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
      const text = await res.text();
      expect(text).toContain("# TYPE calls_total counter\n");
      expect(text).toContain('calls_total{__metrics_gen_instance="h",service="a\\"b"} 2\n');
      expect(text).toContain("# TYPE lat histogram\n");
      expect(text).toContain('lat_bucket{__metrics_gen_instance="h",service="x",le="1"} 1\n');
      expect(text).toContain('lat_bucket{__metrics_gen_instance="h",service="x",le="+Inf"} 1\n');
      expect(text).toContain('lat_count{__metrics_gen_instance="h",service="x"} 1\n');
    }
  });

  test("an unknown tenant has no series; an invalid one is a 400", async () => {
    expect(await (await app().request("/metrics/generated?tenant=nobody")).text()).toBe("");
    expect((await app().request("/metrics/generated?tenant=a%7Cb")).status).toBe(400);
  });

  test("/metrics renders the self-metrics with HELP and TYPE", async () => {
    expect(await (await app().request("/metrics")).text()).toBe('# HELP up_things h\n# TYPE up_things gauge\nup_things{x="1"} 3\n');
  });

  test("/ready is 200 when ready and 503 with the reason otherwise", async () => {
    expect((await app().request("/ready")).status).toBe(200);
    const res = await app("shutting down").request("/ready");
    expect([res.status, await res.text()]).toEqual([503, "shutting down\n"]);
  });

  test("label values escape backslash, quote and newline", () => {
    expect(escapeValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
  });
});
