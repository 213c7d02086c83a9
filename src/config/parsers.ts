/**
 * The YAML parser, zod and the schemas, loaded by the first config text there
 * is to parse (a tempo.yaml, a runtime overrides file): a start from the
 * embedded default, validated when the binary was built, never evaluates
 * them (~20 ms of module evaluation; test/config/lazy-parsers.test.ts).
 */
import { lazy } from "../util/lazy.ts";
import type * as SchemaOverrides from "./schema-overrides.ts";
import type * as SchemaRoot from "./schema-root.ts";
import type * as YamlSource from "./yaml-source.ts";
import type * as ZodIssues from "./zod-issues.ts";

export const parsers = lazy(() => ({
  rootSchema: (require("./schema-root.ts") as typeof SchemaRoot).rootSchema,
  runtimeOverridesSchema: (require("./schema-overrides.ts") as typeof SchemaOverrides).runtimeOverridesSchema,
  parseYaml: (require("./yaml-source.ts") as typeof YamlSource).parseYaml,
  addZodIssues: (require("./zod-issues.ts") as typeof ZodIssues).addZodIssues,
}));
