import type { CardinalityControls } from "./cardinality-controls.ts";
import { type LabelSet, LabelSet as LabelSetClass } from "./label-set.ts";
import { truncateLabelValue } from "./truncate.ts";

/**
 * Turns label values into a LabelSet (spec §8.1): names are fixed per schema,
 * later duplicates win, empty values remove the label, external labels
 * override same-named user labels, and every value must be well-formed UTF-8.
 */
export interface LabelSource {
  /** The label set for these values, created on first sight; null when a value is not valid UTF-8. */
  resolve(values: readonly string[]): LabelSet | null;
}

/** What all label sources of one registry share. */
export interface LabelRules {
  /** flat sorted [name, value, …] external labels, applied last */
  external: readonly string[];
  maxNameLength: number;
  maxValueLength: number;
  /** every live label set by its key: values that truncate alike share one set */
  readonly byKey: Map<string, LabelSet>;
  /** span-name sanitizing, per-label limits and demand estimates */
  readonly controls: CardinalityControls;
}

/**
 * A schema whose names vary per call (info metrics such as target_info):
 * values are flat [name, value, …] pairs in the order they were added.
 * Resolving builds the label text every time, which is fine once per resource.
 */
export class PairLabelSchema implements LabelSource {
  constructor(private readonly rules: LabelRules) {}

  resolve(pairs: readonly string[]): LabelSet | null {
    const last = new Map<string, string>();
    for (let i = 0; i < pairs.length; i += 2) last.set(truncateLabelValue(pairs[i], this.rules.maxNameLength), pairs[i + 1]);
    for (let i = 0; i < this.rules.external.length; i += 2) last.delete(this.rules.external[i]);
    const user: string[] = [];
    for (const n of [...last.keys()].sort()) {
      const v = truncateLabelValue(last.get(n) as string, this.rules.maxValueLength);
      if (v === "" || n === "") continue;
      if (!v.isWellFormed()) return null;
      user.push(n, v);
    }
    const ls = findOrCreate(this.rules, user);
    this.revisit(ls);
    return ls;
  }

  /** What resolve() does for a set the caller found again by itself: it feeds the demand estimates once per slice. */
  revisit(ls: LabelSet): void {
    if (ls.epoch !== this.rules.controls.window.epoch) this.rules.controls.touch(ls, true, undefined);
  }
}


/** The registry's label set for these user labels (sorted pairs), made once. */
export function findOrCreate(rules: LabelRules, user: string[]): LabelSet {
  const key = keyOf(user);
  let ls = rules.byKey.get(key);
  if (ls === undefined) {
    ls = new LabelSetClass(key, mergeSorted(user, rules.external));
    rules.byKey.set(key, ls);
  }
  return ls;
}

/** An injective text for sorted pairs: each part is length-prefixed. */
export function keyOf(pairs: readonly string[]): string {
  let k = "";
  for (const p of pairs) k += `${p.length}:${p}`;
  return k;
}

/** Merges two flat sorted pair lists (names are disjoint). */
export function mergeSorted(a: readonly string[], b: readonly string[]): string[] {
  const out: string[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) {
      out[k++] = a[i++];
      out[k++] = a[i++];
    } else {
      out[k++] = b[j++];
      out[k++] = b[j++];
    }
  }
  return out;
}
