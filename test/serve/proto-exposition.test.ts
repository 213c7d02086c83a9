import { describe, expect, test } from "bun:test";
import { fromBinary } from "@bufbuild/protobuf";
import { BinaryReader } from "@bufbuild/protobuf/wire";
import { type MetricFamily, MetricFamilySchema, MetricType } from "../../src/gen/io/prometheus/client/metrics_pb.ts";
import type { LabelSet } from "../../src/registry/label-set.ts";
import { type HistogramMode, Registry } from "../../src/registry/registry.ts";
import { apiApp } from "../../src/serve/api.ts";
import { TextExposition } from "../../src/serve/exposition.ts";
import { ProtoExposition, wantsProtobuf } from "../../src/serve/proto-exposition.ts";
import { SelfMetrics } from "../../src/telemetry/self-metrics.ts";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0, 250);
const TRACE = new Uint8Array(16).fill(1);

function registry(mode: HistogramMode): Registry {
  const r = new Registry({ externalLabels: { __metrics_gen_instance: "h" }, maxLabelNameLength: 99, maxLabelValueLength: 99, staleDurationMs: 1e6, maxActiveSeries: () => 0, traceIdLabelName: "traceID" });
  const s = r.fixedSchema(["service"]);
  const ls = (v: string) => s.resolve([v]) as LabelSet;
  r.counter("calls_total", { help: "Calls", unit: "" }).add(ls("a"), 2, T0);
  r.gauge("info").set(ls("a"), 1, T0);
  const h = r.histogram("lat", [0.1, 1], mode, { help: "Latency", unit: "seconds" });
  for (const v of [0.05, 0.5, 0.5, 3]) h.observe(ls("a"), v, 1, TRACE, 0, T0);
  h.observe(ls("b"), 0.2, 1, TRACE, 0, T0);
  return r;
}

/** Delimited MetricFamily messages, decoded with the generated client_model types. */
function families(bytes: Uint8Array): MetricFamily[] {
  const out: MetricFamily[] = [];
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) out.push(fromBinary(MetricFamilySchema, r.bytes()));
  return out;
}

function expose(mode: HistogramMode): MetricFamily[] {
  const p = new ProtoExposition();
  registry(mode).collect(T0 + 1000, p, "scrape");
  return families(p.bytes());
}

describe("protobuf exposition (io.prometheus.client.MetricFamily, delimited)", () => {
  test("counters with created timestamps, gauges, help and unit", () => {
    const [calls, info] = expose("classic");
    expect([calls.name, calls.type, calls.help]).toEqual(["calls_total", MetricType.COUNTER, "Calls"]);
    const m = calls.metric[0];
    expect(m.label.map((l) => [l.name, l.value])).toEqual([["__metrics_gen_instance", "h"], ["service", "a"]]);
    expect(m.counter?.value).toBe(2);
    expect([Number(m.counter?.createdTimestamp?.seconds), m.counter?.createdTimestamp?.nanos]).toEqual([Math.floor(T0 / 1000), 250_000_000]);
    expect([info.type, info.metric[0].gauge?.value]).toEqual([MetricType.GAUGE, 1]);
  });

  test("classic: one Metric per label set with cumulative buckets (+Inf left out, as client_golang does), sum and count", () => {
    const lat = expose("classic")[2];
    expect([lat.name, lat.type, lat.unit]).toEqual(["lat", MetricType.HISTOGRAM, "seconds"]);
    expect(lat.metric).toHaveLength(2);
    const h = lat.metric[0].histogram;
    expect(h?.bucket.map((b) => [b.upperBound, Number(b.cumulativeCount)])).toEqual([[0.1, 1], [1, 3]]);
    expect([Number(h?.sampleCount), h?.sampleSum]).toEqual([4, 4.05]);
    expect(h?.schema).toBe(0);
    expect(h?.positiveSpan).toEqual([]);
  });

  test("native: schema, zero bucket, spans and deltas; both: the classic buckets and the native part in one Metric", () => {
    const native = expose("native")[2].metric[0].histogram;
    expect([native?.schema, native?.zeroThreshold, Number(native?.sampleCount), native?.bucket.length]).toEqual([3, 2 ** -128, 4, 0]);
    expect(native?.positiveSpan.map((s) => [s.offset, s.length])).toEqual([[-34, 1], [25, 1], [20, 1]]); // ⌈8·log2 v⌉: -34, -8, 13
    expect(native?.positiveDelta.map(Number)).toEqual([1, 1, -1]);
    const both = expose("both")[2];
    expect(both.metric).toHaveLength(2);
    const h = both.metric[0].histogram;
    expect(h?.bucket.map((b) => Number(b.cumulativeCount))).toEqual([1, 3]);
    expect([h?.schema, Number(h?.sampleCount), h?.sampleSum]).toEqual([3, 4, 4.05]);
    expect(h?.positiveSpan.length).toBe(3);
  });

  test("text exposition of a native-only histogram: count, sum and the +Inf bucket, as client_golang writes it", () => {
    const t = new TextExposition();
    registry("native").collect(T0, t, "scrape");
    const text = t.text();
    expect(text).toContain('lat_bucket{__metrics_gen_instance="h",service="a",le="+Inf"} 4\n');
    expect(text).toContain('lat_sum{__metrics_gen_instance="h",service="a"} 4.05\n');
    expect(text).toContain('lat_count{__metrics_gen_instance="h",service="a"} 4\n');
    const both = new TextExposition();
    registry("both").collect(T0, both, "scrape");
    expect(both.text().match(/lat_count\{[^}]*service="a"/g)).toHaveLength(1);
  });

  test("content negotiation: Prometheus' Accept header with protobuf first gets protobuf; text otherwise", async () => {
    const prom = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.1";
    expect(wantsProtobuf(prom)).toBe(true);
    expect(wantsProtobuf("text/plain;version=0.0.4;q=1,application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.5")).toBe(false);
    expect(wantsProtobuf("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text")).toBe(false);
    expect(wantsProtobuf(undefined)).toBe(false);
    const regs = new Map([["t", registry("native")]]);
    const app = apiApp({ selfMetrics: new SelfMetrics(), registryOf: (t) => regs.get(t), notReady: () => null, statusConfig: () => "", statusStorage: () => ({}) });
    const res = await app.request("/metrics/generated?tenant=t", { headers: { Accept: prom } });
    expect(res.headers.get("content-type")).toBe("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited");
    const fams = families(new Uint8Array(await res.arrayBuffer()));
    expect(fams.map((f) => f.name)).toEqual(["calls_total", "info", "lat"]);
    expect(fams[2].metric[0].histogram?.schema).toBe(3);
  });
});
