/**
 * The config module's entry point: tempo.yaml (or the embedded default) →
 * validated, defaulted Config. Everything fails here, once, at startup, with
 * every problem named by its key path.
 */
import { readFileSync } from "node:fs";
import { ConfigError, Problems } from "./config-error.ts";
import type { Config } from "./types.ts";
import { buildConfig } from "./build-config.ts";
import { describeFsError } from "./config-files.ts";
import type { ParsedRoot } from "./schema-root.ts";
import { embeddedDefaultParsed } from "./embedded-default-parsed.ts" with { type: "macro" };
import { expandEnv } from "./expand-env.ts";
import { parsers } from "./parsers.ts";

export { ConfigError } from "./config-error.ts";
export { tenantConfigFor } from "./tenant-config.ts";

/** How to read the config file. */
export interface LoadOptions {
  /** Expand `${VAR}` and `${VAR:-default}` before parsing (Tempo's -config.expand-env=true). */
  expandEnv?: boolean;
  /** Variables for expandEnv; defaults to process.env. */
  env?: Record<string, string | undefined>;
}

/**
 * Loads and validates a Tempo-style config file; without a path, returns the
 * embedded default. Throws ConfigError when the file cannot be read or is invalid.
 */
export function loadConfig(path: string | undefined, opts: LoadOptions = {}): Config {
  if (path === undefined) return configFrom(embeddedDefaultParsed() as ParsedRoot, new Problems(), undefined);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError([`cannot read config file ${JSON.stringify(path)}: ${describeFsError(e)}`]);
  }
  return parseConfig(text, opts);
}

/** Validates config text (the content of a tempo.yaml) into a Config; throws ConfigError. */
export function parseConfig(text: string, opts: LoadOptions = {}): Config {
  const { parseYaml, rootSchema, addZodIssues } = parsers();
  const source = parseYaml(opts.expandEnv === true ? expandEnv(text, opts.env) : text);
  const problems = new Problems();
  const parsed = rootSchema.safeParse(source.data ?? {}, { reportInput: true });
  if (!parsed.success) {
    addZodIssues(problems, parsed.error.issues);
    problems.throwIfAny(source.locate);
    throw new ConfigError(["invalid configuration"]); // unreachable: zod failures always carry issues
  }
  return configFrom(parsed.data, problems, source.locate);
}

/** Defaults and cross-checks on a validated tree (buildConfig); throws ConfigError. */
function configFrom(parsed: ParsedRoot, problems: Problems, locate: Parameters<Problems["throwIfAny"]>[0]): Config {
  const { config, runtimeProblems } = buildConfig(parsed, problems);
  problems.throwIfAny(locate);
  for (const [file, fileProblems] of runtimeProblems) fileProblems.throwIfAny(undefined, `per-tenant overrides file ${file}`);
  return config;
}

/** The warnings gathered while loading (ignored sections and keys, deviations from Tempo), for main to log. */
export function configWarnings(config: Config): readonly string[] {
  return config.warnings;
}
