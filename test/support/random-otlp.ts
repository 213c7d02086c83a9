/**
 * Random OTLP trace requests as raw protobuf, seeded: every span shape Tempo
 * takes (explicit zeros, unknown fields, values left out, fields in any
 * order, the pre-1.0 field 1000). The span-size oracle tests and the fuzz
 * suite start from these.
 */
import { idBytes } from "./otlp-builders.ts";
import { WireWriter } from "./wire-writer.ts";

/** mulberry32: a small seeded generator, so the corpus is the same every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type R = () => number;
export const chance = (r: R, p: number) => r() < p;
export const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** Unknown fields of every wire type (field numbers OTLP does not use). */
function unknown(w: WireWriter, r: R): void {
  const f = pick(r, [40, 41, 99, 500]);
  pick(r, [() => w.varint(f, 7), () => w.fixed64(f, 1n), () => w.fixed32(f, 3), () => w.string(f, "zz"), () => w.string(f, "")])();
}

export function anyValue(r: R, depth: number): WireWriter {
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

export function keyValue(r: R, depth: number): WireWriter {
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
export function spanBytes(r: R, n: number): WireWriter {
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
export function requestBytes(r: R, n: number): { bytes: Uint8Array; legacy: boolean } {
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
