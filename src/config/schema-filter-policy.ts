/**
 * `filter_policies` of span_metrics and service_graphs (spec §7): which spans a
 * processor sees. Keys are TraceQL identifiers; strict values are compared with
 * type awareness, regex values are RE2 (translated to JS, see re2-regex.ts).
 */
import { z } from "zod";
import type { FilterPolicy, PolicyMatch } from "./types.ts";
import { opt, strictBlock, withDefault } from "./schema-blocks.ts";
import { describeValue, nonEmptyStr, oneOf } from "./schema-scalars.ts";
import { translateRe2 } from "./re2-regex.ts";
import { YamlFloat } from "./yaml-float.ts";
import { SPAN_KIND_NAMES, STATUS_CODE_NAMES } from "../util/otlp-names.ts";

const SPAN_KINDS: readonly string[] = SPAN_KIND_NAMES;
const STATUS_CODES: readonly string[] = STATUS_CODE_NAMES;
const INTRINSIC_KEYS = ["name", "status", "kind"];

const scalarValue = z.unknown().superRefine((v, ctx) => {
  if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean" && !(v instanceof YamlFloat)) {
    ctx.addIssue({ code: "custom", message: `expected a string, number or boolean, got ${describeValue(v)}` });
  }
}) as unknown as z.ZodType<string | number | boolean | YamlFloat>;

const attribute = strictBlock({ key: nonEmptyStr, value: scalarValue });

/**
 * Normalizes a TraceQL key to `name` | `status` | `kind` | `resource.<attr>` |
 * `span.<attr>`, with quotes around the attribute name removed; throws a message otherwise.
 */
export function normalizePolicyKey(key: string): string {
  if (INTRINSIC_KEYS.includes(key)) return key;
  const scoped = /^(resource|span)\.(.+)$/s.exec(key);
  if (scoped === null) {
    throw new Error(`key ${JSON.stringify(key)} must be resource.<attribute>, span.<attribute>, name, status or kind`);
  }
  const [, scope, attr] = scoped;
  if (!attr.startsWith('"')) {
    if (/\s/.test(attr)) throw new Error(`attribute names with spaces must be quoted: ${scope}."${attr}"`);
    return key;
  }
  if (attr.length < 2 || !attr.endsWith('"')) {
    throw new Error(`unterminated quoted attribute name in ${JSON.stringify(key)}`);
  }
  const unquoted = attr.slice(1, -1).replace(/\\(["\\])/g, "$1");
  if (unquoted === "") throw new Error(`empty attribute name in ${JSON.stringify(key)}`);
  return `${scope}.${unquoted}`;
}

const policyMatch = strictBlock({
  match_type: oneOf(["strict", "regex"] as const),
  attributes: withDefault(z.array(attribute), []),
}).transform((m, ctx): PolicyMatch => {
  const attributes = m.attributes.map((a, i) => {
    const at = (field: string) => ["attributes", i, field];
    let key = a.key;
    try {
      key = normalizePolicyKey(a.key);
    } catch (e) {
      ctx.addIssue({ code: "custom", message: (e as Error).message, path: at("key") });
    }
    const float = a.value instanceof YamlFloat || (typeof a.value === "number" && !Number.isInteger(a.value));
    let value = a.value instanceof YamlFloat ? a.value.value : a.value;
    // Go's yaml.v2 gives a regex or an intrinsic the scalar as written ("200.0", not "200").
    const written = a.value instanceof YamlFloat ? a.value.source : String(value);
    if (m.match_type === "regex") {
      const translated = translateRe2(written);
      if (translated.ok) value = translated.source;
      else ctx.addIssue({ code: "custom", message: translated.message, path: at("value") });
    } else if (key === "kind" && !SPAN_KINDS.includes(written)) {
      ctx.addIssue({ code: "custom", message: `kind must be one of ${SPAN_KINDS.join(", ")}`, path: at("value") });
    } else if (key === "status" && !STATUS_CODES.includes(written)) {
      ctx.addIssue({ code: "custom", message: `status must be one of ${STATUS_CODES.join(", ")}`, path: at("value") });
    }
    return float && m.match_type === "strict" ? { key, value, float: true } : { key, value };
  });
  return { match_type: m.match_type, attributes };
});

/** One filter policy: at least one of include, include_any, exclude. */
export const filterPolicy = strictBlock({
  include: opt(policyMatch),
  include_any: opt(policyMatch),
  exclude: opt(policyMatch),
}).transform((p, ctx): FilterPolicy => {
  if (p.include === undefined && p.include_any === undefined && p.exclude === undefined) {
    ctx.addIssue({ code: "custom", message: "a filter policy needs at least one of include, include_any, exclude" });
  }
  const out: FilterPolicy = {};
  if (p.include !== undefined) out.include = p.include;
  if (p.include_any !== undefined) out.include_any = p.include_any;
  if (p.exclude !== undefined) out.exclude = p.exclude;
  return out;
});

/** A `filter_policies` list. */
export const filterPolicies = z.array(filterPolicy);
