import { describe, expect, test } from "bun:test";
import { errorFor, parse } from "./helpers.ts";

const spanMetrics = (body: string) =>
  `metrics_generator:\n  processor:\n    span_metrics:\n${body
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => `      ${l}`)
    .join("\n")}\n`;

describe("validation rules", () => {
  test("unsorted histogram buckets are sorted, as Tempo sorts them, with a warning naming the key", () => {
    const config = parse(spanMetrics("histogram_buckets: [0.5, 0.1, 2]"));
    expect(config.tenant_defaults.span_metrics.histogram_buckets).toEqual([0.1, 0.5, 2]);
    expect(config.warnings).toContain("metrics_generator.processor.span_metrics.histogram_buckets: buckets sorted to [0.1, 0.5, 2]");
  });

  test("repeated bucket bounds are dropped with a warning; sorted lists load quietly", () => {
    const config = parse(spanMetrics("histogram_buckets: [0.1, 0.5, 0.5, 2]"));
    expect(config.tenant_defaults.span_metrics.histogram_buckets).toEqual([0.1, 0.5, 2]);
    expect(config.warnings.filter((w) => w.includes("histogram_buckets"))).toEqual([
      "metrics_generator.processor.span_metrics.histogram_buckets: buckets sorted to [0.1, 0.5, 2] (1 repeated bound dropped)",
    ]);
    expect(parse(spanMetrics("histogram_buckets: [0.1, 2]")).warnings.filter((w) => w.includes("histogram_buckets"))).toEqual([]);
  });

  test("histogram buckets must be finite numbers", () => {
    expect(errorFor(spanMetrics("histogram_buckets: [0.1, .inf]")).message).toContain("histogram_buckets.1: expected a finite number");
  });

  test("dimension names must not be empty", () => {
    expect(errorFor(spanMetrics('dimensions: [a, ""]')).message).toContain("span_metrics.dimensions.1: must not be empty");
  });

  test("dimension mappings need a name and source labels", () => {
    const e = errorFor(spanMetrics("dimension_mappings:\n  - source_labels: [a]\n  - name: x\n    source_labels: []"));
    expect(e.message).toContain("dimension_mappings.0.name: is required");
    expect(e.message).toContain("dimension_mappings.1.source_labels: must not be empty");
  });

  // Sanitizing prefixes intrinsic names with "__", so a mapping can only collide with
  // dimensions and other mappings (the enabled-intrinsic check of spec §4.4 never fires).
  test("a mapping label may not collide with a dimension or another mapping, after sanitizing", () => {
    const e = errorFor(
      spanMetrics(
        "dimensions: [http.method, span.kind]\ndimension_mappings:\n  - name: http_method\n    source_labels: [a]\n  - name: span-kind\n    source_labels: [b]\n  - name: env\n    source_labels: [c]\n  - name: env\n    source_labels: [d]",
      ),
    );
    expect(e.message).toContain('dimension_mappings.0.name: label "http_method" collides with dimension "http.method"');
    expect(e.message).toContain('dimension_mappings.1.name: label "__span_kind" collides with dimension "span.kind"');
    expect(e.message).toContain('dimension_mappings.3.name: label "env" collides with dimension mapping "env"');
  });

  test("a mapping named like an intrinsic does not collide with it (its label becomes __span_kind)", () => {
    const config = parse(spanMetrics("dimension_mappings:\n  - name: span_kind\n    source_labels: [x]"));
    expect(config.tenant_defaults.span_metrics.dimension_mappings).toEqual([{ name: "span_kind", source_labels: ["x"], join: "" }]);
  });

  test("collisions created by overrides are reported at the override", () => {
    const yaml =
      spanMetrics("dimensions: [team]") +
      "overrides:\n  defaults:\n    metrics_generator:\n      processor:\n        span_metrics:\n          dimension_mappings:\n            - name: team\n              source_labels: [a, b]\n";
    expect(errorFor(yaml).message).toContain("overrides.defaults.metrics_generator.processor.span_metrics.dimension_mappings.0.name");
  });

  test("intrinsic_dimensions only allows the five intrinsic keys", () => {
    expect(errorFor(spanMetrics("intrinsic_dimensions:\n  job: true")).message).toContain("span_metrics.intrinsic_dimensions.job: unknown key");
  });

  test("host_info needs identifiers and a valid metric name", () => {
    const e = errorFor("metrics_generator:\n  processor:\n    host_info:\n      host_identifiers: []\n      metric_name: 1bad-name\n");
    expect(e.message).toContain("host_info.host_identifiers: must not be empty");
    expect(e.message).toContain('host_info.metric_name: "1bad-name" is not a valid Prometheus metric name');
  });

  test("label lengths and intervals must be positive; enums are checked", () => {
    const e = errorFor(
      "metrics_generator:\n  limiter_type: global\n  codec: json\n  ingest_concurrency: 0\n  registry:\n    collection_interval: 0s\n    max_label_value_length: -1\n",
    );
    expect(e.message).toContain('metrics_generator.limiter_type: expected one of "series", "entity"');
    expect(e.message).toContain('metrics_generator.codec: expected one of "push-bytes", "otlp"');
    expect(e.message).toContain("metrics_generator.ingest_concurrency: must be greater than 0");
    expect(e.message).toContain("metrics_generator.registry.collection_interval: must be greater than 0");
    expect(e.message).toContain("metrics_generator.registry.max_label_value_length: must be greater than 0");
  });

  test("durations are checked where they are written", () => {
    expect(errorFor("metrics_generator:\n  processor:\n    service_graphs:\n      wait: 10\n").message).toContain(
      'metrics_generator.processor.service_graphs.wait: missing unit in duration 10 (write e.g. "10s")',
    );
    const config = parse("metrics_generator:\n  processor:\n    service_graphs:\n      wait: 1m30s\n  metrics_ingestion_time_range_slack: 0\n");
    expect(config.tenant_defaults.service_graphs.wait_ms).toBe(90_000);
    expect(config.generator.metrics_ingestion_time_range_slack_ms).toBe(0);
  });

  test("server.http_tls_config: dskit's keys; half a certificate, inline material and an unused client CA fail", () => {
    const f = import.meta.path;
    expect(errorFor("server:\n  http_tls_config:\n    cert_file: /a.pem\n").message).toContain("server.http_tls_config: TLS needs both cert_file and key_file");
    expect(errorFor(`server:\n  http_tls_config:\n    cert_file: ${f}\n    key_file: ${f}\n    key: abc\n`).message).toContain(
      "server.http_tls_config.key: inline key is not supported by redgen (use key_file)",
    );
    expect(errorFor(`server:\n  http_tls_config:\n    cert_file: ${f}\n    key_file: ${f}\n    client_ca_file: ${f}\n`).message).toContain(
      "server.http_tls_config.client_auth_type: set client_auth_type: RequireAndVerifyClientCert",
    );
    const mutual = `server:\n  http_tls_config:\n    cert_file: ${f}\n    key_file: ${f}\n    client_auth_type: RequireAndVerifyClientCert\n    client_ca_file: ${f}\n`;
    expect(parse(mutual).server.tls).toEqual({ cert_file: f, key_file: f, client_ca_file: f });
    // Tempo's default block (empty cert_file) is plain HTTP.
    expect(parse("server:\n  http_tls_config:\n    cert_file: ''\n    key: null\n").server.tls).toBeUndefined();
  });
});
