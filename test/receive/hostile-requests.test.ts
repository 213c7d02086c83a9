/**
 * Requests a hostile client sends, against the receivers in process: values
 * nested 100,000 levels deep are a clean 400 / INVALID_ARGUMENT (not a stack
 * overflow, not a 500); chunked bodies and HTTP/2 streams are counted against
 * the in-flight budget as their bytes arrive, so parallel uploads that do not
 * fit are refused with 429 / RESOURCE_EXHAUSTED + RetryInfo while the others
 * go through; every byte taken is given back; refused requests count nothing.
 */
import { describe, expect, test } from "bun:test";
import http2 from "node:http2";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { StatusSchema } from "../../src/gen/google/rpc/status_pb.ts";
import { ExportTraceServiceRequestSchema } from "../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { GRPC_HEADERS, closed, h2session } from "../support/h2-raw.ts";
import { GrpcStatus, Http2TestServer, grpcFrame, rawGrpcCall } from "../support/grpc-client.ts";
import { idBytes, request, span } from "../support/otlp-builders.ts";
import { tenantConfig } from "../support/pipeline.ts";
import { poll } from "../support/poll.ts";
import { inProcessReceivers } from "../support/receivers.ts";
import { WireWriter } from "../support/wire-writer.ts";

const LIMIT = 64 * 1024;
const PB = { "Content-Type": "application/x-protobuf" };

/** A request whose one span has an attribute `deep` nested `depth` arrays deep (built inside out, linear). */
function deepRequest(depth: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let len = 3;
  const varint = (n: number) => {
    const out: number[] = [];
    while (n >= 0x80) {
      out.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    out.push(n);
    return out;
  };
  for (let d = 2; d <= depth; d++) {
    const list = [0x0a, ...varint(len)];
    const value = Uint8Array.from([0x2a, ...varint(list.length + len), ...list]);
    parts.push(value);
    len += value.length;
  }
  const value = new Uint8Array(len);
  let pos = 0;
  for (let k = parts.length - 1; k >= 0; k--) {
    value.set(parts[k], pos);
    pos += parts[k].length;
  }
  value.set([0x0a, 1, 0x78], pos);
  const s = new WireWriter().bytesField(1, idBytes(16, 1)).bytesField(2, idBytes(8, 1)).string(5, "deep").msg(9, (kv) => kv.string(1, "deep").bytesField(2, value));
  return new WireWriter().msg(1, (rs) => rs.msg(2, (ss) => ss.msg(2, s))).bytes;
}

const good = () => toBinary(ExportTraceServiceRequestSchema, request({ resource: { "service.name": "svc" }, spans: [span({ name: "a" }), span({ name: "b" })] }));

/** A body that sends `first`, then waits for `release` before sending the rest: a slow chunked upload. */
function slowBody(first: Uint8Array, rest: Uint8Array, release: Promise<void>): ReadableStream<Uint8Array> {
  let step = 0;
  return new ReadableStream({
    async pull(ctrl) {
      if (step === 0) ctrl.enqueue(first);
      else if (step === 1) {
        await release;
        ctrl.enqueue(rest);
      } else ctrl.close();
      step++;
    },
  });
}

describe("values nested 100,000 levels deep", () => {
  const deep = deepRequest(100_000);

  test("OTLP/HTTP: 400 with a google.rpc.Status saying why, nothing counted", async () => {
    const r = inProcessReceivers(tenantConfig({ spanMetrics: { dimensions: ["deep"] } }), 16 << 20);
    const res = await r.httpApp.request("/v1/traces", { method: "POST", body: deep, headers: PB });
    expect(res.status).toBe(400);
    expect(fromBinary(StatusSchema, new Uint8Array(await res.arrayBuffer())).message).toBe("attribute value nested deeper than 100 levels");
    expect(r.spansReceived()).toBe(0);
  });

  test("OTLP/gRPC: INVALID_ARGUMENT, nothing counted, the server keeps serving", async () => {
    const r = inProcessReceivers(tenantConfig({ spanMetrics: { dimensions: ["deep"] } }), 16 << 20);
    await using server = await Http2TestServer.start(r.grpcHandler);
    const answer = await rawGrpcCall(server.url, grpcFrame(deep));
    expect([answer.grpcStatus, answer.grpcMessage, r.spansReceived()]).toEqual([GrpcStatus.INVALID_ARGUMENT, "attribute value nested deeper than 100 levels", 0]);
    expect((await rawGrpcCall(server.url, grpcFrame(good()))).grpcStatus).toBe(GrpcStatus.OK);
    expect(r.spansReceived()).toBe(2);
  });
});

describe("OTLP/HTTP chunked bodies count against the in-flight budget as they arrive", () => {
  test("a slow chunked upload holds its bytes; one that would pass the budget meanwhile is 429; all is given back", async () => {
    const r = inProcessReceivers(tenantConfig({}), LIMIT); // budget: 4 × 64 KiB
    const body = good();
    const padding = new WireWriter().bytesField(99, new Uint8Array(LIMIT - 200)).bytes; // an unknown field: decodes, counts nothing
    const { promise: release, resolve } = Promise.withResolvers<void>();
    // Four slow uploads of ~64 KiB each hold nearly all of the 256 KiB budget...
    const slow = [0, 1, 2, 3].map(() =>
      r.httpApp.request("/v1/traces", { method: "POST", body: slowBody(padding, body, release), headers: PB, duplex: "half" } as RequestInit),
    );
    await poll("the four slow uploads to hold their first chunk", () => (r.httpBudget.inUse >= 4 * padding.length ? true : undefined));
    // ...so a fifth chunked upload does not fit: 429 + Retry-After, before it is read whole.
    const refused = await r.httpApp.request("/v1/traces", {
      method: "POST",
      body: slowBody(padding, body, Promise.resolve()),
      headers: PB,
      duplex: "half",
    } as RequestInit);
    expect([refused.status, refused.headers.get("retry-after")]).toEqual([429, "1"]);
    resolve();
    expect((await Promise.all(slow)).map((res) => res.status)).toEqual([200, 200, 200, 200]);
    expect([r.calls(), r.httpBudget.inUse]).toEqual([8, 0]);
  });

  test("a chunked body over the size limit is 413, read no further than the limit", async () => {
    const r = inProcessReceivers(tenantConfig({}), LIMIT);
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        sent += 16 * 1024;
        ctrl.enqueue(new Uint8Array(16 * 1024));
      },
    });
    const res = await r.httpApp.request("/v1/traces", { method: "POST", body: endless, headers: PB, duplex: "half" } as RequestInit);
    expect(res.status).toBe(413);
    expect(sent).toBeLessThan(LIMIT + 4 * 16 * 1024);
    expect(r.httpBudget.inUse).toBe(0);
  });
});

describe("OTLP/gRPC streams count against the in-flight budget as their DATA arrives", () => {
  test("streams holding the budget make another RESOURCE_EXHAUSTED with RetryInfo; all is given back when they end", async () => {
    const r = inProcessReceivers(tenantConfig({}), LIMIT);
    await using server = await Http2TestServer.start(r.grpcHandler);
    const session = await h2session(server.url);
    const message = new WireWriter().bytesField(99, new Uint8Array(LIMIT - 200)).raw(good()).bytes;
    expect(LIMIT - message.length).toBeLessThan(100);
    const frame = grpcFrame(message);
    // Four streams send all but the last byte of a ~64 KiB message: the budget (4 × 64 KiB) is full.
    const streams = [0, 1, 2, 3].map(() => {
      const s = session.request(GRPC_HEADERS, { endStream: false });
      s.on("error", () => undefined);
      let trailers: http2.IncomingHttpHeaders = {};
      s.on("trailers", (t) => (trailers = t));
      s.resume();
      s.write(frame.subarray(0, frame.length - 1));
      return { s, trailers: () => trailers };
    });
    await poll("the four streams to hold their bytes", () => (r.grpcBudget.inUse >= 4 * (frame.length - 1) ? true : undefined));
    // 4 × 65,437 of 262,144 bytes are held: a message of 1 KiB does not fit.
    const refused = await rawGrpcCall(server.url, grpcFrame(new WireWriter().bytesField(99, new Uint8Array(1024)).raw(good()).bytes));
    expect([refused.grpcStatus, refused.retryDelaySeconds]).toEqual([GrpcStatus.RESOURCE_EXHAUSTED, 1]);
    for (const { s } of streams) s.end(frame.subarray(frame.length - 1));
    for (const { s } of streams) await closed(s);
    expect(streams.map((x) => x.trailers()["grpc-status"])).toEqual(["0", "0", "0", "0"]);
    session.close();
    expect([r.calls(), r.grpcBudget.inUse]).toEqual([8, 0]);
  });

  test("a length prefix above the limit is refused at once; a reset stream gives its bytes back", async () => {
    const r = inProcessReceivers(tenantConfig({}), LIMIT);
    await using server = await Http2TestServer.start(r.grpcHandler);
    const session = await h2session(server.url);
    const s = session.request(GRPC_HEADERS, { endStream: false });
    s.on("error", () => undefined);
    s.resume();
    s.write(grpcFrame(new Uint8Array(1000)).subarray(0, 600));
    await poll("the partial message to be held", () => (r.grpcBudget.inUse === 600 ? true : undefined));
    s.close(http2.constants.NGHTTP2_CANCEL);
    await closed(s);
    await poll("its bytes to be given back", () => (r.grpcBudget.inUse === 0 ? true : undefined));
    const header = grpcFrame(new Uint8Array(0));
    new DataView(header.buffer).setUint32(1, LIMIT + 1);
    expect((await rawGrpcCall(server.url, header)).grpcStatus).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    session.close();
    expect(r.grpcBudget.inUse).toBe(0);
  });
});
