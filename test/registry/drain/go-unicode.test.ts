import { expect, test } from "bun:test";
import { HEX, LETTER, NUMBER, PUNCT, SPACE, codePointAt, goClass, utf8Bytes } from "../../../src/registry/drain/go-unicode.ts";

// Go's unicode answers (IsSpace, IsLetter, IsNumber, Hex_Digit, IsPunct), compared for all 0x110000 code points with a Go program.
const CASES: [string, number, number][] = [
  ["space", 0x20, SPACE],
  ["NEL U+0085", 0x85, SPACE],
  ["NBSP U+00A0", 0xa0, SPACE],
  ["ideographic space", 0x3000, SPACE],
  ["zero width space is not space", 0x200b, 0],
  ["BOM U+FEFF is not space (JS \\s would say so)", 0xfeff, 0],
  ["digit", 0x37, NUMBER | HEX],
  ["hex letter", 0x61, LETTER | HEX],
  ["non-hex letter", 0x67, LETTER],
  ["fullwidth ０", 0xff10, NUMBER | HEX],
  ["fullwidth Ａ", 0xff21, LETTER | HEX],
  ["fullwidth ｆ", 0xff46, LETTER | HEX],
  ["fullwidth ｇ", 0xff47, LETTER],
  ["superscript two (No)", 0xb2, NUMBER],
  ["roman numeral (Nl)", 0x216b, NUMBER],
  ["ª (Lo)", 0xaa, LETTER],
  ["µ (Ll)", 0xb5, LETTER],
  ["§ is punct", 0xa7, PUNCT],
  ["¿ is punct", 0xbf, PUNCT],
  ["_ is punct", 0x5f, PUNCT],
  ["% is punct", 0x25, PUNCT],
  ["$ is a symbol", 0x24, 0],
  ["< is a symbol", 0x3c, 0],
  ["| is a symbol", 0x7c, 0],
  ["emoji", 0x1f4e6, 0],
  ["U+088F: a letter since Unicode 16, unknown to Go's 15.0", 0x88f, 0],
  ["U+13460: Egyptian hieroglyph from Unicode 16", 0x13460, 0],
  ["U+1E5D0 (Ol Onal, Unicode 16)", 0x1e5d0, 0],
  ["lone low surrogate (an invalid byte)", 0xdc80, 0],
  ["lone high surrogate", 0xd800, 0],
  ["U+FFFD", 0xfffd, 0],
];

test.each(CASES)("%s", (_what, cp, want) => {
  expect(goClass(cp)).toBe(want);
  expect(goClass(cp)).toBe(want); // the second answer comes from the per-plane table
});

test("code points and their UTF-8 length as Go counts bytes", () => {
  const s = "a\u00e9\u4e2d\u{1f4e6}\udc80";
  const seen: [number, number][] = [];
  for (let i = 0; i < s.length; ) {
    const cp = codePointAt(s, i);
    seen.push([cp, utf8Bytes(cp)]);
    i += cp > 0xffff ? 2 : 1;
  }
  expect(seen).toEqual([
    [0x61, 1],
    [0xe9, 2],
    [0x4e2d, 3],
    [0x1f4e6, 4],
    [0xdc80, 1],
  ]);
});
