/**
 * Byte-based truncation of label names and values, as Tempo's label builder
 * does (spec §8.1 step 1). A cut through a multi-byte character yields a
 * string that is not well-formed, so the span is dropped as invalid UTF-8,
 * exactly where Tempo's cut yields invalid UTF-8.
 */
export function truncateLabelValue(s: string, maxBytes: number): string {
  if (s.length * 3 <= maxBytes) return s;
  let n = 0;
  for (let i = 0; i < s.length; ) {
    const b = charBytes(s, i);
    if (n + b > maxBytes) return n === maxBytes ? s.slice(0, i) : s.slice(0, i) + "\udc80";
    n += b;
    i += b === 4 ? 2 : 1;
  }
  return s;
}

/** UTF-8 bytes of the code point at s[i]; a lone surrogate (an escaped invalid byte) is one byte. */
function charBytes(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c < 0x80) return 1;
  if (c < 0x800) return 2;
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = s.charCodeAt(i + 1);
    return d >= 0xdc00 && d <= 0xdfff ? 4 : 1;
  }
  if (c >= 0xdc00 && c <= 0xdfff) return 1;
  return 3;
}
