import type { CardinalityControls } from "./cardinality-controls.ts";
import { type LabelState, OVERFLOW_VALUE } from "./label-limiter.ts";
import type { LabelSet, TrieNode } from "./label-set.ts";
import { type LabelRules, type LabelSource, findOrCreate } from "./label-schema.ts";
import { truncateLabelValue } from "./truncate.ts";

/**
 * A schema with fixed label names, used by processors on the hot path.
 * Before the values are looked up, span_name may be replaced by its DRAIN
 * template and a label over its cardinality limit by the overflow value
 * (spec §8.1 step 3), unless the schema is for an info metric.
 */
export class FixedLabelSchema implements LabelSource {
  /** positions in the value array that survive deduplication, ordered by name */
  private readonly winners: number[];
  /**
   * The winners in the order the trie is walked: first those constant over a
   * ResourceSpans (`resourcePositions`), then the rest. Any fixed order maps
   * the same value tuples to the same sets; this one lets a resource's spans
   * start below the levels their resource already decided (enterResource).
   */
  private readonly order: number[];
  /** how many of `order` are resource-constant (never all of it: the last level holds the sets) */
  private readonly prefixLen: number;
  /** the node under the current resource's constant values, or null (none yet, or not walked) */
  private prefixNode: TrieNode | null = null;
  /** a limited label is among the resource-constant ones: its overflow value bypasses prefixNode */
  private limitedInPrefix = false;
  private readonly names: string[];
  private readonly root: TrieNode = { children: new Map(), parent: null, keyInParent: "", lastKey: undefined, last: undefined };
  /** the value position of span_name, or -1 (never for info schemas) */
  private readonly spanPos: number;
  /** per value position, the per-label limiter's state of its name (null where no winner) */
  private readonly states: (LabelState | null)[];
  /** value positions limited at the limiter's `version` seen last */
  private limited: number[] = [];
  private readonly limitedMask: Uint8Array;
  private seenVersion = -1;
  private readonly scratch: string[];
  /** what the current resolve substituted (substituted values are not truncated again), and the template dry_run only noted */
  private spanSubstituted = false;
  private limitedNow = false;
  private sanitizedName: string | undefined = undefined;
  private readonly controls: CardinalityControls;

  constructor(
    names: readonly string[],
    private readonly rules: LabelRules,
    private readonly info = false,
    /** value positions whose values only change between ResourceSpans */
    resourcePositions: readonly number[] = [],
  ) {
    this.controls = rules.controls;
    this.names = names.map((n) => truncateLabelValue(n, rules.maxNameLength));
    const last = new Map<string, number>();
    for (let i = 0; i < this.names.length; i++) last.set(this.names[i], i);
    const externalNames = new Set<string>();
    for (let i = 0; i < rules.external.length; i += 2) externalNames.add(rules.external[i]);
    this.winners = [...last.entries()]
      .filter(([name]) => !externalNames.has(name))
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([, pos]) => pos);
    const span = this.winners.find((pos) => this.names[pos] === "span_name");
    this.spanPos = info || span === undefined ? -1 : span;
    const prefix = this.winners
      .filter((pos) => resourcePositions.includes(pos) && pos !== this.spanPos)
      .slice(0, Math.max(this.winners.length - 1, 0));
    this.prefixLen = prefix.length;
    this.order = [...prefix, ...this.winners.filter((pos) => !prefix.includes(pos))];
    this.states = this.names.map((n, pos) => (info || !this.winners.includes(pos) ? null : rules.controls.labelLimiter.state(n)));
    this.limitedMask = new Uint8Array(names.length);
    this.scratch = new Array<string>(names.length).fill("");
  }

  /**
   * Walks the resource-constant levels once for a ResourceSpans whose values
   * are in `values`; resolve() then starts each of its spans below them. Until
   * the next call those positions of `values` must not change.
   */
  enterResource(values: readonly string[]): void {
    this.prefixNode = null;
    let node = this.root;
    for (let i = 0; i < this.prefixLen; i++) {
      const next = node.children.get(values[this.order[i]]);
      if (next === undefined) return; // a new resource: its first span builds the path
      node = next as TrieNode;
    }
    if (this.prefixLen > 0) this.prefixNode = node;
  }

  resolve(values: readonly string[]): LabelSet | null {
    const c = this.controls;
    let v = values;
    this.spanSubstituted = false;
    this.limitedNow = false;
    this.sanitizedName = undefined;
    if (!this.info) {
      if (c.sanitizeMode !== "") {
        if (this.spanPos >= 0) v = this.sanitize(v);
        // Tempo runs every non-info label set through DRAIN: without span_name it is an empty line, counted as skipped.
        else (c.sanitizer as NonNullable<CardinalityControls["sanitizer"]>).sanitize("");
      }
      if (c.labelLimiter.active) {
        if (this.seenVersion !== c.labelLimiter.version) this.refreshLimited();
        if (this.limited.length > 0) v = this.limit(v);
      }
    }
    const ls = this.walk(v);
    if (ls !== null && ls.epoch !== c.window.epoch) {
      c.touch(ls, this.info, this.sanitizedName);
    }
    return ls;
  }

  /** Looks the values up in the trie: strings seen before carry their hash, nothing is allocated. */
  private walk(values: readonly string[]): LabelSet | null {
    const w = this.order;
    const last = w.length - 1;
    let node = this.root;
    let i = 0;
    const p = this.prefixNode;
    // an emptied node was detached from the trie by a release (label-set.ts detach)
    if (p !== null && p.children.size > 0 && !(this.limitedNow && this.limitedInPrefix)) {
      node = p;
      i = this.prefixLen;
    }
    for (; i < last; i++) {
      const key = values[w[i]];
      if (node.lastKey === key) {
        node = node.last as TrieNode;
        continue;
      }
      const next = node.children.get(key);
      if (next === undefined) return this.insert(values, node, i);
      node.lastKey = key;
      node.last = next;
      node = next as TrieNode;
    }
    const leafKey = last < 0 ? "" : values[w[last]];
    if (node.lastKey === leafKey) {
      const memo = node.last as LabelSet;
      if (!memo.pruned) return memo;
    }
    const leaf = node.children.get(leafKey) as LabelSet | undefined;
    if (leaf !== undefined) {
      node.lastKey = leafKey;
      node.last = leaf;
    }
    return leaf !== undefined && !leaf.pruned ? leaf : this.insert(values, node, Math.max(last, 0));
  }

  /** Replaces span_name by its cluster's template (enabled) or only notes the template (dry_run). */
  private sanitize(values: readonly string[]): readonly string[] {
    const raw = values[this.spanPos];
    const name = truncateLabelValue(raw, this.rules.maxValueLength);
    const out = (this.controls.sanitizer as NonNullable<CardinalityControls["sanitizer"]>).sanitize(name);
    if (out === name) return values;
    if (this.controls.sanitizeMode !== "enabled") {
      this.sanitizedName = out;
      return values;
    }
    const v = this.copy(values);
    v[this.spanPos] = out;
    this.spanSubstituted = true;
    return v;
  }

  /** Feeds the limited labels' values into their estimates and replaces them by the overflow value. */
  private limit(values: readonly string[]): readonly string[] {
    const v = this.copy(values);
    const limited = this.limited;
    for (let i = 0; i < limited.length; i++) {
      const pos = limited[i];
      const state = this.states[pos] as LabelState;
      const value = truncateLabelValue(v[pos], this.rules.maxValueLength);
      // An empty value removes the label: there is nothing to limit.
      if (value === "") continue;
      state.feed(value);
      state.limited++;
      v[pos] = OVERFLOW_VALUE;
    }
    this.limitedNow = true;
    return v;
  }

  private copy(values: readonly string[]): string[] {
    const s = this.scratch;
    if (values === s) return s;
    for (let i = 0; i < s.length; i++) s[i] = values[i];
    return s;
  }

  private refreshLimited(): void {
    this.seenVersion = this.controls.labelLimiter.version;
    this.limited = [];
    this.limitedMask.fill(0);
    this.limitedInPrefix = false;
    for (let pos = 0; pos < this.states.length; pos++) {
      if (this.states[pos]?.overLimit === true) {
        this.limited.push(pos);
        this.limitedMask[pos] = 1;
        const at = this.order.indexOf(pos);
        if (at >= 0 && at < this.prefixLen) this.limitedInPrefix = true;
      }
    }
  }

  /** Slow path: builds the labels, finds or makes the set, and links it into the trie from `node` at depth `depth`. */
  private insert(values: readonly string[], from: TrieNode, depth: number): LabelSet | null {
    const user: string[] = [];
    for (const pos of this.winners) {
      const verbatim = (pos === this.spanPos && this.spanSubstituted) || (this.limitedNow && this.limitedMask[pos] === 1);
      const v = verbatim ? values[pos] : truncateLabelValue(values[pos], this.rules.maxValueLength);
      if (v === "") continue;
      if (!v.isWellFormed()) return null;
      user.push(this.names[pos], v);
    }
    const ls = findOrCreate(this.rules, user);
    const w = this.order;
    let node = from;
    for (let i = depth; i < w.length - 1; i++) {
      const child: TrieNode = { children: new Map(), parent: node, keyInParent: values[w[i]], lastKey: undefined, last: undefined };
      node.children.set(values[w[i]], child);
      node = child;
    }
    const leafKey = w.length === 0 ? "" : values[w[w.length - 1]];
    node.children.set(leafKey, ls);
    // An alias (another value that truncates the same) is linked but not tracked:
    // releasing the set detaches its first position, and the alias sees `pruned`.
    // A set still tracked by the trie of a schema that was replaced (a rebuilt processor) moves here.
    if (ls.trieParent === null || rootOf(ls.trieParent) !== this.root) {
      ls.trieParent = node;
      ls.trieKey = leafKey;
    }
    return ls;
  }
}


function rootOf(node: TrieNode): TrieNode {
  let n = node;
  while (n.parent !== null) n = n.parent;
  return n;
}
