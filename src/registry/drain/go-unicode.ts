/**
 * The character classes Tempo's DRAIN tokenizer and data heuristic ask Go's
 * `unicode` package for, answered identically for every code point: Go's
 * IsSpace = White_Space, IsLetter = L, IsNumber = N, Hex_Digit (which includes
 * the fullwidth ０-９ Ａ-Ｆ ａ-ｆ), IsPunct = P (so `$+<=>^|~` are not punct).
 *
 * Two things differ from asking JS regexes naively:
 * - Go (1.21 – 1.26) ships Unicode 15.0, Bun's ICU a later version. Code points
 *   assigned since 15.0 are unassigned to Go: no class at all.
 * - A lone surrogate is redgen's stand-in for one invalid UTF-8 byte
 *   (decode/utf8.ts), which Go decodes as U+FFFD: no class, one byte.
 */

export const SPACE = 1;
export const LETTER = 2;
export const NUMBER = 4;
export const HEX = 8;
export const PUNCT = 16;
const KNOWN = 128;

/**
 * Every code point to which Bun 1.4's Unicode 17 gives one of the classes above
 * and Go's Unicode 15.0 none (found by comparing all 0x110000 code points
 * with a Go program); inclusive [first, last] pairs. Re-check when Bun moves
 * to a newer Unicode.
 */
const NEWER_THAN_GO = [
  0x88f, 0x88f, 0xc5c, 0xc5c, 0xcdc, 0xcdc, 0x1b4e, 0x1b4f, 0x1b7f, 0x1b7f, 0x1c89, 0x1c8a, 0xa7cb, 0xa7cf, 0xa7d2, 0xa7d2,
  0xa7d4, 0xa7d4, 0xa7da, 0xa7dc, 0xa7f1, 0xa7f1, 0x105c0, 0x105f3, 0x10940, 0x10959, 0x10d40, 0x10d65, 0x10d6e, 0x10d85,
  0x10ec2, 0x10ec7, 0x10ed0, 0x10ed0, 0x11380, 0x11389, 0x1138b, 0x1138b, 0x1138e, 0x1138e, 0x11390, 0x113b5, 0x113b7, 0x113b7,
  0x113d1, 0x113d1, 0x113d3, 0x113d5, 0x113d7, 0x113d8, 0x116d0, 0x116e3, 0x11bc0, 0x11be1, 0x11bf0, 0x11bf9, 0x11db0, 0x11ddb,
  0x11de0, 0x11de9, 0x13460, 0x143fa, 0x16100, 0x1611d, 0x16130, 0x16139, 0x16d40, 0x16d79, 0x16ea0, 0x16eb8, 0x16ebb, 0x16ed3,
  0x16ff2, 0x16ff6, 0x187f8, 0x187ff, 0x18cff, 0x18cff, 0x18d09, 0x18d1e, 0x18d80, 0x18df2, 0x1ccf0, 0x1ccf9, 0x1e5d0, 0x1e5ed,
  0x1e5f0, 0x1e5fa, 0x1e5ff, 0x1e5ff, 0x1e6c0, 0x1e6de, 0x1e6e0, 0x1e6e2, 0x1e6e4, 0x1e6e5, 0x1e6e7, 0x1e6ed, 0x1e6f0, 0x1e6f4,
  0x1e6fe, 0x1e6ff, 0x2b73a, 0x2b73f, 0x2cea2, 0x2cead, 0x2ebf0, 0x2ee5d, 0x323b0, 0x33479,
];

const SPACE_RE = /^\p{White_Space}$/u;
const LETTER_RE = /^\p{L}$/u;
const NUMBER_RE = /^\p{N}$/u;
const HEX_RE = /^\p{Hex_Digit}$/u;
const PUNCT_RE = /^\p{P}$/u;

/** Answers per plane, filled on first use (most inputs touch only ASCII and a few BMP blocks). */
const planes: (Uint8Array | undefined)[] = [];

/** The class bits of code point `cp` as Go sees it; lone surrogates have none. */
export function goClass(cp: number): number {
  const plane = planes[cp >> 16] ?? (planes[cp >> 16] = new Uint8Array(0x10000));
  const c = plane[cp & 0xffff];
  if (c !== 0) return c & ~KNOWN;
  const computed = compute(cp);
  plane[cp & 0xffff] = computed | KNOWN;
  return computed;
}

function compute(cp: number): number {
  if (cp >= 0xd800 && cp <= 0xdfff) return 0;
  for (let i = 0; i < NEWER_THAN_GO.length; i += 2) {
    if (cp >= NEWER_THAN_GO[i] && cp <= NEWER_THAN_GO[i + 1]) return 0;
  }
  const s = String.fromCodePoint(cp);
  return (
    (SPACE_RE.test(s) ? SPACE : 0) |
    (LETTER_RE.test(s) ? LETTER : 0) |
    (NUMBER_RE.test(s) ? NUMBER : 0) |
    (HEX_RE.test(s) ? HEX : 0) |
    (PUNCT_RE.test(s) ? PUNCT : 0)
  );
}

/** The code point at s[i] (a lone surrogate stands for itself). */
export function codePointAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
  }
  return c;
}

/** UTF-8 bytes of code point `cp` as read by codePointAt; a lone surrogate is one (invalid) byte. */
export function utf8Bytes(cp: number): number {
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  if (cp >= 0xd800 && cp <= 0xdfff) return 1;
  return cp < 0x10000 ? 3 : 4;
}
