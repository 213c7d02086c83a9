import { describe, expect, test } from "bun:test";
import type { SanitizeMode } from "../../src/registry/cardinality-controls.ts";
import { Registry } from "../../src/registry/registry.ts";

function registry(mode: () => SanitizeMode, maxValueLength = 2048): Registry {
  return new Registry({
    externalLabels: { __metrics_gen_instance: "h" },
    maxLabelNameLength: 1024,
    maxLabelValueLength: maxValueLength,
    staleDurationMs: 15 * 60_000,
    maxActiveSeries: () => 0,
    spanNameSanitization: mode,
    traceIdLabelName: "traceID",
  });
}

const spanName = (labels: string[] | undefined) => labels?.[labels.indexOf("span_name") + 1];

describe("span_name_sanitization in the label pipeline (spec §8.1 step 3)", () => {
  test("enabled: span_name becomes its cluster's template; other labels and other schemas are untouched", () => {
    const r = registry(() => "enabled");
    const schema = r.fixedSchema(["service", "span_name"]);
    expect(spanName(schema.resolve(["api", "GET /api/orders/1001"])?.labels)).toBe("GET /api/orders/1001");
    expect(spanName(schema.resolve(["api", "GET /api/orders/1002"])?.labels)).toBe("GET /api/orders/<_>");
    // the first name now maps to the template too: one label set for the family
    expect(schema.resolve(["api", "GET /api/orders/1001"])).toBe(schema.resolve(["api", "GET /api/orders/9"]));
    expect(r.controls.sanitizer?.counters.spansSanitized).toBe(3);
    const info = r.infoSchema(["span_name"]);
    expect(spanName(info.resolve(["GET /api/orders/77"])?.labels)).toBe("GET /api/orders/77");
  });

  test("dry_run: labels stay as they came, but the counters and the post-sanitization demand see the templates", () => {
    const r = registry(() => "dry_run");
    const schema = r.fixedSchema(["span_name"]);
    for (let i = 0; i < 50; i++) expect(spanName(schema.resolve([`GET /api/orders/${1000 + i}`])?.labels)).toBe(`GET /api/orders/${1000 + i}`);
    expect(r.controls.sanitizer?.counters.spansSanitized).toBe(49);
    expect(r.controls.entityDemand.estimate()).toBe(50);
    // the first name (still verbatim when it came) and the template
    expect(r.controls.sanitizedDemand.estimate()).toBe(2);
  });

  test("off: no sanitizer is made and nothing is counted; turning it on applies from the next evaluation", () => {
    let mode: SanitizeMode = "";
    const r = registry(() => mode);
    const schema = r.fixedSchema(["span_name"]);
    schema.resolve(["GET /a/1"]);
    schema.resolve(["GET /a/2"]);
    expect(r.controls.sanitizer).toBeNull();
    mode = "enabled";
    r.maintain();
    schema.resolve(["GET /a/3"]);
    expect(spanName(schema.resolve(["GET /a/4"])?.labels)).toBe("GET /a/<_>");
  });

  test("a label set without span_name counts as an empty line (too few tokens), as Tempo's service-graph builds do", () => {
    const r = registry(() => "enabled");
    const edges = r.fixedSchema(["client", "server"]);
    edges.resolve(["a", "b"]);
    edges.resolve(["a", "b"]);
    expect(r.controls.sanitizer?.counters.linesSkippedTooFew).toBe(2);
  });

  test("the name is truncated first (DRAIN trains on the truncated value), and the template is not truncated again", () => {
    const r = registry(() => "enabled", 16);
    const schema = r.fixedSchema(["span_name"]);
    schema.resolve(["GET /orders/1234567"]);
    // truncated to "GET /orders/1234", then generalised: the template is longer than 16 bytes and kept whole
    expect(spanName(schema.resolve(["GET /orders/9876543"])?.labels)).toBe("GET /orders/<_>");
    expect(spanName(schema.resolve(["GET /orders/98765432109"])?.labels)).toBe("GET /orders/<_>");
  });
});
