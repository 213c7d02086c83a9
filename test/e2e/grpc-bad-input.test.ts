/**
 * Bad gRPC clients against the compiled binary (max_recv_msg_size_mib: 1):
 * garbage instead of HTTP/2, garbage frames after a valid preface, unknown
 * methods, oversized and gzip-bomb messages, a frame header claiming 2 GiB,
 * clients that cancel or drop the connection mid-body, and one that opens
 * 200 streams and never sends. After each, a normal export on a new
 * connection is accepted and counted exactly, and redgen's open descriptors
 * (/proc/<pid>/fd: all, and sockets) return to the baseline: nothing leaks.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import http2 from "node:http2";
import { type Socket, connect } from "node:net";
import { gzipSync } from "node:zlib";
import { toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { ExportTraceServiceRequestSchema } from "../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { parseExposition } from "../support/exposition.ts";
import { GRPC_HEADERS, closed, h2session, halfSentCall, pingRoundTrip } from "../support/h2-raw.ts";
import { GrpcJsClient, GrpcStatus, GrpcTraceClient, grpcFrame, rawGrpcCall } from "../support/grpc-client.ts";
import { request, span } from "../support/otlp-builders.ts";
import { E2E_TIMEOUT_MS, poll, withTimeout } from "../support/poll.ts";
import { openFds } from "../support/proc.ts";
import { Redgen, testConfig } from "../support/redgen-process.ts";

const MIB = 1024 * 1024;
const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

let redgen: Redgen;
let baseline: { fds: number; sockets: number };

/** redgen's scrape endpoint without keeping a pooled connection (which would be one more socket in redgen). */
async function callsOf(service: string): Promise<number> {
  const res = await fetch(`${redgen.apiUrl}/metrics/generated`, { headers: { Connection: "close" } });
  return parseExposition(await res.text())
    .filter((s) => s.name === "traces_spanmetrics_calls_total" && s.labels.service === service)
    .reduce((n, s) => n + s.value, 0);
}

const twoSpans = (service: string) => request({ resource: { "service.name": service }, spans: [span({ name: "ok", kind: 2 }), span({ name: "ok", kind: 2 })] });

/** A well-behaved client on a new connection: its export succeeds and is counted exactly. */
async function normalExportIsCounted(service: string): Promise<void> {
  {
    using client = new GrpcTraceClient(redgen.otlpGrpcUrl);
    await client.export(twoSpans(service));
  }
  expect(await callsOf(service)).toBe(2);
}

/** Polls until redgen's descriptors are back at the baseline (fails with the last reading). */
async function backToBaseline(): Promise<void> {
  let last = openFds(redgen.pid);
  await poll(
    "redgen's open descriptors to return to the baseline",
    () => {
      last = openFds(redgen.pid);
      return last.fds <= baseline.fds && last.sockets <= baseline.sockets ? true : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 50 },
    () => `baseline ${JSON.stringify(baseline)}, now ${JSON.stringify(last)}`,
  );
}

beforeAll(async () => {
  redgen = await Redgen.start({ config: testConfig({ grpc: { max_recv_msg_size_mib: 1 } }) });
  // One normal round trip first, so lazily opened descriptors are part of the baseline; then wait until the count is steady.
  await normalExportIsCounted("warm-up");
  let previous = openFds(redgen.pid);
  baseline = await poll(
    "redgen's descriptor count to settle",
    async () => {
      await Bun.sleep(200);
      const now = openFds(redgen.pid);
      const steady = now.fds === previous.fds && now.sockets === previous.sockets;
      previous = now;
      return steady ? now : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 0 },
  );
}, E2E_TIMEOUT_MS);

afterAll(async () => {
  await redgen?.stop();
}, E2E_TIMEOUT_MS);

/** Connects with TCP, writes `bytes`, and resolves with what the server sent before it closed the connection. */
async function sendRaw(bytes: Uint8Array): Promise<Buffer> {
  const { promise, resolve, reject } = Promise.withResolvers<Buffer>();
  const chunks: Buffer[] = [];
  const socket: Socket = connect(redgen.otlpGrpcPort!, "127.0.0.1", () => socket.write(bytes));
  socket.on("data", (c: Buffer) => chunks.push(c));
  socket.on("error", () => undefined); // a reset after the server's answer is fine: "close" follows
  socket.on("close", () => resolve(Buffer.concat(chunks)));
  socket.setTimeout(10_000, () => {
    reject(new Error("the server did not close the connection"));
    socket.destroy();
  });
  return withTimeout("the server to close the connection", promise, 10_000);
}

/** Frame types in a buffer of HTTP/2 frames (stops at a partial frame). */
function frameTypes(buf: Buffer): number[] {
  const types: number[] = [];
  for (let i = 0; i + 9 <= buf.length; ) {
    const len = buf.readUIntBE(i, 3);
    types.push(buf[i + 3]);
    i += 9 + len;
  }
  return types;
}

const REPEAT = 5;

describe("bad clients: redgen keeps serving others and leaks nothing", () => {
  test(`garbage instead of the HTTP/2 preface (×${REPEAT}): the connection is closed`, async () => {
    for (let i = 0; i < REPEAT; i++) {
      const garbage = crypto.getRandomValues(new Uint8Array(4096));
      garbage[0] = 0x47; // not 'P', so it is never the preface
      await sendRaw(garbage);
    }
    await normalExportIsCounted("after-garbage");
    await backToBaseline();
  }, E2E_TIMEOUT_MS);

  test(`a valid preface, then garbage frames (×${REPEAT}): GOAWAY and close`, async () => {
    // A DATA frame on stream 0 is a connection error (PROTOCOL_ERROR), then bytes that are no frame at all.
    const badFrame = Buffer.from([0, 0, 4, 0x0, 0x0, 0, 0, 0, 0, 1, 2, 3, 4]);
    for (let i = 0; i < REPEAT; i++) {
      const answer = await sendRaw(Buffer.concat([PREFACE, badFrame, crypto.getRandomValues(new Uint8Array(512))]));
      expect(frameTypes(answer)).toContain(0x7); // GOAWAY
    }
    await normalExportIsCounted("after-bad-frames");
    await backToBaseline();
  }, E2E_TIMEOUT_MS);

  test("unknown methods are UNIMPLEMENTED", async () => {
    {
      using client = new GrpcJsClient(redgen.otlpGrpcEndpoint);
      const bytes = toBinary(ExportTraceServiceRequestSchema, twoSpans("bad-unknown-method"));
      const unknownMethod = await client.call(bytes, { path: "/opentelemetry.proto.collector.trace.v1.TraceService/Nope" });
      const unknownService = await client.call(bytes, { path: "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export" });
      expect([unknownMethod.code, unknownService.code]).toEqual([GrpcStatus.UNIMPLEMENTED, GrpcStatus.UNIMPLEMENTED]);
    }
    expect(await callsOf("bad-unknown-method")).toBe(0);
    await normalExportIsCounted("after-unknown-method");
    await backToBaseline();
  }, E2E_TIMEOUT_MS);

  test("oversized messages are RESOURCE_EXHAUSTED: plain, gzip bomb, and a 2 GiB length prefix", async () => {
    const big = (size: number) => request({ resource: { "service.name": "bad-oversize" }, spans: [span({ name: "big", kind: 2, attributes: { blob: "0".repeat(size) } })] });
    const codeOf = (p: Promise<unknown>) => p.then(() => "OK", (e: unknown) => Code[ConnectError.from(e).code]);
    {
      // connect clients: closing one really closes its connection. (A grpc-js client keeps a
      // connection whose request body was refused early open after close(), as long as it lives;
      // the same happens against Node's own http2 server.)
      using plain = new GrpcTraceClient(redgen.otlpGrpcUrl);
      using gzip = new GrpcTraceClient(redgen.otlpGrpcUrl, { gzip: true });
      const bomb = big(8 * MIB);
      expect(gzipSync(toBinary(ExportTraceServiceRequestSchema, bomb)).length).toBeLessThan(MIB / 16); // small on the wire, 8 MiB inflated
      expect([await codeOf(plain.export(big(1.5 * MIB))), await codeOf(gzip.export(bomb))]).toEqual(["ResourceExhausted", "ResourceExhausted"]);
      // Just under the limit still passes.
      expect(await codeOf(plain.export(big(MIB - 4096)))).toBe("OK");
    }
    const header = grpcFrame(new Uint8Array(0));
    new DataView(header.buffer).setUint32(1, 0x7fffffff);
    const huge = await rawGrpcCall(redgen.otlpGrpcUrl, header);
    expect(huge.grpcStatus).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(await callsOf("bad-oversize")).toBe(1); // only the one under the limit
    await normalExportIsCounted("after-oversize");
    await backToBaseline();
  }, E2E_TIMEOUT_MS);

  test("clients that cancel (RST_STREAM) or drop the connection mid-body", async () => {
    for (let i = 0; i < 3; i++) {
      const session = await h2session(redgen.otlpGrpcUrl);
      const stream = await halfSentCall(session, 4);
      stream.close(http2.constants.NGHTTP2_CANCEL);
      await closed(stream);
      // The connection is still usable after the cancelled stream: a full export on it succeeds.
      const ok = session.request(GRPC_HEADERS);
      ok.on("error", () => undefined);
      let trailers: http2.IncomingHttpHeaders = {};
      ok.on("trailers", (t) => (trailers = t));
      ok.resume();
      ok.end(grpcFrame(toBinary(ExportTraceServiceRequestSchema, twoSpans(`after-cancel-${i}`))));
      await closed(ok);
      expect(trailers["grpc-status"]).toBe("0");
      session.close();
      await closed(session);
    }
    for (let i = 0; i < 3; i++) {
      const session = await h2session(redgen.otlpGrpcUrl);
      await halfSentCall(session, 4);
      session.destroy(); // the TCP connection goes away mid-body
      await closed(session);
    }
    expect([await callsOf("after-cancel-0"), await callsOf("after-cancel-2")]).toEqual([2, 2]);
    await normalExportIsCounted("after-cancel");
    await backToBaseline();
  }, E2E_TIMEOUT_MS);

  test("200 streams with headers only, never sending: others are served meanwhile, then all is released", async () => {
    const session = await h2session(redgen.otlpGrpcUrl);
    const streams: http2.ClientHttp2Stream[] = [];
    for (let i = 0; i < 200; i++) {
      const s = session.request(GRPC_HEADERS, { endStream: false });
      s.on("error", () => undefined);
      streams.push(s);
    }
    await pingRoundTrip(session); // every HEADERS frame has reached redgen
    expect(streams.filter((s) => s.closed || s.destroyed).length).toBe(0);
    // While they hang, a normal client is served.
    await normalExportIsCounted("during-idle-streams");
    session.destroy();
    await closed(session);
    await normalExportIsCounted("after-idle-streams");
    await backToBaseline();
  }, E2E_TIMEOUT_MS);
});
