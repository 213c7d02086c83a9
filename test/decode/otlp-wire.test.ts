import { describe, expect, test } from "bun:test";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { DecodeError } from "../../src/decode/decode-error.ts";
import { batchFromRequest } from "../../src/decode/from-request.ts";
import { decodeProtobuf } from "../../src/decode/otlp.ts";
import { WireBatchDecoder, decodeProtobufBatch } from "../../src/decode/otlp-wire.ts";
import { AttributeProjection, type SpanBatch } from "../../src/decode/span-batch.ts";
import { ExportTraceServiceRequestSchema } from "../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { SpanSchema } from "../../src/gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { attrs, idBytes, nowNs, request, span } from "../support/otlp-builders.ts";

/** The first spanCount spans of a batch as plain data, so two decoders can be compared with one toEqual. */
function plain(b: SpanBatch) {
  const n = b.spanCount;
  const cut = <T extends { slice(a: number, b: number): ArrayLike<unknown> }>(a: T, per = 1) => Array.from(a.slice(0, n * per));
  return {
    spanCount: n,
    slotCount: b.slotCount,
    traceIds: cut(b.traceIds, 16),
    spanIds: cut(b.spanIds, 8),
    parentSpanIds: cut(b.parentSpanIds, 8),
    hasParent: cut(b.hasParent),
    names: b.names.slice(0, n),
    kinds: cut(b.kinds),
    statusCodes: cut(b.statusCodes),
    statusMessages: b.statusMessages.slice(0, n),
    traceStates: b.traceStates.slice(0, n),
    startTimes: cut(b.startTimes, 2),
    endTimes: cut(b.endTimes, 2),
    durations: cut(b.durations),
    sizes: cut(b.sizes),
    attrKinds: cut(b.attrKinds, b.slotCount),
    // a value only means something where its kind says the attribute is present
    attrValues: Array.from(b.attrValues.slice(0, n * b.slotCount)).map((v, k) => (b.attrKinds[k] === 0 ? undefined : v)),
    marks: cut(b.marks),
    resources: b.resources.map((r) => ({ ...r, slotKinds: [...r.slotKinds], slotValues: Array.from(r.slotValues) })),
  };
}

function projection(): AttributeProjection {
  const p = new AttributeProjection();
  for (const k of ["service.name", "http.method", "i", "d", "b", "arr", "kv", "bytes", "none", "empty", "dup", "ünï", "bad", "big", "neg"]) p.slot(k);
  return p;
}

const variety = () => {
  const req = request(
    {
      resource: { "service.name": "svc", "service.namespace": "ns", i: 7n, d: { double: 0.1 }, b: true, arr: ["x", 1n, { double: 2.5 }, false], "ünï": "cödé" },
      spans: [
        span({
          name: "GET /ü",
          kind: 3,
          status: 2,
          statusMessage: "boom",
          traceState: "ot=th:8",
          parentSpanId: idBytes(8, 99),
          attributes: { "http.method": "GET", dup: "first", big: 9007199254740993n, neg: -42n, d: { double: 1e21 }, bytes: new Uint8Array([1, 2]), empty: null },
        }),
        span({ name: "second", duration: 1.5, attributes: { bad: "a\udcffb", other: "skipped" } }),
      ],
    },
    { resource: {}, spans: [span({ name: "no-resource-attrs", endNs: nowNs(-5) })] },
  );
  const s0 = req.resourceSpans[0].scopeSpans[0].spans[0];
  s0.attributes.push(...attrs({ dup: "second" }));
  s0.attributes.push({ $typeName: "opentelemetry.proto.common.v1.KeyValue", keyStrindex: 0, key: "kv", value: { $typeName: "opentelemetry.proto.common.v1.AnyValue", value: { case: "kvlistValue", value: { $typeName: "opentelemetry.proto.common.v1.KeyValueList", values: attrs({ a: "1", b: 2n }) } } } });
  return req;
};

describe("the fast wire decoder equals the generated path", () => {
  test("on a request with every value type, duplicates, unicode and invalid UTF-8", () => {
    const bytes = toBinary(ExportTraceServiceRequestSchema, variety());
    const fast = plain(decodeProtobufBatch(bytes, projection()));
    const slow = plain(batchFromRequest(decodeProtobuf(bytes), projection()));
    expect(fast).toEqual(slow);
    expect(fast.resources[0].keys).toContain("ünï");
    expect(fast.resources[0].slotValues).toContain("[x12.5false]");
    expect(fast.attrValues).toContain("{a:1b:2}");
  });

  test("rejects the same bad ids with the same message", () => {
    const req = variety();
    req.resourceSpans[0].scopeSpans[0].spans[1].spanId = new Uint8Array(4);
    const bytes = toBinary(ExportTraceServiceRequestSchema, req);
    expect(() => decodeProtobufBatch(bytes, projection())).toThrow("span ids must be 64 bit and not all zero, received 32 bits");
    expect(() => batchFromRequest(decodeProtobuf(bytes), projection())).toThrow("span ids must be 64 bit and not all zero, received 32 bits");
  });

  test("truncated input at every length is a DecodeError, never a crash", () => {
    const bytes = toBinary(ExportTraceServiceRequestSchema, variety());
    let errors = 0;
    for (let n = 1; n < bytes.length; n++) {
      try {
        decodeProtobufBatch(bytes.subarray(0, n), projection());
      } catch (e) {
        expect(e).toBeInstanceOf(DecodeError);
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(bytes.length / 2);
  });
});

describe("an attribute's value is read only inside its KeyValue", () => {
  test("an empty projected value followed by the trace id (whose tag 0x0a is a string value's)", () => {
    // The fast path looks at the value's first bytes; with an empty value those are the next field's.
    const w = new BinaryWriter();
    w.tag(2, WireType.LengthDelimited).bytes(idBytes(8, 5));
    w.tag(5, WireType.LengthDelimited).string("op");
    w.tag(9, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string("http.method").tag(2, WireType.LengthDelimited).fork().join().join();
    w.tag(1, WireType.LengthDelimited).bytes(idBytes(16, 3));
    const req = new BinaryWriter();
    req.tag(1, WireType.LengthDelimited).fork().tag(2, WireType.LengthDelimited).fork().tag(2, WireType.LengthDelimited).bytes(w.finish()).join().join();
    const bytes = req.finish();
    const fast = plain(decodeProtobufBatch(bytes, projection()));
    expect(fast).toEqual(plain(batchFromRequest(decodeProtobuf(bytes), projection())));
    expect(fast.attrValues.filter((v) => v !== undefined)).toEqual([""]);
  });
});

describe("span size is the canonical protobuf length (spec §4.1)", () => {
  test("explicit zero fields, as the OTel JS exporter writes them, do not count", () => {
    const w = new BinaryWriter();
    w.tag(1, WireType.LengthDelimited).bytes(idBytes(16, 5));
    w.tag(2, WireType.LengthDelimited).bytes(idBytes(8, 5));
    w.tag(3, WireType.LengthDelimited).string("");
    w.tag(5, WireType.LengthDelimited).string("op");
    w.tag(6, WireType.Varint).int32(1);
    w.tag(7, WireType.Bit64).fixed64(1n);
    w.tag(8, WireType.Bit64).fixed64(2n);
    w.tag(9, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string("k").tag(2, WireType.LengthDelimited).fork().tag(3, WireType.Varint).int64(0).join().join();
    w.tag(10, WireType.Varint).uint32(0);
    w.tag(11, WireType.LengthDelimited).fork().tag(1, WireType.Bit64).fixed64(3n).tag(2, WireType.LengthDelimited).string("ev").tag(4, WireType.Varint).uint32(0).join();
    w.tag(12, WireType.Varint).uint32(0);
    w.tag(14, WireType.Varint).uint32(0);
    w.tag(15, WireType.LengthDelimited).fork().tag(3, WireType.Varint).int32(0).join();
    w.tag(16, WireType.Bit32).fixed32(0);
    const spanBytes = w.finish();
    const canonical = toBinary(SpanSchema, fromBinary(SpanSchema, spanBytes)).length;
    expect(canonical).toBeLessThan(spanBytes.length);
    const req = new BinaryWriter();
    req.tag(1, WireType.LengthDelimited).fork().tag(2, WireType.LengthDelimited).fork().tag(2, WireType.LengthDelimited).bytes(spanBytes).join().join();
    const bytes = req.finish();
    expect(decodeProtobufBatch(bytes, projection()).sizes[0]).toBe(canonical);
    expect(batchFromRequest(decodeProtobuf(bytes), projection()).sizes[0]).toBe(canonical);
  });
});

describe("a reused decoder", () => {
  test("grows for big requests and leaves nothing stale behind for the next one", () => {
    const big = request({ resource: { "service.name": "a" }, spans: Array.from({ length: 300 }, (_, n) => span({ name: `s${n}`, kind: 3, status: 2, parentSpanId: idBytes(8, n + 1), attributes: { "http.method": "GET", d: { double: n } } })) });
    const small = variety();
    const decoder = new WireBatchDecoder(projection());
    const bigBytes = toBinary(ExportTraceServiceRequestSchema, big);
    const smallBytes = toBinary(ExportTraceServiceRequestSchema, small);
    expect(plain(decoder.decode(bigBytes))).toEqual(plain(decodeProtobufBatch(bigBytes, projection())));
    expect(plain(decoder.decode(smallBytes))).toEqual(plain(batchFromRequest(decodeProtobuf(smallBytes), projection())));
    expect(plain(decoder.decode(bigBytes)).spanCount).toBe(300);
  });
});

describe("a message buffer reused for the next request (the gRPC receiver's buffers)", () => {
  test("a longer message in the same memory decodes every string to its end", () => {
    const wire = new WireBatchDecoder(new AttributeProjection());
    const encode = (names: string[]) => toBinary(ExportTraceServiceRequestSchema, request({ resource: { "service.name": "svc" }, spans: names.map((name) => span({ name })) }));
    const short = encode(["s"]);
    const longName = `operation-${"y".repeat(300)}`;
    const long = encode(["first", longName]);
    const memory = new Uint8Array(5 + long.length);
    memory.set(short, 5);
    expect(wire.decode(memory.subarray(5, 5 + short.length)).names[0]).toBe("s");
    memory.set(long, 5);
    const b = wire.decode(memory.subarray(5, 5 + long.length));
    expect(b.names.slice(0, b.spanCount)).toEqual(["first", longName]);
  });
});
