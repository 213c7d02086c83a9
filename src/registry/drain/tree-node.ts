import type { LogCluster } from "./log-cluster.ts";

/**
 * A node of DRAIN's prefix tree. The `<_>` child is kept apart from the
 * exact-token children because a lookup always tries it first; Tempo keeps
 * both in one map, so the child count (for MaxChildren) is both together.
 * Most nodes have a single child (the path of one name family below the
 * point where it branched off), so the first exact child is held inline and
 * a Map is made only for the second. Only nodes at the end of a path
 * (leaves) hold clusters.
 */
export class TreeNode {
  wildcard: TreeNode | null = null;
  firstKey: string | null = null;
  firstChild: TreeNode | null = null;
  more: Map<string, TreeNode> | null = null;
  /**
   * In order of creation (the order decides ties). An evicted cluster's entry
   * becomes null at once, so the object can go; prune then drops the entry.
   * (Tempo keeps cluster ids here and drops those of evicted clusters at
   * prune: 8 bytes per entry either way. A name whose own cluster its lookup
   * cannot reach adds one entry per span until then, in Tempo as here.)
   */
  clusters: (LogCluster | null)[] | null = null;
  /**
   * Bumped whenever the choice among this leaf's clusters may change: a
   * cluster added, or one of them generalised. A cached name→cluster answer
   * is only reused while its leaf's version is unchanged.
   */
  version = 0;

  childCount(): number {
    return (this.firstKey === null ? 0 : 1) + (this.more === null ? 0 : this.more.size) + (this.wildcard === null ? 0 : 1);
  }

  /** The exact-token child for `token`. */
  child(token: string): TreeNode | undefined {
    if (this.firstKey === token) return this.firstChild as TreeNode;
    return this.more === null ? undefined : this.more.get(token);
  }

  /** The child a lookup takes: `<_>` if there is one, else the exact token. */
  step(token: string): TreeNode | undefined {
    return this.wildcard ?? this.child(token);
  }

  addChild(token: string, node: TreeNode): void {
    if (this.firstKey === null) {
      this.firstKey = token;
      this.firstChild = node;
    } else {
      (this.more ??= new Map()).set(token, node);
    }
  }

  /** Adds a cluster to this leaf. */
  addCluster(cluster: LogCluster): void {
    const cs = (this.clusters ??= []);
    cluster.indexInLeaf = cs.length;
    cs.push(cluster);
    this.changed();
  }

  /** A cluster was added or generalised: cached answers of this leaf's names must be checked again. */
  changed(): void {
    this.version = (this.version + 1) | 0;
  }

  /** Nodes in this subtree (itself included), their cluster entries (cleared ones included) and the clusters they hold. */
  census(into: { nodes: number; entries: number; clusters: number }): void {
    into.nodes++;
    const cs = this.clusters;
    if (cs !== null) {
      into.entries += cs.length;
      for (let i = 0; i < cs.length; i++) if (cs[i] !== null) into.clusters++;
    }
    this.wildcard?.census(into);
    this.firstChild?.census(into);
    if (this.more !== null) for (const child of this.more.values()) child.census(into);
  }

  /**
   * Tempo's Prune for this subtree: forgets evicted clusters and children
   * left empty. Returns how many children and clusters remain.
   */
  prune(): number {
    if (this.wildcard !== null && this.wildcard.prune() === 0) this.wildcard = null;
    if (this.firstChild !== null && this.firstChild.prune() === 0) {
      this.firstKey = null;
      this.firstChild = null;
    }
    if (this.more !== null) {
      for (const [key, child] of this.more) if (child.prune() === 0) this.more.delete(key);
      if (this.more.size === 0) this.more = null;
    }
    const cs = this.clusters;
    if (cs !== null) {
      let kept = 0;
      for (let i = 0; i < cs.length; i++) {
        const c = cs[i];
        if (c === null) continue;
        c.indexInLeaf = kept;
        cs[kept++] = c;
      }
      cs.length = kept;
    }
    return this.childCount() + (cs === null ? 0 : cs.length);
  }
}
