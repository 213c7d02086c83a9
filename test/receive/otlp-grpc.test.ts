/**
 * The OTLP/gRPC receiver in process: the real stream handler
 * on an h2c server of its own, a real connect gRPC client, and hand-made
 * frames where a client library would refuse. Statuses follow the OTLP spec:
 * INVALID_ARGUMENT for malformed data, RESOURCE_EXHAUSTED above the size
 * limit, UNAVAILABLE with a RetryInfo while draining; partial success names
 * rejected spans. A rejected request counts nothing and the server keeps
 * serving.
 */
import { describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { RetryInfoSchema } from "../../src/gen/google/rpc/status_pb.ts";
import {
  type ExportTraceServiceRequest,
  ExportTraceServiceRequestSchema,
} from "../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { GrpcStatus, GrpcTraceClient, Http2TestServer, exportFrame, grpcFrame, rawGrpcCall } from "../support/grpc-client.ts";
import { nowNs, request, span } from "../support/otlp-builders.ts";
import { tenantConfig } from "../support/pipeline.ts";
import { inProcessReceivers } from "../support/receivers.ts";

const LIMIT = 64 * 1024;

const good = () => request({ resource: { "service.name": "svc" }, spans: [span({ name: "a" }), span({ name: "b" })] });

/** A request whose encoding is about `bytes` long: one span with a long attribute of zeros (gzip shrinks it ~1000×). */
function sized(bytes: number): ExportTraceServiceRequest {
  return request({ resource: { "service.name": "svc" }, spans: [span({ name: "big", attributes: { blob: "0".repeat(bytes) } })] });
}

/** Receivers with a small size limit, the gRPC handler on its own server, and a connect client. */
async function grpcReceiver() {
  const r = inProcessReceivers(tenantConfig({}), LIMIT);
  const server = await Http2TestServer.start(r.grpcHandler);
  const client = new GrpcTraceClient(server.url);
  const gzipClient = new GrpcTraceClient(server.url, { gzip: true });
  return {
    ...r,
    server,
    client,
    gzipClient,
    /** The error an export fails with (fails the test when it succeeds). */
    async exportError(req: ExportTraceServiceRequest, via = client, tenant?: string): Promise<ConnectError> {
      try {
        await via.export(req, tenant);
      } catch (e) {
        return ConnectError.from(e);
      }
      throw new Error("the export succeeded");
    },
    async [Symbol.asyncDispose]() {
      client.close();
      gzipClient.close();
      await server.close();
    },
  };
}

describe("OTLP/gRPC success", () => {
  test("plain export: empty response, spans counted, request counted as OK", async () => {
    await using r = await grpcReceiver();
    const res = await r.client.export(good());
    expect(res.partialSuccess).toBeUndefined();
    expect(r.calls()).toBe(2);
    expect(Object.fromEntries(r.grpcStats.requests)).toEqual({ "0": 1 });
  });

  test("gzip-compressed messages (connect client) are accepted", async () => {
    await using r = await grpcReceiver();
    // Big enough that gzip really changes the bytes on the wire.
    await r.gzipClient.export(sized(10_000));
    expect(r.calls()).toBe(1);
  });

  test("gzip by hand: grpc-encoding gzip and the compressed flag set", async () => {
    await using r = await grpcReceiver();
    const answer = await rawGrpcCall(r.server.url, exportFrame(good(), true), { headers: { "grpc-encoding": "gzip" } });
    expect([answer.httpStatus, answer.grpcStatus]).toEqual([200, GrpcStatus.OK]);
    expect(r.calls()).toBe(2);
  });

  test("partial success names the spans outside the ingestion window", async () => {
    await using r = await grpcReceiver();
    const req = request({ resource: { "service.name": "svc" }, spans: [span({ name: "a" }), span({ name: "old", endNs: nowNs(-3_600_000) })] });
    const res = await r.client.export(req);
    expect(res.partialSuccess?.rejectedSpans).toBe(1n);
    expect(res.partialSuccess?.errorMessage).toContain("outside the ingestion window");
    expect(r.calls()).toBe(1);
  });

  test("x-scope-orgid metadata selects the tenant", async () => {
    await using r = await grpcReceiver();
    await r.client.export(good(), "team-a");
    expect([r.calls("team-a"), r.calls()]).toEqual([2, 0]);
    expect([...r.tenants.all()].map((t) => t.id)).toEqual(["team-a"]);
  });
});

describe("OTLP/gRPC bad input: right status, nothing counted, still serving", () => {
  const badTraceId = () => {
    const req = good();
    req.resourceSpans[0].scopeSpans[0].spans[0].traceId = new Uint8Array(8);
    return req;
  };
  const badSpanId = () => {
    const req = good();
    req.resourceSpans[0].scopeSpans[0].spans[1].spanId = new Uint8Array(8);
    return req;
  };
  const clientCases: [string, () => ExportTraceServiceRequest, "plain" | "gzip", string | undefined, Code, string][] = [
    ["trace id of the wrong length", badTraceId, "plain", undefined, Code.InvalidArgument, "trace ids must be 128 bit"],
    ["all-zero span id", badSpanId, "plain", undefined, Code.InvalidArgument, "span id"],
    ["invalid tenant id", good, "plain", "a/b", Code.InvalidArgument, "X-Scope-OrgID"],
    ["message above the size limit", () => sized(LIMIT + 1000), "plain", undefined, Code.ResourceExhausted, "message larger than the limit"],
    ["gzip message that inflates above the size limit", () => sized(20 * LIMIT), "gzip", undefined, Code.ResourceExhausted, "message larger than the limit"],
  ];
  for (const [name, req, via, tenant, code, message] of clientCases) {
    test(name, async () => {
      await using r = await grpcReceiver();
      const err = await r.exportError(req(), via === "gzip" ? r.gzipClient : r.client, tenant);
      expect({ code: Code[err.code], message: err.rawMessage.includes(message) ? message : err.rawMessage }).toEqual({
        code: Code[code],
        message,
      });
      expect([r.calls(), r.spansReceived()]).toEqual([0, 0]);
      await r.client.export(good());
      expect(r.calls()).toBe(2);
    });
  }

  test("the gzip bomb really was small on the wire", () => {
    expect(gzipSync(toBinary(ExportTraceServiceRequestSchema, sized(20 * LIMIT))).length).toBeLessThan(LIMIT / 8);
  });

  // Frames a client library would never send: the bytes are not an ExportTraceServiceRequest.
  const garbage: [string, Uint8Array][] = [
    ["truncated field (length 100, 3 bytes follow)", new Uint8Array([0x0a, 0x64, 1, 2, 3])],
    ["invalid wire type 7", new Uint8Array([0x0f, 0x01, 0x02])],
    ["random bytes", new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])],
  ];
  for (const [name, bytes] of garbage) {
    test(`garbage message: ${name} → INVALID_ARGUMENT, nothing counted, still serving`, async () => {
      await using r = await grpcReceiver();
      const answer = await rawGrpcCall(r.server.url, grpcFrame(bytes));
      expect([answer.grpcStatus, r.calls(), r.spansReceived()]).toEqual([GrpcStatus.INVALID_ARGUMENT, 0, 0]);
      await r.client.export(good());
      expect(r.calls()).toBe(2);
    });
  }

  test("a gzip flag on bytes that are not gzip → INVALID_ARGUMENT", async () => {
    await using r = await grpcReceiver();
    const answer = await rawGrpcCall(r.server.url, grpcFrame(new Uint8Array([1, 2, 3, 4]), true), { headers: { "grpc-encoding": "gzip" } });
    expect([answer.grpcStatus, answer.grpcMessage, r.calls()]).toEqual([GrpcStatus.INVALID_ARGUMENT, "decompression failed", 0]);
  });

  test("rejected requests are counted by their code in the receiver stats", async () => {
    await using r = await grpcReceiver();
    await r.exportError(badTraceId());
    await r.exportError(good(), r.client, "a/b");
    await r.client.export(good());
    expect(Object.fromEntries(r.grpcStats.requests)).toEqual({ "0": 1, "3": 2 });
  });

  test("requests rejected before the handler (too large, unparseable) are counted too", async () => {
    await using r = await grpcReceiver();
    await r.exportError(sized(LIMIT + 1000));
    await rawGrpcCall(r.server.url, grpcFrame(new Uint8Array([0x0f, 0x01, 0x02])));
    expect(Object.fromEntries(r.grpcStats.requests)).toEqual({ "3": 1, "8": 1 });
  });
});

describe("OTLP/gRPC while draining", () => {
  test("UNAVAILABLE with a RetryInfo of 5 s (connect client)", async () => {
    await using r = await grpcReceiver();
    r.exporter.draining = true;
    const err = await r.exportError(good());
    expect(Code[err.code]).toBe("Unavailable");
    expect(err.findDetails(RetryInfoSchema).map((d) => d.retryDelay?.seconds)).toEqual([5n]);
    expect([r.calls(), r.spansReceived()]).toEqual([0, 0]);
  });

  test("UNAVAILABLE with grpc-status-details-bin on the wire", async () => {
    await using r = await grpcReceiver();
    r.exporter.draining = true;
    const answer = await rawGrpcCall(r.server.url, exportFrame(good()));
    expect([answer.grpcStatus, answer.retryDelaySeconds, answer.grpcMessage]).toEqual([
      GrpcStatus.UNAVAILABLE,
      5,
      "redgen is shutting down",
    ]);
  });
});
