/**
 * The per-tenant runtime overrides file (`overrides.per_tenant_override_config`,
 * spec §10), read at startup and again on every reload
 * (wiring/overrides-reload.ts: every `per_tenant_override_period` and on SIGHUP).
 */
import type { z } from "zod";
import { readFileSync } from "node:fs";
import { Problems } from "./config-error.ts";
import { describeFsError } from "./config-files.ts";
import { ignoredSettingWarnings } from "./ignored-warnings.ts";
import { parsers } from "./parsers.ts";
import type { runtimeOverridesSchema } from "./schema-overrides.ts";

/** One tenant's entry, as parsed. */
export type TenantOverridesEntry = z.output<typeof runtimeOverridesSchema>["overrides"][string];

/** A tenant's entry and the file it came from (for error messages). */
export interface RuntimeTenant {
  file: string;
  entry: TenantOverridesEntry;
}

/**
 * Reads the runtime file(s) named by `setting` (comma-separated, as dskit
 * allows); a tenant in a later file replaces the same tenant of an earlier one.
 * Missing files are problems of the main config key; content problems throw a
 * ConfigError naming the runtime file.
 */
export function loadRuntimeOverrides(
  setting: string,
  problems: Problems,
  warnings: string[],
): Record<string, RuntimeTenant> {
  const tenants: Record<string, RuntimeTenant> = {};
  for (const file of setting.split(",").map((f) => f.trim()).filter((f) => f !== "")) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      problems.add(["overrides", "per_tenant_override_config"], `cannot read ${JSON.stringify(file)}: ${describeFsError(e)}`);
      continue;
    }
    const context = `per-tenant overrides file ${file}`;
    const { parseYaml, runtimeOverridesSchema, addZodIssues } = parsers();
    const source = parseYaml(text, context);
    const result = runtimeOverridesSchema.safeParse(source.data ?? {}, { reportInput: true });
    if (!result.success) {
      const fileProblems = new Problems();
      addZodIssues(fileProblems, result.error.issues);
      fileProblems.throwIfAny(source.locate, context);
      continue;
    }
    for (const w of ignoredSettingWarnings(result.data)) warnings.push(`${context}: ${w}`);
    for (const [tenant, entry] of Object.entries(result.data.overrides)) tenants[tenant] = { file, entry };
  }
  return tenants;
}
