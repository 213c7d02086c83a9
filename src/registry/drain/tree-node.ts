import type { LogCluster } from "./log-cluster.ts";

/**
 * A node of DRAIN's prefix tree. The `<_>` child is kept apart from the
 * exact-token children because a lookup always tries it first; Tempo keeps
 * both in one map, so the child count (for MaxChildren) is both together.
 * Only nodes at the end of a path (leaves) hold clusters.
 */
export class TreeNode {
  wildcard: TreeNode | null = null;
  children: Map<string, TreeNode> | null = null;
  clusters: LogCluster[] | null = null;
  /**
   * Bumped whenever the choice among this leaf's clusters may change: a
   * cluster added, or one of them generalised. A cached name→cluster answer
   * is only reused while its leaf's version is unchanged.
   */
  version = 0;

  childCount(): number {
    return (this.children === null ? 0 : this.children.size) + (this.wildcard === null ? 0 : 1);
  }

  /** The child a lookup takes: `<_>` if there is one, else the exact token. */
  step(token: string): TreeNode | undefined {
    return this.wildcard ?? this.children?.get(token);
  }

  /** Nodes in this subtree (itself included) and the cluster references they hold, dead ones included. */
  census(into: { nodes: number; clusterRefs: number }): void {
    into.nodes++;
    into.clusterRefs += this.clusters === null ? 0 : this.clusters.length;
    this.wildcard?.census(into);
    if (this.children !== null) for (const child of this.children.values()) child.census(into);
  }

  /**
   * Tempo's Prune for this subtree: forgets evicted clusters and children
   * left empty. Returns how many children and clusters remain.
   */
  prune(): number {
    if (this.wildcard !== null && this.wildcard.prune() === 0) this.wildcard = null;
    if (this.children !== null) {
      for (const [key, child] of this.children) if (child.prune() === 0) this.children.delete(key);
    }
    const cs = this.clusters;
    if (cs !== null) {
      let kept = 0;
      for (let i = 0; i < cs.length; i++) if (cs[i].alive) cs[kept++] = cs[i];
      cs.length = kept;
    }
    return this.childCount() + (cs === null ? 0 : cs.length);
  }
}
