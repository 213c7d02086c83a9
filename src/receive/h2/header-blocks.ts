import { ErrorCode, Flag, copyOf, readUint32 } from "./frames.ts";
import { HpackDecoder } from "./hpack-decoder.ts";
import { HpackError } from "./hpack-error.ts";

/** Room for CONTINUATION beyond the header list limit (HPACK may be larger than what it decodes to only so much). */
const BLOCK_SLACK = 16 << 10;
/** CONTINUATION frames per block at most (empty ones would otherwise pile up for free). */
const MAX_CONTINUATIONS = 64;
const PSEUDO = new Set([":method", ":path", ":scheme", ":authority"]);

/**
 * Request header blocks: HEADERS and its CONTINUATION frames assembled and
 * decoded with the connection's HPACK state. A block is decoded even when
 * its request is refused, so the table stays in step with the client's.
 * Returns the headers (null for a malformed request: the stream is reset)
 * or, for a broken connection, a message with `errorCode`.
 */
export class HeaderBlocks {
  /** the stream of an unfinished block, 0 when none */
  pending = 0;
  /** whether the HEADERS frame of the last block carried END_STREAM */
  endStream = false;
  errorCode: number = ErrorCode.PROTOCOL_ERROR;
  private parts: Uint8Array[] = [];
  private size = 0;
  private readonly decoder: HpackDecoder;
  private out: Record<string, string> = {};
  private listBytes = 0;
  private valid = true;
  private regularSeen = false;
  private selfDependent = false;
  private readonly onHeader = (name: string, value: string) => this.add(name, value);

  constructor(private readonly maxListBytes: number) {
    // the list limit is applied here, per request; the decoder only keeps the table in step
    this.decoder = new HpackDecoder(4096, 2 ** 30);
  }

  headers(id: number, flags: number, p: Uint8Array): Record<string, string> | null | undefined | string {
    let off = 0;
    let pad = 0;
    if ((flags & Flag.PADDED) !== 0) {
      if (p.length < 1) return "HEADERS without its pad length";
      pad = p[0];
      off = 1;
    }
    if ((flags & Flag.PRIORITY) !== 0) off += 5;
    if (off + pad > p.length) return "HEADERS padding longer than the frame";
    this.endStream = (flags & Flag.END_STREAM) !== 0;
    // a stream depending on itself is malformed (RFC 9113 §5.3.1); the block is still decoded
    this.selfDependent = (flags & Flag.PRIORITY) !== 0 && (readUint32(p, off - 5) & 0x7fffffff) === id;
    const fragment = p.subarray(off, p.length - pad);
    if ((flags & Flag.END_HEADERS) !== 0) return this.decode(fragment);
    this.pending = id;
    this.parts = [copyOf(fragment)];
    this.size = fragment.length;
    return undefined;
  }

  continuation(id: number, flags: number, p: Uint8Array): Record<string, string> | null | undefined | string {
    if (this.pending === 0 || id !== this.pending) return "CONTINUATION without its HEADERS";
    this.size += p.length;
    if (this.size > this.maxListBytes + BLOCK_SLACK || this.parts.length > MAX_CONTINUATIONS) {
      this.errorCode = ErrorCode.ENHANCE_YOUR_CALM;
      return "header block too large";
    }
    if ((flags & Flag.END_HEADERS) === 0) {
      this.parts.push(copyOf(p));
      return undefined;
    }
    this.parts.push(p);
    const block = Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.pending = 0;
    return this.decode(block);
  }

  private decode(block: Uint8Array): Record<string, string> | null | string {
    this.out = {};
    this.listBytes = 0;
    this.valid = !this.selfDependent;
    this.regularSeen = false;
    try {
      this.decoder.decode(block, this.onHeader);
    } catch (e) {
      if (!(e instanceof HpackError)) throw e;
      this.errorCode = ErrorCode.COMPRESSION_ERROR;
      return e.message; // "HPACK: …"
    }
    const h = this.out;
    if (!this.valid || h[":method"] === undefined || !h[":path"] || h[":scheme"] === undefined) return null;
    return h;
  }

  /** RFC 9113 §8.2–8.3: lowercase names, pseudo-headers first and known, no connection-specific fields. */
  private add(name: string, value: string): void {
    this.listBytes += name.length + value.length + 32;
    if (this.listBytes > this.maxListBytes) this.valid = false;
    if (!this.valid) return;
    if (name.charCodeAt(0) === 0x3a) {
      if (this.regularSeen || !PSEUDO.has(name) || this.out[name] !== undefined) this.valid = false;
    } else {
      this.regularSeen = true;
      if (name !== name.toLowerCase() || name === "connection" || (name === "te" && value !== "trailers")) this.valid = false;
    }
    if (!this.valid) return;
    const had = this.out[name];
    this.out[name] = had === undefined ? value : `${had}, ${value}`;
  }
}
