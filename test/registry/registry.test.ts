import { describe, expect, test } from "bun:test";
import { Registry, type RegistryOptions } from "../../src/registry/registry.ts";
import { zeroTimestamp } from "../../src/registry/sink.ts";
import { RecordingSink } from "../support/recording-sink.ts";
import { nextTurn } from "../../src/util/slices.ts";
import type { LabelSource } from "../../src/registry/label-schema.ts";
import type { LabelSet } from "../../src/registry/label-set.ts";

/** The label set for `values` (fails the test when the values are invalid). */
function set(schema: LabelSource, values: readonly string[]): LabelSet {
  const ls = schema.resolve(values);
  if (ls === null) throw new Error(`invalid labels ${JSON.stringify(values)}`);
  return ls;
}


function registry(over: Partial<RegistryOptions> = {}): Registry {
  return new Registry({
    externalLabels: {},
    maxLabelNameLength: 1024,
    maxLabelValueLength: 2048,
    staleDurationMs: 15 * 60_000,
    maxActiveSeries: () => 0,
    traceIdLabelName: "traceID",
    ...over,
  });
}

const T0 = Date.UTC(2026, 0, 1, 12, 34, 27, 500);
const TRACE = new Uint8Array(16).fill(0xab);

function collect(r: Registry, ts: number, mode: "remote" | "scrape" = "remote"): RecordingSink {
  const s = new RecordingSink();
  r.collect(ts, s, mode);
  return s;
}

describe("zero-first samples (spec §8.3, §15.1)", () => {
  test("the zero goes at the end of the previous minute", () => {
    expect(zeroTimestamp(T0)).toBe(Date.UTC(2026, 0, 1, 12, 33, 59, 0));
  });

  test("counters and histogram _count/_bucket get a zero first; _sum and gauges do not; only once", () => {
    const r = registry();
    const schema = r.fixedSchema(["a"]);
    const v = ["x"];
    r.counter("c_total").add(set(schema, v), 3, T0);
    r.gauge("g").set(set(schema, v), 7, T0);
    r.histogram("h", [1]).observe(set(schema, v), 0.5, 1, TRACE, 0, T0);
    const z = zeroTimestamp(T0);
    const first = collect(r, T0);
    expect(first.series.get('c_total{a="x"}')?.samples).toEqual([[z, 0], [T0, 3]]);
    expect(first.series.get('g{a="x"}')?.samples).toEqual([[T0, 7]]);
    expect(first.series.get('h_bucket{a="x",le="1"}')?.samples).toEqual([[z, 0], [T0, 1]]);
    expect(first.series.get('h_bucket{a="x",le="+Inf"}')?.samples).toEqual([[z, 0], [T0, 1]]);
    expect(first.series.get('h_count{a="x"}')?.samples).toEqual([[z, 0], [T0, 1]]);
    expect(first.series.get('h_sum{a="x"}')?.samples).toEqual([[T0, 0.5]]);
    const second = collect(r, T0 + 15_000);
    expect(second.series.get('c_total{a="x"}')?.samples).toEqual([[T0 + 15_000, 3]]);
    expect(r.collections).toBe(2);
  });

  test("15.2 every live series is written each round, unchanged or not", () => {
    const r = registry();
    const s = r.fixedSchema(["a"]);
    r.counter("c_total").add(set(s, ["1"]), 1, T0);
    r.counter("c_total").add(set(s, ["2"]), 1, T0);
    collect(r, T0);
    expect([...collect(r, T0 + 15_000).series.keys()]).toEqual(['c_total{a="1"}', 'c_total{a="2"}']);
  });

  test("scrape mode has no zero sample, keeps exemplars and does not count a collection", () => {
    const r = registry();
    const s = r.fixedSchema(["a"]);
    r.histogram("h", [1]).observe(set(s, ["x"]), 0.5, 1, TRACE, 0, T0);
    const scraped = collect(r, T0, "scrape");
    expect(scraped.series.get('h_count{a="x"}')?.samples).toEqual([[T0, 1]]);
    expect(r.collections).toBe(0);
    const remote = collect(r, T0 + 1);
    expect(remote.series.get('h_bucket{a="x",le="1"}')?.exemplars.length).toBe(1);
    expect(remote.series.get('h_count{a="x"}')?.samples.length).toBe(2);
  });
});

describe("labels (spec §8.1, §8.2)", () => {
  test("external labels override same-named user labels and are added to every series", () => {
    const r = registry({ externalLabels: { __metrics_gen_instance: "host-1", cluster: "eu" } });
    const s = r.fixedSchema(["cluster", "a"]);
    r.counter("c_total").add(set(s, ["mine", "x"]), 1, T0);
    expect(Object.keys(collect(r, T0, "scrape").values())).toEqual(['c_total{__metrics_gen_instance="host-1",a="x",cluster="eu"}']);
  });

  test("names and values are cut to the configured byte lengths", () => {
    const r = registry({ maxLabelNameLength: 3, maxLabelValueLength: 5 });
    const s = r.fixedSchema(["abcdef"]);
    r.counter("c_total").add(set(s, ["0123456789"]), 1, T0);
    expect(Object.keys(collect(r, T0, "scrape").values())).toEqual(['c_total{abc="01234"}']);
  });

  test("values that truncate to the same text are one series", () => {
    const r = registry({ maxLabelValueLength: 3 });
    const s = r.fixedSchema(["a"]);
    const c = r.counter("c_total");
    c.add(set(s, ["abcX"]), 1, T0);
    c.add(set(s, ["abcY"]), 1, T0);
    expect(collect(r, T0, "scrape").values()).toEqual({ 'c_total{a="abc"}': 2 });
  });

  test("invalid UTF-8 resolves to no label set and leaves nothing behind", () => {
    const r = registry();
    const s = r.fixedSchema(["a"]);
    expect(s.resolve(["\udc80"])).toBeNull();
    expect(r.labelSets).toBe(0);
    expect(collect(r, T0, "scrape").values()).toEqual({});
  });

  test("label sets are exact whatever the values contain", () => {
    const r = registry();
    const s = r.fixedSchema(["a", "b"]);
    const c = r.counter("c_total");
    c.add(set(s, ["x\u0000", "y"]), 1, T0);
    c.add(set(s, ["x", "\u0000y"]), 1, T0);
    c.add(set(s, ["1:x", "y"]), 1, T0);
    c.add(set(s, ["1", "x1:y"]), 1, T0);
    expect(r.limiter.active).toBe(4);
  });

  test("the same values resolve to the same set; a set is released when its last series goes stale", () => {
    const r = registry({ staleDurationMs: 1000 });
    const s = r.fixedSchema(["a", "b"]);
    const first = set(s, ["x", "y"]);
    expect(set(s, ["x", "y"])).toBe(first);
    r.counter("c_total").add(first, 1, T0);
    r.gauge("g").set(first, 1, T0 + 5000);
    r.removeStale(T0 + 2000);
    expect([first.live, r.labelSets, first.pruned]).toEqual([1, 1, false]);
    r.removeStale(T0 + 9000);
    expect([first.live, r.labelSets, first.pruned]).toEqual([0, 0, true]);
    const again = set(s, ["x", "y"]);
    expect(again).not.toBe(first);
    r.counter("c_total").add(again, 2, T0 + 9000);
    expect(collect(r, T0 + 9000, "scrape").values()).toEqual({ 'c_total{a="x",b="y"}': 2 });
  });
});

describe("staleness (spec §8.3)", () => {
  test("series not updated within stale_duration are removed and restart from zero", () => {
    const r = registry({ staleDurationMs: 60_000 });
    const s = r.fixedSchema(["a"]);
    const c = r.counter("c_total");
    c.add(set(s, ["old"]), 5, T0);
    c.add(set(s, ["new"]), 1, T0 + 50_000);
    collect(r, T0 + 50_000);
    r.removeStale(T0 + 61_000);
    expect(Object.keys(collect(r, T0 + 61_000, "scrape").values())).toEqual(['c_total{a="new"}']);
    expect(r.limiter.removed).toBe(1);
    expect(r.limiter.active).toBe(1);
    c.add(set(s, ["old"]), 1, T0 + 600_000);
    expect(collect(r, T0 + 600_000, "scrape").values()['c_total{a="old"}']).toBe(1);
  });

  test("a series recreated within the minute skips its zero sample rather than writing out of order", () => {
    const r = registry({ staleDurationMs: 1_000 });
    const s = r.fixedSchema(["a"]);
    const c = r.counter("c_total");
    const t = Date.UTC(2026, 0, 1, 12, 0, 10);
    c.add(set(s, ["x"]), 1, t);
    collect(r, t);
    collect(r, t + 15_000);
    r.removeStale(t + 20_000);
    c.add(set(s, ["x"]), 1, t + 21_000);
    expect(collect(r, t + 30_000).series.get('c_total{a="x"}')?.samples).toEqual([[t + 30_000, 1]]);
  });
});

describe("gauges and histograms", () => {
  test("setIfAbsent does not update or refresh an existing gauge", () => {
    const r = registry({ staleDurationMs: 60_000 });
    const s = r.fixedSchema(["a"]);
    const g = r.gauge("info");
    g.setIfAbsent(set(s, ["x"]), 1, T0);
    g.setIfAbsent(set(s, ["x"]), 2, T0 + 59_000);
    expect(collect(r, T0 + 59_000, "scrape").values()).toEqual({ 'info{a="x"}': 1 });
    r.removeStale(T0 + 61_000);
    expect(collect(r, T0 + 61_000, "scrape").values()).toEqual({});
  });

  test("buckets are cumulative; le uses Go formatting; fractional weights add exactly", () => {
    const r = registry();
    const s = r.fixedSchema([]);
    const h = r.histogram("h", [0.002, 16.384, 1]);
    for (const [v, w] of [[0.001, 1], [0.5, 0.5], [2, 2], [100, 1]] as const) h.observe(set(s, []), v, w, TRACE, 0, T0);
    expect(collect(r, T0, "scrape").values()).toEqual({
      'h_bucket{le="0.002"}': 1,
      'h_bucket{le="1"}': 1.5,
      'h_bucket{le="16.384"}': 3.5,
      'h_bucket{le="+Inf"}': 4.5,
      "h_sum{}": 0.001 + 0.25 + 4 + 100,
      "h_count{}": 4.5,
    });
  });

  test("a value equal to a bound falls in that bucket", () => {
    const r = registry();
    const s = r.fixedSchema([]);
    r.histogram("h", [1, 2]).observe(set(s, []), 1, 1, TRACE, 0, T0);
    expect(collect(r, T0, "scrape").values()['h_bucket{le="1"}']).toBe(1);
  });
});

describe("max_active_series (spec §8.5)", () => {
  test("overflow series carry only metric_overflow plus external labels and are not counted", () => {
    const r = registry({ maxActiveSeries: () => 1, externalLabels: { e: "1" } });
    const s = r.fixedSchema(["a"]);
    const c = r.counter("c_total");
    for (const v of ["x", "y", "z", "y"]) c.add(set(s, [v]), 1, T0);
    expect(collect(r, T0, "scrape").values()).toEqual({ 'c_total{a="x",e="1"}': 1, 'c_total{e="1",metric_overflow="true"}': 3 });
    expect(r.limiter.active).toBe(1);
    expect(r.limiter.limited).toBe(3);
  });

  test("room opens again when stale series go", () => {
    let max = 1;
    const r = registry({ maxActiveSeries: () => max, staleDurationMs: 1000 });
    const s = r.fixedSchema(["a"]);
    const c = r.counter("c_total");
    c.add(set(s, ["x"]), 1, T0);
    r.removeStale(T0 + 5000);
    c.add(set(s, ["y"]), 1, T0 + 5000);
    expect(collect(r, T0 + 5000, "scrape").values()).toEqual({ 'c_total{a="y"}': 1 });
    max = 0;
    c.add(set(s, ["z"]), 1, T0 + 5000);
    expect(r.limiter.active).toBe(2);
  });
});

describe("walks in slices (a million series never hold the event loop)", () => {
  test("a round yields every few series; a series made during it after its start waits for the next round, with its zero then", () => {
    const r = registry();
    const schema = r.fixedSchema(["a"]);
    const c = r.counter("c_total");
    for (let i = 0; i < 100; i++) c.add(set(schema, [`s${i}`]), 1, T0);
    const sink = new RecordingSink();
    const walk = r.collectSteps(T0 + 15_000, sink, "remote", T0 + 15_000);
    let yields = 0;
    while (!walk.next().done) {
      yields++;
      // made while the round runs, after it began; and a change to a series the round has not reached yet
      if (yields === 2) c.add(set(schema, ["late"]), 1, T0 + 15_001);
      if (yields === 3) c.add(set(schema, ["s99"]), 1, T0 + 15_001);
    }
    expect(yields).toBeGreaterThan(10);
    expect(sink.series.has('c_total{a="late"}')).toBe(false);
    // a live cursor: what the round reaches is written as it is then
    expect(sink.series.get('c_total{a="s99"}')?.samples.at(-1)).toEqual([T0 + 15_000, 2]);
    const next = collect(r, T0 + 30_000);
    expect(next.series.get('c_total{a="late"}')?.samples).toEqual([[zeroTimestamp(T0 + 30_000), 0], [T0 + 30_000, 1]]);
  });

  test("a stale sweep yields every few series; a round queued in the registry's lane behind it starts after it", async () => {
    const r = registry({ staleDurationMs: 1000 });
    const schema = r.fixedSchema(["a"]);
    const c = r.counter("c_total");
    for (let i = 0; i < 100; i++) c.add(set(schema, [`s${i}`]), 1, T0);
    let yields = 0;
    const order: string[] = [];
    const sweep = r.walks.run(async () => {
      const walk = r.removeStaleSteps(T0 + 5000);
      while (!walk.next().done) {
        yields++;
        await nextTurn();
      }
      order.push("sweep");
    });
    await r.walks.run(() => order.push(`round, ${r.limiter.active} active`));
    await sweep;
    expect(order).toEqual(["sweep", "round, 0 active"]);
    expect(yields).toBeGreaterThan(10);
  });
});
