/**
 * Reusable buffers for request messages that are read, decoded and dropped
 * within one event-loop turn (the decoder copies what it keeps). A fresh
 * 270 KB buffer per request, plus the DATA chunks it was concatenated from,
 * is garbage the collector returns late: under load that was most of the
 * gRPC receiver's peak RSS and a tenth of its CPU. Sizes are rounded up to a
 * power of two so requests of similar size share buffers; only buffers up to
 * `maxPooledBytes` are kept, at most `maxKept` of them.
 */
export class MessageBuffers {
  private readonly free: Buffer[] = [];

  constructor(
    private readonly maxPooledBytes = 1 << 20,
    private readonly maxKept = 16,
  ) {}

  /** A buffer of at least `n` bytes (contents undefined). */
  take(n: number): Buffer {
    const free = this.free;
    for (let i = free.length - 1; i >= 0; i--) {
      const b = free[i];
      if (b.length >= n) {
        free[i] = free[free.length - 1];
        free.pop();
        return b;
      }
    }
    if (n > this.maxPooledBytes) return Buffer.allocUnsafeSlow(n);
    let size = 64 << 10;
    while (size < n) size *= 2;
    return Buffer.allocUnsafeSlow(size);
  }

  /** Gives a buffer from take() back once nothing refers to its bytes any more. */
  give(b: Buffer): void {
    if (b.length <= this.maxPooledBytes && this.free.length < this.maxKept) this.free.push(b);
  }

  /** buffers kept for reuse right now */
  get kept(): number {
    return this.free.length;
  }
}
