import { describe, expect, test } from "bun:test";
import { SpanKind, StatusCode } from "../../src/decode/span-batch.ts";
import { idBytes, nowNs, request, span } from "../support/otlp-builders.ts";
import { pipeline, tenantConfig } from "../support/pipeline.ts";

const SVC = { "service.name": "checkout" };
const base = 'service="checkout",span_kind="SPAN_KIND_SERVER",span_name="GET /cart",status_code="STATUS_CODE_UNSET"';

describe("span metrics labels and values", () => {
  test("intrinsic labels, calls, size and latency for one span", () => {
    const p = pipeline(tenantConfig({}));
    const s = span({ name: "GET /cart", duration: 0.003 });
    p.send(request({ resource: SVC, spans: [s] }));
    const v = p.values();
    expect(v[`traces_spanmetrics_calls_total{${base}}`]).toBe(1);
    expect(v[`traces_spanmetrics_latency_count{${base}}`]).toBe(1);
    expect(v[`traces_spanmetrics_latency_sum{${base}}`]).toBeCloseTo(0.003, 9);
    // default buckets 0.002 × 2^n: 0.003 lands in le=0.004
    expect(v[`traces_spanmetrics_latency_bucket{${base},le="0.002"}`]).toBe(0);
    expect(v[`traces_spanmetrics_latency_bucket{${base},le="0.004"}`]).toBe(1);
    expect(v[`traces_spanmetrics_latency_bucket{${base},le="+Inf"}`]).toBe(1);
    expect(v[`traces_spanmetrics_size_total{${base}}`]).toBeGreaterThan(20);
  });

  test("status_message is an opt-in intrinsic; disabled intrinsics disappear", () => {
    const p = pipeline(
      tenantConfig({
        spanMetrics: { intrinsic_dimensions: { service: true, span_name: false, span_kind: false, status_code: true, status_message: true } },
      }),
    );
    p.send(request({ resource: SVC, spans: [span({ status: StatusCode.Error, statusMessage: "boom" })] }));
    expect(p.values()['traces_spanmetrics_calls_total{service="checkout",status_code="STATUS_CODE_ERROR",status_message="boom"}']).toBe(1);
  });

  // One row per rule of spec §4.3 / §15.4–6: dimensions → expected label text.
  const dimensionCases: {
    rule: string;
    dims: string[];
    resource?: Record<string, string | number | boolean | { double: number }>;
    attrs?: Record<string, string | number | boolean | bigint | { double: number } | string[]>;
    labels: string;
  }[] = [
    { rule: "15.4 missing attribute gives no label", dims: ["http.method"], labels: "" },
    { rule: "15.4 empty value gives no label", dims: ["http.method"], attrs: { "http.method": "" }, labels: "" },
    {
      rule: "15.4 duplicate names after sanitizing: the last wins, and its empty value deletes the label",
      dims: ["deployment.environment", "deployment_environment"],
      attrs: { "deployment.environment": "prod" },
      labels: "",
    },
    {
      rule: "15.4 duplicate names: last non-empty wins",
      dims: ["deployment.environment", "deployment_environment"],
      attrs: { "deployment.environment": "prod", deployment_environment: "dev" },
      labels: 'deployment_environment="dev"',
    },
    {
      rule: "15.5 resource wins over span",
      dims: ["k8s.namespace.name"],
      resource: { "k8s.namespace.name": "shop" },
      attrs: { "k8s.namespace.name": "span-ns" },
      labels: 'k8s_namespace_name="shop"',
    },
    {
      rule: "15.5 an empty resource value still wins (no fall-back to the span)",
      dims: ["k8s.namespace.name"],
      resource: { "k8s.namespace.name": "" },
      attrs: { "k8s.namespace.name": "span-ns" },
      labels: "",
    },
    { rule: "15.6 collision with an intrinsic gets __", dims: ["span.kind"], attrs: { "span.kind": "x" }, labels: '__span_kind="x"' },
    { rule: "15.6 collision after sanitizing", dims: ["status-code"], attrs: { "status-code": "200" }, labels: '__status_code="200"' },
    { rule: "15.6 one _ per code point, not per UTF-16 unit or byte", dims: ["h\u00e9\u{1F600}.x"], attrs: { "h\u00e9\u{1F600}.x": "v" }, labels: 'h___x="v"' },
    { rule: "15.6 a leading digit is kept", dims: ["1st.attr"], attrs: { "1st.attr": "v" }, labels: '1st_attr="v"' },
    { rule: "4.3 int is base-10", dims: ["http.status_code"], attrs: { "http.status_code": 200n }, labels: 'http_status_code="200"' },
    { rule: "4.3 bool", dims: ["ok"], attrs: { ok: true }, labels: 'ok="true"' },
    { rule: "4.3 double uses Go 'f' formatting", dims: ["d"], attrs: { d: { double: 1e21 } }, labels: 'd="1000000000000000000000"' },
    { rule: "4.3 small double without exponent", dims: ["d"], attrs: { d: { double: 1e-7 } }, labels: 'd="0.0000001"' },
    { rule: "4.3 arrays concatenate without separator", dims: ["a"], attrs: { a: ["x", "y"] }, labels: 'a="[xy]"' },
  ];

  for (const c of dimensionCases) {
    test(c.rule, () => {
      const p = pipeline(tenantConfig({ spanMetrics: { dimensions: c.dims } }));
      p.send(request({ resource: { ...SVC, ...c.resource }, spans: [span({ name: "GET /cart", attributes: c.attrs })] }));
      const labels = c.labels === "" ? base : [c.labels, base].sort().join(",");
      const got = Object.keys(p.values()).filter((k) => k.startsWith("traces_spanmetrics_calls_total"));
      expect(got).toEqual([`traces_spanmetrics_calls_total{${sortLabels(labels)}}`]);
    });
  }

  test("dimension_mappings join non-empty source values, resource first", () => {
    const p = pipeline(
      tenantConfig({
        spanMetrics: { dimension_mappings: [{ name: "route", source_labels: ["http.method", "missing", "http.route"], join: " " }] },
      }),
    );
    p.send(request({ resource: { ...SVC, "http.method": "POST" }, spans: [span({ name: "GET /cart", attributes: { "http.method": "GET", "http.route": "/cart" } })] }));
    expect(p.values()[`traces_spanmetrics_calls_total{${sortLabels(`route="POST /cart",${base}`)}}`]).toBe(1);
  });
});

describe("multipliers, sizes and durations (spec §4.6, §15.5, §15.9)", () => {
  const rows: { rule: string; key?: string; tracestate?: boolean; span?: Record<string, number | { double: number }>; res?: Record<string, number | { double: number }>; ts?: string; calls: number }[] = [
    { rule: "double span attribute: 1/v", key: "ratio", span: { ratio: { double: 0.25 } }, calls: 4 },
    { rule: "int-typed values are ignored", key: "ratio", span: { ratio: 4 }, calls: 1 },
    { rule: "span first, then resource", key: "ratio", span: { ratio: { double: 0.5 } }, res: { ratio: { double: 0.1 } }, calls: 2 },
    { rule: "resource when the span has none", key: "ratio", res: { ratio: { double: 0.1 } }, calls: 10 },
    { rule: "tracestate th:8 → 2", tracestate: true, ts: "ot=th:8", calls: 2 },
    { rule: "tracestate th:c → 4", tracestate: true, ts: "ot=th:c;rv:0123456789abcd", calls: 4 },
    { rule: "invalid tracestate falls back to the attribute", tracestate: true, ts: "ot=th:zz", key: "ratio", span: { ratio: { double: 0.5 } }, calls: 2 },
    { rule: "tracestate ignored unless enabled", ts: "ot=th:8", calls: 1 },
  ];
  for (const r of rows) {
    test(r.rule, () => {
      const p = pipeline(tenantConfig({ spanMetrics: { span_multiplier_key: r.key ?? "", enable_tracestate_span_multiplier: r.tracestate ?? false } }));
      p.send(request({ resource: { ...SVC, ...r.res }, spans: [span({ name: "GET /cart", attributes: r.span, traceState: r.ts })] }));
      const v = p.values();
      expect(v[`traces_spanmetrics_calls_total{${base}}`]).toBe(r.calls);
      expect(v[`traces_spanmetrics_latency_count{${base}}`]).toBe(r.calls);
    });
  }

  test("size is not multiplied; latency sum is", () => {
    const p = pipeline(tenantConfig({ spanMetrics: { span_multiplier_key: "ratio" } }));
    const once = pipeline(tenantConfig({}));
    const s = span({ name: "GET /cart", duration: 0.5, attributes: { ratio: { double: 0.5 } } });
    p.send(request({ resource: SVC, spans: [s] }));
    once.send(request({ resource: SVC, spans: [s] }));
    expect(p.values()[`traces_spanmetrics_size_total{${base}}`]).toBe(once.values()[`traces_spanmetrics_size_total{${base}}`]);
    expect(p.values()[`traces_spanmetrics_latency_sum{${base}}`]).toBeCloseTo(1.0, 9);
  });

  test("end before start counts as duration 0", () => {
    const p = pipeline(tenantConfig({}));
    const s = span({ name: "GET /cart" });
    s.startTimeUnixNano = (s.endTimeUnixNano as bigint) + 5_000_000n;
    p.send(request({ resource: SVC, spans: [s] }));
    expect(p.values()[`traces_spanmetrics_latency_bucket{${base},le="0.002"}`]).toBe(1);
    expect(p.values()[`traces_spanmetrics_latency_sum{${base}}`]).toBe(0);
  });
});

describe("ingestion slack window (spec §3, §15.7)", () => {
  test("symmetric ±slack around the span end; partial success reports the rejects", () => {
    const p = pipeline(tenantConfig({}));
    const res = p.send(
      request({
        resource: SVC,
        spans: [
          span({ name: "GET /cart", endNs: nowNs(-31_000) }),
          span({ name: "GET /cart", endNs: nowNs(31_000) }),
          span({ name: "GET /cart", endNs: nowNs(29_000) }),
          span({ name: "GET /cart", endNs: nowNs(-29_000) }),
        ],
      }),
    );
    expect(p.values()[`traces_spanmetrics_calls_total{${base}}`]).toBe(2);
    expect(res.rejectedSpans).toBe(2);
    expect(res.errorMessage).toContain("2 ended outside the ingestion window");
    const stats = p.tenant().stats;
    expect(stats.spansReceived).toBe(4);
    expect(stats.discarded.get("outside_metrics_ingestion_slack\u0000all")).toBe(2);
  });

  test("the slack follows the tenant setting", () => {
    const p = pipeline(tenantConfig({ tenant: { ingestion_time_range_slack_ms: 120_000 } }));
    p.send(request({ resource: SVC, spans: [span({ name: "GET /cart", endNs: nowNs(-100_000) })] }));
    expect(p.values()[`traces_spanmetrics_calls_total{${base}}`]).toBe(1);
  });
});

describe("exemplars (spec §4.7, §15.8)", () => {
  test("on the one bucket holding the value, hex without leading zeros, raw value, collection time, once", () => {
    const p = pipeline(tenantConfig({ spanMetrics: { span_multiplier_key: "ratio" } }));
    const traceId = new Uint8Array(16);
    traceId.set([0x00, 0x0a, 0xbc], 0);
    traceId[15] = 0x01;
    p.send(request({ resource: SVC, spans: [span({ name: "GET /cart", duration: 0.01, traceId, attributes: { ratio: { double: 0.5 } } })] }));
    const first = p.collect(undefined, 1_700_000_000_000);
    const withEx = [...first.series].filter(([, s]) => s.exemplars.length > 0);
    expect(withEx.map(([k]) => k)).toEqual([`traces_spanmetrics_latency_bucket{${base},le="0.016"}`]);
    expect(withEx[0][1].exemplars).toEqual([{ name: "traceID", value: `abc${"0".repeat(25)}1`, v: 0.01, ts: 1_700_000_000_000 }]);
    const second = p.collect(undefined, 1_700_000_015_000);
    expect([...second.series].filter(([, s]) => s.exemplars.length > 0)).toEqual([]);
  });

  test("an all-zero trace id leaves no exemplar (it gets this far only in a Kafka record)", () => {
    const p = pipeline(tenantConfig({}));
    p.sendRecord(request({ resource: SVC, spans: [span({ name: "GET /cart", traceId: new Uint8Array(16) })] }));
    expect(p.values()[`traces_spanmetrics_calls_total{${base}}`]).toBe(1);
    expect([...p.collect().series].filter(([, s]) => s.exemplars.length > 0)).toEqual([]);
  });

  test("over OTLP an all-zero trace id is refused, as Tempo's distributor (pdata reads it as no id) refuses it", () => {
    const p = pipeline(tenantConfig({}));
    expect(() => p.send(request({ resource: SVC, spans: [span({ name: "GET /cart", traceId: new Uint8Array(16) })] }))).toThrow(
      "trace ids must be 128 bit, received 0 bits",
    );
  });

  test("the exemplar label name follows trace_id_label_name", () => {
    const p = pipeline(tenantConfig({ tenant: { trace_id_label_name: "trace_id" } }));
    p.send(request({ resource: SVC, spans: [span({ name: "GET /cart", traceId: idBytes(16, 7) })] }));
    const ex = [...p.collect().series].flatMap(([, s]) => s.exemplars);
    expect(ex.map((e) => e.name)).toEqual(["trace_id"]);
  });
});

describe("target_info and job/instance (spec §4.5, §15.12)", () => {
  const cfg = { enable_target_info: true };
  test("info series from resource attributes; job is namespace/name; collisions get __", () => {
    const p = pipeline(tenantConfig({ spanMetrics: cfg }));
    p.send(
      request({
        resource: { ...SVC, "service.namespace": "shop", "service.instance.id": "i-1", "k8s.pod.name": "pod-1", job: "x", "1bad": "y", "": "z" },
        spans: [span({ name: "GET /cart" })],
      }),
    );
    const v = p.values();
    expect(v['traces_target_info{__job="x",instance="i-1",job="shop/checkout",k8s_pod_name="pod-1"}']).toBe(1);
    expect(v[`traces_spanmetrics_calls_total{${sortLabels(`instance="i-1",job="shop/checkout",${base}`)}}`]).toBe(1);
  });

  test("needs job or instance plus one more label; excluded dimensions use the raw key", () => {
    const p = pipeline(tenantConfig({ spanMetrics: { ...cfg, target_info_excluded_dimensions: ["k8s.pod.name"] } }));
    p.send(request({ resource: { ...SVC, "k8s.pod.name": "pod-1" }, spans: [span({ name: "GET /cart" })] }));
    expect(Object.keys(p.values()).filter((k) => k.startsWith("traces_target_info"))).toEqual([]);
  });

  test("not built when every span of the resource was filtered out", () => {
    const p = pipeline(
      tenantConfig({
        spanMetrics: { ...cfg, filter_policies: [{ exclude: { match_type: "strict", attributes: [{ key: "name", value: "GET /cart" }] } }] },
      }),
    );
    p.send(request({ resource: { ...SVC, "k8s.pod.name": "pod-1" }, spans: [span({ name: "GET /cart" })] }));
    expect(p.values()).toEqual({});
  });

  test("a resource seen again is the same one series; once swept as stale it is made again (never refreshed)", () => {
    const p = pipeline(tenantConfig({ spanMetrics: cfg }));
    const resource = { ...SVC, "service.instance.id": "i-1", "k8s.pod.name": "pod-1" };
    const key = 'traces_target_info{instance="i-1",job="checkout",k8s_pod_name="pod-1"}';
    p.send(request({ resource, spans: [span({ name: "GET /cart" })] }));
    const registry = p.tenant().registry;
    const sets = registry.labelSets;
    for (let n = 0; n < 3; n++) p.send(request({ resource, spans: [span({ name: "GET /cart" })] }));
    expect(registry.labelSets).toBe(sets);
    expect(p.values()[key]).toBe(1);
    // a resource that differs in one value is a series of its own
    p.send(request({ resource: { ...resource, "k8s.pod.name": "pod-2" }, spans: [span({ name: "GET /cart" })] }));
    expect(p.values()['traces_target_info{instance="i-1",job="checkout",k8s_pod_name="pod-2"}']).toBe(1);
    // and so is one whose attribute has another name for the same value
    p.send(request({ resource: { ...SVC, "service.instance.id": "i-1", "k8s.node.name": "pod-1" }, spans: [span({ name: "GET /cart" })] }));
    expect(p.values()['traces_target_info{instance="i-1",job="checkout",k8s_node_name="pod-1"}']).toBe(1);
    // set-if-absent: the info series is not refreshed by later spans, so the sweep removes it ...
    registry.removeStale(p.now + 16 * 60_000);
    expect(p.values()[key]).toBeUndefined();
    // ... and the resource's next span makes it again
    p.send(request({ resource, spans: [span({ name: "GET /cart" })] }));
    expect(p.values()[key]).toBe(1);
    // as a set of the registry's own (a released set is never written again)
    expect(registry.labelSets).toBe(sets);
  });

  test("a resource with nothing to emit stays without target_info however often it comes", () => {
    const p = pipeline(tenantConfig({ spanMetrics: cfg }));
    for (let n = 0; n < 3; n++) p.send(request({ resource: { ...SVC, "service.instance.id": "i-1" }, spans: [span({ name: "GET /cart" })] }));
    expect(Object.keys(p.values()).filter((k) => k.startsWith("traces_target_info"))).toEqual([]);
    p.send(request({ resource: { ...SVC, "service.instance.id": "i-1", host: "h" }, spans: [span({ name: "GET /cart" })] }));
    expect(p.values()['traces_target_info{host="h",instance="i-1",job="checkout"}']).toBe(1);
  });

  test("instance label needs enable_instance_label", () => {
    const p = pipeline(tenantConfig({ spanMetrics: { ...cfg, enable_instance_label: false } }));
    p.send(request({ resource: { ...SVC, "service.instance.id": "i-1", host: "h" }, spans: [span({ name: "GET /cart" })] }));
    expect(p.values()['traces_target_info{host="h",job="checkout"}']).toBe(1);
    expect(p.values()[`traces_spanmetrics_calls_total{${sortLabels(`job="checkout",${base}`)}}`]).toBe(1);
  });
});

describe("limits, sub-processors, invalid UTF-8", () => {
  test("15.13 over max_active_series new series go to the overflow series; every attempt counts its cost", () => {
    const p = pipeline(tenantConfig({ tenant: { max_active_series: 17 + 2 } }));
    p.send(request({ resource: SVC, spans: [span({ name: "a" }), span({ name: "b" }), span({ name: "b" })] }));
    const v = p.values();
    expect(v[`traces_spanmetrics_calls_total{${base.replace("GET /cart", "a")}}`]).toBe(1);
    expect(v['traces_spanmetrics_calls_total{metric_overflow="true"}']).toBe(2);
    expect(v['traces_spanmetrics_latency_count{metric_overflow="true"}']).toBe(2);
    // calls (1) and size (1) fit; each "b" span tries calls(1) + latency(17) + size(1)... only what did not fit counts
    const limiter = p.tenant().registry.limiter;
    expect(limiter.active).toBe(19);
    expect(limiter.limited).toBe(2 * (1 + 17 + 1));
    // refused label sets are not kept: junk cardinality over the limit costs no memory
    p.send(request({ resource: SVC, spans: Array.from({ length: 50 }, (_, n) => span({ name: `junk-${n}` })) }));
    expect(p.tenant().registry.labelSets).toBe(1);
  });

  test("15.15 only span-metrics-latency: configured buckets are replaced by the defaults", () => {
    const p = pipeline(tenantConfig({ processors: ["span-metrics-latency"], spanMetrics: { histogram_buckets: [1, 2] } }));
    p.send(request({ resource: SVC, spans: [span({ name: "GET /cart" })] }));
    const keys = Object.keys(p.values());
    expect(keys.some((k) => k.includes('le="16.384"'))).toBe(true);
    expect(keys.some((k) => k.startsWith("traces_spanmetrics_calls_total"))).toBe(false);
  });

  test("span-metrics with sub-names keeps all three metrics and the configured buckets", () => {
    const p = pipeline(tenantConfig({ processors: ["span-metrics", "span-metrics-latency"], spanMetrics: { histogram_buckets: [1, 2] } }));
    p.send(request({ resource: SVC, spans: [span({ name: "GET /cart" })] }));
    const keys = Object.keys(p.values());
    expect(keys.filter((k) => k.includes("_bucket")).length).toBe(3);
    expect(keys.some((k) => k.startsWith("traces_spanmetrics_size_total"))).toBe(true);
  });

  test("15.20 invalid UTF-8 in the label set drops the span for the processor; elsewhere it is harmless", () => {
    const p = pipeline(tenantConfig({ spanMetrics: { dimensions: ["user"] } }));
    const res = p.send(
      request({
        resource: SVC,
        spans: [span({ name: "GET /cart", attributes: { user: "a\udcff" } }), span({ name: "GET /cart", attributes: { other: "b\udcff" } })],
      }),
    );
    expect(p.values()[`traces_spanmetrics_calls_total{${base}}`]).toBe(1);
    expect(p.tenant().stats.discarded.get("invalid_utf8\u0000span-metrics")).toBe(1);
    expect(res.rejectedSpans).toBe(1);
  });

  test("15.20 byte truncation that splits a character invalidates the label", () => {
    const p = pipeline(tenantConfig({ spanMetrics: { dimensions: ["v"] } }), { maxLabelValueLength: 20 });
    const split = `${"a".repeat(19)}\u00e9`; // the 2-byte é straddles byte 20
    const clean = `${"b".repeat(18)}\u00e9x`; // é ends exactly at byte 20
    p.send(request({ resource: SVC, spans: [split, clean, "c".repeat(25)].map((v) => span({ name: "GET /cart", attributes: { v } })) }));
    const keys = Object.keys(p.values()).filter((k) => k.startsWith("traces_spanmetrics_calls_total"));
    expect(keys.sort()).toEqual([
      `traces_spanmetrics_calls_total{${base},v="${"b".repeat(18)}\u00e9"}`,
      `traces_spanmetrics_calls_total{${base},v="${"c".repeat(20)}"}`,
    ]);
    expect(p.tenant().stats.discarded.get("invalid_utf8\u0000span-metrics")).toBe(1);
  });

  test("kinds and the client side", () => {
    const p = pipeline(tenantConfig({}));
    p.send(request({ resource: SVC, spans: [span({ name: "GET /cart", kind: SpanKind.Client })] }));
    expect(p.values()[`traces_spanmetrics_calls_total{${base.replace("SERVER", "CLIENT")}}`]).toBe(1);
  });
});

/** Sorts `a="1",b="2"` label text by name (test helper; values have no commas). */
function sortLabels(text: string): string {
  return text
    .split(/,(?=[\w]+=")/)
    .sort((a, b) => (a.split("=")[0] < b.split("=")[0] ? -1 : 1))
    .join(",");
}
