/**
 * What the decoder's caches do with a range buf[start, end) of a request:
 * hash it, compare it with a kept copy, keep a copy.
 */

/** A hash of every byte (values that differ in one inner byte must not share a slot), mixed at the end. */
export function hashBytes(buf: Uint8Array, start: number, end: number): number {
  // Four bytes per multiply: the multiplies form one dependency chain, the loads do not.
  let h = Math.imul(end - start, 0x9e3779b1);
  let k = start;
  for (const stop = end - 3; k < stop; k += 4) h = Math.imul(h ^ (buf[k] | (buf[k + 1] << 8) | (buf[k + 2] << 16) | (buf[k + 3] << 24)), 0x01000193);
  for (; k < end; k++) h = Math.imul(h ^ buf[k], 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return h ^ (h >>> 13);
}

/** Whether `kept` holds exactly the bytes of buf[start, end). */
export function sameBytes(kept: Uint8Array, buf: Uint8Array, start: number, end: number): boolean {
  const len = end - start;
  if (kept.length !== len) return false;
  for (let k = 0; k < len; k++) if (kept[k] !== buf[start + k]) return false;
  return true;
}

/**
 * A copy of buf[start, end) in new memory. Not `slice`: on a Buffer (a Kafka
 * record's value is one) that is a view of the whole underlying buffer.
 */
export function copyBytes(buf: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  for (let k = start; k < end; k++) out[k - start] = buf[k];
  return out;
}
