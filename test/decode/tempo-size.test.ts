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
import { WireWriter } from "../support/wire-writer.ts";

/** mulberry32: a small seeded generator, so the corpus is the same every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type R = () => number;
const chance = (r: R, p: number) => r() < p;
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** Unknown fields of every wire type (field numbers OTLP does not use). */
function unknown(w: WireWriter, r: R): void {
  const f = pick(r, [40, 41, 99, 500]);
  pick(r, [() => w.varint(f, 7), () => w.fixed64(f, 1n), () => w.fixed32(f, 3), () => w.string(f, "zz"), () => w.string(f, "")])();
}

function anyValue(r: R, depth: number): WireWriter {
  const w = new WireWriter();
  const kind = Math.floor(r() * (depth > 2 ? 8 : 10));
  switch (kind) {
    case 0: w.string(1, pick(r, ["", "v", "ünï"])); break;
    case 1: w.varint(2, pick(r, [0, 1])); break;
    case 2: w.varint(3, pick(r, [0n, 5n, -42n, 9007199254740993n])); break;
    case 3: w.fixed64(4, pick(r, [0, -0, 2.5])); break;
    case 4: w.bytesField(7, pick(r, [new Uint8Array(0), Uint8Array.of(1, 2)])); break;
    case 5: break; // no value at all
    case 6: w.varint(8, pick(r, [0, 3])); break; // string_value_strindex
    case 7: w.string(1, "first").varint(3, 9); break; // a later oneof value replaces the first
    case 8: w.msg(5, (a) => { for (let n = Math.floor(r() * 3); n > 0; n--) a.msg(1, anyValue(r, depth + 1)); }); break;
    default: w.msg(6, (l) => { for (let n = Math.floor(r() * 3); n > 0; n--) l.msg(1, keyValue(r, depth + 1)); });
  }
  if (chance(r, 0.1)) unknown(w, r);
  return w;
}

function keyValue(r: R, depth: number): WireWriter {
  const w = new WireWriter();
  if (chance(r, 0.9)) w.string(1, pick(r, ["k", "", "http.method"]));
  if (chance(r, 0.8)) w.msg(2, anyValue(r, depth));
  if (chance(r, 0.1)) w.varint(3, pick(r, [0, 4])); // key_strindex
  if (chance(r, 0.05)) unknown(w, r);
  return w;
}

function event(r: R): WireWriter {
  const w = new WireWriter();
  if (chance(r, 0.6)) w.fixed64(1, pick(r, [0n, 1_700_000_000_000_000_000n]));
  if (chance(r, 0.6)) w.string(2, pick(r, ["", "exception"]));
  for (let n = Math.floor(r() * 3); n > 0; n--) w.msg(3, keyValue(r, 1));
  if (chance(r, 0.3)) w.varint(4, pick(r, [0, 2]));
  if (chance(r, 0.1)) unknown(w, r);
  return w;
}

function link(r: R, n: number): WireWriter {
  const w = new WireWriter();
  const id = (len: number) => pick(r, [new Uint8Array(0), new Uint8Array(len), idBytes(len, n)]);
  if (chance(r, 0.8)) w.bytesField(1, id(16));
  if (chance(r, 0.8)) w.bytesField(2, id(8));
  if (chance(r, 0.4)) w.string(3, pick(r, ["", "ot=th:8"]));
  for (let k = Math.floor(r() * 2); k > 0; k--) w.msg(4, keyValue(r, 1));
  if (chance(r, 0.3)) w.varint(5, pick(r, [0, 1]));
  if (chance(r, 0.3)) w.fixed32(6, pick(r, [0, 0x100]));
  if (chance(r, 0.1)) unknown(w, r);
  return w;
}

/** One span with valid ids and a random choice of every other field, in a random field order. */
function spanBytes(r: R, n: number): WireWriter {
  const fields: ((w: WireWriter) => void)[] = [
    (w) => w.bytesField(1, idBytes(16, n)),
    (w) => w.bytesField(2, idBytes(8, n)),
  ];
  const maybe = (p: number, f: (w: WireWriter) => void) => chance(r, p) && fields.push(f);
  maybe(0.4, (w) => w.string(3, pick(r, ["", "ot=th:c"])));
  maybe(0.6, (w) => w.bytesField(4, pick(r, [new Uint8Array(0), new Uint8Array(8), idBytes(8, n + 1)])));
  maybe(0.8, (w) => w.string(5, pick(r, ["", "GET /cart", "ünï"])));
  maybe(0.7, (w) => w.varint(6, pick(r, [0, 2, 3, 5])));
  maybe(0.8, (w) => w.fixed64(7, pick(r, [0n, 1_700_000_000_000_000_000n])));
  maybe(0.8, (w) => w.fixed64(8, pick(r, [0n, 1_700_000_000_500_000_000n])));
  for (let k = Math.floor(r() * 4); k > 0; k--) fields.push((w) => w.msg(9, keyValue(r, 0)));
  maybe(0.3, (w) => w.varint(10, pick(r, [0, 3])));
  for (let k = Math.floor(r() * 2); k > 0; k--) fields.push((w) => w.msg(11, event(r)));
  maybe(0.2, (w) => w.varint(12, pick(r, [0, 1])));
  for (let k = Math.floor(r() * 2); k > 0; k--) fields.push((w) => w.msg(13, link(r, n + 7)));
  maybe(0.2, (w) => w.varint(14, 0));
  maybe(0.7, (w) =>
    w.msg(15, (s) => {
      if (chance(r, 0.2)) s.varint(1, 2); // deprecated_code
      if (chance(r, 0.5)) s.string(2, pick(r, ["", "boom"]));
      if (chance(r, 0.6)) s.varint(3, pick(r, [0, 1, 2]));
    }),
  );
  maybe(0.3, (w) => w.fixed32(16, pick(r, [0, 0x301])));
  maybe(0.15, (w) => unknown(w, r));
  for (let i = fields.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [fields[i], fields[j]] = [fields[j], fields[i]];
  }
  const w = new WireWriter();
  for (const f of fields) f(w);
  return w;
}

/** A request of 1–2 ResourceSpans with 1–2 scopes of 1–3 spans; sometimes the pre-1.0 field 1000 instead of scope_spans. */
function requestBytes(r: R, n: number): { bytes: Uint8Array; legacy: boolean } {
  const req = new WireWriter();
  let legacy = false;
  for (let rs = 1 + Math.floor(r() * 2); rs > 0; rs--) {
    req.msg(1, (w) => {
      if (chance(r, 0.9)) w.msg(1, (res) => res.msg(1, (kv) => kv.string(1, "service.name").msg(2, (v) => v.string(1, "svc"))));
      const scopeField = chance(r, 0.1) ? 1000 : 2;
      if (scopeField === 1000) legacy = true;
      for (let ss = 1 + Math.floor(r() * 2); ss > 0; ss--) {
        w.msg(scopeField, (s) => {
          if (chance(r, 0.5)) s.msg(1, (scope) => scope.string(1, "lib"));
          for (let k = 1 + Math.floor(r() * 3); k > 0; k--) s.msg(2, spanBytes(r, n++));
        });
      }
    });
  }
  return { bytes: req.bytes, legacy };
}

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
