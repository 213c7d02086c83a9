import { AttrKind, type AttrValue, type AttributeProjection, type ResourceBlock, type SpanBatch } from "../decode/span-batch.ts";
import type { FilterPolicy, PolicyMatch } from "../config/types.ts";
import { spanKindName, statusCodeName } from "./attribute-value.ts";

/** One compiled condition of a match block. */
type Condition = (batch: SpanBatch, block: ResourceBlock, span: number) => boolean;

/**
 * Compiled filter_policies (spec §7). Conditions are closures built once per
 * processor, never per span. Regexes are unanchored, as Go's MatchString.
 */
export class SpanFilter {
  private readonly include: Condition[][] = [];
  private readonly includeAny: Condition[][] = [];
  private readonly exclude: Condition[][] = [];

  constructor(policies: readonly FilterPolicy[], projection: AttributeProjection) {
    for (const p of policies) {
      if (p.include) this.include.push(compileBlock(p.include, projection));
      if (p.include_any) this.includeAny.push(compileBlock(p.include_any, projection));
      if (p.exclude) this.exclude.push(compileBlock(p.exclude, projection));
    }
  }

  /** True when no policy is configured (every span is kept). */
  get empty(): boolean {
    return this.include.length + this.includeAny.length + this.exclude.length === 0;
  }

  /** Whether the span is kept: exclude beats include_any, which beats include (all must match). */
  keep(batch: SpanBatch, block: ResourceBlock, span: number): boolean {
    for (const b of this.exclude) if (all(b, batch, block, span)) return false;
    for (const b of this.includeAny) if (all(b, batch, block, span)) return true;
    if (this.include.length > 0) {
      for (const b of this.include) if (!all(b, batch, block, span)) return false;
      return true;
    }
    return this.includeAny.length === 0;
  }
}

function all(conds: Condition[], batch: SpanBatch, block: ResourceBlock, span: number): boolean {
  for (let i = 0; i < conds.length; i++) if (!conds[i](batch, block, span)) return false;
  return true;
}

function compileBlock(match: PolicyMatch, projection: AttributeProjection): Condition[] {
  return match.attributes.map((a) => compileCondition(a.key, a.value, a.float === true, match.match_type, projection));
}

function compileCondition(
  key: string,
  expected: string | number | boolean,
  float: boolean,
  matchType: "strict" | "regex",
  projection: AttributeProjection,
): Condition {
  if (key === "name" || key === "kind" || key === "status") {
    const read =
      key === "name"
        ? (b: SpanBatch, i: number) => b.names[i]
        : key === "kind"
          ? (b: SpanBatch, i: number) => spanKindName(b.kinds[i])
          : (b: SpanBatch, i: number) => statusCodeName(b.statusCodes[i]);
    if (matchType === "regex") {
      const re = new RegExp(String(expected));
      return (b, _r, i) => re.test(read(b, i));
    }
    const want = String(expected);
    return (b, _r, i) => read(b, i) === want;
  }
  const onResource = key.startsWith("resource.");
  const slot = projection.slot(unquote(key.slice(onResource ? 9 : 5)));
  const test = matchType === "regex" ? regexTest(new RegExp(String(expected))) : strictTest(expected, float);
  if (onResource) return (_b, r, _i) => r.slotKinds[slot] !== AttrKind.None && test(r.slotKinds[slot], r.slotValues[slot]);
  return (b, _r, i) => {
    const at = i * b.slotCount + slot;
    return b.attrKinds[at] !== AttrKind.None && test(b.attrKinds[at], b.attrValues[at]);
  };
}

/** `span."foo bar"` names the attribute `foo bar`. */
function unquote(name: string): string {
  return name.length >= 2 && name.startsWith('"') && name.endsWith('"') ? name.slice(1, -1) : name;
}

/** Regex against the string value; a non-string attribute matches as "". */
function regexTest(re: RegExp): (kind: number, value: AttrValue) => boolean {
  return (kind, value) => re.test(kind === AttrKind.String ? (value as string) : "");
}

/**
 * Type-aware equality: the YAML scalar type picks the attribute type compared
 * (`200` an int, `200.0` a double); an attribute of another type compares as
 * that type's zero value (Tempo's quirk).
 */
function strictTest(expected: string | number | boolean, float: boolean): (kind: number, value: AttrValue) => boolean {
  if (typeof expected === "string") return (k, v) => (k === AttrKind.String ? v : "") === expected;
  if (typeof expected === "boolean") return (k, v) => (k === AttrKind.Bool ? v : false) === expected;
  if (!float && Number.isInteger(expected)) {
    const want = String(expected);
    return (k, v) => (k === AttrKind.Int ? v : "0") === want;
  }
  return (k, v) => (k === AttrKind.Double ? v : 0) === expected;
}
