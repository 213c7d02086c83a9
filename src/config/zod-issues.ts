/**
 * Turns zod's validation issues into redgen's problem lines: one line per bad
 * key, written for someone editing tempo.yaml (`expected a number, got string
 * "x"`, `unknown key (did you mean "collection_interval"?)`), never zod jargon.
 */
import type { z } from "zod";
import type { PathSegment, Problems } from "./config-error.ts";
import type { UnknownKeyParams } from "./schema-blocks.ts";
import { describeValue } from "./schema-scalars.ts";
import { closestKey } from "./closest-key.ts";

/** Adds one problem per zod issue to `problems`, below the key path `base`. */
export function addZodIssues(
  problems: Problems,
  issues: readonly z.core.$ZodIssue[],
  base: readonly PathSegment[] = [],
): void {
  for (const issue of issues) {
    const path = [...base, ...(issue.path as PathSegment[])];
    if (issue.code === "invalid_union") {
      // A union we did not write ourselves; report its first branch's errors.
      const first = issue.errors[0];
      if (first !== undefined && first.length > 0) addZodIssues(problems, first, path);
      else problems.add(path, "invalid value");
      continue;
    }
    problems.add(path, messageFor(issue, path));
  }
}

function messageFor(issue: z.core.$ZodIssue, path: readonly PathSegment[]): string {
  switch (issue.code) {
    case "custom": {
      const params = issue.params as Partial<UnknownKeyParams> | undefined;
      if (params?.unknownKey === true) {
        return unknownKeyMessage(String(path[path.length - 1]), params as UnknownKeyParams);
      }
      return issue.message;
    }
    case "invalid_type":
      return `expected ${article(issue.expected)}, got ${describeValue(issue.input)}`;
    case "too_small":
      if (issue.origin === "array") return issue.minimum === 1 ? "must not be empty" : `needs at least ${issue.minimum} items`;
      if (issue.origin === "string") return "must not be empty";
      return `must be ${issue.inclusive ? ">=" : ">"} ${issue.minimum}`;
    case "too_big":
      return `must be ${issue.inclusive ? "<=" : "<"} ${issue.maximum}`;
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, got ${describeValue(issue.input)}`;
    default:
      return issue.message;
  }
}

function article(expected: string): string {
  if (expected === "object") return "a mapping";
  if (expected === "array") return "a list";
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function unknownKeyMessage(key: string, params: UnknownKeyParams): string {
  const hinted = params.hint?.(key);
  if (hinted !== undefined) return hinted;
  const guess = closestKey(key, params.known);
  return guess === undefined ? "unknown key" : `unknown key (did you mean "${guess}"?)`;
}
