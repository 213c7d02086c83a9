import { describe, expect, test } from "bun:test";
import { normalizePolicyKey } from "../../src/config/schema-filter-policy.ts";
import { translateRe2 } from "../../src/config/re2-regex.ts";
import { errorFor, parse } from "./helpers.ts";

const withPolicies = (policies: string) =>
  `metrics_generator:\n  processor:\n    span_metrics:\n      filter_policies:\n${policies
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => `        ${l}`)
    .join("\n")}\n`;

describe("filter_policies", () => {
  test("keys are normalized, strict values keep their YAML type, regexes become JS syntax", () => {
    const config = parse(
      withPolicies(`
- include:
    match_type: regex
    attributes:
      - key: resource.service.name
        value: "(?i)^checkout"
      - key: span."http route"
        value: "(?P<v>v[0-9]+)"
  exclude:
    match_type: strict
    attributes:
      - key: span.http.status_code
        value: 200
      - key: span.cached
        value: true
      - key: kind
        value: SPAN_KIND_INTERNAL
`),
    );
    expect(config.tenant_defaults.span_metrics.filter_policies).toEqual([
      {
        include: {
          match_type: "regex",
          attributes: [
            { key: "resource.service.name", value: "(?i:^checkout)" },
            { key: "span.http route", value: "(?<v>v[0-9]+)" },
          ],
        },
        exclude: {
          match_type: "strict",
          attributes: [
            { key: "span.http.status_code", value: 200 },
            { key: "span.cached", value: true },
            { key: "kind", value: "SPAN_KIND_INTERNAL" },
          ],
        },
      },
    ]);
  });

  test("each policy needs include, include_any or exclude", () => {
    expect(errorFor(withPolicies("- {}")).message).toContain(
      "span_metrics.filter_policies.0: a filter policy needs at least one of include, include_any, exclude",
    );
  });

  test("match_type must be strict or regex", () => {
    expect(errorFor(withPolicies("- include:\n    match_type: glob\n    attributes: []")).message).toContain(
      'filter_policies.0.include.match_type: expected one of "strict", "regex", got string "glob"',
    );
  });

  test("kind and status values are checked in strict mode", () => {
    const e = errorFor(
      withPolicies("- include:\n    match_type: strict\n    attributes:\n      - key: kind\n        value: server\n      - key: status\n        value: error"),
    );
    expect(e.message).toContain("include.attributes.0.value: kind must be one of SPAN_KIND_UNSPECIFIED");
    expect(e.message).toContain("include.attributes.1.value: status must be one of STATUS_CODE_UNSET");
  });

  test("unscoped keys and bad regexes name the attribute", () => {
    const e = errorFor(
      withPolicies("- exclude:\n    match_type: regex\n    attributes:\n      - key: http.method\n        value: GET\n      - key: span.x\n        value: '(unclosed'"),
    );
    expect(e.message).toContain('exclude.attributes.0.key: key "http.method" must be resource.<attribute>, span.<attribute>, name, status or kind');
    expect(e.message).toContain("exclude.attributes.1.value: invalid regular expression");
  });

  test("service_graphs policies are validated the same way", () => {
    const yaml = "metrics_generator:\n  processor:\n    service_graphs:\n      filter_policies:\n        - include_any:\n            match_type: strict\n            attributes:\n              - key: event.name\n                value: x\n";
    expect(errorFor(yaml).message).toContain("service_graphs.filter_policies.0.include_any.attributes.0.key");
  });
});

describe("normalizePolicyKey", () => {
  test.each([
    ["name", "name"],
    ["status", "status"],
    ["kind", "kind"],
    ["resource.k8s.pod.name", "resource.k8s.pod.name"],
    ['span."foo bar"', "span.foo bar"],
    ['span."say \\"hi\\""', 'span.say "hi"'],
  ])("%s → %s", (key, expected) => {
    expect(normalizePolicyKey(key)).toBe(expected);
  });

  test.each(["foo", "span.", "event.name", "span:name", "span.foo bar", 'span."open', 'span.""'])("rejects %s", (key) => {
    expect(() => normalizePolicyKey(key)).toThrow();
  });
});

describe("RE2 → JS regex", () => {
  test.each([
    ["^GET$", "^GET$"],
    ["(?i)foo", "(?i:foo)"],
    ["(?is)a.b", "(?is:a.b)"],
    ["(?P<id>[0-9]+)", "(?<id>[0-9]+)"],
  ])("%s → %s", (re2, js) => {
    expect(translateRe2(re2)).toEqual({ ok: true, source: js });
  });

  test("the translated regex matches what RE2 would", () => {
    const t = translateRe2("(?i)^checkout");
    expect(t.ok && new RegExp(t.source).test("CheckoutService")).toBe(true);
  });

  test.each(["[[:alpha:]]+", "abc\\z", "\\Aabc", "\\Qa.b\\E", "\\pL", "(?U)a+", "a(?i)b", "(unclosed"])("rejects %s", (re2) => {
    expect(translateRe2(re2).ok).toBe(false);
  });
});
