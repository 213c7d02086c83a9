import { describe, expect, test } from "bun:test";
import { OVERFLOW_VALUE } from "../../src/registry/label-limiter.ts";
import { Registry, type RegistryOptions } from "../../src/registry/registry.ts";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const STALE = 15 * 60_000;
const SLICE = 5 * 60_000;

function registry(max: () => number, over: Partial<RegistryOptions> = {}): Registry {
  return new Registry({
    externalLabels: { __metrics_gen_instance: "h", cluster: "eu" },
    maxLabelNameLength: 1024,
    maxLabelValueLength: 2048,
    staleDurationMs: STALE,
    maxActiveSeries: () => 0,
    maxCardinalityPerLabel: max,
    traceIdLabelName: "traceID",
    ...over,
  });
}

function labelsOf(r: Registry, names: string[], values: string[]): Record<string, string> | null {
  const ls = r.fixedSchema(names).resolve(values);
  if (ls === null) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < ls.labels.length; i += 2) out[ls.labels[i]] = ls.labels[i + 1];
  return out;
}

describe("max_cardinality_per_label (spec §8.1)", () => {
  test("under the limit nothing changes; over it the label's value becomes the overflow value, other labels stay", () => {
    const r = registry(() => 50);
    const schema = r.fixedSchema(["service", "user_id"]);
    for (let i = 0; i < 40; i++) schema.resolve(["api", `u${i}`]);
    r.maintain();
    expect(labelsOf(r, ["service", "user_id"], ["api", "u1000"])).toEqual({ __metrics_gen_instance: "h", cluster: "eu", service: "api", user_id: "u1000" });
    for (let i = 40; i < 200; i++) schema.resolve(["api", `u${i}`]);
    // Values are replaced only from the next evaluation (every 15 s), as in Tempo.
    expect(schema.resolve(["api", "u5000"])?.labels).toContain("u5000");
    r.maintain();
    const limited = schema.resolve(["api", "u6000"]);
    expect(limited?.labels).toEqual(["__metrics_gen_instance", "h", "cluster", "eu", "service", "api", "user_id", OVERFLOW_VALUE]);
    // every distinct value maps to the one overflow set
    expect(schema.resolve(["api", "u6001"])).toBe(limited);
    const state = [...r.controls.labelLimiter.labels()].find((s) => s.name === "user_id");
    expect(state?.overLimit).toBe(true);
    expect(state?.limited).toBe(2);
    expect([...r.controls.labelLimiter.labels()].find((s) => s.name === "service")?.overLimit).toBe(false);
  });

  test("the original values keep feeding the estimate while limited, and it recovers once they rotate out of the window", () => {
    const r = registry(() => 100);
    const schema = r.fixedSchema(["user_id"]);
    for (let i = 0; i < 300; i++) schema.resolve([`u${i}`]);
    r.maintain();
    const state = [...r.controls.labelLimiter.labels()].find((s) => s.name === "user_id");
    const before = state?.estimate ?? 0;
    expect(before).toBeGreaterThan(290);
    for (let i = 300; i < 600; i++) schema.resolve([`u${i}`]);
    r.maintain();
    expect(state?.estimate ?? 0).toBeGreaterThan(580);
    // Only 10 values from now on: after stale_duration + one slice the old values are out of the window.
    let now = T0;
    for (let slice = 0; slice < 5; slice++) {
      now += SLICE;
      r.removeStale(now);
      for (let i = 0; i < 10; i++) schema.resolve([`v${i}`]);
      r.maintain();
    }
    expect(state?.overLimit).toBe(false);
    expect(schema.resolve(["v3"])?.labels).toContain("v3");
  });

  test("external labels are never limited; empty values stay absent", () => {
    const r = registry(() => 1);
    const schema = r.fixedSchema(["cluster", "a", "b"]);
    for (let i = 0; i < 20; i++) schema.resolve([`c${i}`, `a${i}`, ""]);
    r.maintain();
    const got = labelsOf(r, ["cluster", "a", "b"], ["zz", "a77", ""]);
    expect(got).toEqual({ __metrics_gen_instance: "h", cluster: "eu", a: OVERFLOW_VALUE });
  });

  test("info metrics are never limited", () => {
    const r = registry(() => 1);
    const info = r.infoSchema(["grafana_host_id", "host_source"]);
    const spans = r.fixedSchema(["grafana_host_id"]);
    for (let i = 0; i < 20; i++) {
      info.resolve([`h${i}`, "k8s.node.name"]);
      spans.resolve([`h${i}`]);
    }
    r.maintain();
    expect(info.resolve(["h99", "k8s.node.name"])?.labels).toContain("h99");
    expect(spans.resolve(["h99"])?.labels).toContain(OVERFLOW_VALUE);
    const pairs = r.pairSchema();
    for (let i = 0; i < 20; i++) pairs.resolve(["job", `j${i}`, "grafana_host_id", `x${i}`]);
    r.maintain();
    expect(pairs.resolve(["job", "j99", "grafana_host_id", "x99"])?.labels).toContain("x99");
  });

  test("a value that is not valid UTF-8 no longer drops the span once the limit replaces it (Tempo checks after limiting)", () => {
    const r = registry(() => 5);
    const schema = r.fixedSchema(["a"]);
    expect(schema.resolve(["bad\udc80"])).toBeNull();
    for (let i = 0; i < 30; i++) schema.resolve([`v${i}`]);
    r.maintain();
    expect(schema.resolve(["bad\udc80"])?.labels).toContain(OVERFLOW_VALUE);
  });

  test("0 turns it off, read on the 15-second evaluation: limited labels come back", () => {
    let max = 3;
    const r = registry(() => max);
    const schema = r.fixedSchema(["a"]);
    for (let i = 0; i < 30; i++) schema.resolve([`v${i}`]);
    r.maintain();
    expect(schema.resolve(["v100"])?.labels).toContain(OVERFLOW_VALUE);
    max = 0;
    r.maintain();
    expect(schema.resolve(["v100"])?.labels).toContain("v100");
    expect(r.controls.labelLimiter.active).toBe(false);
  });

  test("the limit applies per label name across every schema of the tenant", () => {
    const r = registry(() => 10);
    const a = r.fixedSchema(["client", "server"]);
    const b = r.fixedSchema(["server"]);
    for (let i = 0; i < 30; i++) a.resolve(["web", `db${i}`]);
    r.maintain();
    expect(b.resolve(["db-new"])?.labels).toContain(OVERFLOW_VALUE);
    expect(a.resolve(["web", "db-new"])?.labels).toContain("web");
  });
});
