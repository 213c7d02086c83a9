/**
 * Malformed OTLP protobuf is refused exactly where Tempo refuses it. Tempo's
 * receivers decode every request with the Collector's pdata (v1.59), so the
 * oracle is pdata itself (test/support/pdata-size): for each case the fast
 * wire decoder must accept what pdata accepts and refuse what it refuses, in
 * every part of the request, including the parts redgen never uses (scopes,
 * entity refs, events, links, unknown fields). Plus the one deliberate
 * difference: attribute values nested deeper than 100 levels are refused on
 * every path, with a clear message, however deep (no stack overflow).
 */
import { describe, expect, test } from "bun:test";
import { DecodeError } from "../../src/decode/decode-error.ts";
import { batchFromRequest } from "../../src/decode/from-request.ts";
import { decodeJson, decodeProtobuf } from "../../src/decode/otlp.ts";
import { decodeProtobufBatch } from "../../src/decode/otlp-wire.ts";
import { AttributeProjection } from "../../src/decode/span-batch.ts";
import { idBytes } from "../support/otlp-builders.ts";
import { pdataSizes } from "../support/pdata-oracle.ts";
import { WireWriter } from "../support/wire-writer.ts";

const projection = () => {
  const p = new AttributeProjection();
  p.slot("deep");
  p.slot("k");
  return p;
};

/** What the wire decoder says: "ok" or the DecodeError's message (anything else fails the test). */
function wireVerdict(bytes: Uint8Array): string {
  try {
    decodeProtobufBatch(bytes, projection());
    return "ok";
  } catch (e) {
    if (e instanceof DecodeError) return e.message;
    throw e;
  }
}

function varint(n: bigint): number[] {
  const out: number[] = [];
  let x = n;
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
  return out;
}

/**
 * An AnyValue nested `depth` levels (1: a plain string) through arrays or
 * kvlists, built inside out in linear time, so 20,000 levels are cheap.
 */
function nestedValue(depth: number, via: "array" | "kvlist"): Uint8Array {
  const leaf = [0x0a, 1, 0x78]; // string_value "x"
  // Per level, from the inside: the list field (values = 1 wrapping the item) and the AnyValue field (5 or 6).
  const prefixes: number[][] = [];
  let len = leaf.length;
  for (let level = 2; level <= depth; level++) {
    const item = via === "array" ? [] : [0x0a, 1, 0x6b, 0x12, ...varint(BigInt(len))]; // kvlist: KeyValue{key "k", value}
    const itemLen = item.length + len;
    const list = [0x0a, ...varint(BigInt(itemLen)), ...item];
    const listLen = list.length + len;
    const value = [via === "array" ? 0x2a : 0x32, ...varint(BigInt(listLen)), ...list];
    prefixes.push(value);
    len = value.length + len;
  }
  const out = new Uint8Array(len);
  let pos = 0;
  for (let k = prefixes.length - 1; k >= 0; k--) {
    out.set(prefixes[k], pos);
    pos += prefixes[k].length;
  }
  out.set(leaf, pos);
  return out;
}

const validIds = (w: WireWriter) => w.bytesField(1, idBytes(16, 1)).bytesField(2, idBytes(8, 1)).string(5, "op");
const kv = (key: string, value: Uint8Array) => new WireWriter().string(1, key).bytesField(2, value);

/** A request of one span, with `place` putting a value into one part of it. */
function requestWith(place: "resource" | "span" | "span-unprojected" | "event" | "link" | "scope", value: Uint8Array): Uint8Array {
  const span = validIds(new WireWriter());
  if (place === "span") span.msg(9, kv("deep", value));
  if (place === "span-unprojected") span.msg(9, kv("other", value));
  if (place === "event") span.msg(11, (e) => e.string(2, "ev").msg(3, kv("deep", value)));
  if (place === "link") span.msg(13, (l) => l.bytesField(1, idBytes(16, 2)).msg(4, kv("deep", value)));
  return new WireWriter()
    .msg(1, (rs) => {
      rs.msg(1, (r) => {
        r.msg(1, kv("service.name", new WireWriter().string(1, "svc").bytes));
        if (place === "resource") r.msg(1, kv("deep", value));
      });
      rs.msg(2, (ss) => {
        if (place === "scope") ss.msg(1, (s) => s.string(1, "lib").msg(3, kv("deep", value)));
        ss.msg(2, span);
      });
    }).bytes;
}

const PLACES = ["resource", "span", "span-unprojected", "event", "link", "scope"] as const;
const TOO_DEEP = "attribute value nested deeper than 100 levels";

describe("attribute values nested deeper than 100 levels are refused on every path", () => {
  for (const via of ["array", "kvlist"] as const) {
    test(`wire decoder, ${via}s: 100 levels pass, 101 and 20,000 are refused, in every part of a request`, () => {
      const got = PLACES.map((place) => [place, [100, 101, 20_000].map((d) => wireVerdict(requestWith(place, nestedValue(d, via))))]);
      expect(Object.fromEntries(got)).toEqual(Object.fromEntries(PLACES.map((p) => [p, ["ok", TOO_DEEP, TOO_DEEP]])));
    });
  }

  test("pdata takes 101 levels (Tempo has no limit): the one deliberate difference", () => {
    const answers = pdataSizes([requestWith("span", nestedValue(101, "kvlist"))]);
    expect(answers[0].error).toBeUndefined();
  });

  test("generated path (protobuf-es, as OTLP/JSON uses it): 100 pass, 101 and 20,000 are refused", () => {
    const verdict = (bytes: Uint8Array) => {
      try {
        batchFromRequest(decodeProtobuf(bytes), projection());
        return "ok";
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        return e.message.includes("maximum recursion depth") ? "recursion limit" : e.message;
      }
    };
    for (const place of ["resource", "span", "event"] as const) {
      expect([place, verdict(requestWith(place, nestedValue(100, "kvlist")))]).toEqual([place, "ok"]);
      expect([place, verdict(requestWith(place, nestedValue(101, "array")))]).toEqual([place, TOO_DEEP]);
      expect([place, verdict(requestWith(place, nestedValue(20_000, "kvlist")))]).toEqual([place, "recursion limit"]);
    }
  });

  test("OTLP/JSON: 100 pass, 101 are refused, 20,000 levels of brackets are refused before parsing", () => {
    const jsonValue = (depth: number): string => {
      let v = '{"stringValue":"x"}';
      for (let d = 2; d <= depth; d++) v = `{"kvlistValue":{"values":[{"key":"k","value":${v}}]}}`;
      return v;
    };
    const doc = (value: string) =>
      new TextEncoder().encode(
        `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${"ab".repeat(16)}","spanId":"${"cd".repeat(8)}","name":"op","attributes":[{"key":"deep","value":${value}}]}]}]}]}`,
      );
    const verdict = (bytes: Uint8Array) => {
      try {
        batchFromRequest(decodeJson(bytes), projection());
        return "ok";
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        return e.message;
      }
    };
    expect(verdict(doc(jsonValue(100)))).toBe("ok");
    expect(verdict(doc(jsonValue(101)))).toBe(TOO_DEEP);
    expect(verdict(doc(`${"[".repeat(100_000)}${"]".repeat(100_000)}`))).toBe("invalid JSON: nested deeper than 410 levels");
  });
});

/** A request whose only span is `span`, and the request-level wrapper where other parts go. */
const oneSpan = (span: WireWriter, extra?: { rs?: (w: WireWriter) => void; ss?: (w: WireWriter) => void; resource?: (w: WireWriter) => void; top?: (w: WireWriter) => void }) => {
  const req = new WireWriter().msg(1, (rs) => {
    rs.msg(1, (r) => {
      r.msg(1, kv("service.name", new WireWriter().string(1, "svc").bytes));
      extra?.resource?.(r);
    });
    rs.msg(2, (ss) => {
      extra?.ss?.(ss);
      ss.msg(2, span);
    });
    extra?.rs?.(rs);
  });
  extra?.top?.(req);
  return req.bytes;
};
const span = () => validIds(new WireWriter());

// Each case with what pdata v1.59 does (checked against the oracle below), so the table reads as the rules.
const CASES: [name: string, bytes: Uint8Array, pdata: "accepts" | "refuses"][] = [
  ["an empty group in an unknown span field", oneSpan(span().marker(20, 3).marker(20, 4).varint(6, 2)), "accepts"],
  ["nested empty groups", oneSpan(span().marker(20, 3).marker(21, 3).marker(21, 4).marker(20, 4).varint(6, 2)), "accepts"],
  ["an empty group whose end marker names another field", oneSpan(span().marker(20, 3).marker(99, 4).varint(6, 2)), "accepts"],
  ["an empty group as the last field of a message", oneSpan(span().marker(20, 3).marker(20, 4)), "refuses"],
  ["a group holding a field", oneSpan(span().marker(20, 3).varint(21, 1).marker(20, 4).varint(6, 2)), "refuses"],
  ["a group start followed by a field and never closed", oneSpan(span().marker(20, 3).varint(21, 1).varint(6, 2)), "accepts"],
  ["a stray end-group marker", oneSpan(span().marker(20, 4).varint(6, 2)), "refuses"],
  ["a group on a known field number (span kind)", oneSpan(span().marker(6, 3).marker(6, 4).varint(6, 2)), "refuses"],
  ["an empty group at the top of the request", oneSpan(span(), { top: (w) => w.marker(20, 3).marker(20, 4).varint(30, 1) }), "accepts"],
  ["a group holding a field at the top of the request", oneSpan(span(), { top: (w) => w.marker(20, 3).varint(21, 1).marker(20, 4).varint(30, 1) }), "refuses"],
  ["wire type 6", oneSpan(span().marker(20, 6).raw([0, 0])), "refuses"],
  ["wire type 7", oneSpan(span().marker(20, 7).raw([0, 0])), "refuses"],
  ["field number 0", oneSpan(span().marker(0, 0).raw([1])), "refuses"],
  ["field number 2^29 (above protobuf's maximum) is skipped", oneSpan(span().marker(2 ** 29, 0).raw([1])), "accepts"],
  ["field number 2^31 − 1 is skipped", oneSpan(span().marker(2 ** 31 - 1, 0).raw([1])), "accepts"],
  ["field number 2^31 (negative as int32)", oneSpan(span().marker(2 ** 31, 0).raw([1])), "refuses"],
  ["a tag of 2^32 + 6 reads as field 2^29 + 0 of wire type 6? no: its low 35 bits", oneSpan(span().marker(2n ** 32n + 6n, 0).raw([1])), "accepts"],
  ["a varint of 10 bytes", oneSpan(span().marker(6, 0).raw([0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00])), "accepts"],
  ["a varint of 11 bytes", oneSpan(span().marker(20, 0).raw([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01])), "refuses"],
  ["a length of 2^35 + 1 (high bits beyond 32)", oneSpan(span().marker(20, 2).raw(varint(2n ** 35n + 1n)).raw([7])), "refuses"],
  ["span kind with the wrong wire type", oneSpan(span().fixed32(6, 2)), "refuses"],
  ["span name as a varint", oneSpan(span().varint(5, 1)), "refuses"],
  ["a schema_url of ResourceSpans as a varint", oneSpan(span(), { rs: (w) => w.varint(3, 1) }), "refuses"],
  ["garbage inside the scope (a truncated field)", oneSpan(span(), { ss: (w) => w.bytesField(1, Uint8Array.of(0x0a, 0x05, 0x61)) }), "refuses"],
  ["a scope attribute with a bad value", oneSpan(span(), { ss: (w) => w.msg(1, (s) => s.msg(3, (a) => a.string(1, "k").bytesField(2, Uint8Array.of(0x2a, 0x02, 0x0f, 0x00)))) }), "refuses"],
  ["a scope name as a varint", oneSpan(span(), { ss: (w) => w.msg(1, (s) => s.varint(1, 3)) }), "refuses"],
  ["a resource entity ref with a varint field", oneSpan(span(), { resource: (r) => r.msg(3, (e) => e.varint(2, 1)) }), "refuses"],
  ["a resource entity ref with strings", oneSpan(span(), { resource: (r) => r.msg(3, (e) => e.string(1, "u").string(2, "service").string(3, "service.name")) }), "accepts"],
  ["a link trace id of 15 bytes", oneSpan(span().msg(13, (l) => l.bytesField(1, new Uint8Array(15).fill(1)))), "refuses"],
  ["a link span id of 9 bytes", oneSpan(span().msg(13, (l) => l.bytesField(1, idBytes(16, 5)).bytesField(2, new Uint8Array(9).fill(1)))), "refuses"],
  ["a trace id of 15 bytes, then a right one (pdata checks every occurrence)", oneSpan(span().bytesField(1, new Uint8Array(15).fill(2)).bytesField(1, idBytes(16, 9))), "refuses"],
  ["a parent span id of 3 bytes, then a right one", oneSpan(span().bytesField(4, Uint8Array.of(1, 2, 3)).bytesField(4, idBytes(8, 9))), "refuses"],
  ["an attribute whose first value is malformed, the second fine (pdata merges both)", oneSpan(span().msg(9, (a) => a.string(1, "k").bytesField(2, Uint8Array.of(0x22, 0x01, 0x00)).msg(2, (v) => v.varint(3, 5)))), "refuses"],
  ["a projected attribute whose first value is malformed", oneSpan(span().msg(9, (a) => a.string(1, "deep").bytesField(2, Uint8Array.of(0x22, 0x01, 0x00)).msg(2, (v) => v.varint(3, 5)))), "refuses"],
  ["a resource attribute whose first value is malformed", oneSpan(span(), { resource: (r) => r.msg(1, (a) => a.string(1, "k").bytesField(2, Uint8Array.of(0x22, 0x01, 0x00)).msg(2, (v) => v.string(1, "x"))) }), "refuses"],
  ["an attribute with two good values", oneSpan(span().msg(9, (a) => a.string(1, "k").msg(2, (v) => v.string(1, "a")).msg(2, (v) => v.varint(3, 5)))), "accepts"],
  ["an empty link trace id", oneSpan(span().msg(13, (l) => l.bytesField(1, new Uint8Array(0)))), "accepts"],
  ["an event time as a varint", oneSpan(span().msg(11, (e) => e.varint(1, 5))), "refuses"],
  ["an event attribute with garbage", oneSpan(span().msg(11, (e) => e.bytesField(3, Uint8Array.of(0xff)))), "refuses"],
  ["status code as fixed64", oneSpan(span().msg(15, (s) => s.fixed64(3, 1n))), "refuses"],
  ["status field 1 (reserved, unknown) is skipped", oneSpan(span().msg(15, (s) => s.varint(1, 2))), "accepts"],
  ["an AnyValue int as a string", oneSpan(span().msg(9, (a) => a.string(1, "k").msg(2, (v) => v.string(3, "x")))), "refuses"],
  ["an AnyValue bool as a 10-byte varint", oneSpan(span().msg(9, (a) => a.string(1, "k").msg(2, (v) => v.marker(2, 0).raw([0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00])))), "accepts"],
  ["an AnyValue int of 11 bytes", oneSpan(span().msg(9, (a) => a.string(1, "k").msg(2, (v) => v.marker(3, 0).raw([0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00])))), "refuses"],
  ["a key_strindex as a string", oneSpan(span().msg(9, (a) => a.string(1, "k").string(3, "x"))), "refuses"],
  ["an array item with a wrong wire type", oneSpan(span().msg(9, (a) => a.string(1, "k").msg(2, (v) => v.msg(5, (l) => l.varint(1, 1))))), "refuses"],
  [
    "pre-1.0 instrumentation_library_spans next to scope_spans, with garbage",
    oneSpan(span(), { rs: (w) => w.msg(1000, (il) => il.bytesField(2, Uint8Array.of(0x0a, 0x09))) }),
    "refuses",
  ],
];

describe("malformed protobuf: refused exactly where pdata (Tempo's receiver) refuses it", () => {
  const answers = pdataSizes(CASES.map(([, b]) => b));
  test.each(CASES.map(([name, bytes, pdata], i) => [name, bytes, pdata, i] as const))("%s", (_name, bytes, pdata, i) => {
    const oracle = answers[i].error === undefined ? "accepts" : "refuses";
    const redgen = wireVerdict(bytes) === "ok" ? "accepts" : "refuses";
    expect({ oracle, redgen }).toEqual({ oracle: pdata, redgen: pdata });
  });
});
