import { describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { fromBinary, toBinary, toJsonString } from "@bufbuild/protobuf";
import { StatusSchema } from "../../src/gen/google/rpc/status_pb.ts";
import {
  ExportTraceServiceRequestSchema,
  ExportTraceServiceResponseSchema,
} from "../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { nowNs, request, span } from "../support/otlp-builders.ts";
import { tenantConfig } from "../support/pipeline.ts";
import { inProcessReceivers } from "../support/receivers.ts";

const LIMIT = 64 * 1024;

function receiver() {
  const r = inProcessReceivers(tenantConfig({}), LIMIT);
  const post = (body: string | Uint8Array, headers: Record<string, string>) => r.httpApp.request("/v1/traces", { method: "POST", body, headers });
  return { app: r.httpApp, post, calls: r.calls, exporter: r.exporter, tenants: r.tenants };
}

const PB = { "Content-Type": "application/x-protobuf" };
const JSON_CT = { "Content-Type": "application/json" };
const good = () => request({ resource: { "service.name": "svc" }, spans: [span({ name: "a" }), span({ name: "b" })] });
const goodPb = () => toBinary(ExportTraceServiceRequestSchema, good());

/** OTLP/JSON of the good request, ids in hex as OTLP/JSON wants them. */
function goodJson(): string {
  const json = JSON.parse(toJsonString(ExportTraceServiceRequestSchema, good()));
  for (const rs of json.resourceSpans) for (const ss of rs.scopeSpans) for (const s of ss.spans) {
    s.traceId = Buffer.from(s.traceId, "base64").toString("hex");
    s.spanId = Buffer.from(s.spanId, "base64").toString("hex");
  }
  return JSON.stringify(json);
}

async function status(res: Response): Promise<string> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  return res.headers.get("content-type")?.includes("json")
    ? JSON.parse(new TextDecoder().decode(bytes)).message
    : fromBinary(StatusSchema, bytes).message;
}

describe("OTLP/HTTP success", () => {
  const ok: [string, () => string | Uint8Array, Record<string, string>][] = [
    ["protobuf", goodPb, PB],
    ["protobuf + gzip", () => gzipSync(goodPb()), { ...PB, "Content-Encoding": "gzip" }],
    ["JSON", goodJson, JSON_CT],
    ["JSON + gzip", () => gzipSync(goodJson()), { ...JSON_CT, "Content-Encoding": "gzip" }],
    ["JSON with charset", goodJson, { "Content-Type": "application/json; charset=utf-8" }],
  ];
  for (const [name, body, headers] of ok) {
    test(`${name}: 200, response in the request's encoding, spans counted`, async () => {
      const r = receiver();
      const res = await r.post(body(), headers);
      expect(res.status).toBe(200);
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (headers["Content-Type"].startsWith("application/json")) expect(new TextDecoder().decode(bytes)).toBe("{}");
      else expect(fromBinary(ExportTraceServiceResponseSchema, bytes).partialSuccess).toBeUndefined();
      expect(r.calls()).toBe(2);
    });
  }

  test("partial success names the rejected spans", async () => {
    const r = receiver();
    const req = request({ resource: { "service.name": "svc" }, spans: [span({ name: "a" }), span({ name: "old", endNs: nowNs(-3_600_000) })] });
    const res = await r.post(toBinary(ExportTraceServiceRequestSchema, req), PB);
    const body = fromBinary(ExportTraceServiceResponseSchema, new Uint8Array(await res.arrayBuffer()));
    expect(body.partialSuccess?.rejectedSpans).toBe(1n);
    expect(body.partialSuccess?.errorMessage).toContain("outside the ingestion window");
  });

  // Tempo's rule (spec §15.20): a span whose *label set* holds invalid UTF-8 is dropped from that
  // processor and counted; the request is accepted and the answer says how many spans were not used.
  test("invalid UTF-8 in an attribute: 200, the span with it in a label is reported and not counted", async () => {
    const r = inProcessReceivers(tenantConfig({ spanMetrics: { dimensions: ["user"] } }), LIMIT);
    const req = request({
      resource: { "service.name": "svc" },
      spans: [span({ name: "ok", attributes: { user: "alice" } }), span({ name: "bad", attributes: { user: "MARKER" } }), span({ name: "harmless", attributes: { other: "y" } })],
    });
    const bytes = toBinary(ExportTraceServiceRequestSchema, req);
    // turn the bad span's "MARKER" into "\xffARKER": invalid UTF-8 on the wire
    const at = Buffer.from(bytes).indexOf("MARKER");
    expect(at).toBeGreaterThan(0);
    bytes[at] = 0xff;
    const res = await r.httpApp.request("/v1/traces", { method: "POST", body: bytes, headers: PB });
    expect(res.status).toBe(200);
    const body = fromBinary(ExportTraceServiceResponseSchema, new Uint8Array(await res.arrayBuffer()));
    expect([body.partialSuccess?.rejectedSpans, body.partialSuccess?.errorMessage]).toEqual([1n, "1 spans were not used: 1 had invalid UTF-8 in their metric labels"]);
    expect(r.calls()).toBe(2);
    expect(r.tenants.find("single-tenant")?.stats.discarded.get("invalid_utf8\u0000span-metrics")).toBe(1);
  });

  test("X-Scope-OrgID picks the tenant", async () => {
    const r = receiver();
    await r.post(goodPb(), { ...PB, "X-Scope-OrgID": "team-a" });
    expect([r.calls("team-a"), r.calls()]).toEqual([2, 0]);
  });
});

describe("OTLP/HTTP releases a body once its request is handled", () => {
  for (const [name, body, headers] of [
    ["protobuf", goodPb(), PB],
    ["protobuf + gzip (the body and its inflated copy)", gzipSync(goodPb()), { ...PB, "Content-Encoding": "gzip" }],
  ] as const) {
    test(name, async () => {
      const r = receiver();
      const seen: Uint8Array[] = [];
      const exportProtobuf = r.exporter.exportProtobuf.bind(r.exporter);
      r.exporter.exportProtobuf = (tenant: string, bytes: Uint8Array) => {
        seen.push(bytes);
        expect((bytes.buffer as ArrayBuffer).detached).toBe(false);
        return exportProtobuf(tenant, bytes);
      };
      const res = await r.post(body, { ...headers, "Content-Length": String(body.length) });
      expect(res.status).toBe(200);
      expect(r.calls()).toBe(2);
      // the decoder copied what it keeps: the bytes it read are gone, not waiting for a collection
      expect(seen.length).toBe(1);
      expect((seen[0].buffer as ArrayBuffer).detached).toBe(true);
      // and the receiver keeps serving from fresh bodies
      expect((await r.post(body, { ...headers, "Content-Length": String(body.length) })).status).toBe(200);
      expect(r.calls()).toBe(4);
    });
  }
});

describe("OTLP/HTTP bad input: right status, nothing counted, still serving", () => {
  const bomb = gzipSync(new Uint8Array(50 * LIMIT));
  const truncated = goodPb().slice(0, 40);
  const badIds = (() => {
    const req = good();
    req.resourceSpans[0].scopeSpans[0].spans[0].traceId = new Uint8Array(8);
    return toBinary(ExportTraceServiceRequestSchema, req);
  })();
  const cases: [string, () => string | Uint8Array, Record<string, string>, number, string][] = [
    ["truncated protobuf", () => truncated, PB, 400, "invalid protobuf"],
    ["wrong content type", goodPb, { "Content-Type": "text/plain" }, 415, "unsupported Content-Type"],
    ["invalid JSON", () => "{not json", JSON_CT, 400, "invalid JSON"],
    ["gzip bomb", () => bomb, { ...PB, "Content-Encoding": "gzip" }, 413, "exceeds the limit"],
    ["body over the limit", () => new Uint8Array(LIMIT + 1), PB, 413, "exceeds the limit"],
    ["corrupt gzip", () => new Uint8Array([0x1f, 0x8b, 1, 2, 3]), { ...PB, "Content-Encoding": "gzip" }, 400, "invalid gzip"],
    ["unknown content encoding", goodPb, { ...PB, "Content-Encoding": "br2" }, 400, "unsupported Content-Encoding"],
    ["trace id of the wrong length", () => badIds, PB, 400, "trace ids must be 128 bit"],
    ["invalid tenant", goodPb, { ...PB, "X-Scope-OrgID": "a/b" }, 400, "X-Scope-OrgID"],
  ];
  for (const [name, body, headers, code, message] of cases) {
    test(name, async () => {
      const r = receiver();
      const res = await r.post(body(), headers);
      expect(res.status).toBe(code);
      expect(await status(res)).toContain(message);
      expect(r.calls()).toBe(0);
      expect([...r.tenants.all()].reduce((n, t) => n + t.stats.spansReceived, 0)).toBe(0);
      expect((await r.post(goodPb(), PB)).status).toBe(200);
      expect(r.calls()).toBe(2);
    });
  }

  test("while draining: 503 with Retry-After", async () => {
    const r = receiver();
    r.exporter.draining = true;
    const res = await r.post(goodPb(), PB);
    expect([res.status, res.headers.get("retry-after")]).toEqual([503, "5"]);
  });

  test("GET is 405", async () => {
    const res = await receiver().app.request("/v1/traces");
    expect([res.status, res.headers.get("allow")]).toEqual([405, "POST"]);
  });
});
