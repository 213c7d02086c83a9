import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RemoteWriteConfig } from "../../src/config/types.ts";
import { RemoteWriteClient, parseRetryAfter } from "../../src/remote-write/client.ts";
import { EndpointStats } from "../../src/remote-write/endpoint-stats.ts";
import { remoteWriteHeaders } from "../../src/remote-write/headers.ts";
import { RemoteWriteQueue } from "../../src/remote-write/queue.ts";
import { SegmentLog } from "../../src/storage/segment-log.ts";

/** A remote-write endpoint that answers from a script and records what it got. */
function endpoint(script: (n: number) => Response) {
  const got: { headers: Headers; body: Uint8Array }[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      got.push({ headers: req.headers, body: new Uint8Array(await req.arrayBuffer()) });
      return script(got.length);
    },
  });
  return { server, got, url: `http://127.0.0.1:${server.port}/api/v1/write` };
}

function cfg(url: string, over: Partial<RemoteWriteConfig["queue"]> = {}): RemoteWriteConfig {
  return {
    url,
    name: "test",
    remote_timeout_ms: 5000,
    headers: {},
    send_exemplars: true,
    protobuf_message: "prometheus.WriteRequest",
    queue: {
      capacity: 10000,
      max_shards: 2,
      max_samples_per_send: 2000,
      min_backoff_ms: 1,
      max_backoff_ms: 4,
      retry_on_http_429: false,
      sample_age_limit_ms: 0,
      ...over,
    },
  };
}

const servers: { stop(force: boolean): void }[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.stop(true);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "redgen-queue-"));
  dirs.push(d);
  return d;
}

/** A queue on a log in `dir` (a fresh temp dir by default). */
function queue(c: RemoteWriteConfig, dir = tempDir(), headers: Record<string, string> = {}) {
  const stats = new EndpointStats();
  const { log: wal, report } = SegmentLog.open(dir, 1 << 20);
  const q = new RemoteWriteQueue(new RemoteWriteClient(c, headers, "redgen/test"), c, stats, "t", wal);
  return { q, stats, wal, report, dir };
}

const req = (samples: number, byte = 1) => ({ body: new Uint8Array([byte, 2, 3]), samples, exemplars: 1 });

async function run(script: (n: number) => Response, over: Partial<RemoteWriteConfig["queue"]> = {}, headers: Record<string, string> = {}) {
  const ep = endpoint(script);
  servers.push(ep.server);
  const { q, stats } = queue(cfg(ep.url, over), undefined, headers);
  await q.append(1, Date.now(), [req(10)]);
  q.release(1);
  await q.flush(Date.now() + 5000);
  return { stats, got: ep.got };
}

describe("remote-write retries (spec §9)", () => {
  test("5xx is retried with Retry-Attempt until it succeeds", async () => {
    const { stats, got } = await run((n) => new Response("", { status: n < 3 ? 503 : 204 }));
    expect(got.length).toBe(3);
    expect(got.map((g) => g.headers.get("retry-attempt"))).toEqual([null, "1", "2"]);
    expect([stats.samplesSent, stats.samplesRetried, stats.samplesFailed, stats.pendingSamples]).toEqual([10, 20, 0, 0]);
  });

  test("errors name the endpoint without its credentials", async () => {
    const ep = endpoint(() => new Response("nope", { status: 400 }));
    servers.push(ep.server);
    const url = ep.url.replace("http://", "http://user:PASSWORD@") + "?token=SECRET";
    const { q, stats } = queue(cfg(url));
    await q.append(1, Date.now(), [req(1)]);
    q.release(1);
    await q.flush(Date.now() + 5000);
    expect(stats.lastError).toContain("HTTP 400: nope");
    expect([stats.lastError.includes("PASSWORD"), stats.lastError.includes("SECRET")]).toEqual([false, false]);
  });

  test("other 4xx drops the batch and counts it failed", async () => {
    const { stats, got } = await run(() => new Response("out of bounds", { status: 400 }));
    expect(got.length).toBe(1);
    expect([stats.samplesSent, stats.samplesFailed]).toEqual([0, 10]);
    expect(stats.lastError).toContain("HTTP 400: out of bounds");
  });

  test("429 is dropped unless retry_on_http_429", async () => {
    expect((await run(() => new Response("", { status: 429 }))).stats.samplesFailed).toBe(10);
    const retried = await run((n) => new Response("", { status: n === 1 ? 429 : 200 }), { retry_on_http_429: true });
    expect([retried.got.length, retried.stats.samplesSent]).toEqual([2, 10]);
  });

  test("the standard headers, and configured headers", async () => {
    const { got } = await run(() => new Response(null, { status: 204 }), {}, { "X-Scope-OrgID": "team-a" });
    const h = got[0].headers;
    expect([h.get("content-encoding"), h.get("content-type"), h.get("x-prometheus-remote-write-version"), h.get("x-scope-orgid")]).toEqual([
      "snappy",
      "application/x-protobuf",
      "0.1.0",
      "team-a",
    ]);
    expect(h.get("user-agent")).toBe("redgen/test");
  });
});

describe("the disk queue", () => {
  test("a round is sent only once released (its checkpoint is written), and rounds go out in order", async () => {
    const ep = endpoint(() => new Response(null, { status: 204 }));
    servers.push(ep.server);
    const { q } = queue(cfg(ep.url));
    await q.append(1, Date.now(), [req(1, 11)]);
    await q.append(2, Date.now(), [req(1, 12)]);
    q.release(0);
    await Bun.sleep(0);
    expect(ep.got.length).toBe(0);
    q.release(2);
    await q.flush(Date.now() + 5000);
    expect(ep.got.map((g) => g.body[0])).toEqual([11, 12]);
  });

  test("at the flush deadline unsent rounds stay on disk, and the next start sends them", async () => {
    const down = endpoint(() => new Response("", { status: 503 }));
    servers.push(down.server);
    const first = queue(cfg(down.url, { min_backoff_ms: 20, max_backoff_ms: 20 }));
    await first.q.append(1, Date.now(), [req(4, 21)]);
    await first.q.append(2, Date.now(), [req(6, 22)]);
    first.q.release(2);
    await first.q.flush(Date.now() + 150);
    expect([first.stats.samplesSent, first.stats.samplesFailed, first.stats.samplesDropped]).toEqual([0, 0, 0]);

    const up = endpoint(() => new Response(null, { status: 204 }));
    servers.push(up.server);
    const second = queue(cfg(up.url), first.dir);
    expect(second.report.rounds).toBe(2);
    expect(second.stats.pendingSamples).toBe(10);
    second.q.release(2);
    await second.q.flush(Date.now() + 5000);
    expect(up.got.map((g) => g.body[0])).toEqual([21, 22]);
    expect([second.stats.samplesSent, second.stats.pendingSamples, second.q.queuedRounds]).toEqual([10, 0, 0]);
  });

  test("a round older than sample_age_limit is dropped unsent and counted", async () => {
    const ep = endpoint(() => new Response(null, { status: 204 }));
    servers.push(ep.server);
    const { q, stats } = queue(cfg(ep.url, { sample_age_limit_ms: 60_000 }));
    await q.append(1, Date.now() - 120_000, [req(5, 31)]);
    await q.append(2, Date.now(), [req(7, 32)]);
    q.release(2);
    await q.flush(Date.now() + 5000);
    expect(ep.got.map((g) => g.body[0])).toEqual([32]);
    expect([stats.samplesDropped, stats.samplesSent, stats.roundsDropped.get("sample_age_limit")]).toEqual([5, 7, 1]);
  });

  test("dropping the oldest segment (disk budget) counts its rounds and stops retrying them", async () => {
    const ep = endpoint((n) => new Response("", { status: n <= 3 ? 500 : 204 }));
    servers.push(ep.server);
    const { q, stats } = queue(cfg(ep.url, { min_backoff_ms: 30, max_backoff_ms: 30 }));
    await q.append(1, Date.now(), [req(3, 41)]);
    q.release(1);
    await Bun.sleep(10);
    expect(await q.dropOldest()).toBeGreaterThan(0);
    await q.append(2, Date.now(), [req(4, 42)]);
    q.release(2);
    await q.flush(Date.now() + 5000);
    // round 41 was tried once and never again once dropped; 42 went through after two 500s
    expect(ep.got.map((g) => g.body[0])).toEqual([41, 42, 42, 42]);
    expect([stats.roundsDropped.get("disk_budget"), stats.samplesSent, q.queuedRounds]).toEqual([1, 4, 0]);
  });

  test("when the disk refuses a round it is kept in memory and still sent", async () => {
    const ep = endpoint(() => new Response(null, { status: 204 }));
    servers.push(ep.server);
    const { q, stats, wal } = queue(cfg(ep.url));
    wal.append = () => Promise.reject(new Error("ENOSPC: no space left on device"));
    await q.append(1, Date.now(), [req(9, 51)]);
    q.release(1);
    await q.flush(Date.now() + 5000);
    expect([stats.diskWriteFailures, stats.samplesSent, ep.got.length]).toEqual([1, 9, 1]);
  });
});

describe("headers and Retry-After", () => {
  const cases: [string, Record<string, string>, Record<string, string>, string, boolean, Record<string, string>][] = [
    ["adds X-Scope-OrgID for a tenant", {}, {}, "a", true, { "X-Scope-OrgID": "a" }],
    ["never for single-tenant", {}, {}, "single-tenant", true, {}],
    ["not when disabled", {}, {}, "a", false, {}],
    ["never overwrites an existing one, any case", { "x-scope-orgid": "fixed" }, {}, "a", true, { "x-scope-orgid": "fixed" }],
    ["tenant override headers win over configured ones", { A: "1" }, { A: "2" }, "single-tenant", true, { A: "2" }],
  ];
  for (const [name, configured, override, tenant, add, want] of cases) {
    test(name, () => expect(remoteWriteHeaders(configured, override, tenant, add)).toEqual(want));
  }

  test("Retry-After as seconds or HTTP date", () => {
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
