import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/config/load.ts";
import { GRPC_DEFAULTS } from "../../src/config/receivers.ts";
import { fixture } from "./helpers.ts";

describe("a full Tempo single-binary config", () => {
  const config = loadConfig(fixture("tempo-full.yaml"));
  const t = config.tenant_defaults;

  test("loads, keeping what redgen uses", () => {
    expect(config.server).toEqual({ http_listen_address: "127.0.0.1", http_listen_port: 3200, log_level: "warn" });
    expect(config.receivers.grpc).toEqual({ host: "::", port: 4317, max_request_bytes: 32 * 1024 * 1024, ...GRPC_DEFAULTS });
    expect(config.receivers.http).toEqual({ host: "0.0.0.0", port: 4318, max_request_bytes: 1048576, idle_timeout_s: 10 });
    expect(config.generator.instance_id).toBe("gen-1");
    expect(config.generator.metrics_ingestion_time_range_slack_ms).toBe(60_000);
    expect(config.generator.registry).toEqual({
      collection_interval_ms: 10_000,
      stale_duration_ms: 300_000,
      external_labels: { source: "tempo", cluster: "prod" },
      inject_tenant_id_as: "tenant",
      max_label_name_length: 1024,
      max_label_value_length: 512,
    });
    expect(t.processors).toEqual(["span-metrics", "service-graphs", "host-info"]);
    expect(t.generate_native_histograms).toBe("native");
    expect(t.remote_write_headers).toEqual({ "X-Team": "platform" });
    expect(t.collection_interval_ms).toBe(10_000);
    expect(t.service_graphs).toMatchObject({ wait_ms: 5_000, max_items: 500, workers: 2, enable_virtual_node_label: true });
    expect(t.span_metrics.intrinsic_dimensions.status_message).toBe(true);
    expect(t.span_metrics.dimension_mappings).toEqual([{ name: "env", source_labels: ["deployment.environment", "k8s.namespace.name"], join: "/" }]);
    expect(t.host_info).toEqual({ host_identifiers: ["host.name"], metric_name: "my_host_info" });
  });

  test("warns once for each accepted-but-unused key", () => {
    const expected = [
      "section querier is not used by redgen",
      "section memberlist is not used by redgen",
      "section usage_report is not used by redgen",
      "target is not used by redgen",
      "multitenancy_enabled is not used by redgen",
      "stream_over_http_enabled is not used by redgen",
      "server.grpc_listen_port is accepted and ignored by redgen",
      "server.log_format is accepted and ignored by redgen",
      "server.http_server_read_timeout is accepted and ignored by redgen",
      "distributor.log_received_spans is accepted and ignored by redgen",
      "distributor.receivers.jaeger: only OTLP is received by redgen; this receiver is ignored",
      "distributor.receivers.zipkin: only OTLP is received by redgen; this receiver is ignored",
      "distributor.receivers.otlp.protocols.grpc.include_metadata is accepted and ignored by redgen",
      "distributor.receivers.otlp.protocols.http.cors is accepted and ignored by redgen",
      "metrics_generator.ring is accepted and ignored by redgen (redgen runs as a single instance without a ring)",
      "metrics_generator.ingest_concurrency is accepted and ignored by redgen (redgen decodes and processes records in order on one event loop)",
      "metrics_generator.storage.wal is accepted and ignored by redgen (redgen keeps its own remote-write queue under storage.path)",
      "overrides.defaults.ingestion is accepted and ignored by redgen (redgen only uses the metrics_generator overrides)",
    ];
    for (const w of expected) expect(config.warnings.filter((x) => x === w)).toEqual([w]);
    expect(config.warnings.some((w) => w.includes("log_level"))).toBe(false);
    expect(config.warnings).toContainEqual(expect.stringContaining('unknown processor "local-blocks"'));
  });

  test("default values of Kafka-only keys stay quiet", () => {
    expect(config.warnings.some((w) => w.startsWith("metrics_generator.limiter_type"))).toBe(false);
  });
});
