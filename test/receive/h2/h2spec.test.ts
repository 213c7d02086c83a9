/**
 * The gRPC port's HTTP/2 server against h2spec (v2.2.1, the HTTP/2 and
 * HPACK conformance suite, strict mode included), with the port's limits
 * and keepalive bookkeeping: every case must pass. The streams are answered
 * as h2spec's cases assume, once the whole request has arrived, with a body
 * and trailers. (The OTLP/gRPC handler answers a request that is not gRPC at
 * once, 415 with the upload cut short, which is its right, but then the
 * cases that keep sending on an open stream have no open stream to send on.)
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GrpcSessions } from "../../../src/receive/grpc-sessions.ts";
import { listenH2 } from "../../../src/receive/h2/h2-listener.ts";
import type { H2Stream } from "../../../src/receive/h2/h2-stream.ts";
import { encodeHeaderBlock } from "../../../src/receive/h2/hpack-encoder.ts";
import { ensureH2spec } from "../../support/setup.ts";

const KEEPALIVE = {
  max_connection_idle_ms: 0,
  max_connection_age_ms: 0,
  max_connection_age_grace_ms: 0,
  time_ms: 0,
  timeout_ms: 0,
  min_time_ms: 0,
  permit_without_stream: true,
};
const sessions = new GrpcSessions(KEEPALIVE);
const HEAD = encodeHeaderBlock([[":status", "200"], ["content-type", "application/grpc"]]);
const TRAILERS = encodeHeaderBlock([["grpc-status", "0"]]);
const BODY = new Uint8Array(5);

/** Reads the whole request, then answers it (a gRPC-shaped response). */
function answerAtEnd(s: H2Stream): void {
  s.listen({
    data: () => undefined,
    end: () => {
      s.respond(HEAD, false);
      s.sendMessage(BODY, TRAILERS);
    },
    close: () => undefined,
  });
}
const listener = listenH2({
  host: "127.0.0.1",
  port: 0,
  maxConnections: 1000,
  // the wiring's limits (src/wiring/receivers.ts)
  limits: { maxConcurrentStreams: 100, streamWindow: 4 << 20, connectionWindow: 16 << 20, maxHeaderListBytes: 64 << 10 },
  onStream: answerAtEnd,
  onConnection: (c) => sessions.track(c),
});
afterAll(() => {
  listener.stop();
  sessions.destroyAll();
});

test("h2spec: every HTTP/2 and HPACK case passes, strict ones too", async () => {
  const h2spec = ensureH2spec();
  const dir = mkdtempSync(join(tmpdir(), "redgen-h2spec-"));
  try {
    const junit = join(dir, "report.xml");
    const proc = Bun.spawn([h2spec, "-h", "127.0.0.1", "-p", String(listener.port), "--strict", "-o", "5", "-j", junit], { stdout: "pipe", stderr: "pipe" });
    const [out] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
    const report = readFileSync(junit, "utf8");
    const cases = [...report.matchAll(/<testcase [^>]*classname="([^"]*)"[^>]*>(.*?)<\/testcase>/gs)];
    const failed = cases.filter((c) => c[2].includes("<failure") || c[2].includes("<error")).map((c) => c[1]);
    expect({ failed, summary: out.trim().split("\n").at(-1) }).toEqual({ failed: [], summary: expect.stringContaining(" 0 failed") });
    expect(cases.length).toBeGreaterThan(140);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
