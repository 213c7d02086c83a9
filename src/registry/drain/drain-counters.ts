/**
 * The sanitizer's self-metrics, counted exactly where Tempo counts them (per
 * span, pkg/drain/metrics.go and the generator's DrainSanitizer), as plain
 * numbers the self-metrics exporter reads.
 */

/** Prometheus' DefBuckets, which Tempo uses for `…_drain_tokens_per_line` (so nearly every line lands in +Inf). */
export const TOKENS_PER_LINE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class DrainCounters {
  /** spans whose name came back changed (`…_spans_sanitized_total`) */
  spansSanitized = 0;
  /** clusters created */
  patternsDetected = 0;
  /** clusters dropped because the cluster cap was reached */
  patternsEvicted = 0;
  /**
   * Clusters dropped for age. Always 0, as in Tempo: its StaleClusterAge is 0,
   * which its cache (otter v2.3) takes as "never expires".
   */
  patternsExpired = 0;
  linesSkippedTooFew = 0;
  linesSkippedTooMany = 0;
  /**
   * `counts[i]` is NON-cumulative: lines with TOKENS_PER_LINE_BUCKETS[i-1] < n ≤ TOKENS_PER_LINE_BUCKETS[i];
   * the last element (index TOKENS_PER_LINE_BUCKETS.length) counts lines above the last bound (+Inf only).
   */
  readonly tokensPerLine = { counts: new Float64Array(TOKENS_PER_LINE_BUCKETS.length + 1), sum: 0, count: 0 };
  /** bucket index per token count, so observing is one array read */
  private readonly bucketOf: Uint8Array;

  constructor(maxTokens: number) {
    this.bucketOf = new Uint8Array(maxTokens + 1);
    for (let n = 0; n <= maxTokens; n++) {
      let b = 0;
      while (b < TOKENS_PER_LINE_BUCKETS.length && n > TOKENS_PER_LINE_BUCKETS[b]) b++;
      this.bucketOf[n] = b;
    }
  }

  /** One line of `n` tokens went through DRAIN (n is within the token bounds). */
  observeTokens(n: number): void {
    const h = this.tokensPerLine;
    h.counts[this.bucketOf[n]]++;
    h.sum += n;
    h.count++;
  }
}
