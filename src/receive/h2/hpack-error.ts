/**
 * A header block redgen cannot accept. `compression`: the block is malformed (RFC 7541), the
 * connection's HPACK state is lost, answer with a connection error COMPRESSION_ERROR.
 * `too_large`: the decoded header list exceeds the limit; the block was decoded to its end, so
 * the dynamic table is still in sync and only the stream needs refusing (431 / RESOURCE_EXHAUSTED).
 */
export class HpackError extends Error {
  constructor(
    readonly kind: "compression" | "too_large",
    message: string,
  ) {
    super(message);
    this.name = "HpackError";
  }
}
