/**
 * The opt-in Collector mode of the bench, without building the Collector:
 * the config it is given carries the bench config's settings over, the
 * remote-write tally reads what the Collector writes, and the default run
 * never selects it.
 */
import { describe, expect, test } from "bun:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { parse } from "yaml";
import { parseConfig } from "../../src/config/load.ts";
import { WriteRequestSchema } from "../../src/gen/prometheus/remote_pb.ts";
import { snappyCompress } from "../../src/remote-write/snappy.ts";
import { SPAN_METRICS_DIMENSIONS, benchTenantConfig } from "./bench-config.ts";
import { collectorYaml } from "./collector-config.ts";
import { CallsTally } from "./figures/collector.ts";
import { benchSettings, readArgs, wantsCollector } from "./figures/settings.ts";

const endpoints = { grpc: "127.0.0.1:4317", http: "127.0.0.1:4318", remoteWriteUrl: "http://127.0.0.1:9/api/v1/write", telemetryPort: 8888 };

// the parsed YAML, checked field by field
type Any = any;

describe("collectorYaml", () => {
  test("carries the bench config's dimensions, buckets, service-graph store and flush interval over", () => {
    const tenant = benchTenantConfig({ receivers: true, maxItems: 250_000, remoteWrite: { url: endpoints.remoteWriteUrl, interval: "5s" } });
    const c: Any = parse(collectorYaml(tenant, endpoints));
    const sm = c.connectors.spanmetrics;
    expect(sm.dimensions).toEqual(SPAN_METRICS_DIMENSIONS.map((name) => ({ name })));
    expect(sm.exclude_dimensions).toBeUndefined();
    expect(sm.histogram).toEqual({ unit: "s", explicit: { buckets: tenant.span_metrics.histogram_buckets.map((b) => `${b}s`) } });
    expect(sm.histogram.explicit.buckets.slice(0, 3)).toEqual(["0.002s", "0.004s", "0.008s"]);
    expect(sm.metrics_flush_interval).toBe("5000ms");
    const sg = c.connectors.servicegraph;
    expect(sg.latency_histogram_buckets).toEqual(["0.1s", "0.2s", "0.4s", "0.8s", "1.6s", "3.2s", "6.4s", "12.8s"]);
    expect(sg.store).toEqual({ ttl: "10000ms", max_items: 250_000 });
    expect(sg.virtual_node_peer_attributes).toEqual(tenant.service_graphs.peer_attributes);
    expect(sg.database_name_attributes).toEqual(tenant.service_graphs.database_name_attributes);
    expect(sg.metrics_flush_interval).toBe("5000ms");
    expect(c.receivers.otlp.protocols).toEqual({ grpc: { endpoint: endpoints.grpc }, http: { endpoint: endpoints.http } });
    expect(c.exporters.prometheusremotewrite.endpoint).toBe(endpoints.remoteWriteUrl);
    expect(c.service.pipelines.metrics.receivers).toEqual(["spanmetrics", "servicegraph"]);
  });

  test("follows a changed config: buckets, dimensions, intrinsics turned off, wait, interval", () => {
    const tenant = parseConfig(`
metrics_generator:
  registry:
    collection_interval: 30s
  processor:
    span_metrics:
      histogram_buckets: [0.5, 1, 2.5]
      dimensions: [deployment.environment]
      intrinsic_dimensions: {span_kind: false, status_code: false}
    service_graphs:
      wait: 3s
      dimensions: [k8s.cluster.name]
      histogram_buckets: [1, 10]
`).tenant_defaults;
    const c: Any = parse(collectorYaml(tenant, endpoints));
    expect(c.connectors.spanmetrics.histogram.explicit.buckets).toEqual(["0.5s", "1s", "2.5s"]);
    expect(c.connectors.spanmetrics.dimensions).toEqual([{ name: "deployment.environment" }]);
    expect(c.connectors.spanmetrics.exclude_dimensions).toEqual(["span.kind", "status.code"]);
    expect(c.connectors.spanmetrics.metrics_flush_interval).toBe("30000ms");
    expect(c.connectors.servicegraph.store.ttl).toBe("3000ms");
    expect(c.connectors.servicegraph.dimensions).toEqual(["k8s.cluster.name"]);
    expect(c.connectors.servicegraph.latency_histogram_buckets).toEqual(["1s", "10s"]);
  });
});

describe("CallsTally", () => {
  const body = (series: [Record<string, string>, number, number][]) =>
    snappyCompress(
      toBinary(
        WriteRequestSchema,
        create(WriteRequestSchema, {
          timeseries: series.map(([labels, ts, value]) => ({
            labels: Object.entries(labels).map(([name, v]) => ({ name, value: v })),
            samples: [{ timestamp: BigInt(ts), value }],
          })),
        }),
      ),
    );
  const calls = (service: string) => ({ __name__: "traces_spanmetrics_calls_total", service_name: service });

  test("sums the latest sample of each calls series, whatever order the bodies come in", () => {
    const t = new CallsTally();
    t.add(body([[calls("a"), 2000, 7], [calls("b"), 2000, 3]]));
    t.add(body([[calls("a"), 1000, 5], [{ __name__: "traces_spanmetrics_duration_seconds_count", service_name: "a" }, 2000, 100]]));
    expect(t.sum()).toBe(10);
    expect(t.labelSets).toBe(2);
  });

  test("counts service-graph edges once, across their failed label", () => {
    const t = new CallsTally();
    const edge = { __name__: "traces_service_graph_request_total", client: "a", server: "b" };
    t.add(body([[{ ...edge, failed: "false" }, 1000, 4], [{ ...edge, failed: "true" }, 1000, 1], [{ ...edge, server: "c", failed: "false" }, 1000, 1]]));
    expect(t.edges.size).toBe(2);
  });
});

describe("wantsCollector", () => {
  const wanted = (argv: string[]) => ["collector.http", "collector.grpc"].filter((n) => wantsCollector(benchSettings(readArgs(argv)), n));

  test("the default run never builds or runs the Collector", () => {
    expect(wanted([])).toEqual([]);
    expect(wanted(["--quick"])).toEqual([]);
    expect(wanted(["--only", "e2e"])).toEqual([]);
  });

  test("--collector adds it to the selection; naming it in --only selects it", () => {
    expect(wanted(["--collector"])).toEqual(["collector.http", "collector.grpc"]);
    expect(wanted(["--only", "e2e,collector"])).toEqual(["collector.http", "collector.grpc"]);
    expect(wanted(["--only=collector.grpc"])).toEqual(["collector.grpc"]);
    expect(wanted(["--only", "e2e", "--collector"])).toEqual([]);
  });
});
