/**
 * The transport contract (Hono's `common.case` idea): one fixture request,
 * sent over every transport redgen receives — OTLP/HTTP protobuf (plain and
 * gzip), OTLP/HTTP JSON (hex ids, integer enums as SDKs send them, and enum
 * names), OTLP/gRPC (plain and gzip, a real connect-node gRPC client against
 * the real handler on an in-process h2c server) — must leave exactly the same
 * registry behind and give the same answer. The fixture exercises span
 * metrics with typed dimensions, a service-graph edge, host info, target
 * info, a span outside the ingestion window (partial success) and a tenant
 * given as header / metadata.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { fromBinary, toBinary, toJsonString } from "@bufbuild/protobuf";
import {
  type ExportTraceServiceRequest,
  ExportTraceServiceRequestSchema,
  ExportTraceServiceResponseSchema,
} from "../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { GrpcTraceClient, Http2TestServer } from "../support/grpc-client.ts";
import { idBytes, nowNs, request, span } from "../support/otlp-builders.ts";
import { tenantConfig } from "../support/pipeline.ts";
import { inProcessReceivers } from "../support/receivers.ts";

const TENANT = "team-contract";
/** All collections happen at this timestamp, so samples compare equal across runs. */
const COLLECT_TS = 1_800_000_000_000;

const CLIENT_ID = idBytes(8, 0xc1);
const SERVER_ID = idBytes(8, 0x5e);
const TRACE = idBytes(16, 0x7ace);

/** The fixture: built once, so every transport carries the very same spans and times. */
const FIXTURE: ExportTraceServiceRequest = (() => {
  const end = nowNs(-50);
  return request(
    {
      resource: { "service.name": "frontend", "host.id": "host-1", "k8s.namespace.name": "web", "deployment.environment": "prod" },
      spans: [
        span({ name: "GET /cart", kind: 3, traceId: TRACE, spanId: CLIENT_ID, duration: 0.03, endNs: end, attributes: { "http.method": "GET", "http.status_code": 200 } }),
        span({ name: "publish cart", kind: 4, duration: 0.004, endNs: end, attributes: { "http.method": "", retries: 3 } }),
        span({ name: "too old", kind: 2, endNs: nowNs(-3_600_000) }),
      ],
    },
    {
      resource: { "service.name": "checkout", "k8s.node.name": "node-a", "process.pid": 4242, "service.version": "2.0" },
      spans: [
        span({
          name: "GET /cart",
          kind: 2,
          traceId: TRACE,
          spanId: SERVER_ID,
          parentSpanId: CLIENT_ID,
          duration: 0.02,
          endNs: end,
          status: 2,
          statusMessage: "payment declined",
          attributes: { "http.method": "GET", "http.status_code": 500, ratio: { double: 0.25 }, ok: true, tags: ["a", "b"] },
        }),
        span({ name: "SELECT orders", kind: 3, traceId: TRACE, parentSpanId: SERVER_ID, duration: 0.051, endNs: end, status: 1, attributes: { "db.system": "postgresql", "db.name": "orders" } }),
        span({ name: "ünïcødé ✓ recompute", kind: 1, duration: 12, endNs: end, traceState: "rv:abcdef0123456789" }),
        span({ name: "consume", kind: 5, duration: 0.0001, endNs: end, attributes: { "http.status_code": { double: 1.5 } } }),
      ],
    },
  );
})();

const cfg = tenantConfig({
  processors: ["span-metrics", "service-graphs", "host-info"],
  spanMetrics: { dimensions: ["http.method", "http.status_code", "ratio", "ok", "retries"], enable_target_info: true },
  serviceGraphs: { dimensions: ["http.method"] },
});

/** What one transport left behind. */
interface Effects {
  /** the ExportTraceServiceResponse's partial_success, as plain values */
  answer: { rejectedSpans: string; errorMessage: string } | null;
  /** tenants that exist after the request */
  tenants: string[];
  /** the whole recorded collection of the tenant: series text → samples and exemplars */
  series: Record<string, unknown>;
  /** the same as series text → last value */
  values: Record<string, number>;
}

type Receivers = ReturnType<typeof inProcessReceivers>;
type Sender = (r: Receivers, req: ExportTraceServiceRequest, tenant: string) => Promise<Effects["answer"]>;

function answerOf(res: { partialSuccess?: { rejectedSpans: bigint; errorMessage: string } }): Effects["answer"] {
  const p = res.partialSuccess;
  return p === undefined ? null : { rejectedSpans: String(p.rejectedSpans), errorMessage: p.errorMessage };
}

/** OTLP/JSON as the spec writes it: hex ids, optionally integer enums. */
function otlpJson(req: ExportTraceServiceRequest, enumAsInteger: boolean): string {
  const json = JSON.parse(toJsonString(ExportTraceServiceRequestSchema, req, { enumAsInteger }));
  const hex = (b64: string | undefined) => (b64 === undefined ? undefined : Buffer.from(b64, "base64").toString("hex"));
  for (const rs of json.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) {
        s.traceId = hex(s.traceId);
        s.spanId = hex(s.spanId);
        if (s.parentSpanId !== undefined) s.parentSpanId = hex(s.parentSpanId);
      }
    }
  }
  return JSON.stringify(json);
}

function httpSender(contentType: string, body: (req: ExportTraceServiceRequest) => string | Uint8Array, gzip: boolean): Sender {
  return async (r, req, tenant) => {
    const headers: Record<string, string> = { "Content-Type": contentType, "X-Scope-OrgID": tenant };
    if (gzip) headers["Content-Encoding"] = "gzip";
    const raw = body(req);
    const res = await r.httpApp.request("/v1/traces", { method: "POST", body: gzip ? gzipSync(raw) : raw, headers });
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${new TextDecoder().decode(bytes)}`);
    if (contentType === "application/json") {
      const parsed = JSON.parse(new TextDecoder().decode(bytes)) as { partialSuccess?: { rejectedSpans?: string; errorMessage?: string } };
      const p = parsed.partialSuccess;
      return p === undefined ? null : { rejectedSpans: String(p.rejectedSpans ?? "0"), errorMessage: p.errorMessage ?? "" };
    }
    return answerOf(fromBinary(ExportTraceServiceResponseSchema, bytes));
  };
}

function grpcSender(gzip: boolean): Sender {
  return async (r, req, tenant) => {
    await using server = await Http2TestServer.start(r.grpcHandler);
    using client = new GrpcTraceClient(server.url, { gzip });
    return answerOf(await client.export(req, tenant));
  };
}

const CASES: { name: string; send: Sender }[] = [
  { name: "HTTP protobuf", send: httpSender("application/x-protobuf", (q) => toBinary(ExportTraceServiceRequestSchema, q), false) },
  { name: "HTTP protobuf + gzip", send: httpSender("application/x-protobuf", (q) => toBinary(ExportTraceServiceRequestSchema, q), true) },
  { name: "HTTP JSON (integer enums)", send: httpSender("application/json", (q) => otlpJson(q, true), false) },
  { name: "HTTP JSON (enum names) + gzip", send: httpSender("application/json", (q) => otlpJson(q, false), true) },
  { name: "gRPC", send: grpcSender(false) },
  { name: "gRPC + gzip", send: grpcSender(true) },
];

async function effectsOf(send: Sender): Promise<Effects> {
  const r = inProcessReceivers(cfg);
  const answer = await send(r, FIXTURE, TENANT);
  const sink = r.collect(TENANT, COLLECT_TS);
  return {
    answer,
    tenants: [...r.tenants.all()].map((t) => t.id).sort(),
    // startMs is the wall-clock creation time: it differs between runs of the same transport
    series: Object.fromEntries(
      [...(sink?.series ?? new Map())].sort(([a], [b]) => a.localeCompare(b)).map(([k, { startMs: _, ...rest }]) => [k, rest]),
    ),
    values: sink?.values() ?? {},
  };
}

let reference: Effects;
beforeAll(async () => {
  reference = await effectsOf(CASES[0].send);
});

test("the reference transport produced span metrics, a service-graph edge, host info and target info", () => {
  expect(reference.answer).toEqual({ rejectedSpans: "1", errorMessage: expect.stringContaining("outside the ingestion window") });
  expect(reference.tenants).toEqual([TENANT]);
  const v = reference.values;
  const only = (prefix: string) => Object.fromEntries(Object.entries(v).filter(([k]) => k.startsWith(`${prefix}{`)));
  // Six spans inside the window, one series each; typed attributes as Tempo formats them.
  expect(only("traces_spanmetrics_calls_total")).toEqual({
    'traces_spanmetrics_calls_total{http_method="GET",http_status_code="200",job="frontend",service="frontend",span_kind="SPAN_KIND_CLIENT",span_name="GET /cart",status_code="STATUS_CODE_UNSET"}': 1,
    'traces_spanmetrics_calls_total{job="frontend",retries="3",service="frontend",span_kind="SPAN_KIND_PRODUCER",span_name="publish cart",status_code="STATUS_CODE_UNSET"}': 1,
    'traces_spanmetrics_calls_total{http_method="GET",http_status_code="500",job="checkout",ok="true",ratio="0.25",service="checkout",span_kind="SPAN_KIND_SERVER",span_name="GET /cart",status_code="STATUS_CODE_ERROR"}': 1,
    'traces_spanmetrics_calls_total{job="checkout",service="checkout",span_kind="SPAN_KIND_CLIENT",span_name="SELECT orders",status_code="STATUS_CODE_OK"}': 1,
    'traces_spanmetrics_calls_total{job="checkout",service="checkout",span_kind="SPAN_KIND_INTERNAL",span_name="ünïcødé ✓ recompute",status_code="STATUS_CODE_UNSET"}': 1,
    'traces_spanmetrics_calls_total{http_status_code="1.5",job="checkout",service="checkout",span_kind="SPAN_KIND_CONSUMER",span_name="consume",status_code="STATUS_CODE_UNSET"}': 1,
  });
  expect(only("traces_service_graph_request_total")).toEqual({
    'traces_service_graph_request_total{client="frontend",http_method="GET",server="checkout"}': 1,
    'traces_service_graph_request_total{client="checkout",connection_type="database",server="orders"}': 1,
  });
  expect(only("traces_service_graph_request_failed_total")).toEqual({
    'traces_service_graph_request_failed_total{client="frontend",http_method="GET",server="checkout"}': 1,
  });
  expect(only("traces_host_info")).toEqual({
    'traces_host_info{grafana_host_id="host-1",host_source="host.id"}': 1,
    'traces_host_info{grafana_host_id="node-a",host_source="k8s.node.name"}': 1,
  });
  expect(Object.keys(only("traces_target_info")).length).toBe(2);
});

describe.each(CASES.slice(1))("$name", ({ send }) => {
  test("leaves exactly the registry HTTP protobuf leaves, and gives the same answer", async () => {
    expect(await effectsOf(send)).toEqual(reference);
  });
});
