import type { TreeNode } from "./tree-node.ts";

/**
 * One DRAIN cluster (pkg/drain/log_cluster.go): a token sequence where the
 * positions that differed between its names are the parameter string. Its
 * template is what every name of the cluster is reported as.
 */
export class LogCluster {
  /** false once evicted from the cluster cache */
  alive = true;
  /** CLOCK's second chance: set on use, cleared when the eviction hand passes */
  referenced = false;
  /** how many tokens are the parameter string (Tempo counts them per comparison; they only change here) */
  params = 0;
  /** its position in its leaf's list */
  indexInLeaf = 0;

  constructor(
    /** its own copy, `<END>` last */
    readonly tokens: string[],
    /** the tokens joined without `<END>`; for a new cluster the name itself */
    public template: string,
    /** the tree leaf that lists it */
    readonly leaf: TreeNode,
    private readonly paramString: string,
  ) {}

  /**
   * Share of positions where the cluster holds exactly the name's token
   * (parameters do not count as similar). Same token count assumed.
   */
  similarity(tokens: readonly string[]): number {
    const own = this.tokens;
    let similar = 0;
    for (let i = 0; i < own.length; i++) if (own[i] === tokens[i]) similar++;
    return similar / own.length;
  }

  /** Adds a name: every position that differs becomes a parameter. Returns whether the template changed. */
  ingest(tokens: readonly string[]): boolean {
    const own = this.tokens;
    const p = this.paramString;
    let changed = false;
    for (let i = 0; i < own.length; i++) {
      if (own[i] !== tokens[i] && own[i] !== p) {
        own[i] = p;
        this.params++;
        changed = true;
      }
    }
    if (changed) {
      let s = "";
      for (let i = 0; i < own.length - 1; i++) s += own[i];
      this.template = s;
    }
    return changed;
  }
}
