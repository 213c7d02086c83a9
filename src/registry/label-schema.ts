import { truncateLabelValue } from "./truncate.ts";

/**
 * Turns label values into a series key and, for new series only, into the
 * final label list (spec §8.1): names are fixed per schema, later duplicates
 * win, empty values remove the label, external labels override same-named
 * user labels, and every value must be well-formed UTF-8.
 */
export interface LabelSource {
  /** The series key for these values (equal keys ⇔ equal final labels). */
  key(values: readonly string[]): string;
  /** Flat sorted [name, value, …] pairs including external labels, or null when a value is not valid UTF-8. */
  labels(values: readonly string[]): string[] | null;
}

/** Options shared by all label sources of one registry. */
export interface LabelRules {
  /** flat sorted [name, value, …] external labels, applied last */
  external: readonly string[];
  maxNameLength: number;
  maxValueLength: number;
}

// Separator and escape for series keys: values may contain anything, so the
// two code units used for framing are escaped inside values (rare, checked cheaply).
const SEP = "\u0000";
const ESC = /[\u0000\u0001]/g;

function keyPart(v: string): string {
  return v.indexOf(SEP) === -1 && v.indexOf("\u0001") === -1 ? v : v.replace(ESC, (c) => "\u0001" + c);
}

/** A schema with fixed label names, used by processors on the hot path. */
export class FixedLabelSchema implements LabelSource {
  /** positions in the value array that survive deduplication, ordered by name */
  private readonly winners: number[];
  private readonly names: string[];

  constructor(
    names: readonly string[],
    private readonly rules: LabelRules,
  ) {
    this.names = names.map((n) => truncateLabelValue(n, rules.maxNameLength));
    const last = new Map<string, number>();
    for (let i = 0; i < this.names.length; i++) last.set(this.names[i], i);
    const externalNames = new Set<string>();
    for (let i = 0; i < rules.external.length; i += 2) externalNames.add(rules.external[i]);
    this.winners = [...last.entries()]
      .filter(([name]) => !externalNames.has(name))
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([, pos]) => pos);
  }

  key(values: readonly string[]): string {
    const w = this.winners;
    const max = this.rules.maxValueLength;
    let key = "";
    for (let i = 0; i < w.length; i++) {
      let v = values[w[i]];
      if (v.length * 3 > max) v = truncateLabelValue(v, max);
      key += keyPart(v) + SEP;
    }
    return key;
  }

  labels(values: readonly string[]): string[] | null {
    const user: string[] = [];
    for (const pos of this.winners) {
      const v = truncateLabelValue(values[pos], this.rules.maxValueLength);
      if (v === "") continue;
      if (!v.isWellFormed()) return null;
      user.push(this.names[pos], v);
    }
    return mergeSorted(user, this.rules.external);
  }
}

/**
 * A schema whose names vary per call (info metrics such as target_info):
 * values are flat [name, value, …] pairs in the order they were added.
 */
export class PairLabelSchema implements LabelSource {
  constructor(private readonly rules: LabelRules) {}

  key(pairs: readonly string[]): string {
    const user = this.dedupe(pairs);
    let key = "";
    for (let i = 0; i < user.length; i++) key += keyPart(user[i]) + SEP;
    return key;
  }

  labels(pairs: readonly string[]): string[] | null {
    const user = this.dedupe(pairs);
    for (let i = 0; i < user.length; i++) if (!user[i].isWellFormed()) return null;
    return mergeSorted(user, this.rules.external);
  }

  /** Sorted, last-wins, empties and external names removed, truncated. */
  private dedupe(pairs: readonly string[]): string[] {
    const last = new Map<string, string>();
    for (let i = 0; i < pairs.length; i += 2) {
      last.set(truncateLabelValue(pairs[i], this.rules.maxNameLength), pairs[i + 1]);
    }
    for (let i = 0; i < this.rules.external.length; i += 2) last.delete(this.rules.external[i]);
    const names = [...last.keys()].sort();
    const out: string[] = [];
    for (const n of names) {
      const v = truncateLabelValue(last.get(n) as string, this.rules.maxValueLength);
      if (v !== "" && n !== "") out.push(n, v);
    }
    return out;
  }
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
