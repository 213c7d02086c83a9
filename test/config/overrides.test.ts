import { describe, expect, test } from "bun:test";
import { loadConfig, tenantConfigFor } from "../../src/config/load.ts";
import { configError, errorFor, fixture, parse, withFixturesEnv } from "./helpers.ts";

describe("overrides.defaults applied over the static processor config (spec §10)", () => {
  const t = loadConfig(fixture("overrides.yaml")).tenant_defaults;

  test("a list override that is present but empty replaces the configured list", () => {
    expect(t.span_metrics.dimensions).toEqual([]);
    expect(t.service_graphs.histogram_buckets).toEqual([0.5, 5]);
  });

  test("lists the override does not mention keep the configured value", () => {
    expect(t.span_metrics.histogram_buckets).toEqual([0.1, 1, 10]);
    expect(t.service_graphs.dimensions).toEqual(["k8s.namespace.name"]);
    expect(t.service_graphs.peer_attributes).toEqual(["peer.service"]);
  });

  test("an empty string override does not apply; a set boolean does", () => {
    expect(t.span_metrics.span_multiplier_key).toBe("sampling.ratio");
    expect(t.span_metrics.enable_target_info).toBe(false);
  });

  test("enable_client_server_prefix: false cannot turn off a configured true", () => {
    expect(t.service_graphs.enable_client_server_prefix).toBe(true);
  });

  test("intrinsic_dimensions override changes only the keys it names", () => {
    expect(t.span_metrics.intrinsic_dimensions).toEqual({
      service: true,
      span_name: true,
      span_kind: false,
      status_code: true,
      status_message: true,
    });
  });

  test("generator limits come from the override", () => {
    expect(t.processors).toEqual(["span-metrics", "service-graphs"]);
    expect(t.max_active_series).toBe(1000);
    expect(t.collection_interval_ms).toBe(30_000);
  });

  test("enable_client_server_prefix: true in an override turns it on", () => {
    const config = parse(
      "overrides:\n  defaults:\n    metrics_generator:\n      processors: [service-graphs]\n      processor:\n        service_graphs:\n          enable_client_server_prefix: true\n",
    );
    expect(config.tenant_defaults.service_graphs.enable_client_server_prefix).toBe(true);
  });

  test("0 for collection_interval and ingestion_time_range_slack means the static value", () => {
    const config = parse(
      "metrics_generator:\n  metrics_ingestion_time_range_slack: 45s\n  registry:\n    collection_interval: 20s\n" +
        "overrides:\n  defaults:\n    metrics_generator:\n      collection_interval: 0s\n      ingestion_time_range_slack: 0\n",
    );
    expect(config.tenant_defaults.collection_interval_ms).toBe(20_000);
    expect(config.tenant_defaults.ingestion_time_range_slack_ms).toBe(45_000);
  });
});

describe("cardinality controls (spec §8.1, §8.5, §10)", () => {
  test("max_active_entities, max_cardinality_per_label and span_name_sanitization are real settings, off by default", () => {
    const off = parse("overrides:\n  defaults:\n    metrics_generator:\n      processors: [span-metrics]\n");
    expect([off.tenant_defaults.max_active_entities, off.tenant_defaults.max_cardinality_per_label, off.tenant_defaults.span_name_sanitization]).toEqual([0, 0, ""]);
    expect(off.generator.limiter_type).toBe("series");
    const on = parse(
      "metrics_generator:\n  limiter_type: entity\noverrides:\n  defaults:\n    metrics_generator:\n      processors: [span-metrics]\n" +
        "      max_active_entities: 500\n      max_cardinality_per_label: 100\n      span_name_sanitization: dry_run\n",
    );
    expect([on.tenant_defaults.max_active_entities, on.tenant_defaults.max_cardinality_per_label, on.tenant_defaults.span_name_sanitization]).toEqual([500, 100, "dry_run"]);
    expect(on.generator.limiter_type).toBe("entity");
    expect(on.warnings.filter((w) => /entity|cardinality|sanitiz/.test(w))).toEqual([]);
  });

  test("a bad value names its key path", () => {
    const e = errorFor("overrides:\n  defaults:\n    metrics_generator:\n      span_name_sanitization: on\n      max_cardinality_per_label: -3\n");
    expect(e.message).toContain("overrides.defaults.metrics_generator.span_name_sanitization: expected one of");
    expect(e.message).toContain("overrides.defaults.metrics_generator.max_cardinality_per_label");
  });
});

describe("processor selection", () => {
  test("an explicit empty list generates nothing, even with processor blocks", () => {
    const config = parse("metrics_generator:\n  processor:\n    span_metrics:\noverrides:\n  defaults:\n    metrics_generator:\n      processors: []\n");
    expect(config.tenant_defaults.processors).toEqual([]);
    expect(config.warnings.some((w) => w.includes("Tempo would generate no metrics"))).toBe(false);
  });

  test("an empty processor block (no value) still counts as configured", () => {
    const config = parse("metrics_generator:\n  processor:\n    host_info:\n");
    expect(config.tenant_defaults.processors).toEqual(["host-info"]);
  });

  test("unknown processor names are ignored with a warning, as in Tempo", () => {
    const config = parse("overrides:\n  defaults:\n    metrics_generator:\n      processors: [span-metrics, span-metrics, bogus, local-blocks, service-graphs-latency]\n");
    expect(config.tenant_defaults.processors).toEqual(["span-metrics", "service-graphs-latency"]);
    expect(config.warnings).toContainEqual(expect.stringContaining('overrides.defaults.metrics_generator.processors.2: unknown processor "bogus" is ignored'));
    expect(config.warnings).toContainEqual(expect.stringContaining("local-blocks processor was removed"));
  });

  test("static-only settings under overrides name the static key", () => {
    const e = errorFor("overrides:\n  defaults:\n    metrics_generator:\n      processor:\n        service_graphs:\n          max_items: 5\n");
    expect(e.message).toContain("cannot be overridden per tenant: set metrics_generator.processor.service_graphs.max_items instead");
  });
});

describe("per-tenant runtime overrides file", () => {
  const config = loadConfig(fixture("with-runtime-overrides.yaml"), withFixturesEnv);

  test("the defaults combine overrides.defaults with the static config", () => {
    expect(config.tenant_defaults.processors).toEqual(["span-metrics"]);
    expect(config.tenant_defaults.span_metrics.dimensions).toEqual(["http.route"]);
    expect(config.tenant_defaults.max_active_series).toBe(500);
    expect(config.tenant_defaults.trace_id_label_name).toBe("trace_id");
  });

  test("a tenant entry replaces the defaults as a whole (fields are not merged)", () => {
    const a = config.tenant_overrides["team-a"];
    expect(a.processors).toEqual(["service-graphs"]);
    expect(a.service_graphs.dimensions).toEqual(["db.system"]);
    // from the static config, not from overrides.defaults:
    expect(a.span_metrics.dimensions).toEqual(["http.method"]);
    expect(a.max_active_series).toBe(0);
    expect(a.trace_id_label_name).toBe("traceID");
  });

  test('the "*" entry is used for tenants without their own entry', () => {
    expect(config.tenant_overrides["*"].processors).toEqual(["span-metrics", "host-info"]);
    expect(config.tenant_overrides["*"].generate_native_histograms).toBe("both");
    expect(tenantConfigFor(config, "someone-else")).toBe(config.tenant_overrides["*"]);
    expect(tenantConfigFor(config, "team-a")).toBe(config.tenant_overrides["team-a"]);
  });

  test("a tenant entry without processors generates nothing, and says so", () => {
    expect(config.tenant_overrides["team-b"].processors).toEqual([]);
    expect(config.warnings).toContainEqual(expect.stringContaining('tenant "team-b" has no metrics_generator.processors'));
    expect(config.warnings).toContainEqual(expect.stringContaining("overrides.team-b.ingestion is accepted and ignored"));
  });

  test("the file and its reload period are kept for reloads", () => {
    expect(config.runtime_overrides?.files).toEndWith("runtime-overrides.yaml");
    expect(config.runtime_overrides?.period_ms).toBe(60_000);
    expect(config.warnings.some((w) => w.includes("read once"))).toBe(false);
  });

  test("the reload period defaults to 10s, as in Tempo", () => {
    const c = parse(`overrides:\n  per_tenant_override_config: ${fixture("runtime-overrides.yaml")}\n`);
    expect(c.runtime_overrides?.period_ms).toBe(10_000);
  });

  test("span_name_sanitization falls back to overrides.defaults when a tenant entry leaves it unset (spec §10)", () => {
    expect(config.tenant_defaults.span_name_sanitization).toBe("dry_run");
    expect(config.tenant_overrides["team-a"].span_name_sanitization).toBe("dry_run");
    expect(config.tenant_overrides["*"].span_name_sanitization).toBe("enabled");
    // other fields are not merged
    expect(config.tenant_overrides["team-a"].max_active_series).toBe(0);
  });

  test("without a runtime file, tenants use the defaults", () => {
    const plain = loadConfig(fixture("overrides.yaml"));
    expect(tenantConfigFor(plain, "anyone")).toBe(plain.tenant_defaults);
  });

  test("a missing runtime file fails at the key that names it", () => {
    const e = errorFor("overrides:\n  per_tenant_override_config: /nonexistent/overrides.yaml\n");
    expect(e.message).toContain('overrides.per_tenant_override_config: cannot read "/nonexistent/overrides.yaml": no such file');
  });

  test("problems inside the runtime file name the file and the tenant path", () => {
    const e = configError(() =>
      loadConfig(fixture("with-runtime-overrides.yaml"), { expandEnv: true, env: { FIXTURES: `${fixture("bad-runtime")}` } }),
    );
    expect(e.message).toContain(`per-tenant overrides file ${fixture("bad-runtime")}/runtime-overrides.yaml`);
    expect(e.message).toContain("overrides.tenant-x.metrics_generator.max_active_series: expected an integer");
    expect(e.message).toContain("overrides.tenant-x.metrics_generator_processors: legacy flat overrides are not supported: write it as overrides.<tenant>.metrics_generator.processors");
  });
});
