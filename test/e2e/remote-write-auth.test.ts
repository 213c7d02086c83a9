/**
 * Remote write with the authentication Amazon Managed Prometheus and OAuth
 * identity providers need, from the compiled binary:
 * - sigv4 with credentials from the AWS_* environment: every request is
 *   verified by re-signing it with the AWS SDK for Go v2 (sigv4verify);
 * - oauth2 client credentials: a token server issues tokens, the endpoint
 *   takes only a valid one; redgen fetches one token and reuses it round
 *   after round, and gets a new one when the endpoint stops taking it.
 * The spans sent arrive as samples; no secret shows in /status/config, /metrics or the log.
 */
import { expect, test } from "bun:test";
import { toBinary } from "@bufbuild/protobuf";
import { ExportTraceServiceRequestSchema } from "../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { ChildProcess } from "../support/child-process.ts";
import { parseExposition } from "../support/exposition.ts";
import { request, span } from "../support/otlp-builders.ts";
import { E2E_TIMEOUT_MS, poll } from "../support/poll.ts";
import { Redgen, testConfig } from "../support/redgen-process.ts";
import { ensureSigv4Verify } from "../support/setup.ts";

async function sendSpans(redgen: Redgen, service: string): Promise<void> {
  const res = await fetch(`${redgen.otlpHttpUrl}/v1/traces`, {
    method: "POST",
    headers: { "Content-Type": "application/x-protobuf" },
    body: toBinary(ExportTraceServiceRequestSchema, request({ resource: { "service.name": service }, spans: [span({ name: "op", kind: 2 })] })),
  });
  expect(res.status).toBe(200);
}

async function samplesSent(redgen: Redgen): Promise<number> {
  return parseExposition(await redgen.selfMetrics())
    .filter((s) => s.name === "prometheus_remote_storage_samples_total")
    .reduce((n, s) => n + s.value, 0);
}

async function shownEverywhere(redgen: Redgen): Promise<string> {
  return (await (await redgen.apiFetch("/status/config")).text()) + (await redgen.selfMetrics()) + redgen.process.stderr;
}

test("sigv4 (credentials from AWS_* in the environment): every request verified by the AWS SDK's signer", async () => {
  const secret = `aws-secret-${crypto.randomUUID()}`;
  await using verifier = new ChildProcess("sigv4verify", [ensureSigv4Verify(), "-access-key", "AKIDE2E", "-secret-key", secret, "-session-token", "sess/token", "-region", "eu-central-1"]);
  const base = `http://${(await verifier.waitForStdout(/listening (\S+)/))[1]}`;
  const config = testConfig({ remoteWriteUrl: `${base}/workspaces/ws-e2e/api/v1/remote_write` }) as { metrics_generator: { storage: { remote_write: Record<string, unknown>[] } } };
  config.metrics_generator.storage.remote_write[0].sigv4 = { region: "eu-central-1" };
  await using redgen = await Redgen.start({
    config,
    env: { AWS_ACCESS_KEY_ID: "AKIDE2E", AWS_SECRET_ACCESS_KEY: secret, AWS_SESSION_TOKEN: "sess/token" },
  });
  await sendSpans(redgen, "sigv4-e2e");
  await poll("samples accepted by the verifier", async () => ((await samplesSent(redgen)) > 0 ? true : undefined), { timeoutMs: 15_000 });
  const stats = (await (await fetch(`${base}/stats`)).json()) as { verified: number; rejected: number; reasons: string[] };
  expect(stats.verified).toBeGreaterThan(0);
  expect([stats.rejected, stats.reasons]).toEqual([0, []]);
  expect(await shownEverywhere(redgen)).not.toContain(secret);
}, E2E_TIMEOUT_MS);

test("oauth2 client credentials: one token reused round after round, a new one when the endpoint refuses it", async () => {
  const clientSecret = `client-secret-${crypto.randomUUID()}`;
  let issued = 0;
  let tokenRequests = 0;
  let accepted = 0;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      if (url.pathname === "/oauth/token") {
        tokenRequests++;
        const form = new URLSearchParams(await req.text());
        const basic = Buffer.from((req.headers.get("authorization") ?? "").replace(/^Basic /, ""), "base64").toString();
        if (form.get("grant_type") !== "client_credentials" || basic !== `redgen:${encodeURIComponent(clientSecret)}`) return Response.json({ error: "invalid_client" }, { status: 401 });
        issued++;
        return Response.json({ access_token: `tok-${issued}`, token_type: "Bearer", expires_in: 3600 });
      }
      if (req.headers.get("authorization") !== `Bearer tok-${issued}`) return new Response("invalid token", { status: 401 });
      accepted++;
      return new Response(null, { status: 204 });
    },
  });
  try {
    const base = `http://127.0.0.1:${server.port}`;
    const config = testConfig({ remoteWriteUrl: `${base}/api/v1/write` }) as { metrics_generator: { storage: { remote_write: Record<string, unknown>[] } } };
    config.metrics_generator.storage.remote_write[0].oauth2 = { client_id: "redgen", client_secret: clientSecret, token_url: `${base}/oauth/token`, scopes: ["metrics:write"] };
    await using redgen = await Redgen.start({ config });
    await sendSpans(redgen, "oauth2-e2e");
    await poll("three rounds accepted", () => (accepted >= 3 ? true : undefined), { timeoutMs: 15_000 });
    expect([tokenRequests, issued]).toEqual([1, 1]);
    issued++; // the provider revokes tok-1: the next round is refused (401), the one after uses a new token
    const before = accepted;
    await poll("rounds accepted with the new token", () => (accepted >= before + 2 ? true : undefined), { timeoutMs: 15_000 });
    expect([tokenRequests, issued]).toEqual([2, 3]);
    expect(await shownEverywhere(redgen)).not.toContain(clientSecret);
  } finally {
    server.stop(true);
  }
}, E2E_TIMEOUT_MS);
