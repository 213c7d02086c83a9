import { HEX, LETTER, NUMBER, SPACE, codePointAt, goClass } from "./go-unicode.ts";

/**
 * Tempo's DRAIN tokenizer (pkg/drain/line_tokenizer.go), boundary for
 * boundary. Tokens are:
 * - `%XX` with two hex digits; a `%` before anything else is a token of its
 *   own, except at the end of the line, where `%` and the one character after
 *   it stay together (`%4`, `%z`): Go's lexer cannot step back once it read
 *   past the end;
 * - a run of white space;
 * - a run starting with a hex digit: hex digits, then either `-` turning it
 *   into a UUID-like run of hex digits and `-`, or a letter/number turning it
 *   into a letter/number run;
 * - a run of letters and numbers;
 * - any other character alone (punctuation, symbols, an invalid byte).
 * Then `<END>`, so that DRAIN keeps the last real token (`/data` vs
 * `/settings`) instead of turning it into a parameter. Concatenating the
 * tokens without `<END>` gives the line back.
 */

export const END_TOKEN = "<END>";

const PERCENT = 0x25;
const DASH = 0x2d;
const ALNUM = LETTER | NUMBER;

/** Writes the tokens of `line` into `out` (reused between calls), `<END>` last; returns how many. */
export function tokenize(line: string, out: string[]): number {
  const len = line.length;
  let n = 0;
  let pos = 0;
  while (pos < len) {
    const start = pos;
    const first = codePointAt(line, pos);
    pos += units(first);
    const cls = goClass(first);
    if (first === PERCENT) pos = urlEncodedEnd(line, pos, start);
    else if ((cls & SPACE) !== 0) pos = runEnd(line, pos, SPACE);
    else if ((cls & HEX) !== 0) pos = hexEnd(line, pos);
    else if ((cls & ALNUM) !== 0) pos = runEnd(line, pos, ALNUM);
    out[n++] = line.slice(start, pos);
  }
  out[n++] = END_TOKEN;
  return n;
}

/** Line text of tokens [0, n-1) (all but `<END>`). */
export function joinTokens(tokens: readonly string[], n: number): string {
  let s = "";
  for (let i = 0; i < n - 1; i++) s += tokens[i];
  return s;
}

/** After `%` at `start`: two hex digits are taken, otherwise only the `%` (unless the line ended on the way). */
function urlEncodedEnd(line: string, pos: number, start: number): number {
  if (pos >= line.length) return pos;
  const r1 = codePointAt(line, pos);
  pos += units(r1);
  // Reading the second character hits the end: Go's backup() is then a no-op, so `%` + r1 is one token.
  if (pos >= line.length) return pos;
  const r2 = codePointAt(line, pos);
  if ((goClass(r1) & HEX) !== 0 && (goClass(r2) & HEX) !== 0) return pos + units(r2);
  return start + 1;
}

/** Hex digits; a `-` makes it a UUID-like run, a non-hex letter/number a letter/number run. */
function hexEnd(line: string, pos: number): number {
  while (pos < line.length) {
    const r = codePointAt(line, pos);
    const cls = goClass(r);
    if ((cls & HEX) !== 0) {
      pos += units(r);
    } else if (r === DASH) {
      return uuidEnd(line, pos + 1);
    } else if ((cls & ALNUM) !== 0) {
      return runEnd(line, pos + units(r), ALNUM);
    } else {
      break;
    }
  }
  return pos;
}

function uuidEnd(line: string, pos: number): number {
  while (pos < line.length) {
    const r = codePointAt(line, pos);
    if (r !== DASH && (goClass(r) & HEX) === 0) break;
    pos += units(r);
  }
  return pos;
}

/** Extends a run while characters have any of the `classes` bits. */
function runEnd(line: string, pos: number, classes: number): number {
  while (pos < line.length) {
    const r = codePointAt(line, pos);
    if ((goClass(r) & classes) === 0) break;
    pos += units(r);
  }
  return pos;
}

/** UTF-16 units of a code point read by codePointAt. */
function units(cp: number): number {
  return cp > 0xffff ? 2 : 1;
}

