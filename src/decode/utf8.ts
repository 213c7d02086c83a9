/**
 * UTF-8 handling that keeps invalid input detectable.
 *
 * Tempo keeps protobuf strings as raw bytes and drops a span from a processor
 * only when invalid UTF-8 ends up in that processor's label set (spec §8.1).
 * A lossy decoder (U+FFFD) would hide that, a strict one would reject the whole
 * request. So invalid bytes are decoded "surrogate-escaped": each invalid byte
 * b becomes the lone surrogate U+DC00+b. Such a string is not well-formed, which
 * `isWellFormed()` detects later, and each escaped byte still counts as one
 * code point (one `_` when a name is sanitized, one byte when truncating).
 */

const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Decodes UTF-8, escaping invalid bytes as lone surrogates (never throws). */
export function decodeUtf8Escaped(bytes: Uint8Array): string {
  try {
    return strict.decode(bytes);
  } catch {
    return decodeSlow(bytes);
  }
}

function decodeSlow(b: Uint8Array): string {
  const units: number[] = [];
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      units.push(c);
      i++;
      continue;
    }
    const n = sequenceLength(b, i);
    if (n === 0) {
      units.push(0xdc00 + c);
      i++;
      continue;
    }
    let cp = n === 2 ? c & 0x1f : n === 3 ? c & 0x0f : c & 0x07;
    for (let k = 1; k < n; k++) cp = (cp << 6) | (b[i + k] & 0x3f);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else units.push(cp);
    i += n;
  }
  let s = "";
  for (let k = 0; k < units.length; k += 8192) s += String.fromCharCode(...units.slice(k, k + 8192));
  return s;
}

/** Length of the valid UTF-8 sequence starting at i, or 0 if it is invalid (Go's rules). */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i];
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k] >= lo && b[i + k] <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c >= 0xe1 && c <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}
