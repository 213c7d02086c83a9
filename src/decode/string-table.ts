import { decodeUtf8Escaped } from "./utf8.ts";

const SIZE = 1 << 13;
const MAX_LEN = 64;

/**
 * A direct-mapped cache from UTF-8 bytes to strings for the short values
 * spans repeat endlessly (span names, methods, status codes, routes). A hit
 * returns the same string object again: no allocation, and its hash is
 * already cached for the Map lookups downstream. A miss decodes and takes
 * the slot. Longer values are decoded every time.
 */
export class StringTable {
  private readonly bytes: (Uint8Array | undefined)[] = new Array(SIZE);
  private readonly strings: string[] = new Array(SIZE);

  constructor(private readonly latin1: (buf: Uint8Array, start: number, end: number) => string) {}

  get(buf: Uint8Array, start: number, end: number): string {
    const len = end - start;
    if (len === 0) return "";
    if (len > MAX_LEN) return this.decode(buf, start, end);
    // Hash a sample (length, four bytes at each end, the middle); the full compare below decides.
    let h = Math.imul(len, 0x9e3779b1) ^ buf[start] ^ (buf[end - 1] << 8) ^ (buf[start + (len >> 1)] << 16);
    if (len > 4) h = Math.imul(h ^ buf[start + 1] ^ (buf[start + 2] << 8) ^ (buf[end - 2] << 16) ^ (buf[end - 3] << 24), 0x01000193);
    const slot = (h ^ (h >>> 15)) & (SIZE - 1);
    const cached = this.bytes[slot];
    if (cached !== undefined && cached.length === len) {
      let k = 0;
      while (k < len && cached[k] === buf[start + k]) k++;
      if (k === len) return this.strings[slot];
    }
    const s = this.decode(buf, start, end);
    this.bytes[slot] = buf.slice(start, end);
    this.strings[slot] = s;
    return s;
  }

  private decode(buf: Uint8Array, start: number, end: number): string {
    for (let k = start; k < end; k++) if (buf[k] >= 0x80) return decodeUtf8Escaped(buf.subarray(start, end));
    return this.latin1(buf, start, end);
  }
}
