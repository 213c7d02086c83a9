import { DRAIN_DEFAULTS, type DrainConfig } from "./drain/drain-config.ts";
import { DrainCounters } from "./drain/drain-counters.ts";
import { DrainTree } from "./drain/drain-tree.ts";
import { tokenize } from "./drain/line-tokenizer.ts";
import { COUNT_MASK, LEAF_VERSION, META, NameCache, SANITIZED, STRIDE, TOO_MANY, WILDCARD_EPOCH } from "./drain/name-cache.ts";

export { TOKENS_PER_LINE_BUCKETS } from "./drain/drain-counters.ts";

/**
 * `span_name_sanitization`: Tempo's DRAIN clustering of span names (spec
 * §8.1 step 3), one instance per tenant. A name maps to its cluster's
 * current template, with the tokens that varied replaced by `<_>`.
 *
 * Tempo runs DRAIN on every span. Here a cache of raw names answers repeats
 * with the cluster found before, and the answer is the same as Tempo's: the
 * cached cluster is reused only while nothing has happened that could make a
 * fresh lookup choose differently —
 * - the cluster is still live (else: evicted, train again);
 * - its leaf's version is unchanged (no cluster added there, none generalised:
 *   either could change which cluster is most similar, or push the cached one
 *   below the similarity threshold);
 * - no `<_>` node appeared among names of its token count (a lookup takes
 *   `<_>` before the exact token, so the name could now be routed elsewhere).
 * Otherwise the name is trained again, exactly as Tempo does for every span.
 * A name whose new cluster its own lookup cannot reach (its path took an
 * exact child next to an existing `<_>` one) is never cached: Tempo makes a
 * new cluster for each such span, and so does this.
 * Without these checks a cached name would keep its first cluster while Tempo
 * moves it elsewhere (measured on realistic streams: see the README of
 * test/fixtures/drain).
 */
export class SpanNameSanitizer {
  readonly counters: DrainCounters;
  private readonly config: DrainConfig;
  private readonly tree: DrainTree;
  /** the tree's wildcard epochs by token count, read on every cache hit */
  private readonly epochs: Int32Array;
  private readonly cache: NameCache;
  private readonly tokens: string[] = [];

  constructor(opts: { maxClusters?: number; cacheSize?: number } = {}) {
    this.config = { ...DRAIN_DEFAULTS, maxClusters: opts.maxClusters ?? DRAIN_DEFAULTS.maxClusters };
    if (this.config.maxTokens >= TOO_MANY) throw new Error("maxTokens must stay below 127");
    this.counters = new DrainCounters(this.config.maxTokens);
    this.tree = new DrainTree(this.config, this.counters);
    this.epochs = this.tree.wildcardEpoch;
    this.cache = new NameCache(opts.cacheSize ?? 100_000);
  }

  /**
   * The span_name to use: the template of the name's cluster, or `name`
   * itself when DRAIN skips it (too few / too many tokens) or has not
   * generalised its cluster yet. `name` is already truncated.
   */
  sanitize(name: string): string {
    const cache = this.cache;
    const slot = cache.index.get(name);
    if (slot === undefined) return this.train(cache.claim(name), name);
    // Fast path: a name seen before whose answer is still what Tempo would give.
    const c = cache.cluster[slot];
    const state = cache.state;
    const base = slot * STRIDE;
    const meta = state[base + META];
    if (c !== null) {
      if (c.alive && c.leaf.version === state[base + LEAF_VERSION] && this.epochs[meta & COUNT_MASK] === state[base + WILDCARD_EPOCH]) {
        c.referenced = true;
        this.counters.observeTokens(meta & COUNT_MASK);
        if ((meta & SANITIZED) !== 0) this.counters.spansSanitized++;
        return c.template;
      }
    } else if ((meta & COUNT_MASK) < this.config.minTokens) {
      this.counters.linesSkippedTooFew++;
      return name;
    } else if (meta === TOO_MANY) {
      this.counters.linesSkippedTooMany++;
      return name;
    }
    return this.train(slot, name);
  }

  /** Every 5 minutes (Tempo's Prune): the tree and the name cache forget evicted clusters. */
  prune(): void {
    this.tree.prune();
    this.cache.forgetDead();
  }

  /** Live clusters. */
  get clusters(): number {
    return this.tree.liveClusters;
  }

  /** Raw names in the cache. */
  get cachedNames(): number {
    return this.cache.index.size;
  }

  /** The slow path, Tempo's per-span work: tokenize, check the bounds, train; then remember the answer in `slot`. */
  private train(slot: number, name: string): string {
    const cache = this.cache;
    const base = slot * STRIDE;
    const tokens = this.tokens;
    const n = tokenize(name, tokens);
    cache.cluster[slot] = null;
    if (n < this.config.minTokens) {
      cache.state[base + META] = n;
      this.counters.linesSkippedTooFew++;
      return name;
    }
    if (n > this.config.maxTokens) {
      cache.state[base + META] = TOO_MANY;
      this.counters.linesSkippedTooMany++;
      return name;
    }
    this.counters.observeTokens(n);
    const tree = this.tree;
    const c = tree.train(tokens, n, name);
    const sanitized = c.template !== name;
    if (sanitized) this.counters.spansSanitized++;
    cache.state[base + META] = n | (sanitized ? SANITIZED : 0);
    // A found cluster stays the lookup's answer after absorbing the name (its similarity to it is unchanged
    // and its parameter count can only grow); a new one is the answer only if the lookup reaches it.
    if (!tree.lastWasNew || tree.lookup(tokens, n) === c) {
      cache.cluster[slot] = c;
      cache.state[base + LEAF_VERSION] = c.leaf.version;
      cache.state[base + WILDCARD_EPOCH] = tree.wildcardEpoch[n];
    }
    return c.template;
  }
}
