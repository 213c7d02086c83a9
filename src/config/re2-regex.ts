/**
 * Filter-policy regexes are written for Go's RE2 (spec §7) but redgen matches
 * them with JavaScript RegExp. This translates the RE2 spellings that are common
 * in Tempo configs and have a JS equivalent, and rejects the ones that JS would
 * silently read differently, so a config never matches something else than in Tempo.
 */

/** The JS source for an RE2 pattern, or a message saying why it cannot be used. */
export type RegexTranslation = { ok: true; source: string } | { ok: false; message: string };

// Constructs JS accepts but reads differently from RE2 (or not at all), with advice.
const UNSUPPORTED: { pattern: RegExp; message: string }[] = [
  { pattern: /\[\[?:\^?[a-z]+:\]/, message: "POSIX classes like [[:alpha:]] are not supported, write [a-zA-Z]" },
  { pattern: /(^|[^\\])(\\\\)*\\[zA]/, message: "\\A and \\z are not supported, use ^ and $" },
  { pattern: /(^|[^\\])(\\\\)*\\Q/, message: "\\Q...\\E quoting is not supported, escape the characters instead" },
  { pattern: /(^|[^\\])(\\\\)*\\[pP]/, message: "Unicode classes (\\p, \\P) are not supported" },
  { pattern: /(^|[^\\])(\\\\)*\\C/, message: "\\C is not supported" },
];

// RE2 flag groups "(?i)" apply to the rest of the pattern; JS only has scoped groups "(?i:...)".
const LEADING_FLAGS = /^\(\?([a-zA-Z]+)\)/;
const ANY_FLAG_GROUP = /(^|[^\\])\(\?[a-zA-Z]+\)/;

/** Translates an RE2 pattern to an equivalent JS RegExp source (matched unanchored, no flags). */
export function translateRe2(pattern: string): RegexTranslation {
  for (const { pattern: bad, message } of UNSUPPORTED) {
    if (bad.test(pattern)) return { ok: false, message };
  }
  let source = pattern.replace(/\(\?P</g, "(?<");
  const flags = LEADING_FLAGS.exec(source);
  if (flags !== null) {
    const letters = flags[1];
    if (/[^ims]/.test(letters)) return { ok: false, message: `flag group (?${letters}) is not supported (only i, m, s)` };
    source = `(?${letters}:${source.slice(flags[0].length)})`;
  }
  if (ANY_FLAG_GROUP.test(source)) {
    return { ok: false, message: "flag groups like (?i) are only supported at the start of the pattern" };
  }
  try {
    new RegExp(source);
  } catch (e) {
    return { ok: false, message: `invalid regular expression: ${(e as Error).message}` };
  }
  return { ok: true, source };
}
