import { describe, expect, test } from "bun:test";
import { parseConfig } from "../../src/config/load.ts";
import type { FilterPolicy } from "../../src/config/types.ts";
import { SpanKind, StatusCode } from "../../src/decode/span-batch.ts";
import { request, span } from "../support/otlp-builders.ts";
import { pipeline, tenantConfig } from "../support/pipeline.ts";

const spans = () => [
  span({ name: "GET /a", kind: SpanKind.Server, status: StatusCode.Ok, attributes: { "http.status_code": 200n, route: "/a", ratio: { double: 0.5 }, flag: true } }),
  span({ name: "GET /b", kind: SpanKind.Client, status: StatusCode.Error, attributes: { "http.status_code": 500n, route: "/b" } }),
  span({ name: "SELECT", kind: SpanKind.Client, attributes: { "db.system": "postgresql", route: "" } }),
];

/** Span names kept by span-metrics under `policies`, resource {service.name: svc, env: prod}. */
function kept(policies: FilterPolicy[]): string[] {
  const p = pipeline(tenantConfig({ spanMetrics: { filter_policies: policies } }));
  p.send(request({ resource: { "service.name": "svc", env: "prod" }, spans: spans() }));
  return Object.keys(p.values())
    .filter((k) => k.startsWith("traces_spanmetrics_calls_total"))
    .map((k) => /span_name="([^"]*)"/.exec(k)?.[1] ?? "")
    .sort();
}

const strict = (...attributes: { key: string; value: string | number | boolean }[]) => ({ match_type: "strict" as const, attributes });
const regex = (...attributes: { key: string; value: string }[]) => ({ match_type: "regex" as const, attributes });

describe("filter policies (spec §7, §15.21)", () => {
  const cases: { rule: string; policies: FilterPolicy[]; kept: string[] }[] = [
    { rule: "no policies keep everything", policies: [], kept: ["GET /a", "GET /b", "SELECT"] },
    { rule: "strict kind", policies: [{ include: strict({ key: "kind", value: "SPAN_KIND_CLIENT" }) }], kept: ["GET /b", "SELECT"] },
    { rule: "strict status", policies: [{ include: strict({ key: "status", value: "STATUS_CODE_ERROR" }) }], kept: ["GET /b"] },
    { rule: "strict name", policies: [{ include: strict({ key: "name", value: "SELECT" }) }], kept: ["SELECT"] },
    { rule: "strict int attribute", policies: [{ include: strict({ key: "span.http.status_code", value: 500 }) }], kept: ["GET /b"] },
    { rule: "strict double attribute", policies: [{ include: strict({ key: "span.ratio", value: 0.5 }) }], kept: ["GET /a"] },
    { rule: "strict bool attribute", policies: [{ include: strict({ key: "span.flag", value: true }) }], kept: ["GET /a"] },
    { rule: "strict type mismatch fails: string 200 vs int 200", policies: [{ include: strict({ key: "span.http.status_code", value: "200" }) }], kept: [] },
    {
      rule: "a present key of another type compares as that type's zero value",
      policies: [{ include: strict({ key: "span.route", value: 0 }) }],
      kept: ["GET /a", "GET /b", "SELECT"],
    },
    { rule: "a missing key never matches, even a zero value", policies: [{ include: strict({ key: "span.nope", value: "" }) }], kept: [] },
    { rule: "resource attributes", policies: [{ include: strict({ key: "resource.env", value: "prod" }) }], kept: ["GET /a", "GET /b", "SELECT"] },
    { rule: "resource scope does not see span attributes", policies: [{ include: strict({ key: "resource.route", value: "/a" }) }], kept: [] },
    { rule: "regex is unanchored", policies: [{ include: regex({ key: "name", value: "ET" }) }], kept: ["GET /a", "GET /b"] },
    { rule: "regex on kind names", policies: [{ include: regex({ key: "kind", value: "SERVER|INTERNAL" }) }], kept: ["GET /a"] },
    { rule: "regex on a non-string attribute matches as empty", policies: [{ include: regex({ key: "span.http.status_code", value: "^$" }) }], kept: ["GET /a", "GET /b"] },
    {
      rule: "within a block every attribute must match",
      policies: [{ include: strict({ key: "kind", value: "SPAN_KIND_CLIENT" }, { key: "status", value: "STATUS_CODE_ERROR" }) }],
      kept: ["GET /b"],
    },
    {
      rule: "all include blocks must match",
      policies: [{ include: strict({ key: "kind", value: "SPAN_KIND_CLIENT" }) }, { include: regex({ key: "name", value: "^GET" }) }],
      kept: ["GET /b"],
    },
    {
      rule: "exclude beats everything",
      policies: [{ include_any: regex({ key: "name", value: "." }), exclude: strict({ key: "name", value: "GET /a" }) }],
      kept: ["GET /b", "SELECT"],
    },
    {
      rule: "an include_any match keeps a span that include would drop",
      policies: [{ include: strict({ key: "name", value: "GET /a" }) }, { include_any: strict({ key: "name", value: "SELECT" }) }],
      kept: ["GET /a", "SELECT"],
    },
    { rule: "include_any alone keeps only its matches", policies: [{ include_any: strict({ key: "name", value: "SELECT" }) }], kept: ["SELECT"] },
    { rule: "quoted attribute names", policies: [{ include: strict({ key: 'span."db.system"', value: "postgresql" }) }], kept: ["SELECT"] },
  ];
  for (const c of cases) test(c.rule, () => expect(kept(c.policies)).toEqual(c.kept));

  test("filtered spans are counted as span_metrics_filtered", () => {
    const p = pipeline(tenantConfig({ spanMetrics: { filter_policies: [{ exclude: strict({ key: "name", value: "SELECT" }) }] } }));
    p.send(request({ resource: { "service.name": "svc" }, spans: spans() }));
    expect(p.tenant().stats.discarded.get("span_metrics_filtered\u0000span-metrics")).toBe(1);
  });
});

describe("strict numbers keep the type they were written with in YAML (Go's yaml.v2 → float64 or int)", () => {
  const status = (value: string) => `metrics_generator:
  processor:
    span_metrics:
      filter_policies:
        - include:
            match_type: strict
            attributes:
              - key: span.code
                value: ${value}
`;
  /** Which of an int-typed and a double-typed `code` attribute (both 200) the policy keeps. */
  function keptByYaml(value: string): string[] {
    const policies = parseConfig(status(value)).tenant_defaults.span_metrics.filter_policies;
    const p = pipeline(tenantConfig({ spanMetrics: { filter_policies: policies } }));
    p.send(
      request({
        resource: { "service.name": "svc" },
        spans: [span({ name: "int", attributes: { code: 200n } }), span({ name: "double", attributes: { code: { double: 200 } } })],
      }),
    );
    return Object.keys(p.values())
      .filter((k) => k.startsWith("traces_spanmetrics_calls_total"))
      .map((k) => /span_name="([^"]*)"/.exec(k)?.[1] ?? "")
      .sort();
  }

  test.each([
    ["200", ["int"]],
    ["200.0", ["double"]],
    ["2e2", ["double"]],
    ["0xc8", ["int"]],
    ['"200"', []],
  ])("value: %s", (value, expected) => {
    expect(keptByYaml(value)).toEqual(expected);
  });

  test("a float-written value used as a regex or intrinsic keeps its text", () => {
    const config = parseConfig(`metrics_generator:
  processor:
    service_graphs:
      filter_policies:
        - exclude:
            match_type: regex
            attributes:
              - key: name
                value: 1.50
`);
    expect(config.tenant_defaults.service_graphs.filter_policies).toEqual([{ exclude: { match_type: "regex", attributes: [{ key: "name", value: "1.50" }] } }]);
  });
});
