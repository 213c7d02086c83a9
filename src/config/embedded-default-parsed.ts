/**
 * The embedded default, read and validated at build time: load.ts imports
 * this as a Bun macro (`with { type: "macro" }`), so the bundle carries the
 * validated tree as a literal and a start without a config file skips the
 * YAML parser and zod's first, cold parse (~40–70 ms of the start on a
 * 2-core VM). The tree is plain JSON (zod's output for this document
 * survives a JSON round trip exactly; the config tests compare it with a
 * runtime parse). Any problem here fails the build, not the start.
 */
import { EMBEDDED_DEFAULT_YAML } from "./embedded-default.ts";
import { rootSchema } from "./schema-root.ts";
import { parseYaml } from "./yaml-source.ts";

export function embeddedDefaultParsed(): unknown {
  const parsed = rootSchema.safeParse(parseYaml(EMBEDDED_DEFAULT_YAML).data ?? {});
  if (!parsed.success) throw new Error(`the embedded default config is invalid: ${parsed.error.message}`);
  return JSON.parse(JSON.stringify(parsed.data));
}
