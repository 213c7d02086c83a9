import { HEX, NUMBER, PUNCT, codePointAt, goClass, utf8Bytes } from "./go-unicode.ts";

/**
 * Tempo's guess whether a token is data rather than part of a name
 * (pkg/drain/data_heuristic.go). Such a token becomes `<_>` in the tree path
 * of a new cluster at once, before a second name showed that it varies. A
 * token is data when
 * - it holds at least one number and otherwise only hex digits and
 *   punctuation (`123`, `a1f3`, `550e8400-e29b-…`, `%2F`), or
 * - more of its characters are numbers than a quarter of its length in UTF-8
 *   BYTES, and more than one (`v1234567`; `order2` is not data).
 */
export function isLikelyData(token: string): boolean {
  let numbers = 0;
  let bytes = 0;
  let hexLike = true;
  for (let i = 0; i < token.length; ) {
    const cp = codePointAt(token, i);
    i += cp > 0xffff ? 2 : 1;
    bytes += utf8Bytes(cp);
    const cls = goClass(cp);
    if ((cls & NUMBER) !== 0) numbers++;
    else if ((cls & (HEX | PUNCT)) === 0) hexLike = false;
  }
  if (hexLike && numbers > 0) return true;
  return numbers > Math.max(Math.floor(bytes / 4), 1);
}
