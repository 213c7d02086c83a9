import { afterEach, describe, expect, test } from "bun:test";
import type { RemoteWriteConfig } from "../../src/config/types.ts";
import { RemoteWriteClient, parseRetryAfter } from "../../src/remote-write/client.ts";
import { EndpointStats } from "../../src/remote-write/endpoint-stats.ts";
import { remoteWriteHeaders } from "../../src/remote-write/headers.ts";
import { RemoteWriteQueue } from "../../src/remote-write/queue.ts";

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
    send_native_histograms: false,
    queue: { capacity: 10000, max_shards: 2, max_samples_per_send: 2000, min_backoff_ms: 1, max_backoff_ms: 4, retry_on_http_429: false, ...over },
  };
}

const servers: { stop(force: boolean): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.stop(true);
});

async function run(script: (n: number) => Response, over: Partial<RemoteWriteConfig["queue"]> = {}, headers: Record<string, string> = {}) {
  const ep = endpoint(script);
  servers.push(ep.server);
  const c = cfg(ep.url, over);
  const stats = new EndpointStats();
  const q = new RemoteWriteQueue(new RemoteWriteClient(c, headers, "redgen/test"), c, stats, "t");
  q.enqueue([{ body: new Uint8Array([1, 2, 3]), samples: 10, exemplars: 1 }]);
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

  test("a flush deadline ends endless retries and counts the rest failed", async () => {
    const ep = endpoint(() => new Response("", { status: 500 }));
    servers.push(ep.server);
    const c = cfg(ep.url, { min_backoff_ms: 50, max_backoff_ms: 50 });
    const stats = new EndpointStats();
    const q = new RemoteWriteQueue(new RemoteWriteClient(c, {}, "t"), c, stats, "t");
    q.enqueue([{ body: new Uint8Array([1]), samples: 5, exemplars: 0 }]);
    await q.flush(Date.now() + 200);
    expect(stats.samplesFailed).toBe(5);
    expect(stats.pendingSamples).toBe(0);
  });

  test("a full queue drops the oldest round", () => {
    const c = cfg("http://127.0.0.1:9/none", { capacity: 10, max_shards: 1 });
    const stats = new EndpointStats();
    const q = new RemoteWriteQueue(new RemoteWriteClient(c, {}, "t"), c, stats, "t");
    for (let i = 0; i < 4; i++) q.enqueue([{ body: new Uint8Array([1]), samples: 6, exemplars: 0 }]);
    expect(stats.samplesDropped).toBeGreaterThanOrEqual(12);
    expect(stats.pendingSamples).toBeLessThanOrEqual(12);
    return q.flush(Date.now());
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
