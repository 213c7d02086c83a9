import type { AttributeProjection } from "./span-batch.ts";

const TABLE = 1 << 10;

/**
 * Finds the projection slot of an attribute key straight from its UTF-8
 * bytes, so keys nobody asked for never become strings. An open-addressing
 * table of slot numbers, hashed on a sample of the key's bytes and confirmed
 * bytewise; a miss usually costs one hash and one empty probe.
 */
export class KeyMatcher {
  readonly size: number;
  private readonly table = new Int32Array(TABLE);
  private readonly keys: Uint8Array[] = [];
  private readonly maxLength: number;

  constructor(projection: AttributeProjection) {
    const enc = new TextEncoder();
    this.size = projection.size;
    let max = 0;
    for (let slot = 0; slot < projection.keys.length; slot++) {
      const bytes = enc.encode(projection.keys[slot]);
      this.keys.push(bytes);
      max = Math.max(max, bytes.length);
      let at = hash(bytes, 0, bytes.length);
      while (this.table[at] !== 0) at = (at + 1) & (TABLE - 1);
      this.table[at] = slot + 1;
    }
    this.maxLength = max;
  }

  /** The slot for the key in buf[start, end), or -1. */
  slot(buf: Uint8Array, start: number, end: number): number {
    const len = end - start;
    if (len > this.maxLength) return -1;
    let at = hash(buf, start, end);
    for (;;) {
      const entry = this.table[at];
      if (entry === 0) return -1;
      const key = this.keys[entry - 1];
      if (key.length === len) {
        let i = 0;
        while (i < len && key[i] === buf[start + i]) i++;
        if (i === len) return entry - 1;
      }
      at = (at + 1) & (TABLE - 1);
    }
  }
}

function hash(buf: Uint8Array, start: number, end: number): number {
  const len = end - start;
  if (len === 0) return 0;
  const h = Math.imul(len ^ (buf[start] << 8) ^ (buf[end - 1] << 16) ^ (buf[start + (len >> 1)] << 24), 0x9e3779b1);
  return (h >>> 22) & (TABLE - 1);
}
