/**
 * Bytes of request bodies being read at once, across one receiver's requests.
 * Every byte is taken as it arrives (whatever the framing: Content-Length,
 * chunked, HTTP/2 DATA frames) and given back when the request is answered,
 * so a flood of slow or parallel uploads costs at most `limit` bytes of
 * memory; a request that does not fit is refused with "retry later".
 */
export class InflightBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  /** Takes `n` bytes if they fit; false (nothing taken) when they do not. */
  take(n: number): boolean {
    if (this.used + n > this.limit) return false;
    this.used += n;
    return true;
  }

  give(n: number): void {
    this.used -= n;
  }

  /** bytes held right now */
  get inUse(): number {
    return this.used;
  }
}
