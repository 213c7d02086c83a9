import type { AnyValue, KeyValue } from "../gen/opentelemetry/proto/common/v1/common_pb.ts";
import { formatFloat } from "../util/format-float.ts";
import { AttrKind, type AttrValue } from "./span-batch.ts";
import { MAX_VALUE_DEPTH, tooDeep } from "./wire-fields.ts";

/**
 * Tempo's string form of an attribute value (spec §4.3): arrays and kvlists
 * concatenate their parts with no separator, doubles use Go's 'f' format,
 * bytes and empty values give "". Values nested deeper than MAX_VALUE_DEPTH
 * are refused, as on the wire path (`depth`: the level of `v`).
 */
export function stringifyAnyValue(v: AnyValue | undefined, depth = 1): string {
  if (v === undefined) return "";
  if (depth > MAX_VALUE_DEPTH) throw tooDeep();
  const x = v.value;
  switch (x.case) {
    case "stringValue":
      return x.value;
    case "boolValue":
      return x.value ? "true" : "false";
    case "intValue":
      return x.value.toString();
    case "doubleValue":
      return formatFloat(x.value);
    case "arrayValue": {
      let s = "[";
      for (const e of x.value.values) s += stringifyAnyValue(e, depth + 1);
      return s + "]";
    }
    case "kvlistValue":
      return "{" + stringifyKeyValues(x.value.values, depth + 1) + "}";
    default:
      return "";
  }
}

function stringifyKeyValues(kvs: KeyValue[], depth: number): string {
  let s = "";
  for (const kv of kvs) s += kv.key + ":" + stringifyAnyValue(kv.value, depth);
  return s;
}

/** The kind tag for a value (see AttrKind). */
export function kindOf(v: AnyValue | undefined): number {
  switch (v?.value.case) {
    case "stringValue":
      return AttrKind.String;
    case "boolValue":
      return AttrKind.Bool;
    case "intValue":
      return AttrKind.Int;
    case "doubleValue":
      return AttrKind.Double;
    case "arrayValue":
      return AttrKind.Array;
    case "kvlistValue":
      return AttrKind.KvList;
    default:
      return AttrKind.Empty;
  }
}

/** The stored value for a kind: booleans and doubles stay typed, the rest are strings. */
export function storedValue(v: AnyValue | undefined): AttrValue {
  const x = v?.value;
  if (x?.case === "boolValue" || x?.case === "doubleValue") return x.value;
  return stringifyAnyValue(v);
}
