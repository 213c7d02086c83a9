/**
 * Tempo's DRAIN parameters (pkg/drain/config.go DefaultConfig), which Tempo
 * does not let users change. Token counts include the `<END>` token.
 */
export interface DrainConfig {
  /** LogClusterDepth: a cluster's tree path is at most depth − 2 tokens long (after the token-count level) */
  logClusterDepth: number;
  /** a name joins the most similar cluster only if at least this share of its tokens equal the cluster's */
  simTh: number;
  /** a tree node with this many children − 1 sends every further token to its `<_>` child */
  maxChildren: number;
  /** names with fewer tokens are left alone (at least 2: Tempo's one-token special case is not reproduced) */
  minTokens: number;
  /** names with more tokens are left alone (below 127: the name cache stores counts in 7 bits) */
  maxTokens: number;
  maxClusters: number;
  paramString: string;
}

export const DRAIN_DEFAULTS: Readonly<DrainConfig> = {
  logClusterDepth: 30,
  simTh: 0.3,
  maxChildren: 1000,
  minTokens: 3,
  maxTokens: 80,
  maxClusters: 100_000,
  paramString: "<_>",
};
