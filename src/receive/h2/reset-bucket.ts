/**
 * Streams a client may reset, as a token bucket (nghttp2's defaults): a
 * burst of 1,000, then 33 a second. Opening and at once resetting streams
 * costs a server more than the client ("rapid reset", CVE-2023-44487).
 */
export class ResetBucket {
  private tokens: number;
  private refilledAt = 0;

  constructor(
    private readonly burst = 1000,
    private readonly perSecond = 33,
  ) {
    this.tokens = burst;
  }

  /** One reset at `now` (ms); false once the client has used up its allowance. */
  take(now: number): boolean {
    if (this.refilledAt !== 0) this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) * this.perSecond) / 1000);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }
}
