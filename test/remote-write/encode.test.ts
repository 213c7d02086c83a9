import { describe, expect, test } from "bun:test";
import { fromBinary } from "@bufbuild/protobuf";
import { WriteRequestSchema } from "../../src/gen/prometheus/remote_pb.ts";
import { Registry } from "../../src/registry/registry.ts";
import { ByteWriter } from "../../src/util/byte-writer.ts";
import { WriteRequestEncoder } from "../../src/remote-write/encode.ts";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { snappyCompress, snappyDecompress } from "../../src/remote-write/snappy.ts";
import type { LabelSource } from "../../src/registry/label-schema.ts";
import type { LabelSet } from "../../src/registry/label-set.ts";

/** The label set for `values` (fails the test when the values are invalid). */
function set(schema: LabelSource, values: readonly string[]): LabelSet {
  const ls = schema.resolve(values);
  if (ls === null) throw new Error(`invalid labels ${JSON.stringify(values)}`);
  return ls;
}


function filled(): Registry {
  const r = new Registry({
    externalLabels: { __metrics_gen_instance: "h1", Zone: "a" },
    maxLabelNameLength: 1024,
    maxLabelValueLength: 2048,
    staleDurationMs: 900_000,
    maxActiveSeries: () => 0,
    traceIdLabelName: "traceID",
  });
  const s = r.fixedSchema(["service", "span_kind"]);
  const v = ["svc", "SPAN_KIND_SERVER"];
  r.counter("calls_total").add(set(s, v), 2, 0);
  const trace = new Uint8Array(16);
  trace[15] = 0x2a;
  r.histogram("lat", [0.5]).observe(set(s, v), 0.25, 1, trace, 0, 0);
  return r;
}

describe("remote write 1.0 encoding", () => {
  test("round-trips through the generated prompb types, labels sorted with __name__ and le in place", () => {
    const enc = new WriteRequestEncoder(2000, true);
    const ts = Date.UTC(2026, 0, 1, 0, 0, 30);
    filled().collect(ts, enc, "remote");
    const [req] = enc.finish();
    const wr = fromBinary(WriteRequestSchema, req.body);
    const series = wr.timeseries.map((t) => ({
      labels: t.labels.map((l) => `${l.name}=${l.value}`),
      samples: t.samples.map((s) => [Number(s.timestamp), s.value]),
      exemplars: t.exemplars.map((e) => ({ labels: e.labels.map((l) => `${l.name}=${l.value}`), value: e.value, ts: Number(e.timestamp) })),
    }));
    const zero = Date.UTC(2025, 11, 31, 23, 59, 59);
    expect(series[0]).toEqual({
      labels: ["Zone=a", "__metrics_gen_instance=h1", "__name__=calls_total", "service=svc", "span_kind=SPAN_KIND_SERVER"],
      samples: [[zero, 0], [ts, 2]],
      exemplars: [],
    });
    expect(series[1].labels).toEqual(["Zone=a", "__metrics_gen_instance=h1", "__name__=lat_bucket", "le=0.5", "service=svc", "span_kind=SPAN_KIND_SERVER"]);
    expect(series[1].exemplars).toEqual([{ labels: ["traceID=2a"], value: 0.25, ts }]);
    for (const s of wr.timeseries) {
      const names = s.labels.map((l) => l.name);
      expect(names).toEqual([...names].sort());
    }
    expect(wr.timeseries.length).toBe(1 + 2 + 2);
    expect(req.samples).toBe(2 + 2 * 2 + 1 + 2);
    expect(req.exemplars).toBe(1);
  });

  test("splits rounds into requests of about max_samples_per_send samples, never splitting a series", () => {
    const enc = new WriteRequestEncoder(3, true);
    filled().collect(60_000, enc, "remote");
    const reqs = enc.finish();
    // counter 2, bucket 2, +Inf 2, sum 1, count 2: cut before a series once 3 are in
    expect(reqs.map((r) => r.samples)).toEqual([4, 3, 2]);
    expect(reqs.flatMap((r) => fromBinary(WriteRequestSchema, r.body).timeseries).length).toBe(5);
  });

  test("exemplars are left out when send_exemplars is off", () => {
    const enc = new WriteRequestEncoder(2000, false);
    filled().collect(60_000, enc, "remote");
    expect(fromBinary(WriteRequestSchema, enc.finish()[0].body).timeseries.flatMap((t) => t.exemplars)).toEqual([]);
  });

  test("snappy round trip, and a bogus length header is refused instead of crashing", () => {
    const data = new TextEncoder().encode("metric ".repeat(1000));
    expect(snappyDecompress(snappyCompress(data))).toEqual(data);
    expect(() => snappyDecompress(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0]))).toThrow("length header");
  });
});

describe("the byte writer", () => {
  test("lengths of every size are patched in place; strings are UTF-8", () => {
    const w = new ByteWriter();
    for (const n of [0, 1, 127, 128, 16383, 16384, 70000]) {
      const at = w.begin(0x0a);
      w.bytes(new Uint8Array(n).fill(7));
      w.end(at);
    }
    const s = w.begin(0x12);
    w.string("é-x");
    w.end(s);
    w.varint(1_700_000_000_123);
    const bytes = w.take();
    const r = new BinaryReader(bytes);
    for (const n of [0, 1, 127, 128, 16383, 16384, 70000]) {
      expect(r.tag()).toEqual([1, WireType.LengthDelimited]);
      const b = r.bytes();
      expect([b.length, b.every((x) => x === 7)]).toEqual([n, true]);
    }
    expect(r.tag()).toEqual([2, WireType.LengthDelimited]);
    expect(new BinaryReader(r.bytes()).string()).toBe("é-x");
    expect(r.uint64()).toBe(1_700_000_000_123n);
  });
});
