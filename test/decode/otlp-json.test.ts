import { describe, expect, test } from "bun:test";
import { DecodeError } from "../../src/decode/decode-error.ts";
import { batchFromRequest } from "../../src/decode/from-request.ts";
import { decodeJson, decodeProtobuf } from "../../src/decode/otlp.ts";
import { AttrKind, AttributeProjection } from "../../src/decode/span-batch.ts";

const enc = (o: unknown) => new TextEncoder().encode(typeof o === "string" ? o : JSON.stringify(o));

function body(spanFields: Record<string, unknown>, resourceAttrs: unknown[] = []) {
  return {
    resourceSpans: [
      {
        resource: { attributes: resourceAttrs },
        scopeSpans: [{ scope: { name: "s" }, spans: [{ traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", name: "op", ...spanFields }] }],
      },
    ],
  };
}

describe("OTLP/JSON mapping", () => {
  test("hex ids decode to their bytes (not base64)", () => {
    const req = decodeJson(enc(body({ parentSpanId: "00f067aa0ba902b7" })));
    const s = req.resourceSpans[0].scopeSpans[0].spans[0];
    expect(Buffer.from(s.traceId).toString("hex")).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(Buffer.from(s.spanId).toString("hex")).toBe("b7ad6b7169203331");
    expect(Buffer.from(s.parentSpanId).toString("hex")).toBe("00f067aa0ba902b7");
  });

  test("upper-case hex and an empty parent id", () => {
    const s = decodeJson(enc(body({ traceId: "0AF7651916CD43DD8448EB211C80319C", parentSpanId: "" }))).resourceSpans[0].scopeSpans[0].spans[0];
    expect(s.traceId.length).toBe(16);
    expect(s.parentSpanId.length).toBe(0);
  });

  const enums: [string, unknown, number][] = [
    ["kind as a number", 3, 3],
    ["kind as a name", "SPAN_KIND_PRODUCER", 4],
  ];
  for (const [name, kind, want] of enums) {
    test(name, () => expect(decodeJson(enc(body({ kind }))).resourceSpans[0].scopeSpans[0].spans[0].kind).toBe(want));
  }

  test("status code by name or number", () => {
    expect(decodeJson(enc(body({ status: { code: "STATUS_CODE_ERROR" } }))).resourceSpans[0].scopeSpans[0].spans[0].status?.code).toBe(2);
    expect(decodeJson(enc(body({ status: { code: 1 } }))).resourceSpans[0].scopeSpans[0].spans[0].status?.code).toBe(1);
  });

  test("64-bit integers as strings or numbers; intValue keeps full precision", () => {
    const req = decodeJson(
      enc(
        body({ startTimeUnixNano: "1700000000000000001", endTimeUnixNano: 1700000000500000000, attributes: [{ key: "big", value: { intValue: "9007199254740993" } }] }),
      ),
    );
    const s = req.resourceSpans[0].scopeSpans[0].spans[0];
    expect(s.startTimeUnixNano).toBe(1700000000000000001n);
    const p = new AttributeProjection();
    p.slot("big");
    const b = batchFromRequest(req, p);
    expect([b.attrKinds[0], b.attrValues[0]]).toEqual([AttrKind.Int, "9007199254740993"]);
  });

  test("unknown fields are ignored (OTLP requires it)", () => {
    expect(decodeJson(enc({ ...body({ somethingNew: 1 }), extra: true })).resourceSpans.length).toBe(1);
  });

  test("snake_case field names are accepted too", () => {
    const req = decodeJson(enc({ resource_spans: [{ scope_spans: [{ spans: [{ trace_id: "0af7651916cd43dd8448eb211c80319c", span_id: "b7ad6b7169203331" }] }] }] }));
    expect(req.resourceSpans[0].scopeSpans[0].spans[0].spanId.length).toBe(8);
  });

  const bad: [string, string | object][] = [
    ["not JSON", "{nope"],
    ["non-hex id", body({ spanId: "zzzzzzzzzzzzzzzz" })],
    ["odd-length id", body({ spanId: "abc" })],
    ["wrong type", { resourceSpans: "x" }],
  ];
  for (const [name, b] of bad) {
    test(`rejects ${name}`, () => expect(() => decodeJson(enc(b))).toThrow(DecodeError));
  }

  test("ids of the wrong length are rejected when the batch is built", () => {
    const p = new AttributeProjection();
    expect(() => batchFromRequest(decodeJson(enc(body({ traceId: "0af7651916cd43dd" }))), p)).toThrow("trace ids must be 128 bit, received 64 bits");
    expect(() => batchFromRequest(decodeJson(enc(body({ spanId: "0000000000000000" }))), p)).toThrow("span ids must be 64 bit");
    expect(() => batchFromRequest(decodeJson(enc(body({ parentSpanId: "0102" }))), p)).toThrow("parent span ids");
  });
});

describe("invalid UTF-8 survives decoding as detectable escapes", () => {
  test("protobuf strings keep invalid bytes as lone surrogates", () => {
    // ExportTraceServiceRequest{resource_spans{scope_spans{spans{name: 0xff 'a'}}}} with ids
    const span = [0x0a, 16, ...new Array(16).fill(1), 0x12, 8, ...new Array(8).fill(2), 0x2a, 2, 0xff, 0x61];
    const ss = [0x12, span.length, ...span];
    const rs = [0x12, ss.length, ...ss];
    const req = [0x0a, rs.length, ...rs];
    const name = decodeProtobuf(new Uint8Array(req)).resourceSpans[0].scopeSpans[0].spans[0].name;
    expect(name).toBe("\udcffa");
    expect(name.isWellFormed()).toBe(false);
  });

  test("truncated protobuf is a DecodeError", () => {
    expect(() => decodeProtobuf(new Uint8Array([0x0a, 0x10, 0x12]))).toThrow(DecodeError);
  });
});
