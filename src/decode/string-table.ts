import { decodeUtf8Escaped } from "./utf8.ts";
import { copyBytes } from "./byte-range.ts";

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
    // Every byte is hashed: values that differ in one inner byte (addresses, host
    // names, ids) would otherwise share a slot and evict each other on every use.
    // hashBytes and sameBytes (byte-range.ts), written out here: on this path, the hottest
    // of the decoder, the calls cost 3–6 % of decoding in paired runs.
    let h = Math.imul(len, 0x9e3779b1);
    let k = start;
    for (const stop = end - 3; k < stop; k += 4) h = Math.imul(h ^ (buf[k] | (buf[k + 1] << 8) | (buf[k + 2] << 16) | (buf[k + 3] << 24)), 0x01000193);
    for (; k < end; k++) h = Math.imul(h ^ buf[k], 0x01000193);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    const slot = (h ^ (h >>> 13)) & (SIZE - 1);
    const cached = this.bytes[slot];
    if (cached !== undefined && cached.length === len) {
      let j = 0;
      while (j < len && cached[j] === buf[start + j]) j++;
      if (j === len) return this.strings[slot];
    }
    const s = this.decode(buf, start, end);
    this.bytes[slot] = copyBytes(buf, start, end);
    this.strings[slot] = s;
    return s;
  }

  private decode(buf: Uint8Array, start: number, end: number): string {
    for (let k = start; k < end; k++) if (buf[k] >= 0x80) return decodeUtf8Escaped(buf.subarray(start, end));
    return this.latin1(buf, start, end);
  }
}
