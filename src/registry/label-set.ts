/** A node of a schema's value trie: children by label value, or the label set at the end. */
export interface TrieNode {
  readonly children: Map<string, TrieNode | LabelSet>;
  readonly parent: TrieNode | null;
  readonly keyInParent: string;
  /** the child found last and its key: consecutive spans often take the same branch */
  lastKey: string | undefined;
  last: TrieNode | LabelSet | undefined;
}

/**
 * One distinct final label set (after truncation, deduplication and external
 * labels) and the series every metric keeps for it. Processors resolve their
 * label values to a LabelSet once per span and hand it to each metric, so a
 * span costs one trie walk over values instead of building and hashing a key.
 */
export class LabelSet {
  /** series by metric slot; undefined where that metric has none (yet, or any more) */
  readonly series: unknown[] = [];
  /** how many metrics hold a live series here; at 0 the set is pruned */
  live = 0;
  /** where the schema's trie holds this set (null for pair-schema sets) */
  trieParent: TrieNode | null = null;
  trieKey = "";
  /** released: no longer findable; a later resolve makes a new set */
  pruned = false;
  /** the demand window's slice this set last fed the estimates in (cardinality-controls.ts) */
  epoch = 0;
  /** the checkpoint capture that last listed this set (PointInTime.gen), and its place in that capture's table */
  snapGen = 0;
  snapIndex = 0;
  /** 64-bit hash of `key` as two halves, the identity demand estimates count */
  readonly hashHi: number;
  readonly hashLo: number;

  constructor(
    /** the final labels joined (tombstones and aliasing use it) */
    readonly key: string,
    /** flat sorted [name, value, …] pairs, external labels included */
    readonly labels: string[],
  ) {
    const h = Bun.hash.xxHash64(key);
    this.hashHi = Number(h >> 32n);
    this.hashLo = Number(h & 0xffffffffn);
  }
}

/** Removes a pruned label set from its trie, and every node left empty above it. */
export function detach(ls: LabelSet): void {
  let node = ls.trieParent;
  let key = ls.trieKey;
  while (node !== null) {
    node.children.delete(key);
    node.lastKey = undefined;
    node.last = undefined;
    if (node.children.size > 0 || node.parent === null) break;
    key = node.keyInParent;
    node = node.parent;
  }
  ls.trieParent = null;
  ls.pruned = true;
}
