/**
 * What the schemas leave in a parsed tree for the config builder to report:
 * markers for keys redgen accepts and ignores, and notes on values it changed.
 * Apart from the schemas (and zod) so that building a Config from a tree
 * validated at build time — the embedded default — never loads them.
 */

/** Marks a key that redgen accepts and ignores; the config builder turns each into one warning. */
export class IgnoredSetting {
  constructor(
    /** Builds the warning text from the key's dotted path and the key itself. */
    readonly describe: (path: string, key: string) => string,
  ) {}
}

/**
 * Warnings attached to parsed values that are kept (not ignored) but were
 * changed on the way in, e.g. unsorted bucket lists; the config builder turns
 * each into one warning at the value's path, like IgnoredSetting markers.
 */
export const valueNotes = new WeakMap<object, (path: string) => string>();
