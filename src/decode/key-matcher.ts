import type { AttributeProjection } from "./span-batch.ts";

/**
 * Finds the projection slot of an attribute key straight from its UTF-8
 * bytes, so keys nobody asked for are never turned into strings. Keys are
 * bucketed by a cheap hash (length and a few bytes) and confirmed bytewise.
 */
export class KeyMatcher {
  private readonly buckets = new Map<number, { bytes: Uint8Array; slot: number }[]>();
  readonly size: number;

  constructor(projection: AttributeProjection) {
    const enc = new TextEncoder();
    this.size = projection.size;
    for (let slot = 0; slot < projection.keys.length; slot++) {
      const bytes = enc.encode(projection.keys[slot]);
      const h = hash(bytes, 0, bytes.length);
      let list = this.buckets.get(h);
      if (list === undefined) this.buckets.set(h, (list = []));
      list.push({ bytes, slot });
    }
  }

  /** The slot for the key in buf[start, end), or -1. */
  slot(buf: Uint8Array, start: number, end: number): number {
    const list = this.buckets.get(hash(buf, start, end));
    if (list === undefined) return -1;
    const len = end - start;
    for (let k = 0; k < list.length; k++) {
      const b = list[k].bytes;
      if (b.length !== len) continue;
      let i = 0;
      while (i < len && b[i] === buf[start + i]) i++;
      if (i === len) return list[k].slot;
    }
    return -1;
  }
}

function hash(buf: Uint8Array, start: number, end: number): number {
  const len = end - start;
  if (len === 0) return 0;
  return (len * 0x01000193) ^ (buf[start] << 16) ^ (buf[end - 1] << 8) ^ buf[start + (len >> 1)];
}
