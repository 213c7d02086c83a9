/**
 * Connections a hostile client opens and holds, against the compiled binary
 * run with a hard limit of 1,024 file descriptors (prlimit):
 * - 1,100 TCP connections (more than the limit) to the gRPC port that never send a byte: the
 *   port's connection cap (a quarter of the limit) turns the rest away, the
 *   descriptors stay below the limit, the API and OTLP/HTTP keep answering,
 *   and the idle connections are dropped after the 10 s HTTP/2 handshake
 *   deadline, after which gRPC clients are served again;
 * - 1,100 idle connections to the OTLP/HTTP and API ports are mostly never
 *   accepted (Bun.serve defers accept until a request arrives): the
 *   descriptors stay free;
 * - the Collector's keepalive policy, grpc-go semantics: a client pinging
 *   too often gets GOAWAY ENHANCE_YOUR_CALM "too_many_pings"; a connection
 *   idle for max_connection_idle, or older than max_connection_age (+ grace),
 *   is closed; a client that does not answer the server's keepalive ping
 *   within `timeout` is dropped.
 * Peak descriptors and RSS under the first attack are printed for the record.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import http2 from "node:http2";
import { type Socket, connect } from "node:net";
import { toBinary } from "@bufbuild/protobuf";
import { ExportTraceServiceRequestSchema } from "../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { parseExposition } from "../support/exposition.ts";
import { GrpcTraceClient } from "../support/grpc-client.ts";
import { GRPC_HEADERS, closed, h2session } from "../support/h2-raw.ts";
import { request, span } from "../support/otlp-builders.ts";
import { E2E_TIMEOUT_MS, poll } from "../support/poll.ts";
import { openFds, rssBytes } from "../support/proc.ts";
import { Redgen, testConfig } from "../support/redgen-process.ts";

const FD_LIMIT = 1024;
const ATTACKERS = 1100;

const oneSpan = (service: string) => request({ resource: { "service.name": service }, spans: [span({ name: "ok", kind: 2 })] });

/** Opens `n` TCP connections to `port` that never send anything; resolves once all are connected (or refused). */
async function idleConnections(port: number, n: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < n; i++) {
    const { promise, resolve } = Promise.withResolvers<void>();
    const s = connect(port, "127.0.0.1", () => resolve());
    s.on("error", () => resolve());
    s.on("close", () => resolve());
    sockets.push(s);
    await promise;
  }
  return sockets;
}

async function selfMetric(redgen: Redgen, name: string): Promise<number | undefined> {
  const res = await fetch(`${redgen.apiUrl}/metrics`, { headers: { Connection: "close" } });
  return parseExposition(await res.text()).find((s) => s.name === name)?.value;
}

async function callsOf(redgen: Redgen, service: string): Promise<number> {
  const res = await fetch(`${redgen.apiUrl}/metrics/generated`, { headers: { Connection: "close" } });
  return parseExposition(await res.text())
    .filter((s) => s.name === "traces_spanmetrics_calls_total" && s.labels.service === service)
    .reduce((n, s) => n + s.value, 0);
}

/** An OTLP/HTTP export on a connection of its own; returns the status. */
async function httpExport(redgen: Redgen, service: string): Promise<number> {
  const res = await fetch(`${redgen.otlpHttpUrl}/v1/traces`, {
    method: "POST",
    headers: { "Content-Type": "application/x-protobuf", Connection: "close" },
    body: toBinary(ExportTraceServiceRequestSchema, oneSpan(service)),
  });
  await res.arrayBuffer();
  return res.status;
}

describe(`${ATTACKERS} idle connections at a limit of ${FD_LIMIT} descriptors`, () => {
  let redgen: Redgen;
  beforeAll(async () => {
    redgen = await Redgen.start({ config: testConfig({ grpc: {} }), wrapper: ["prlimit", `--nofile=${FD_LIMIT}:${FD_LIMIT}`] });
  }, E2E_TIMEOUT_MS);
  afterAll(async () => {
    await redgen?.stop();
  }, E2E_TIMEOUT_MS);

  test("to the gRPC port: capped at a quarter of the descriptors, other ports answer, dropped after the handshake deadline", async () => {
    const before = { ...openFds(redgen.pid), rss: rssBytes(redgen.pid) };
    let peak = { fds: before.fds, rss: before.rss };
    const sample = () => {
      const now = { fds: openFds(redgen.pid).fds, rss: rssBytes(redgen.pid) };
      peak = { fds: Math.max(peak.fds, now.fds), rss: Math.max(peak.rss, now.rss) };
    };
    const sampler = setInterval(sample, 20);
    const attackers = await idleConnections(redgen.otlpGrpcPort as number, ATTACKERS);
    try {
      sample();
      const limit = await selfMetric(redgen, "redgen_otlp_grpc_connections_limit");
      expect(limit).toBe(FD_LIMIT / 4);
      expect(await selfMetric(redgen, "redgen_otlp_grpc_connections")).toBeLessThanOrEqual(FD_LIMIT / 4);
      // While the attackers hold their connections, the API and OTLP/HTTP are served.
      expect((await fetch(`${redgen.apiUrl}/ready`, { headers: { Connection: "close" } })).status).toBe(200);
      expect(await httpExport(redgen, "during-grpc-flood")).toBe(200);
      expect(await callsOf(redgen, "during-grpc-flood")).toBe(1);
      // The 10 s handshake deadline ends every connection that never spoke HTTP/2.
      await poll("the idle gRPC connections to be dropped", () => (attackers.every((s) => s.destroyed || s.closed) ? true : undefined), {
        timeoutMs: 20_000,
        intervalMs: 100,
      });
      {
        using client = new GrpcTraceClient(redgen.otlpGrpcUrl);
        await client.export(oneSpan("after-grpc-flood"));
      }
      expect(await callsOf(redgen, "after-grpc-flood")).toBe(1);
      expect(peak.fds).toBeLessThan(FD_LIMIT);
    } finally {
      clearInterval(sampler);
      for (const s of attackers) s.destroy();
    }
    console.error(
      `idle-connection attack (${ATTACKERS} to the gRPC port, limit ${FD_LIMIT}): fds ${before.fds} → peak ${peak.fds}, ` +
        `RSS ${(before.rss / 2 ** 20).toFixed(0)} → peak ${(peak.rss / 2 ** 20).toFixed(0)} MiB`,
    );
  }, E2E_TIMEOUT_MS);

  test("to the OTLP/HTTP and API ports: mostly never accepted (deferred accept), so the descriptors stay free", async () => {
    let peak = openFds(redgen.pid).fds;
    const sampler = setInterval(() => (peak = Math.max(peak, openFds(redgen.pid).fds)), 20);
    const http = await idleConnections(Number(new URL(redgen.otlpHttpUrl).port), ATTACKERS / 2);
    const api = await idleConnections(Number(new URL(redgen.apiUrl).port), ATTACKERS / 2);
    try {
      // Linux holds connections that sent nothing; only what it passes on (SYN cookies past its backlog) takes a descriptor, until idle_timeout.
      expect(Math.max(peak, openFds(redgen.pid).fds)).toBeLessThan(FD_LIMIT / 4);
      expect(await httpExport(redgen, "during-http-flood")).toBe(200);
      {
        using client = new GrpcTraceClient(redgen.otlpGrpcUrl);
        await client.export(oneSpan("during-http-flood"));
      }
      expect(await callsOf(redgen, "during-http-flood")).toBe(2);
    } finally {
      clearInterval(sampler);
      for (const s of [...http, ...api]) s.destroy();
    }
  }, E2E_TIMEOUT_MS);
});

describe("keepalive policy (the Collector's keys, grpc-go semantics)", () => {
  let redgen: Redgen;
  beforeAll(async () => {
    const keepalive = {
      server_parameters: { max_connection_idle: "1s", time: "400ms", timeout: "400ms" },
      enforcement_policy: { min_time: "5m", permit_without_stream: false },
    };
    redgen = await Redgen.start({ config: testConfig({ grpc: { keepalive } }) });
  }, E2E_TIMEOUT_MS);
  afterAll(async () => {
    await redgen?.stop();
  }, E2E_TIMEOUT_MS);

  test("a client pinging without streams is told ENHANCE_YOUR_CALM too_many_pings and closed", async () => {
    const session = await h2session(redgen.otlpGrpcUrl);
    const goaway = new Promise<[number, string]>((resolve) => session.once("goaway", (code, _last, data) => resolve([code, String(data ?? "")])));
    const pinger = setInterval(() => {
      if (!session.closed && !session.destroyed) session.ping(() => undefined);
    }, 30);
    try {
      expect(await goaway).toEqual([http2.constants.NGHTTP2_ENHANCE_YOUR_CALM, "too_many_pings"]);
      await closed(session);
    } finally {
      clearInterval(pinger);
      session.destroy();
    }
  }, E2E_TIMEOUT_MS);

  test("a connection without streams for max_connection_idle gets GOAWAY (NO_ERROR) and closes", async () => {
    const session = await h2session(redgen.otlpGrpcUrl);
    const goaway = new Promise<number>((resolve) => session.once("goaway", (code) => resolve(code)));
    const s = session.request(GRPC_HEADERS);
    s.on("error", () => undefined);
    s.resume();
    s.end(new Uint8Array([0, 0, 0, 0, 0]));
    await closed(s);
    expect(await goaway).toBe(http2.constants.NGHTTP2_NO_ERROR);
    await closed(session);
  }, E2E_TIMEOUT_MS);

  test("a client that does not answer the server's keepalive ping is dropped after `timeout`", async () => {
    // Preface, empty SETTINGS and the ACK of the server's: a finished handshake, then silence.
    const frames: number[] = [...Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0];
    const received: number[] = [];
    const sock = connect(redgen.otlpGrpcPort as number, "127.0.0.1", () => sock.write(Uint8Array.from(frames)));
    const seen: Buffer[] = [];
    sock.on("data", (d: Buffer) => seen.push(d));
    sock.on("error", () => undefined);
    await closed(Object.assign(sock, {}) as unknown as { once(e: "close", cb: () => void): unknown });
    const all = Buffer.concat(seen);
    for (let i = 0; i + 9 <= all.length; i += 9 + all.readUIntBE(i, 3)) received.push(all[i + 3]);
    expect(received).toContain(0x6); // a PING the client never answered
  }, E2E_TIMEOUT_MS);
});
