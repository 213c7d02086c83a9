/**
 * Warnings for keys redgen accepted but does not use. The schemas leave an
 * IgnoredSetting marker where such a key was set; this walk turns every marker
 * into one warning naming the key's path.
 */
import { formatPath, type PathSegment } from "./config-error.ts";
import { IgnoredSetting, valueNotes } from "./parse-notes.ts";

/** One warning per IgnoredSetting (and per noted value) found in a parsed config, in document order of the schema. */
export function ignoredSettingWarnings(parsed: unknown, base: readonly PathSegment[] = []): string[] {
  const warnings: string[] = [];
  const walk = (value: unknown, path: PathSegment[]): void => {
    if (value instanceof IgnoredSetting) {
      warnings.push(value.describe(formatPath(path), String(path[path.length - 1])));
      return;
    }
    const note = value !== null && typeof value === "object" ? valueNotes.get(value) : undefined;
    if (note !== undefined) warnings.push(note(formatPath(path)));
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, [...path, i]));
    } else if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) walk(item, [...path, key]);
    }
  };
  walk(parsed, [...base]);
  return warnings;
}
