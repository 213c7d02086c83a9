/**
 * The populated buckets of one side (positive or negative) of a native
 * histogram, by bucket index. client_golang keeps them in a map; here they
 * are a dense window of counts starting at index `off`, grown as indexes
 * arrive: a latency histogram fills a contiguous run of indexes, so the
 * window is barely larger than the populated count and an observation is an
 * array store. A count of 0 means "no bucket" (a populated bucket never goes
 * back to 0: counts only grow until a reset or a resolution change rebuilds
 * the window).
 */
export class SparseBuckets {
  off = 0;
  counts: Float64Array | null = null;

  /** Adds `n` to bucket `key`; true when that bucket was not populated yet. */
  add(key: number, n: number): boolean {
    let c = this.counts;
    let i = key - this.off;
    if (c === null || i < 0 || i >= c.length) {
      c = this.grow(key);
      i = key - this.off;
    }
    const created = c[i] === 0;
    c[i] += n;
    return created;
  }

  /** Every populated bucket, lowest index first. */
  forEach(fn: (key: number, count: number) => void): void {
    const c = this.counts;
    if (c === null) return;
    for (let i = 0; i < c.length; i++) if (c[i] !== 0) fn(this.off + i, c[i]);
  }

  /** How many buckets are populated. */
  populated(): number {
    const c = this.counts;
    let n = 0;
    if (c !== null) for (let i = 0; i < c.length; i++) if (c[i] !== 0) n++;
    return n;
  }

  clear(): void {
    this.counts = null;
    this.off = 0;
  }

  /**
   * Merges pairs of buckets for the next coarser schema (client_golang's
   * doubleBucketWidth: index k goes to ⌈k/2⌉, i.e. (k+1)/2 for k > 0 and k/2
   * truncated otherwise). Returns how many buckets are populated afterwards.
   */
  halve(): number {
    const c = this.counts;
    if (c === null) return 0;
    const old = this.off;
    this.clear();
    let n = 0;
    for (let i = 0; i < c.length; i++) {
      if (c[i] === 0) continue;
      const k = old + i;
      if (this.add(Math.trunc((k > 0 ? k + 1 : k) / 2), c[i])) n++;
    }
    return n;
  }

  /**
   * Makes the window cover `key`, with 8 spare slots on the side it grew (a
   * latency histogram widens a few buckets at a time; the window stays close
   * to the populated range, which is most of what a series costs).
   */
  private grow(key: number): Float64Array {
    const c = this.counts;
    if (c === null) {
      this.counts = new Float64Array(8);
      this.off = key - 2;
      return this.counts;
    }
    const lo = Math.min(this.off, key);
    const hi = Math.max(this.off + c.length, key + 1);
    const size = hi - lo + 8;
    // Leave the spare room on the side the new index came from.
    const off = key < this.off ? hi - size : lo;
    const next = new Float64Array(size);
    next.set(c, this.off - off);
    this.counts = next;
    this.off = off;
    return next;
  }
}
