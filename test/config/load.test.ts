import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { defaultStoragePath } from "../../src/config/storage-path.ts";
import { hostname } from "node:os";
import { EMBEDDED_DEFAULT_YAML } from "../../src/config/embedded-default.ts";
import { configWarnings, loadConfig, parseConfig } from "../../src/config/load.ts";
import { GRPC_DEFAULTS } from "../../src/config/receivers.ts";
import { configError, errorFor, fixture, parse } from "./helpers.ts";

describe("seed configuration", () => {
  const config = loadConfig(fixture("seed.yaml"));

  test("loads with the server and receiver settings as written", () => {
    expect(config.server).toEqual({ http_listen_address: "0.0.0.0", http_listen_port: 3100, log_level: "info" });
    expect(config.receivers.grpc).toEqual({ host: "0.0.0.0", port: 4317, max_request_bytes: 16 * 1024 * 1024, ...GRPC_DEFAULTS });
    expect(config.receivers.http).toEqual({ host: "0.0.0.0", port: 4318, max_request_bytes: 16 * 1024 * 1024, idle_timeout_s: 10 });
  });

  test("warns once for each Tempo section redgen does not use", () => {
    const warnings = configWarnings(config);
    for (const section of ["ingester", "compactor", "storage"]) {
      expect(warnings.filter((w) => w === `section ${section} is not used by redgen`)).toHaveLength(1);
    }
  });

  test("enables span-metrics and service-graphs (their blocks exist) but not host-info, with a warning", () => {
    expect(config.tenant_defaults.processors).toEqual(["span-metrics", "service-graphs"]);
    expect(config.warnings.some((w) => w.includes("Tempo would generate no metrics") && w.includes("span-metrics, service-graphs"))).toBe(true);
  });

  test("keeps span_metrics and service_graphs settings as given, with Tempo defaults elsewhere", () => {
    const sm = config.tenant_defaults.span_metrics;
    expect(sm.enable_target_info).toBe(true);
    expect(sm.dimensions).toEqual(["http.method", "http.status_code", "rpc.grpc.status_code", "k8s.namespace.name", "k8s.deployment.name", "k8s.pod.name"]);
    expect(sm.histogram_buckets).toEqual([0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
    expect(sm.intrinsic_dimensions).toEqual({ service: true, span_name: true, span_kind: true, status_code: true, status_message: false });
    expect(sm.enable_instance_label).toBe(true);
    const sg = config.tenant_defaults.service_graphs;
    expect(sg.dimensions).toEqual(["http.method", "http.target", "http.status_code", "k8s.namespace.name", "k8s.deployment.name"]);
    expect(sg.wait_ms).toBe(10_000);
    expect(sg.histogram_buckets).toEqual([0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8]);
    expect(sg.peer_attributes).toEqual(["peer.service", "db.name", "db.system", "db.system.name"]);
  });

  test("has one remote write with exemplars on and Tempo's defaults", () => {
    const [rw] = config.generator.storage.remote_write;
    expect(config.generator.storage.remote_write).toHaveLength(1);
    expect(rw.url).toBe("http://prometheus.observability.svc.cluster.local:9090/api/v1/write");
    expect(rw.send_exemplars).toBe(true);
    expect(rw.remote_timeout_ms).toBe(30_000);
    expect(rw.queue).toEqual({ capacity: 10_000, max_shards: 50, max_samples_per_send: 2_000, min_backoff_ms: 30, sample_age_limit_ms: 0, max_backoff_ms: 5_000, retry_on_http_429: false });
    expect(config.generator.storage.path).toBe("/var/tempo/generator/wal");
    expect(config.generator.storage.remote_write_flush_deadline_ms).toBe(60_000);
    expect(config.generator.storage.remote_write_add_org_id_header).toBe(true);
  });
});

describe("embedded default (no config file)", () => {
  const config = loadConfig(undefined);

  test("the tree validated at build time (a Bun macro) is exactly what parsing the YAML at run time gives", () => {
    expect(Bun.deepEquals(config, parseConfig(EMBEDDED_DEFAULT_YAML), true)).toBe(true);
  });

  test("listens on all interfaces: API 3200, OTLP gRPC 4317 and HTTP 4318", () => {
    expect(config.server).toEqual({ http_listen_address: "0.0.0.0", http_listen_port: 3200, log_level: "info" });
    expect(config.receivers.grpc).toMatchObject({ host: "0.0.0.0", port: 4317 });
    expect(config.receivers.http).toMatchObject({ host: "0.0.0.0", port: 4318 });
  });

  test("runs every processor, writes nowhere, and keeps its state in data/ (or systemd's state directory)", () => {
    expect(config.tenant_defaults.processors).toEqual(["span-metrics", "service-graphs", "host-info"]);
    expect(config.generator.storage.remote_write).toEqual([]);
    expect(config.generator.storage.path).toBe(join(process.cwd(), "data"));
    expect(defaultStoragePath({ STATE_DIRECTORY: "/var/lib/redgen" })).toBe("/var/lib/redgen");
    expect(config.generator.storage.max_queue_bytes).toBe(2 ** 30);
    expect(config.tenant_overrides).toEqual({});
    expect(config.warnings).toEqual([]);
  });

  test("uses Tempo defaults for everything else", () => {
    expect(config.generator.registry).toEqual({
      collection_interval_ms: 15_000,
      stale_duration_ms: 900_000,
      external_labels: {},
      inject_tenant_id_as: "",
      max_label_name_length: 1024,
      max_label_value_length: 2048,
    });
    expect(config.generator.metrics_ingestion_time_range_slack_ms).toBe(30_000);
    expect(config.generator.instance_id).toBe(hostname());
    const t = config.tenant_defaults;
    expect(t.span_metrics.histogram_buckets).toEqual([0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384]);
    expect(t.host_info).toEqual({ host_identifiers: ["k8s.node.name", "host.id"], metric_name: "traces_host_info" });
    expect(t.service_graphs.database_name_attributes).toEqual(["db.namespace", "db.name", "db.system", "db.system.name"]);
    expect(t).toMatchObject({
      max_active_series: 0,
      collection_interval_ms: 15_000,
      disable_collection: false,
      trace_id_label_name: "traceID",
      ingestion_time_range_slack_ms: 30_000,
      generate_native_histograms: "classic",
      remote_write_headers: {},
    });
  });
});

describe("errors name the key path", () => {
  test("an unknown key inside metrics_generator fails with its full path and a suggestion", () => {
    const e = errorFor("metrics_generator:\n  registry:\n    collection_intervall: 30s\n");
    expect(e.message).toContain("metrics_generator.registry.collection_intervall: unknown key");
    expect(e.message).toContain('did you mean "collection_interval"');
    expect(e.message).toContain("line 3, column 5");
  });

  test("a wrong type fails with the path to the list item", () => {
    const e = errorFor("metrics_generator:\n  processor:\n    span_metrics:\n      histogram_buckets: [0.1, 0.5, fast]\n");
    expect(e.message).toContain('metrics_generator.processor.span_metrics.histogram_buckets.2: expected a number, got string "fast"');
  });

  test("every problem of the file is reported at once", () => {
    const e = errorFor("server:\n  http_listen_port: http\nmetrics_generator:\n  registry:\n    stale_duration: soon\n");
    expect(e.problems).toHaveLength(2);
    expect(e.message).toContain("2 problems");
    expect(e.problems[0]).toContain("server.http_listen_port: expected a port number");
    expect(e.problems[1]).toContain("metrics_generator.registry.stale_duration: invalid duration");
  });

  test("a YAML syntax error includes the line and column", () => {
    const e = errorFor("server:\n  http_listen_port: 3200\n    bad: indent\n");
    expect(e.problems).toHaveLength(1);
    expect(e.message).toContain("YAML syntax error");
    expect(e.message).toContain("at line 2, column 21");
    expect(errorFor("server:\n  http_listen_port: 3200\nmetrics_generator: [a, b\n").message).toContain("at line 4, column 1");
  });

  test("an alias without its anchor is a config error, not a crash (found by the fuzz suite)", () => {
    expect(errorFor("server:\n  http_listen_port: *x\n").message).toContain("YAML error: Unresolved alias");
  });

  test("duplicate keys are errors, as in Tempo", () => {
    expect(errorFor("server:\n  http_listen_port: 1\n  http_listen_port: 2\n").message).toContain("unique");
  });

  test("an unreadable file is a ConfigError", () => {
    expect(configError(() => loadConfig(fixture("does-not-exist.yaml"))).message).toContain("no such file");
  });

  test("legacy flat overrides point at the nested key", () => {
    const e = errorFor("overrides:\n  metrics_generator_processors: [span-metrics]\n  metrics_generator_processor_span_metrics_dimensions: [a]\n");
    expect(e.message).toContain("overrides.metrics_generator_processors: legacy flat overrides are not supported: write it as overrides.defaults.metrics_generator.processors");
    expect(e.message).toContain("overrides.defaults.metrics_generator.processor.span_metrics.dimensions");
  });

  test("a top-level mapping is required", () => {
    expect(errorFor("- a\n- b\n").message).toContain("(top level): expected a mapping, got a list");
  });
});

describe("lenient where Tempo is", () => {
  test("an empty file is the Tempo defaults", () => {
    const config = parse("");
    expect(config.server.http_listen_port).toBe(3200);
    expect(config.tenant_defaults.processors).toEqual([]);
  });

  test("unknown top-level keys are warnings, not errors", () => {
    const config = parse("some_future_section:\n  x: 1\nstorag:\n  trace: {}\n");
    expect(config.warnings).toContain("unknown top-level key some_future_section is ignored (it may belong to another Tempo version)");
    expect(config.warnings).toContain(
      'unknown top-level key storag is ignored (it may belong to another Tempo version); did you mean "storage"?',
    );
  });

  test("a misspelt section that redgen reads is an error, not a warning", () => {
    const e = errorFor("metrics_generater:\n  processor:\n    span_metrics:\n");
    expect(e.message).toContain('metrics_generater: unknown top-level key (did you mean "metrics_generator"?) (line 1, column 1)');
  });

  test("YAML 1.1 booleans (yes/no/on/off) are booleans", () => {
    const config = parse("metrics_generator:\n  processor:\n    span_metrics:\n      enable_target_info: yes\n      enable_instance_label: off\n");
    expect(config.tenant_defaults.span_metrics.enable_target_info).toBe(true);
    expect(config.tenant_defaults.span_metrics.enable_instance_label).toBe(false);
  });

  test("merge keys work", () => {
    const config = parse("x: &dims {dimensions: [a, b]}\nmetrics_generator:\n  processor:\n    span_metrics:\n      <<: *dims\n");
    expect(config.tenant_defaults.span_metrics.dimensions).toEqual(["a", "b"]);
  });
});
