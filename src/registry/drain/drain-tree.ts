import { ClusterCache } from "./cluster-cache.ts";
import { isLikelyData } from "./data-heuristic.ts";
import type { DrainConfig } from "./drain-config.ts";
import type { DrainCounters } from "./drain-counters.ts";
import { LogCluster } from "./log-cluster.ts";
import { TreeNode } from "./tree-node.ts";

/**
 * DRAIN's prefix tree and clusters (pkg/drain/drain.go). The first level is
 * the token count; below it each level is one token of the name, up to
 * LogClusterDepth − 2 levels, where a leaf lists the clusters of that path.
 * A lookup follows the `<_>` child wherever there is one, else the exact
 * token; a new cluster's path uses `<_>` for tokens that look like data and
 * below nodes that are full. At the leaf the most similar cluster wins (ties:
 * the one with more parameters, then the first), if at least SimTh similar.
 *
 * Names are the caller's business: `train` takes tokens whose count is within
 * the config's bounds.
 */
export class DrainTree {
  /** first level, by token count */
  private readonly byCount: (TreeNode | undefined)[] = [];
  /**
   * Per token count, bumped when a `<_>` node appears in that subtree: a
   * lookup that went to an exact child there may now go to the `<_>` one.
   */
  readonly wildcardEpoch: Int32Array;
  private readonly cache: ClusterCache;
  private readonly maxNodeDepth: number;
  /** whether the last `train` made a new cluster */
  lastWasNew = false;

  constructor(
    private readonly config: DrainConfig,
    private readonly counters: DrainCounters,
  ) {
    this.maxNodeDepth = Math.max(config.logClusterDepth, 3) - 2;
    this.wildcardEpoch = new Int32Array(config.maxTokens + 1);
    this.cache = new ClusterCache(config.maxClusters, counters);
  }

  get liveClusters(): number {
    return this.cache.size;
  }

  clusters(): readonly LogCluster[] {
    return this.cache.values();
  }

  /** Tempo's Train after its token bounds: join the best cluster (generalising it) or start a new one. */
  train(tokens: readonly string[], n: number, line: string): LogCluster {
    const found = this.lookup(tokens, n);
    if (found !== null) {
      this.lastWasNew = false;
      if (found.ingest(tokens)) found.leaf.changed();
      found.referenced = true;
      return found;
    }
    this.lastWasNew = true;
    const leaf = this.leafFor(tokens, n);
    const cluster = new LogCluster(tokens.slice(0, n), line, leaf, this.config.paramString);
    leaf.addCluster(cluster);
    this.counters.patternsDetected++;
    this.cache.add(cluster);
    return cluster;
  }

  /** The live cluster a name with these tokens belongs to now, or null. */
  lookup(tokens: readonly string[], n: number): LogCluster | null {
    const first = this.byCount[n];
    if (first === undefined) return null;
    let node: TreeNode = first;
    const steps = Math.min(this.maxNodeDepth, n) - 1;
    for (let i = 0; i < steps; i++) {
      const next: TreeNode | undefined = node.step(tokens[i]);
      if (next === undefined) return null;
      node = next;
    }
    const cs = node.clusters;
    if (cs === null) return null;
    let best: LogCluster | null = null;
    let bestSim = -1;
    let bestParams = -1;
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i];
      if (c === null) continue;
      const sim = c.similarity(tokens);
      if (sim > bestSim || (sim === bestSim && c.params > bestParams)) {
        best = c;
        bestSim = sim;
        bestParams = c.params;
      }
    }
    return bestSim < this.config.simTh ? null : best;
  }

  /** The leaf of a new cluster's path, creating the nodes on the way. */
  private leafFor(tokens: readonly string[], n: number): TreeNode {
    const { paramString, maxChildren } = this.config;
    let node: TreeNode = this.byCount[n] ?? (this.byCount[n] = new TreeNode());
    const steps = Math.min(this.maxNodeDepth, n) - 1;
    for (let i = 0; i < steps; i++) {
      let key = tokens[i];
      if (isLikelyData(key) || node.childCount() + 1 >= maxChildren) key = paramString;
      if (key === paramString) {
        if (node.wildcard === null) {
          node.wildcard = new TreeNode();
          this.wildcardEpoch[n] = (this.wildcardEpoch[n] + 1) | 0;
        }
        node = node.wildcard;
        continue;
      }
      let next = node.child(key);
      if (next === undefined) {
        next = new TreeNode();
        node.addChild(key, next);
      }
      node = next;
    }
    return node;
  }

  /** The tree's size: nodes (below the token-count level's array), leaf entries (those of evicted clusters until prune), clusters held. */
  census(): { nodes: number; entries: number; clusters: number } {
    const into = { nodes: 0, entries: 0, clusters: 0 };
    for (const node of this.byCount) node?.census(into);
    return into;
  }

  /** Tempo's Prune: the tree forgets evicted clusters and the branches they leave empty. */
  prune(): void {
    for (let n = 0; n < this.byCount.length; n++) {
      const node = this.byCount[n];
      if (node !== undefined && node.prune() === 0) this.byCount[n] = undefined;
    }
  }
}
