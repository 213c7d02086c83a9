/**
 * Scalar schemas for Tempo YAML values. Tempo decodes YAML with Go's yaml.v2,
 * which converts by the target field's type; these schemas do the same so a
 * config Tempo accepts is accepted here (e.g. `enabled: yes` is a boolean and
 * `name: 42` is the string "42"), with one clear message per bad value.
 */
import { z } from "zod";
import { DurationError, parseDuration } from "./duration.ts";

/** Short description of a YAML value for error messages. */
export function describeValue(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return `string ${JSON.stringify(v.length > 60 ? v.slice(0, 57) + "..." : v)}`;
  return `${typeof v} ${String(v)}`;
}

/** Thrown by a scalar conversion; becomes a zod issue at the value's path. */
class Reject extends Error {}

/** A schema built from a conversion function that throws `Reject` (or DurationError) with a message. */
function scalar<T>(convert: (v: unknown) => T) {
  return z.unknown().transform((v, ctx): T => {
    if (v === undefined) {
      ctx.addIssue({ code: "custom", message: "is required" });
      return z.NEVER;
    }
    try {
      return convert(v);
    } catch (e) {
      if (!(e instanceof Reject) && !(e instanceof DurationError)) throw e;
      ctx.addIssue({ code: "custom", message: e.message });
      return z.NEVER;
    }
  });
}

// yaml.v2 (YAML 1.1) booleans; YAML 1.2, which the `yaml` package parses, only knows true/false.
const YAML11_BOOLEANS = new Map<string, boolean>();
for (const word of ["y", "yes", "on", "true"]) for (const w of variants(word)) YAML11_BOOLEANS.set(w, true);
for (const word of ["n", "no", "off", "false"]) for (const w of variants(word)) YAML11_BOOLEANS.set(w, false);
function variants(word: string): string[] {
  return [word, word[0].toUpperCase() + word.slice(1), word.toUpperCase()];
}

/** true/false, also the YAML 1.1 spellings yes/no/on/off/y/n that Tempo accepts. */
export const bool = scalar((v) => {
  if (typeof v === "boolean") return v;
  const b = typeof v === "string" ? YAML11_BOOLEANS.get(v) : undefined;
  if (b === undefined) throw new Reject(`expected true or false, got ${describeValue(v)}`);
  return b;
});

/** A string; numbers and booleans are taken as written (Go does the same for string fields). */
export const str = scalar((v) => {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw new Reject(`expected a string, got ${describeValue(v)}`);
});

/** A string that must not be empty. */
export const nonEmptyStr = scalar((v) => {
  if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
    throw new Reject(`expected a string, got ${describeValue(v)}`);
  }
  const s = String(v);
  if (s.trim() === "") throw new Reject("must not be empty");
  return s;
});

/** A finite number (YAML .inf and .nan are rejected). */
export const finiteNumber = scalar((v) => {
  if (typeof v !== "number") throw new Reject(`expected a number, got ${describeValue(v)}`);
  if (!Number.isFinite(v)) throw new Reject(`expected a finite number, got ${String(v)}`);
  return v;
});

/** An integer >= `min`. */
export function intAtLeast(min: number) {
  return scalar((v) => {
    if (typeof v !== "number" || !Number.isInteger(v)) throw new Reject(`expected an integer, got ${describeValue(v)}`);
    if (v < min) throw new Reject(min === 1 ? `must be greater than 0, got ${v}` : `must be >= ${min}, got ${v}`);
    return v;
  });
}

/** A TCP port number (0 lets the OS pick one). */
export const port = scalar((v) => {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 65535) {
    throw new Reject(`expected a port number 0-65535, got ${describeValue(v)}`);
  }
  return v;
});

/** A duration such as "15s" or "1m30s", as milliseconds. */
export const duration = scalar((v) => parseDuration(v));

/** A duration that must be greater than zero, as milliseconds. */
export const positiveDuration = scalar((v) => {
  const ms = parseDuration(v);
  if (ms <= 0) throw new Reject(`must be greater than 0, got ${JSON.stringify(v)}`);
  return ms;
});

/** One of a fixed set of strings. */
export function oneOf<const T extends readonly string[]>(values: T) {
  return scalar((v): T[number] => {
    if (typeof v === "string" && (values as readonly string[]).includes(v)) return v;
    throw new Reject(`expected one of ${values.map((x) => JSON.stringify(x)).join(", ")}, got ${describeValue(v)}`);
  });
}

/** A list of strings. */
export const stringList = z.array(str);

/** A list of non-empty strings (attribute names, dimensions). */
export const nonEmptyStringList = z.array(nonEmptyStr);

/** A string-to-string mapping (headers, labels). */
export const stringMap = z.record(z.string(), str);

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** A size in bytes: an integer, or a number with a unit such as "512MiB" or "2GB". */
export const byteSize = scalar((v) => {
  if (typeof v === "number") {
    if (!Number.isInteger(v) || v < 0) throw new Reject(`expected a whole number of bytes, got ${v}`);
    return v;
  }
  const m = typeof v === "string" ? /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(v) : null;
  const unit = m === null ? undefined : SIZE_UNITS[(m[2] || "b").toLowerCase()];
  if (m === null || unit === undefined) throw new Reject(`expected a size such as "512MiB" or "2GB", got ${describeValue(v)}`);
  return Math.floor(Number(m[1]) * unit);
});
