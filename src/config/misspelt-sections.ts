import { closestKey } from "./closest-key.ts";
import { rootKeys } from "./schema-facts.ts" with { type: "macro" };

// The sections redgen reads. Ignoring a misspelling of one would silently run
// with defaults, so such a key fails instead of being another version's section.
const USED_SECTIONS = ["server", "distributor", "metrics_generator", "overrides", "ingest"];
const KNOWN: ReadonlySet<string> = new Set(rootKeys());

/** Unknown top-level keys that look like a misspelt section redgen reads, with the section meant. */
export function misspeltSections(parsed: object): { key: string; section: string }[] {
  const found: { key: string; section: string }[] = [];
  for (const key of Object.keys(parsed)) {
    const section = KNOWN.has(key) ? undefined : closestKey(key, USED_SECTIONS);
    if (section !== undefined) found.push({ key, section });
  }
  return found;
}
