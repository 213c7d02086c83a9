import { expect } from "bun:test";
import { join } from "node:path";
import { ConfigError, parseConfig, type LoadOptions } from "../../src/config/load.ts";
import type { Config } from "../../src/config/types.ts";

/** test/fixtures/config */
export const FIXTURES = join(import.meta.dir, "../fixtures/config");

/** Path of a config fixture. */
export function fixture(name: string): string {
  return join(FIXTURES, name);
}

/** Options that expand ${FIXTURES} in fixture files (paths to secrets and runtime files). */
export const withFixturesEnv: LoadOptions = { expandEnv: true, env: { FIXTURES } };

/** The ConfigError `load` throws (fails the test if it does not throw one). */
export function configError(load: () => unknown): ConfigError {
  try {
    load();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error("expected a ConfigError, but the config loaded");
}

/** The ConfigError for config text. */
export function errorFor(yaml: string): ConfigError {
  return configError(() => parseConfig(yaml));
}

/** Parses config text that must be valid. */
export function parse(yaml: string): Config {
  return parseConfig(yaml);
}
