/**
 * The fuzz suite's engine: a seeded mutator for protobuf (byte-level and
 * structure-aware: it re-encodes lengths so a mutation can reach deep
 * messages), JSON and YAML, and the budget. CI runs a fixed seed and a small
 * budget; a longer run is `REDGEN_FUZZ_CASES=100000 REDGEN_FUZZ_SEED=7 bun test test/fuzz`
 * (README: Fuzzing). A failure names the seed and case so it can be replayed.
 */
import { type R, chance, pick, rng } from "./random-otlp.ts";

/** Cases per target: REDGEN_FUZZ_CASES, or the target's CI default. */
export function fuzzCases(ciDefault: number): number {
  const n = Number(process.env.REDGEN_FUZZ_CASES ?? "");
  return Number.isInteger(n) && n > 0 ? n : ciDefault;
}

/** The seed: REDGEN_FUZZ_SEED, or a fixed one so CI is reproducible. */
export const FUZZ_SEED = Number(process.env.REDGEN_FUZZ_SEED ?? "20261126") >>> 0;

/** A generator for one target (each target its own stream, so adding one does not change the others). */
export function fuzzRng(target: string): R {
  let h = FUZZ_SEED;
  for (const c of target) h = Math.imul(h ^ c.charCodeAt(0), 0x9e3779b1) >>> 0;
  return rng(h);
}

/** Outcome counts by class, printed as one line for the record. */
export class Tally {
  readonly counts = new Map<string, number>();
  constructor(readonly target: string) {}
  add(cls: string): void {
    this.counts.set(cls, (this.counts.get(cls) ?? 0) + 1);
  }
  get total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }
  report(): void {
    const parts = [...this.counts].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`);
    console.error(`fuzz ${this.target} (seed ${FUZZ_SEED}): ${this.total} cases: ${parts.join(", ")}`);
  }
}

/** A hex dump of an input, for a failure message. */
export function hex(b: Uint8Array, max = 512): string {
  return `${Buffer.from(b.subarray(0, max)).toString("hex")}${b.length > max ? `… (${b.length} bytes)` : ""}`;
}

// ---------------------------------------------------------------- protobuf

interface Field {
  tag: bigint;
  /** raw bytes after the tag (varint, fixed, or the length-prefixed payload without its prefix) */
  data: Uint8Array;
  /** for wire type 2 payloads that parse as a message */
  children?: Field[];
}

function readVarint(b: Uint8Array, p: number): [bigint, number] | undefined {
  let v = 0n;
  for (let s = 0n; p < b.length && s < 70n; s += 7n) {
    const x = b[p++];
    v |= BigInt(x & 0x7f) << s;
    if (x < 0x80) return [v, p];
  }
  return undefined;
}

function varint(v: bigint): number[] {
  const out: number[] = [];
  let x = BigInt.asUintN(64, v);
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
  return out;
}

/** Parses `b` as protobuf fields, recursing into payloads that parse; undefined when it does not parse. */
function parseFields(b: Uint8Array, depth: number): Field[] | undefined {
  const out: Field[] = [];
  let p = 0;
  while (p < b.length) {
    const t = readVarint(b, p);
    if (t === undefined || t[0] >> 3n === 0n) return undefined;
    const [tag, q] = t;
    p = q;
    const wt = Number(tag & 7n);
    let start = p;
    if (wt === 0) {
      const v = readVarint(b, p);
      if (v === undefined) return undefined;
      p = v[1];
    } else if (wt === 1) p += 8;
    else if (wt === 5) p += 4;
    else if (wt === 2) {
      const l = readVarint(b, p);
      if (l === undefined) return undefined;
      start = l[1];
      p = start + Number(l[0]);
    } else return undefined;
    if (p > b.length) return undefined;
    const data = b.subarray(start, p);
    const children = wt === 2 && depth < 12 && data.length > 1 ? parseFields(data, depth + 1) : undefined;
    out.push({ tag, data, children });
  }
  return out;
}

function encodeFields(fields: Field[]): number[] {
  const out: number[] = [];
  for (const f of fields) {
    out.push(...varint(f.tag));
    const wt = Number(f.tag & 7n);
    const data = f.children !== undefined ? Uint8Array.from(encodeFields(f.children)) : f.data;
    if (wt === 2) out.push(...varint(BigInt(data.length)));
    for (const x of data) out.push(x);
  }
  return out;
}

/** Every field of a tree, with the list that holds it (for removal and insertion). */
function allFields(fields: Field[], into: { list: Field[]; index: number }[] = []): { list: Field[]; index: number }[] {
  fields.forEach((f, index) => {
    into.push({ list: fields, index });
    if (f.children) allFields(f.children, into);
  });
  return into;
}

/** `n` bytes from the seeded generator (never crypto: a case must replay from its seed). */
export function randomBytes(r: R, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(r() * 256);
  return out;
}

const INTERESTING = [0x00, 0x01, 0x07, 0x08, 0x0b, 0x0c, 0x0e, 0x0f, 0x7f, 0x80, 0xff];

/** Mutates protobuf requests: structure-aware most of the time, raw bytes the rest. */
export class ProtobufMutator {
  constructor(
    private readonly r: R,
    private readonly corpus: readonly Uint8Array[],
  ) {}

  mutate(input: Uint8Array): Uint8Array {
    const r = this.r;
    let b = input;
    const rounds = 1 + Math.floor(r() * 3);
    for (let i = 0; i < rounds; i++) b = chance(r, 0.7) ? this.structural(b) : this.raw(b);
    return b;
  }

  private structural(b: Uint8Array): Uint8Array {
    const r = this.r;
    const tree = parseFields(b, 0);
    if (tree === undefined || tree.length === 0) return this.raw(b);
    const nodes = allFields(tree);
    const { list, index } = pick(r, nodes);
    const f = list[index];
    const field = f.tag >> 3n;
    switch (Math.floor(r() * 12)) {
      case 0: // drop the field
        list.splice(index, 1);
        break;
      case 1: // repeat it
        list.splice(index, 0, { ...f });
        break;
      case 2: // the same field number with another wire type (0..7)
        list[index] = { tag: (field << 3n) | BigInt(Math.floor(r() * 8)), data: f.data.subarray(0, Math.min(f.data.length, 8)) };
        break;
      case 3: // an unknown field of any kind next to it
        list.splice(index, 0, this.unknownField());
        break;
      case 4: // a group, empty or not, nested or not, well-closed or not
        list.splice(index, 0, ...this.group());
        break;
      case 5: // raw mutation inside the payload
        list[index] = { tag: f.tag, data: this.raw(f.data) };
        break;
      case 6: // an id or string of another length
        list[index] = { tag: f.tag, data: randomBytes(r, pick(r, [0, 1, 7, 8, 9, 15, 16, 17, 32])) };
        break;
      case 7: // a varint at the edges
        list[index] = { tag: (field << 3n) | 0n, data: Uint8Array.from(pick(r, [varint(0n), varint(2n ** 63n), varint(-1n), [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], [0xff, 0xff, 0xff, 0xff, 0x0f]])) };
        break;
      case 8: // a value nested deep
        list[index] = { tag: f.tag, data: deepValue(pick(r, [50, 99, 100, 101, 150])) };
        break;
      case 9: // splice a field from another request
        {
          const other = parseFields(pick(r, this.corpus), 0);
          if (other && other.length > 0) {
            const src = pick(r, allFields(other));
            list.splice(index, 0, src.list[src.index]);
          }
        }
        break;
      case 10: // a field number at the edges of the int32 range
        list[index] = { ...f, tag: (BigInt(pick(r, [0, 1, 15, 16, 2 ** 29 - 1, 2 ** 29, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 1])) << 3n) | (f.tag & 7n) };
        break;
      default: // shuffle the siblings
        for (let k = list.length - 1; k > 0; k--) {
          const j = Math.floor(r() * (k + 1));
          [list[k], list[j]] = [list[j], list[k]];
        }
    }
    return Uint8Array.from(encodeFields(tree));
  }

  private unknownField(): Field {
    const r = this.r;
    const field = BigInt(pick(r, [17, 20, 99, 500, 1001, 4096]));
    const wt = Math.floor(r() * 6);
    const data = wt === 0 ? Uint8Array.from(varint(BigInt(Math.floor(r() * 1e6)))) : wt === 1 ? new Uint8Array(8) : wt === 5 ? new Uint8Array(4) : wt === 2 ? randomBytes(r, Math.floor(r() * 6)) : new Uint8Array(0);
    return { tag: (field << 3n) | BigInt(wt === 3 || wt === 4 ? 2 : wt), data };
  }

  /** Group markers as fields without data (wire types 3 and 4), with or without content. */
  private group(): Field[] {
    const r = this.r;
    const f = BigInt(pick(r, [20, 21, 99]));
    const start: Field = { tag: (f << 3n) | 3n, data: new Uint8Array(0) };
    const end: Field = { tag: (BigInt(chance(r, 0.8) ? f : 98n) << 3n) | 4n, data: new Uint8Array(0) };
    const inner: Field[] = chance(r, 0.4) ? [] : chance(r, 0.5) ? [this.unknownField()] : [{ tag: (22n << 3n) | 3n, data: new Uint8Array(0) }, { tag: (22n << 3n) | 4n, data: new Uint8Array(0) }];
    if (chance(r, 0.15)) return [start, ...inner];
    return [start, ...inner, end];
  }

  /** Byte-level: flips, interesting bytes, inserts, deletes, duplications, truncation, splices. */
  raw(b: Uint8Array): Uint8Array {
    const r = this.r;
    const a = Array.from(b);
    const pos = () => Math.floor(r() * (a.length + 1));
    switch (Math.floor(r() * 7)) {
      case 0:
        if (a.length > 0) a[Math.floor(r() * a.length)] ^= 1 << Math.floor(r() * 8);
        break;
      case 1:
        if (a.length > 0) a[Math.floor(r() * a.length)] = pick(r, INTERESTING);
        break;
      case 2:
        a.splice(pos(), 0, ...randomBytes(r, 1 + Math.floor(r() * 8)));
        break;
      case 3: {
        const p = pos();
        a.splice(p, 1 + Math.floor(r() * 16));
        break;
      }
      case 4: {
        const p = pos();
        a.splice(pos(), 0, ...a.slice(p, p + 1 + Math.floor(r() * 32)));
        break;
      }
      case 5:
        a.length = pos();
        break;
      default: {
        const other = pick(r, this.corpus);
        const p = Math.floor(r() * other.length);
        a.splice(pos(), 0, ...other.subarray(p, p + 1 + Math.floor(r() * 64)));
      }
    }
    return Uint8Array.from(a);
  }
}

/** An AnyValue nested `depth` arrays deep (the leaf a string). */
export function deepValue(depth: number): Uint8Array {
  let v = Uint8Array.of(0x0a, 1, 0x78);
  for (let d = 1; d < depth; d++) {
    const list = Uint8Array.from([0x0a, ...varint(BigInt(v.length)), ...v]);
    v = Uint8Array.from([0x2a, ...varint(BigInt(list.length)), ...list]);
  }
  return v;
}

// ---------------------------------------------------------------- JSON and YAML

/** Mutates a JSON document: a random node replaced, removed, duplicated, nested deep; sometimes the text itself. */
export function mutateJson(r: R, text: string): string {
  if (chance(r, 0.15)) return mutateText(r, text);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return mutateText(r, text);
  }
  const holders: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach((x, i) => (holders.push({ parent: v, key: i }), walk(x)));
    else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) holders.push({ parent: v as Record<string, unknown>, key: k }), walk(x);
  };
  walk(doc);
  const rounds = 1 + Math.floor(r() * 3);
  for (let i = 0; i < rounds && holders.length > 0; i++) {
    const { parent, key } = pick(r, holders);
    const set = (v: unknown) => ((parent as Record<string | number, unknown>)[key] = v);
    switch (Math.floor(r() * 6)) {
      case 0:
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete parent[key as string];
        break;
      case 1:
        set(randomJson(r, 0));
        break;
      case 2:
        set(pick(r, ["", "zz", "0".repeat(31), "ab".repeat(16), "AAAAAAAAAAAAAAAAAAAAAA==", "\ud800", "1e400", -1, 2 ** 64, 1.5, true, null, [], {}]));
        break;
      case 3: {
        let v: unknown = { stringValue: "x" };
        for (let d = 0; d < pick(r, [50, 100, 101, 120]); d++) v = { arrayValue: { values: [v] } };
        set(v);
        break;
      }
      case 4:
        if (Array.isArray(parent)) parent.push(parent[key as number]);
        else parent[`${String(key)}`.toUpperCase()] = parent[key as string];
        break;
      default:
        set([parent[key as never], parent[key as never]]);
    }
  }
  return JSON.stringify(doc);
}

function randomJson(r: R, depth: number): unknown {
  switch (Math.floor(r() * (depth > 2 ? 5 : 7))) {
    case 0:
      return Math.floor(r() * 1e9) - 5e8;
    case 1:
      return r() * 1e6;
    case 2:
      return pick(r, ["", "x", "GET", "ünï", "\u0000"]);
    case 3:
      return chance(r, 0.5);
    case 4:
      return null;
    case 5:
      return Array.from({ length: Math.floor(r() * 3) }, () => randomJson(r, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: Math.floor(r() * 3) }, () => [pick(r, ["key", "value", "stringValue", "intValue", "kvlistValue", "spans", "traceId"]), randomJson(r, depth + 1)]));
  }
}

/** Text-level: delete, duplicate or replace a random slice, insert odd characters. */
export function mutateText(r: R, text: string): string {
  const p = Math.floor(r() * (text.length + 1));
  const q = Math.min(text.length, p + Math.floor(r() * 24));
  switch (Math.floor(r() * 4)) {
    case 0:
      return text.slice(0, p) + text.slice(q);
    case 1:
      return text.slice(0, q) + text.slice(p, q) + text.slice(q);
    case 2:
      return text.slice(0, p) + pick(r, ["{", "}", "[", "]", ":", ",", '"', "\\", "\n", "\t", "- ", "  ", "#", "&a", "*a", "!!binary ", "\u2028", "\uFFFD"]) + text.slice(p);
    default:
      return text.slice(0, p) + pick(r, ["true", "null", "-1", "1e999", "0x1f", "1h", "'", "~", "[]", "{}", "NaN"]) + text.slice(q);
  }
}

/** Mutates YAML config text line by line: values of other types, lines dropped or repeated, indentation shifted, odd text. */
export function mutateYaml(r: R, text: string): string {
  const lines = text.split("\n");
  const rounds = 1 + Math.floor(r() * 3);
  for (let i = 0; i < rounds; i++) {
    const k = Math.floor(r() * lines.length);
    const line = lines[k];
    switch (Math.floor(r() * 6)) {
      case 0:
        lines.splice(k, 1);
        break;
      case 1:
        lines.splice(k, 0, line);
        break;
      case 2: {
        const m = /^(\s*-?\s*[\w.-]+:)\s*(.*)$/.exec(line);
        if (m) lines[k] = `${m[1]} ${pick(r, ["", "null", "~", "true", "-5", "0", "1e309", "[]", "{}", "[a, b]", "{a: 1}", "'x'", "5m", "-1s", "99999999999999999999", "\"\\x00\"", "*x"])}`;
        break;
      }
      case 3:
        lines[k] = chance(r, 0.5) ? ` ${line}` : line.replace(/^ /, "");
        break;
      case 4:
        lines.splice(k, 0, `${line.match(/^\s*/)?.[0] ?? ""}${pick(r, ["unknown_key", "auth", "tls", "sasl_mechanism", "oauth2", "keepalive"])}: ${pick(r, ["1", "{}", "x", "[1]"])}`);
        break;
      default:
        lines[k] = mutateText(r, line);
    }
  }
  return lines.join("\n");
}
