/**
 * Building blocks for Tempo's YAML mappings: strict objects whose unknown keys
 * fail with the key's own path (and a "did you mean" hint), null handling that
 * matches how people write YAML (`grpc:` with no value means "present, with
 * defaults"), and markers for keys redgen accepts but does not use.
 */
import { z } from "zod";
import { closestKey } from "./closest-key.ts";
import { IgnoredSetting } from "./parse-notes.ts";

/** The standard warning for an accepted-but-ignored key, with an optional reason. */
export function ignoredBecause(reason?: string): (path: string) => string {
  return (path) => `${path} is accepted and ignored by redgen${reason === undefined ? "" : ` (${reason})`}`;
}

/** Parameters carried by an unknown-key issue, read by the issue formatter. */
export interface UnknownKeyParams {
  unknownKey: true;
  known: readonly string[];
  /** A specific message for some unknown keys (e.g. legacy override names). */
  hint?: (key: string) => string | undefined;
}

const nullToUndefined = (v: unknown): unknown => (v === null ? undefined : v);
const nullToEmpty = (v: unknown): unknown => (v === null ? {} : v);

/**
 * A mapping with exactly the keys in `shape`. Unknown keys are reported one by
 * one at their own path (zod's `.strict()` reports them on the parent instead).
 */
export function strictBlock<T extends z.core.$ZodLooseShape>(
  shape: T,
  options: { hint?: (key: string) => string | undefined } = {},
) {
  const params: UnknownKeyParams = { unknownKey: true, known: Object.keys(shape), hint: options.hint };
  const unknownKey = z.unknown().superRefine((_v, ctx) => {
    ctx.addIssue({ code: "custom", message: "unknown key", params });
  });
  // The catchall only ever fails, so the parsed value has exactly the shape's
  // keys; the cast gives it the type a strict object would have.
  return z.object(shape).catchall(unknownKey) as unknown as z.ZodObject<T, z.core.$strict>;
}

/** A mapping whose unknown keys are accepted, each producing a warning from `describe` (plus a "did you mean"). */
export function openBlock<T extends z.core.$ZodLooseShape>(shape: T, describe: (path: string) => string) {
  const known = Object.keys(shape);
  const withGuess = (path: string, key: string) => {
    const guess = closestKey(key, known);
    return guess === undefined ? describe(path) : `${describe(path)}; did you mean "${guess}"?`;
  };
  const extra = z.unknown().transform(() => new IgnoredSetting(withGuess));
  return z.object(shape).catchall(extra) as unknown as z.ZodObject<T, z.core.$strict>;
}

/** A sub-block that is always there: missing or null means "all defaults". */
export function block<S extends z.ZodType>(schema: S) {
  return z.preprocess((v) => v ?? {}, schema);
}

/** A sub-block whose presence matters: missing stays undefined, null means "present, all defaults". */
export function optionalBlock<S extends z.ZodType>(schema: S) {
  return z.preprocess(nullToEmpty, schema.optional());
}

/** An optional value; null counts as not set (Go would leave the zero value). */
export function opt<S extends z.ZodType>(schema: S) {
  return z.preprocess(nullToUndefined, schema.optional());
}

/** A value with a default written the way Tempo's docs write it (e.g. "15s"), parsed like user input. */
export function withDefault<S extends z.ZodType>(schema: S, fallback: unknown) {
  return z.preprocess((v) => (v === null || v === undefined ? fallback : v), schema);
}

/**
 * A key accepted for compatibility but not used; validated with `schema`, then
 * reported as a warning, unless it is set to `quietValue` (the value redgen
 * behaves as, e.g. Tempo's default) so copied default configs stay quiet.
 */
export function ignored(
  schema: z.ZodType = z.unknown(),
  describe: (path: string) => string = ignoredBecause(),
  quietValue?: unknown,
) {
  return opt(schema).transform((v) => {
    if (v === undefined) return undefined;
    if (quietValue !== undefined && JSON.stringify(v) === JSON.stringify(quietValue)) return undefined;
    return new IgnoredSetting(describe);
  });
}

/** Makes every schema of `schemas` an ignored key (validated, then warned about). */
export function ignoreAll<T extends Record<string, z.ZodType | undefined>>(
  schemas: T,
  describe?: (path: string) => string,
): { [K in keyof T]: ReturnType<typeof ignored> } {
  const shape: Record<string, ReturnType<typeof ignored>> = {};
  for (const [key, schema] of Object.entries(schemas)) shape[key] = ignored(schema, describe);
  return shape as { [K in keyof T]: ReturnType<typeof ignored> };
}

/** True when a value actually asks for something (not null, false, "", 0, [] or an empty mapping). */
export function isMeaningful(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === "" || v === 0) return false;
  if (Array.isArray(v)) return v.some(isMeaningful);
  if (typeof v === "object") return Object.values(v).some(isMeaningful);
  return true;
}

/** A key redgen cannot honour: setting it to anything meaningful fails with `why`. */
export function unsupported(why: string) {
  return z
    .unknown()
    .superRefine((v, ctx) => {
      if (isMeaningful(v)) ctx.addIssue({ code: "custom", message: why });
    })
    .optional()
    .transform(() => undefined);
}
