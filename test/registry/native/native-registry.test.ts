import { describe, expect, test } from "bun:test";
import type { LabelSource } from "../../../src/registry/label-schema.ts";
import type { LabelSet } from "../../../src/registry/label-set.ts";
import type { NativeSettings } from "../../../src/registry/native/native-state.ts";
import { Registry, type RegistryOptions } from "../../../src/registry/registry.ts";
import { zeroTimestamp } from "../../../src/registry/sink.ts";
import { BinReader, BinWriter } from "../../../src/util/bin-codec.ts";
import { RecordingSink } from "../../support/recording-sink.ts";

function set(schema: LabelSource, values: readonly string[]): LabelSet {
  const ls = schema.resolve(values);
  if (ls === null) throw new Error(`invalid labels ${JSON.stringify(values)}`);
  return ls;
}

const T0 = Date.UTC(2026, 0, 1, 12, 34, 27, 500);
const TRACE = new Uint8Array(16).fill(0xab);
const BUCKETS = [0.1, 1, 10];

function registry(over: Partial<RegistryOptions> = {}): Registry {
  return new Registry({
    externalLabels: { __metrics_gen_instance: "h" },
    maxLabelNameLength: 1024,
    maxLabelValueLength: 2048,
    staleDurationMs: 15 * 60_000,
    maxActiveSeries: () => 0,
    traceIdLabelName: "traceID",
    ...over,
  });
}

function collect(r: Registry, ts: number, mode: "remote" | "scrape" = "remote"): RecordingSink {
  const s = new RecordingSink();
  r.collect(ts, s, mode);
  return s;
}

const key = (name: string, extra = "") => `${name}{__metrics_gen_instance="h",a="x"${extra}}`;

describe("native histograms in the registry (spec §8.4)", () => {
  test("native: one series under the base name; the first round writes an empty histogram of the same schema at the end of the previous minute", () => {
    const r = registry();
    const ls = set(r.fixedSchema(["a"]), ["x"]);
    r.histogram("lat", BUCKETS, "native").observe(ls, 0.25, 1, TRACE, 0, T0);
    const first = collect(r, T0);
    expect([...first.series.keys()]).toEqual([key("lat")]);
    const s = first.series.get(key("lat"));
    expect(s?.histograms.map((h) => [h.ts, h.zero, h.schema, h.count])).toEqual([
      [zeroTimestamp(T0), true, 3, 0],
      [T0, false, 3, 1],
    ]);
    expect(s?.startMs).toBe(T0);
    const second = collect(r, T0 + 15_000).series.get(key("lat"));
    expect(second?.histograms.map((h) => h.zero)).toEqual([false]);
  });

  test("both: the classic series come from the same counts, plus the native series", () => {
    const r = registry();
    const ls = set(r.fixedSchema(["a"]), ["x"]);
    const h = r.histogram("lat", BUCKETS, "both");
    h.observe(ls, 0.05, 1, TRACE, 0, T0);
    h.observe(ls, 5, 1, TRACE, 0, T0);
    const v = collect(r, T0).values();
    expect(v[key("lat_bucket", ',le="0.1"')]).toBe(1);
    expect(v[key("lat_bucket", ',le="1"')]).toBe(1);
    expect(v[key("lat_bucket", ',le="10"')]).toBe(2);
    expect(v[key("lat_bucket", ',le="+Inf"')]).toBe(2);
    expect(v[key("lat_count")]).toBe(2);
    expect(v[key("lat_sum")]).toBe(5.05);
    expect(collect(r, T0 + 1).histograms()[key("lat")].count).toBe(2);
  });

  test("series cost (spec §8.4): native 1 per label set, both the classic count + 1, for the active-series limit", () => {
    for (const [mode, cost] of [
      ["classic", 6],
      ["native", 1],
      ["both", 7],
    ] as const) {
      const r = registry();
      const schema = r.fixedSchema(["a"]);
      r.histogram("lat", BUCKETS, mode).observe(set(schema, ["x"]), 1, 1, TRACE, 0, T0);
      r.histogram("lat", BUCKETS, mode).observe(set(schema, ["y"]), 1, 1, TRACE, 0, T0);
      expect([mode, r.limiter.active]).toEqual([mode, 2 * cost]);
    }
    // A limit of 3 takes three native label sets; the fourth goes to the overflow series.
    const r = registry({ maxActiveSeries: () => 3 });
    const schema = r.fixedSchema(["a"]);
    const h = r.histogram("lat", BUCKETS, "native");
    for (const v of ["1", "2", "3", "4"]) h.observe(set(schema, [v]), 1, 1, TRACE, 0, T0);
    expect(r.limiter.limited).toBe(1);
    expect(Object.keys(collect(r, T0).histograms()).some((k) => k.includes('metric_overflow="true"'))).toBe(true);
  });

  test("native exemplars are kept (up to 10) and sent again every round; both mode sends each classic exemplar once, the native series none", () => {
    const r = registry();
    const ls = set(r.fixedSchema(["a"]), ["x"]);
    const h = r.histogram("lat", BUCKETS, "native");
    for (let i = 0; i < 12; i++) h.observe(ls, 0.01 * (i + 1), 1, TRACE, 0, T0 + i);
    expect(collect(r, T0 + 100).series.get(key("lat"))?.exemplars).toHaveLength(10);
    const again = collect(r, T0 + 15_000).series.get(key("lat"))?.exemplars ?? [];
    expect(again).toHaveLength(10);
    expect(again.every((e) => e.ts === T0 + 15_000 && e.name === "traceID" && e.value === "ab".repeat(16))).toBe(true);

    const b = registry();
    const lb = set(b.fixedSchema(["a"]), ["x"]);
    b.histogram("lat", BUCKETS, "both").observe(lb, 0.5, 1, TRACE, 0, T0);
    const round = collect(b, T0);
    expect(round.series.get(key("lat_bucket", ',le="1"'))?.exemplars.map((e) => e.v)).toEqual([0.5]);
    expect(round.series.get(key("lat"))?.exemplars).toEqual([]);
    expect(collect(b, T0 + 1).series.get(key("lat_bucket", ',le="1"'))?.exemplars).toEqual([]);
  });

  test("a changed mode replaces the histogram (processor rebuild): old series drained from the limiter", () => {
    const r = registry();
    const ls = set(r.fixedSchema(["a"]), ["x"]);
    r.histogram("lat", BUCKETS, "classic").observe(ls, 1, 1, TRACE, 0, T0);
    expect(r.limiter.active).toBe(6);
    const native = r.histogram("lat", BUCKETS, "native");
    expect(r.limiter.active).toBe(0);
    native.observe(ls, 1, 1, TRACE, 0, T0 + 1);
    expect(r.limiter.active).toBe(1);
    expect([...collect(r, T0 + 2).series.keys()]).toEqual([key("lat")]);
    // The same mode again keeps the series.
    r.histogram("lat", BUCKETS, "native");
    expect(r.limiter.active).toBe(1);
  });

  test("changed native-histogram overrides: new series use them at once, existing ones are deleted at the next sweep (spec §8.3)", () => {
    let settings: NativeSettings = { factor: 1.1, maxBuckets: 100, minResetMs: 900_000 };
    const r = registry({ nativeHistograms: () => settings });
    const schema = r.fixedSchema(["a"]);
    const h = r.histogram("lat", BUCKETS, "native");
    h.observe(set(schema, ["x"]), 1, 1, TRACE, 0, T0);
    settings = { factor: 2, maxBuckets: 100, minResetMs: 900_000 };
    h.observe(set(schema, ["y"]), 1, 1, TRACE, 0, T0);
    const hs = collect(r, T0).histograms();
    expect(hs[key("lat")].schema).toBe(3);
    expect(hs['lat{__metrics_gen_instance="h",a="y"}'].schema).toBe(0);
    r.removeStale(T0 + 1000);
    expect(Object.keys(collect(r, T0 + 2000).histograms())).toEqual(['lat{__metrics_gen_instance="h",a="y"}']);
    expect(r.limiter.active).toBe(1);
  });

  test("a multiplier is applied by observing ⌈m⌉ times in native and both mode; classic adds m itself", () => {
    const totals: Record<string, number[]> = {};
    for (const mode of ["classic", "native", "both"] as const) {
      const r = registry();
      const ls = set(r.fixedSchema(["a"]), ["x"]);
      const h = r.histogram("lat", BUCKETS, mode);
      for (const m of [2.5, 0.25, 1, 0]) h.observe(ls, 0.5, m, TRACE, 0, T0);
      const round = collect(r, T0);
      const count = mode === "native" ? round.histograms()[key("lat")].count : round.values()[key("lat_count")];
      const sum = mode === "native" ? round.histograms()[key("lat")].sum : round.values()[key("lat_sum")];
      totals[mode] = [count, sum];
    }
    expect(totals).toEqual({ classic: [3.75, 1.875], native: [5, 2.5], both: [5, 2.5] });
  });

  test("checkpoint and restore keep native and both histograms bucket for bucket, with their creation time", () => {
    const make = () => {
      const r = registry({ nativeHistograms: () => ({ factor: 1.1, maxBuckets: 4, minResetMs: 60_000 }) });
      return { r, schema: r.fixedSchema(["a"]), n: r.histogram("nat", BUCKETS, "native"), b: r.histogram("bth", BUCKETS, "both") };
    };
    const a = make();
    for (let i = 0; i < 40; i++) {
      a.n.observe(set(a.schema, ["x"]), 0.001 * 1.7 ** i, 1, TRACE, 0, T0 + i);
      a.b.observe(set(a.schema, ["x"]), -0.5 * i, 1, TRACE, 0, T0 + i);
    }
    collect(a.r, T0 + 100);
    const w = new BinWriter();
    a.r.snapshot(w);
    const b = make();
    const report = b.r.restore(new BinReader(w.finish()), 2);
    expect(report.skippedMetrics).toEqual([]);
    const before = collect(a.r, T0 + 200, "scrape");
    const after = collect(b.r, T0 + 200, "scrape");
    expect([...after.series]).toEqual([...before.series]);
    // halved while over 4 buckets, and the reset scheduled for a minute after creation still happens after the restore
    expect(after.histograms()[key("nat")].schema).toBeLessThan(3);
    expect(after.series.get(key("nat"))?.startMs).toBe(T0);
    const later = collect(b.r, T0 + 61_000, "scrape");
    expect(later.histograms()[key("nat")].count).toBe(0);
    expect(later.series.get(key("nat"))?.startMs).toBe(T0 + 60_000);
    expect(b.r.limiter.active).toBe(a.r.limiter.active);
  });

  test("a checkpoint written in another mode is skipped whole: the metric starts empty and what follows still reads", () => {
    const a = registry();
    const schema = a.fixedSchema(["a"]);
    a.histogram("lat", BUCKETS, "classic").observe(set(schema, ["x"]), 1, 1, TRACE, 0, T0);
    a.counter("calls_total").add(set(schema, ["x"]), 2, T0);
    const w = new BinWriter();
    a.snapshot(w);
    const b = registry();
    b.histogram("lat", BUCKETS, "native");
    b.counter("calls_total");
    const report = b.restore(new BinReader(w.finish()), 2);
    expect(report.skippedMetrics).toEqual(["lat"]);
    const v = collect(b, T0 + 1, "scrape");
    expect(v.values()[key("calls_total")]).toBe(2);
    expect(v.histograms()).toEqual({});
  });
});
