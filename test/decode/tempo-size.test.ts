/**
 * traces_spanmetrics_size_total equals what Tempo measures, for every shape of
 * span: Tempo's distributor re-marshals OTLP requests through pdata before the
 * generator sizes them (an absent Status costs 2 bytes, a KeyValue without a
 * value 2 bytes, an all-zero parent id is no id), and Kafka records are sized
 * as written. The oracle is a Go program on pdata itself (test/support/pdata-size).
 */
import { describe, expect, test } from "bun:test";
import { toBinary } from "@bufbuild/protobuf";
import { batchFromRequest } from "../../src/decode/from-request.ts";
import { decodeProtobuf } from "../../src/decode/otlp.ts";
import { decodeProtobufBatch } from "../../src/decode/otlp-wire.ts";
import { AttributeProjection } from "../../src/decode/span-batch.ts";
import { ExportTraceServiceRequestSchema } from "../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { idBytes, request, span } from "../support/otlp-builders.ts";
import { pdataSizes } from "../support/pdata-oracle.ts";
import { requestBytes, rng } from "../support/random-otlp.ts";
import { WireWriter } from "../support/wire-writer.ts";

const projection = () => {
  const p = new AttributeProjection();
  p.slot("http.method");
  p.slot("k");
  return p;
};

describe("span size as Tempo measures it (pdata re-marshal, gogo Size)", () => {
  const random = rng(20261125);
  const corpus = Array.from({ length: 400 }, (_, i) => requestBytes(random, 1 + i * 20));
  const answers = pdataSizes(corpus.map((c) => c.bytes));

  test("pdata accepts every request of the corpus (the generator stays within what Tempo takes)", () => {
    expect(answers.filter((a) => a.error !== undefined).map((a) => a.error)).toEqual([]);
  });

  test("the wire decoder's sizes equal Tempo's on every request", () => {
    const mismatches = corpus.flatMap(({ bytes }, i) => {
      const b = decodeProtobufBatch(bytes, projection());
      const got = [...b.sizes.subarray(0, b.spanCount)];
      return JSON.stringify(got) === JSON.stringify(answers[i].spans) ? [] : [{ request: i, got, tempo: answers[i].spans }];
    });
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  // OTLP/JSON has no pre-1.0 instrumentation_library_spans (protobuf field 1000), so those requests are left out.
  test("the generated decoder's sizes (the OTLP/JSON path) equal Tempo's on every request", () => {
    const mismatches = corpus.flatMap(({ bytes, legacy }, i) => {
      if (legacy) return [];
      const b = batchFromRequest(decodeProtobuf(bytes), projection());
      const got = [...b.sizes.subarray(0, b.spanCount)];
      return JSON.stringify(got) === JSON.stringify(answers[i].spans) ? [] : [{ request: i, got, tempo: answers[i].spans }];
    });
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  test("the same spans read from Kafka records (written by Tempo's distributor) have the same sizes", () => {
    const mismatches = answers.flatMap((a, i) => {
      const req = new WireWriter();
      req.msg(1, (rs) => rs.msg(2, (ss) => { for (const s of a.records ?? []) ss.bytesField(2, s); }));
      const b = decodeProtobufBatch(req.bytes, projection(), false);
      const got = [...b.sizes.subarray(0, b.spanCount)];
      return JSON.stringify(got) === JSON.stringify(a.spans) ? [] : [{ request: i, got, tempo: a.spans }];
    });
    expect(mismatches.slice(0, 5)).toEqual([]);
  });
});

describe("the rules, one by one (each against the pdata oracle)", () => {
  const one = (s: WireWriter) => new WireWriter().msg(1, (rs) => rs.msg(2, (ss) => ss.msg(2, s))).bytes;
  const ids = () => new WireWriter().bytesField(1, idBytes(16, 3)).bytesField(2, idBytes(8, 3)).string(5, "op");
  const cases: [rule: string, span: WireWriter, delta: number][] = [
    ["a span without a status counts an empty one (+2)", ids(), 2],
    ["an explicit empty status counts as written", ids().msg(15, () => {}), 0],
    ["an attribute without a value counts an empty value (+2)", ids().msg(9, (kv) => kv.string(1, "k")).msg(15, () => {}), 2],
    ["an attribute with an empty value counts as written", ids().msg(9, (kv) => kv.string(1, "k").msg(2, () => {})).msg(15, () => {}), 0],
    ["an all-zero parent span id is no parent (−10)", ids().bytesField(4, new Uint8Array(8)).msg(15, () => {}), -10],
    ["explicit zero scalars do not count", ids().varint(6, 0).fixed64(7, 0n).varint(10, 0).fixed32(16, 0).msg(15, () => {}), -2 - 9 - 2 - 6],
    ["unknown fields do not count", ids().varint(99, 1).string(98, "x").msg(15, () => {}), -3 - 4],
    ["a nested KeyValue without a value inside a kvlist counts +2", ids().msg(9, (kv) => kv.string(1, "k").msg(2, (v) => v.msg(6, (l) => l.msg(1, (n) => n.string(1, "x"))))).msg(15, () => {}), 2],
    ["an event attribute without a value counts +2", ids().msg(11, (e) => e.msg(3, (kv) => kv.string(1, "k"))).msg(15, () => {}), 2],
    ["an all-zero link trace id is no id (−18)", ids().msg(13, (l) => l.bytesField(1, new Uint8Array(16)).bytesField(2, idBytes(8, 4))).msg(15, () => {}), -18],
  ];
  const answers = pdataSizes(cases.map(([, s]) => one(s)));
  test.each(cases.map((c, i) => [c[0], c[1], c[2], i] as const))("%s", (_rule, s, delta, i) => {
    const bytes = one(s);
    const wire = s.bytes.length;
    expect(answers[i].spans).toEqual([wire + delta]);
    expect(decodeProtobufBatch(bytes, projection()).sizes[0]).toBe(wire + delta);
  });

  test("a span the OTel JS builder makes (status always set) is sized as written, on every path", () => {
    const req = request({ resource: { "service.name": "a" }, spans: [span({ name: "x", attributes: { a: "b" } })] });
    const bytes = toBinary(ExportTraceServiceRequestSchema, req);
    const [answer] = pdataSizes([bytes]);
    expect([decodeProtobufBatch(bytes, projection()).sizes[0]]).toEqual(answer.spans as number[]);
  });
});
