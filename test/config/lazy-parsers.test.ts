import { expect, test } from "bun:test";
import { join } from "node:path";
import { processorDefaults, rootKeys } from "../../src/config/schema-facts.ts" with { type: "macro" };
import { hostInfoSchema, serviceGraphsSchema, spanMetricsSchema } from "../../src/config/schema-processors.ts";
import { rootSchema } from "../../src/config/schema-root.ts";
import { REPO_ROOT } from "../support/setup.ts";

/**
 * zod, the YAML parser and the schemas load with the first config text to
 * parse (src/config/parsers.ts): a start from the embedded default never
 * evaluates them. A fresh process runs the start's config path and lists
 * what loaded.
 */
function loadedAfter(script: string): string[] {
  const r = Bun.spawnSync([process.execPath, "-e", script], { cwd: REPO_ROOT, stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  return JSON.parse(r.stdout.toString()) as string[];
}

const LIST = `console.log(JSON.stringify(Object.keys(require.cache).filter((k) => /node_modules\\/(zod|yaml)\\/|src\\/config\\/(schema-|yaml-source|zod-issues)/.test(k))));`;
const LOAD = JSON.stringify(join(REPO_ROOT, "src/config/load.ts"));

test("a start from the embedded default loads neither zod, the YAML parser nor a schema", () => {
  const loaded = loadedAfter(`
    await import(${JSON.stringify(join(REPO_ROOT, "src/main.ts"))});
    const { loadConfig } = await import(${LOAD});
    const config = loadConfig(undefined);
    if (config.tenant_defaults.span_metrics.histogram_buckets.length !== 14) throw new Error("defaults missing");
    ${LIST}`);
  expect(loaded).toEqual([]);
});

test("the first config text loads them, and it is validated as before", () => {
  const loaded = loadedAfter(`
    const { parseConfig } = await import(${LOAD});
    const config = parseConfig("metrics_generator:\\n  processor:\\n    span_metrics:\\n      dimensions: [http.method]\\n");
    if (config.tenant_defaults.span_metrics.dimensions[0] !== "http.method") throw new Error("not parsed");
    let refused = "";
    try { parseConfig("metrics_generator:\\n  registry:\\n    collection_intervall: 5s\\n"); } catch (e) { refused = String(e.message); }
    if (!refused.includes("metrics_generator.registry.collection_intervall")) throw new Error("unknown key not named: " + refused);
    ${LIST}`);
  expect(loaded.some((k) => k.includes("node_modules/zod/"))).toBe(true);
  expect(loaded.some((k) => k.includes("node_modules/yaml/"))).toBe(true);
});

test("the facts computed when the binary is built are the schemas' own", () => {
  expect(processorDefaults()).toEqual({
    span_metrics: spanMetricsSchema.parse({}),
    service_graphs: serviceGraphsSchema.parse({}),
    host_info: hostInfoSchema.parse({}),
  });
  expect(rootKeys()).toEqual(Object.keys(rootSchema.shape));
});
