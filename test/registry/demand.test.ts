import { describe, expect, test } from "bun:test";
import { Cardinality } from "../../src/registry/cardinality.ts";
import { hashHalves } from "../../src/registry/hll-sketch.ts";
import { Registry, type RegistryOptions } from "../../src/registry/registry.ts";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const STALE = 15 * 60_000;
const SLICE = 5 * 60_000;
const TRACE = new Uint8Array(16);

function registry(over: Partial<RegistryOptions> = {}): Registry {
  return new Registry({
    externalLabels: { __metrics_gen_instance: "h" },
    maxLabelNameLength: 1024,
    maxLabelValueLength: 2048,
    staleDurationMs: STALE,
    maxActiveSeries: () => 0,
    traceIdLabelName: "traceID",
    ...over,
  });
}

describe("demand estimates (spec §8.5): what the limits hold back stays visible", () => {
  test("active_series_demand_estimate counts the series a limit refused, a histogram with all its series", () => {
    const r = registry({ maxActiveSeries: () => 30 });
    const schema = r.fixedSchema(["op"]);
    const calls = r.counter("calls_total");
    const latency = r.histogram("latency", [0.1, 1]); // 5 series per label set
    for (let i = 0; i < 100; i++) {
      const ls = schema.resolve([`op${i}`]);
      if (ls === null) throw new Error("invalid");
      calls.add(ls, 1, T0);
      latency.observe(ls, 0.2, 1, TRACE, 0, T0);
      if (ls.live === 0) r.release(ls);
    }
    expect(r.limiter.active).toBeLessThanOrEqual(30);
    // below ~340 distinct values the sketch is sparse and counts exactly
    expect(r.seriesDemand()).toBe(100 + 100 * 5);
  });

  test("entity_demand_estimate counts distinct label sets, refused ones included, once however often they come", () => {
    const r = registry({ limiterType: "entity", maxActiveEntities: () => 5 });
    const schema = r.fixedSchema(["op"]);
    const calls = r.counter("calls_total");
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 40; i++) {
        const ls = schema.resolve([`op${i}`]);
        if (ls === null) throw new Error("invalid");
        calls.add(ls, 1, T0);
        if (ls.live === 0) r.release(ls);
      }
    }
    expect(r.controls.entityDemand.estimate()).toBe(40);
    expect(r.seriesDemand()).toBe(40);
  });

  test("demand forgets what was not seen for stale_duration plus a slice", () => {
    const r = registry();
    const schema = r.fixedSchema(["op"]);
    const calls = r.counter("calls_total");
    const hit = (name: string, now: number) => calls.add(schema.resolve([name]) as NonNullable<ReturnType<typeof schema.resolve>>, 1, now);
    for (let i = 0; i < 20; i++) hit(`old${i}`, T0);
    let now = T0;
    for (let s = 1; s <= 4; s++) {
      now += SLICE;
      r.removeStale(now);
      hit("steady", now);
    }
    // after 4 advances (stale 15 m + 5 m slice = 4 slices) only "steady" is left
    expect(r.seriesDemand()).toBe(1);
    expect(r.controls.entityDemand.estimate()).toBe(1);
  });
});

describe("Cardinality: the sliding window of sketches", () => {
  test("a window of stale_duration/5m + 1 slices; values age out slice by slice", () => {
    const c = new Cardinality(STALE, SLICE, T0);
    const add = (v: string) => c.insertHash(...hashHalves(v));
    for (let i = 0; i < 10; i++) add(`a${i}`);
    c.advance(T0 + SLICE);
    for (let i = 0; i < 5; i++) add(`b${i}`);
    expect(c.estimate()).toBe(15);
    c.advance(T0 + 2 * SLICE);
    c.advance(T0 + 3 * SLICE);
    expect(c.estimate()).toBe(15);
    c.advance(T0 + 4 * SLICE); // the slice with a* leaves the window
    expect(c.estimate()).toBe(5);
  });

  test("a long pause advances several slices at once; windows that make no sense fall back to 15m/5m as in Tempo", () => {
    const c = new Cardinality(STALE, SLICE, T0);
    c.insertHash(...hashHalves("x"));
    c.advance(T0 + 60 * 60_000);
    expect(c.estimate()).toBe(0);
    const odd = new Cardinality(30_000, SLICE, T0);
    odd.insertHash(...hashHalves("x"));
    for (let i = 1; i <= 3; i++) odd.advance(T0 + i * SLICE);
    expect(odd.estimate()).toBe(1);
    odd.advance(T0 + 4 * SLICE);
    expect(odd.estimate()).toBe(0);
  });
});
