import { describe, expect, test } from "bun:test";
import { fromBinary } from "@bufbuild/protobuf";
import { RequestSchema, Metadata_MetricType } from "../../src/gen/io/prometheus/write/v2/types_pb.ts";
import { WriteRequestSchema } from "../../src/gen/prometheus/remote_pb.ts";
import type { LabelSource } from "../../src/registry/label-schema.ts";
import type { LabelSet } from "../../src/registry/label-set.ts";
import { type HistogramMode, Registry } from "../../src/registry/registry.ts";
import { zeroTimestamp } from "../../src/registry/sink.ts";
import { WriteRequestEncoder } from "../../src/remote-write/encode.ts";
import { WriteV2Encoder } from "../../src/remote-write/encode-v2.ts";
import { SymbolCache } from "../../src/remote-write/symbol-cache.ts";

function set(schema: LabelSource, values: readonly string[]): LabelSet {
  const ls = schema.resolve(values);
  if (ls === null) throw new Error(`invalid labels ${JSON.stringify(values)}`);
  return ls;
}

const T0 = Date.UTC(2026, 0, 1, 12, 0, 30);
const TS = T0 + 15_000;
const TRACE = new Uint8Array(16).fill(7);

/** A registry with a counter, a gauge and a latency histogram in `mode`, observed at T0. */
function filled(mode: HistogramMode, labelSets = 1): Registry {
  const r = new Registry({
    externalLabels: { __metrics_gen_instance: "h1" },
    maxLabelNameLength: 1024,
    maxLabelValueLength: 2048,
    staleDurationMs: 900_000,
    maxActiveSeries: () => 0,
    traceIdLabelName: "traceID",
  });
  const s = r.fixedSchema(["service", "span_name"]);
  const calls = r.counter("calls_total", { help: "Calls", unit: "" });
  const info = r.gauge("target_info", { help: "Targets", unit: "" });
  const lat = r.histogram("latency", [0.01, 0.1, 1], mode, { help: "Latency", unit: "seconds" });
  for (let i = 0; i < labelSets; i++) {
    const ls = set(s, ["checkout", `GET /item/${i}`]);
    calls.add(ls, 3, T0);
    info.set(ls, 1, T0);
    for (const v of [0.003, 0.02, 0.02, 0.7, -0.1, 0]) lat.observe(ls, v, 1, TRACE, 0, T0);
  }
  return r;
}

describe("remote write 1.0 carries native histograms in TimeSeries.histograms (integer form)", () => {
  test("zero-first empty histogram, then the histogram with spans and deltas", () => {
    const enc = new WriteRequestEncoder(2000, true);
    filled("native").collect(TS, enc, "remote");
    const wr = fromBinary(WriteRequestSchema, enc.finish()[0].body);
    const ts = wr.timeseries.find((t) => t.labels.some((l) => l.name === "__name__" && l.value === "latency"));
    expect(ts?.samples).toEqual([]);
    const [zero, h] = ts?.histograms ?? [];
    expect(Number(zero.timestamp)).toBe(zeroTimestamp(TS));
    expect(zero.schema).toBe(3);
    expect(zero.count).toEqual({ case: "countInt", value: 0n });
    expect(zero.zeroThreshold).toBe(0);
    expect(Number(h.timestamp)).toBe(TS);
    expect(h.count).toEqual({ case: "countInt", value: 6n });
    expect(h.zeroCount).toEqual({ case: "zeroCountInt", value: 1n });
    expect(h.zeroThreshold).toBe(2 ** -128);
    expect(h.sum).toBeCloseTo(0.643, 12);
    // index ⌈8·log2(v)⌉: 0.003 → -67, 0.02 → -45 (twice), 0.7 → -4: a span per gap wider than two buckets
    expect(h.positiveSpans.map((s) => [s.offset, s.length])).toEqual([[-67, 1], [21, 1], [40, 1]]);
    expect(h.positiveDeltas.map(Number)).toEqual([1, 1, -1]);
    expect(h.negativeSpans.map((s) => [s.offset, s.length])).toEqual([[-26, 1]]);
    expect(h.negativeDeltas.map(Number)).toEqual([1]);
    expect(ts?.exemplars.length).toBeGreaterThan(0);
  });

  test("a tenant without native histograms (send_native_histograms false) sends no native series, not even empty ones", () => {
    const enc = new WriteRequestEncoder(2000, true, undefined, false);
    filled("both").collect(TS, enc, "remote");
    const wr = fromBinary(WriteRequestSchema, enc.finish()[0].body);
    expect(wr.timeseries.every((t) => t.histograms.length === 0 && t.samples.length > 0)).toBe(true);
    expect(wr.timeseries.some((t) => t.labels.some((l) => l.value === "latency_bucket"))).toBe(true);
  });
});

describe("remote write 2.0 (io.prometheus.write.v2.Request)", () => {
  function decode(mode: HistogramMode) {
    const enc = new WriteV2Encoder(2000, true);
    filled(mode).collect(TS, enc, "remote");
    const reqs = enc.finish();
    expect(reqs).toHaveLength(1);
    const req = fromBinary(RequestSchema, reqs[0].body);
    const sym = (ref: number) => req.symbols[ref];
    const series = req.timeseries.map((t) => {
      const labels: Record<string, string> = {};
      for (let i = 0; i < t.labelsRefs.length; i += 2) labels[sym(t.labelsRefs[i])] = sym(t.labelsRefs[i + 1]);
      return { t, labels, names: t.labelsRefs.filter((_, i) => i % 2 === 0).map(sym) };
    });
    return { req, reqs, sym, series };
  }

  test("a symbol table starting with \"\", sorted label refs, metadata, start timestamps instead of zero samples", () => {
    const { req, sym, series } = decode("classic");
    expect(req.symbols[0]).toBe("");
    expect(new Set(req.symbols).size).toBe(req.symbols.length);
    for (const s of series) expect(s.names).toEqual([...s.names].sort());
    const calls = series.find((s) => s.labels.__name__ === "calls_total");
    expect(calls?.t.samples.map((x) => [Number(x.timestamp), x.value, Number(x.startTimestamp)])).toEqual([[TS, 3, T0]]);
    expect(calls?.t.metadata?.type).toBe(Metadata_MetricType.COUNTER);
    expect(sym(calls?.t.metadata?.helpRef ?? 0)).toBe("Calls");
    const info = series.find((s) => s.labels.__name__ === "target_info");
    expect(info?.t.samples.map((x) => Number(x.startTimestamp))).toEqual([0]);
    expect(info?.t.metadata?.type).toBe(Metadata_MetricType.GAUGE);
    const bucket = series.find((s) => s.labels.__name__ === "latency_bucket" && s.labels.le === "0.1");
    expect(bucket?.t.samples.map((x) => [x.value, Number(x.startTimestamp)])).toEqual([[5, T0]]); // -0.1, 0, 0.003 and 0.02 twice
    expect(bucket?.t.metadata?.type).toBe(Metadata_MetricType.HISTOGRAM);
    expect(sym(bucket?.t.metadata?.unitRef ?? 0)).toBe("seconds");
    // the exemplar of the 0.1 bucket: the latest observation in it, its labels by reference
    const ex = bucket?.t.exemplars[0];
    expect(ex?.labelsRefs.map(sym)).toEqual(["traceID", `7${"07".repeat(15)}`]);
    expect(ex?.value).toBe(0.02);
  });

  test("native histograms with their start timestamp; no zero-first histogram", () => {
    const { series } = decode("native");
    const lat = series.find((s) => s.labels.__name__ === "latency");
    expect(lat?.t.samples).toEqual([]);
    expect(lat?.t.histograms).toHaveLength(1);
    const h = lat?.t.histograms[0];
    expect([Number(h?.timestamp), Number(h?.startTimestamp), h?.schema]).toEqual([TS, T0, 3]);
    expect(h?.count).toEqual({ case: "countInt", value: 6n });
    expect(h?.positiveSpans.map((s) => [s.offset, s.length])).toEqual([[-67, 1], [21, 1], [40, 1]]);
    expect(lat?.t.metadata?.type).toBe(Metadata_MetricType.HISTOGRAM);
    expect(lat?.t.exemplars.length).toBeGreaterThan(0);
  });

  test("smaller than the 1.0 request of the same round", () => {
    for (const mode of ["classic", "native", "both"] as const) {
      const r1 = filled(mode, 200);
      const r2 = filled(mode, 200);
      const v1 = new WriteRequestEncoder(1_000_000, true);
      const v2 = new WriteV2Encoder(1_000_000, true);
      r1.collect(TS, v1, "remote");
      r2.collect(TS, v2, "remote");
      const size1 = v1.finish()[0].body.length;
      const size2 = v2.finish()[0].body.length;
      expect([mode, size2 < size1 * 0.7]).toEqual([mode, true]);
    }
  });

  test("requests are cut at max_samples_per_send, each with its own symbol table", () => {
    const enc = new WriteV2Encoder(50, true);
    filled("both", 30).collect(TS, enc, "remote");
    const reqs = enc.finish();
    expect(reqs.length).toBeGreaterThan(3);
    let samples = 0;
    for (const r of reqs) {
      const req = fromBinary(RequestSchema, r.body);
      expect(req.symbols[0]).toBe("");
      for (const t of req.timeseries) for (const ref of t.labelsRefs) expect(ref).toBeLessThan(req.symbols.length);
      samples += req.timeseries.reduce((n, t) => n + t.samples.length + t.histograms.length, 0);
      expect(r.samples).toBe(req.timeseries.reduce((n, t) => n + t.samples.length + t.histograms.length, 0));
    }
    expect(samples).toBe(30 * (1 + 1 + 4 + 2 + 1));
  });

  test("the writer's symbol cache gives the same requests round after round, and after it starts over", () => {
    const r = filled("both", 20);
    const cache = new SymbolCache();
    const decoded = (ts: number) => {
      const enc = new WriteV2Encoder(37, true, true, cache);
      r.collect(ts, enc, "remote");
      return enc.finish().map((q) => {
        const req = fromBinary(RequestSchema, q.body);
        expect(new Set(req.symbols).size).toBe(req.symbols.length);
        return req.timeseries.map((t) => t.labelsRefs.map((ref) => req.symbols[ref]).join(","));
      });
    };
    const first = decoded(TS);
    expect(decoded(TS + 15_000)).toEqual(first);
    // strings of long-gone series: past 100,000 and four times the round's use, the cache starts over
    for (let i = 0; i < 120_000; i++) cache.id(`gone-${i}`);
    expect(decoded(TS + 30_000)).toEqual(first);
    expect(cache.strings.length).toBeLessThan(1000);
    expect(decoded(TS + 45_000)).toEqual(first);
  });
});
