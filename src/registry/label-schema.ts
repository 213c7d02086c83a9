import { type LabelSet, LabelSet as LabelSetClass, type TrieNode } from "./label-set.ts";
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
}

/** A schema with fixed label names, used by processors on the hot path. */
export class FixedLabelSchema implements LabelSource {
  /** positions in the value array that survive deduplication, ordered by name */
  private readonly winners: number[];
  private readonly names: string[];
  private readonly root: TrieNode = { children: new Map(), parent: null, keyInParent: "" };

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

  resolve(values: readonly string[]): LabelSet | null {
    // Walk the trie by the winning values: strings seen before carry their hash, nothing is allocated.
    const w = this.winners;
    const last = w.length - 1;
    let node = this.root;
    for (let i = 0; i < last; i++) {
      const next = node.children.get(values[w[i]]);
      if (next === undefined) return this.insert(values, node, i);
      node = next as TrieNode;
    }
    const leaf = node.children.get(last < 0 ? "" : values[w[last]]) as LabelSet | undefined;
    return leaf !== undefined && !leaf.pruned ? leaf : this.insert(values, node, Math.max(last, 0));
  }

  /** Slow path: builds the labels, finds or makes the set, and links it into the trie from `node` at depth `depth`. */
  private insert(values: readonly string[], from: TrieNode, depth: number): LabelSet | null {
    const user: string[] = [];
    for (const pos of this.winners) {
      const v = truncateLabelValue(values[pos], this.rules.maxValueLength);
      if (v === "") continue;
      if (!v.isWellFormed()) return null;
      user.push(this.names[pos], v);
    }
    const ls = findOrCreate(this.rules, user);
    const w = this.winners;
    let node = from;
    for (let i = depth; i < w.length - 1; i++) {
      const child: TrieNode = { children: new Map(), parent: node, keyInParent: values[w[i]] };
      node.children.set(values[w[i]], child);
      node = child;
    }
    const leafKey = w.length === 0 ? "" : values[w[w.length - 1]];
    node.children.set(leafKey, ls);
    // An alias (another value that truncates the same) is linked but not tracked:
    // releasing the set detaches its first position, and the alias sees `pruned`.
    if (ls.trieParent === null) {
      ls.trieParent = node;
      ls.trieKey = leafKey;
    }
    return ls;
  }
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
    return findOrCreate(this.rules, user);
  }
}

/** The registry's label set for these user labels (sorted pairs), made once. */
function findOrCreate(rules: LabelRules, user: string[]): LabelSet {
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
