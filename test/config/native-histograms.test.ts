import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tenantConfigFor } from "../../src/config/load.ts";
import { errorFor, parse } from "./helpers.ts";

/** tempo.yaml with overrides.defaults.metrics_generator `defaults` and a runtime file with `tenants`. */
function withRuntime(defaults: string, tenants: string) {
  const dir = mkdtempSync(join(tmpdir(), "redgen-native-cfg-"));
  const file = join(dir, "runtime.yaml");
  writeFileSync(file, `overrides:\n${tenants}`);
  try {
    return parse(`overrides:\n  per_tenant_override_config: ${file}\n  defaults:\n    metrics_generator:\n${defaults}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("native-histogram overrides (spec §8.4, §10)", () => {
  test("Tempo's defaults: classic, factor 1.1, 100 buckets, 15m", () => {
    const t = parse("").tenant_defaults;
    expect([t.generate_native_histograms, t.native_histogram_bucket_factor, t.native_histogram_max_bucket_number, t.native_histogram_min_reset_duration_ms]).toEqual(["classic", 1.1, 100, 900_000]);
    expect(parse("").warnings.some((w) => w.includes("native_histogram"))).toBe(false);
  });

  test("the keys are read (no longer ignored), and a tenant's 0 or absent value falls back to overrides.defaults'", () => {
    const c = withRuntime(
      "      generate_native_histograms: native\n      native_histogram_bucket_factor: 1.5\n      native_histogram_max_bucket_number: 40\n      native_histogram_min_reset_duration: 5m\n",
      "  team-a:\n    metrics_generator:\n      processors: [span-metrics]\n      generate_native_histograms: both\n      native_histogram_bucket_factor: 0\n      native_histogram_max_bucket_number: 7\n" +
        "  team-b:\n    metrics_generator:\n      processors: [span-metrics]\n",
    );
    const d = c.tenant_defaults;
    expect([d.generate_native_histograms, d.native_histogram_bucket_factor, d.native_histogram_max_bucket_number, d.native_histogram_min_reset_duration_ms]).toEqual(["native", 1.5, 40, 300_000]);
    const a = tenantConfigFor(c, "team-a");
    expect([a.generate_native_histograms, a.native_histogram_bucket_factor, a.native_histogram_max_bucket_number, a.native_histogram_min_reset_duration_ms]).toEqual(["both", 1.5, 7, 300_000]);
    // generate_native_histograms is not one of the fallback fields: a tenant entry without it is classic
    const b = tenantConfigFor(c, "team-b");
    expect([b.generate_native_histograms, b.native_histogram_bucket_factor]).toEqual(["classic", 1.5]);
    expect(c.warnings.some((w) => w.includes("not implemented"))).toBe(false);
  });

  test("in overrides.defaults a 0 bucket maximum or reset duration means none (Tempo passes it to client_golang); a tenant's 0 inherits it", () => {
    const c = withRuntime(
      "      native_histogram_max_bucket_number: 0\n      native_histogram_min_reset_duration: 0s\n",
      "  team-a:\n    metrics_generator:\n      processors: [span-metrics]\n      native_histogram_max_bucket_number: 0\n",
    );
    expect([c.tenant_defaults.native_histogram_max_bucket_number, c.tenant_defaults.native_histogram_min_reset_duration_ms]).toEqual([0, 0]);
    const a = tenantConfigFor(c, "team-a");
    expect([a.native_histogram_max_bucket_number, a.native_histogram_min_reset_duration_ms]).toEqual([0, 0]);
  });

  test("a bucket factor must be above 1 (0: the default)", () => {
    const e = errorFor("overrides:\n  defaults:\n    metrics_generator:\n      native_histogram_bucket_factor: 0.9\n");
    expect(e.message).toContain("overrides.defaults.metrics_generator.native_histogram_bucket_factor");
    expect(e.message).toContain("must be greater than 1");
    expect(errorFor("overrides:\n  defaults:\n    metrics_generator:\n      native_histogram_max_bucket_number: -1\n").message).toContain("native_histogram_max_bucket_number");
    expect(errorFor("overrides:\n  defaults:\n    metrics_generator:\n      generate_native_histograms: sparse\n").message).toContain("generate_native_histograms");
  });
});
