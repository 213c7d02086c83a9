/**
 * Authentication on every port of the compiled binary, with real clients:
 * none / bearer token / basic auth (htpasswd made by Apache's htpasswd) /
 * mutual TLS, each × OTLP/HTTP, OTLP/gRPC and the API. Clients: the OTel JS
 * SDK's OTLP/HTTP and gRPC exporters configured with headers or a client
 * certificate, Go telemetrygen (--otlp-header, --mtls), the OTel Python SDK
 * (OTEL_EXPORTER_OTLP_HEADERS), and fetch for the API. Accepted exports are
 * counted exactly; refused ones (401 / UNAUTHENTICATED / a failed TLS
 * handshake, 403 / PERMISSION_DENIED for another tenant) count nothing and
 * show up in redgen_auth_failures_total{port,reason}.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SpanKind } from "@opentelemetry/api";
import { parseExposition } from "../support/exposition.ts";
import { ChildProcess } from "../support/child-process.ts";
import { TestTracer, recordSpan } from "../support/otel-sdk.ts";
import { E2E_TIMEOUT_MS } from "../support/poll.ts";
import { type ApiAccess, Redgen, testConfig } from "../support/redgen-process.ts";
import { ensurePythonOtel, ensureTelemetrygen, REPO_ROOT } from "../support/setup.ts";
import { type TestPki, testPki } from "../support/tls.ts";

const PYTHON = ensurePythonOtel();
const TELEMETRYGEN = ensureTelemetrygen();

const SHARED_TOKEN = `shared-${crypto.randomUUID()}`;
const TEAM_A_TOKEN = `team-a-${crypto.randomUUID()}`;
const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString("base64")}`;

function htpasswdLine(user: string, pw: string): string {
  const r = Bun.spawnSync(["htpasswd", "-nbB", user, pw], { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`htpasswd: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

/** A config with `auth` on both receivers and the API, and the mTLS files when given. */
function configWith(auth: Record<string, unknown> | undefined, pki?: TestPki): Record<string, unknown> {
  const tls = pki && { cert_file: pki.server.certFile, key_file: pki.server.keyFile, client_ca_file: pki.caFile };
  const cfg = testConfig({ grpc: { ...(auth && { auth }), ...(tls && { tls }) }, http: { ...(auth && { auth }), ...(tls && { tls }) } });
  const server = cfg.server as Record<string, unknown>;
  if (auth) server.auth = auth;
  if (pki) server.http_tls_config = { cert_file: pki.server.certFile, key_file: pki.server.keyFile, client_auth_type: "RequireAndVerifyClientCert", client_ca_file: pki.caFile };
  return cfg;
}

interface Client {
  encoding: "protobuf" | "grpc";
  headers?: Record<string, string>;
  tls?: { ca: string; clientCert?: { cert: string; key: string } };
}

/** Exports 3 spans of `service` with the OTel JS SDK; "ok" or the export's error. */
async function sdkExport(redgen: Redgen, service: string, c: Client): Promise<string> {
  const https = c.tls !== undefined;
  const endpoint =
    c.encoding === "grpc"
      ? `${https ? "https://localhost" : "http://127.0.0.1"}:${redgen.otlpGrpcPort}`
      : `${https ? "https://localhost" : "http://127.0.0.1"}:${new URL(redgen.otlpHttpUrl).port}`;
  await using tracer = new TestTracer({ endpoint, encoding: c.encoding, gzip: false, resource: { "service.name": service }, headers: c.headers, ca: c.tls?.ca, clientCert: c.tls?.clientCert });
  for (let i = 0; i < 3; i++) recordSpan(tracer.tracer, { name: "op", kind: SpanKind.SERVER, durationMs: 5 });
  try {
    await tracer.flush();
    return "ok";
  } catch (e) {
    // forceFlush rejects with the list of the exporters' errors
    return (Array.isArray(e) ? e : [e]).map(String).join("; ");
  }
}

/** Spans of `service` counted for `tenant`, read through the API with the helper's credentials. */
async function counted(redgen: Redgen, service: string, tenant?: string): Promise<number> {
  return parseExposition(await redgen.generated(tenant))
    .filter((s) => s.name === "traces_spanmetrics_calls_total" && s.labels.service === service)
    .reduce((n, s) => n + s.value, 0);
}

async function failures(redgen: Redgen): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const s of parseExposition(await redgen.selfMetrics())) if (s.name === "redgen_auth_failures_total") out[`${s.labels.port}/${s.labels.reason}`] = s.value;
  return out;
}

async function run(name: string, cmd: string[], env: Record<string, string> = {}): Promise<{ code: number; log: string }> {
  await using child = new ChildProcess(name, cmd, { env: { ...process.env, ...env } });
  const code = await child.exited(E2E_TIMEOUT_MS);
  return { code, log: child.tail() };
}

/** telemetrygen sending 2 traces of 2 spans each (its default shape: a server span and its child). */
const telemetrygen = (redgen: Redgen, service: string, extra: string[], http = false) => [
  TELEMETRYGEN, "traces", "--service", service, "--traces", "2", "--rate", "0", "--workers", "1",
  ...(http ? ["--otlp-http", "--otlp-endpoint", `127.0.0.1:${new URL(redgen.otlpHttpUrl).port}`] : ["--otlp-endpoint", redgen.otlpGrpcEndpoint]),
  ...extra,
];

describe("no authentication configured (the default)", () => {
  let redgen: Redgen;
  beforeAll(async () => {
    redgen = await Redgen.start({ config: configWith(undefined) });
  }, E2E_TIMEOUT_MS);
  afterAll(() => redgen?.stop(), E2E_TIMEOUT_MS);

  test("every port answers without credentials", async () => {
    expect([await sdkExport(redgen, "none-http", { encoding: "protobuf" }), await sdkExport(redgen, "none-grpc", { encoding: "grpc" })]).toEqual(["ok", "ok"]);
    expect([await counted(redgen, "none-http"), await counted(redgen, "none-grpc")]).toEqual([3, 3]);
    expect((await fetch(`${redgen.apiUrl}/status/config`)).status).toBe(200);
  }, E2E_TIMEOUT_MS);
});

describe("bearer tokens", () => {
  let redgen: Redgen;
  const auth = { bearertokenauth: { tokens: [SHARED_TOKEN, { token: TEAM_A_TOKEN, tenant: "team-a" }] } };
  const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
  beforeAll(async () => {
    redgen = await Redgen.start({ config: configWith(auth), api: { headers: bearer(SHARED_TOKEN) } });
  }, E2E_TIMEOUT_MS);
  afterAll(() => redgen?.stop(), E2E_TIMEOUT_MS);

  test("OTel JS SDK, OTLP/HTTP and gRPC: accepted with the token, refused without or with a wrong one", async () => {
    const got = {
      http: await sdkExport(redgen, "bearer-http", { encoding: "protobuf", headers: bearer(SHARED_TOKEN) }),
      grpc: await sdkExport(redgen, "bearer-grpc", { encoding: "grpc", headers: bearer(SHARED_TOKEN) }),
      httpNone: await sdkExport(redgen, "bearer-refused", { encoding: "protobuf" }),
      grpcNone: await sdkExport(redgen, "bearer-refused", { encoding: "grpc" }),
      httpWrong: await sdkExport(redgen, "bearer-refused", { encoding: "protobuf", headers: bearer("nope") }),
      grpcWrong: await sdkExport(redgen, "bearer-refused", { encoding: "grpc", headers: bearer("nope") }),
    };
    expect(got).toEqual({
      http: "ok",
      grpc: "ok",
      httpNone: expect.stringContaining("Unauthorized"),
      grpcNone: expect.stringContaining("16 UNAUTHENTICATED: missing or invalid credentials"),
      httpWrong: expect.stringContaining("Unauthorized"),
      grpcWrong: expect.stringContaining("16 UNAUTHENTICATED"),
    });
    expect([await counted(redgen, "bearer-http"), await counted(redgen, "bearer-grpc"), await counted(redgen, "bearer-refused")]).toEqual([3, 3, 0]);
  }, E2E_TIMEOUT_MS);

  test("Go telemetrygen (gRPC and HTTP) with --otlp-header, the Python SDK with OTEL_EXPORTER_OTLP_HEADERS", async () => {
    const header = ["--otlp-insecure", "--otlp-header", `Authorization="Bearer ${SHARED_TOKEN}"`];
    const results = [
      await run("telemetrygen-grpc", telemetrygen(redgen, "bearer-tg-grpc", header)),
      await run("telemetrygen-http", telemetrygen(redgen, "bearer-tg-http", header, true)),
      await run("python", [PYTHON, `${REPO_ROOT}/test/fixtures/grpc/python-sdk-fixture.py`, redgen.otlpGrpcEndpoint, "bearer-python"], {
        OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer%20${SHARED_TOKEN}`,
      }),
      await run("python-refused", [PYTHON, `${REPO_ROOT}/test/fixtures/grpc/python-sdk-fixture.py`, redgen.otlpGrpcEndpoint, "bearer-python-refused"]),
    ];
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 1]);
    expect([await counted(redgen, "bearer-tg-grpc"), await counted(redgen, "bearer-tg-http"), await counted(redgen, "bearer-python"), await counted(redgen, "bearer-python-refused")]).toEqual([
      4, 4, 13, 0,
    ]);
  }, E2E_TIMEOUT_MS);

  test("a token pinned to team-a writes to team-a; naming another tenant is 403 / PERMISSION_DENIED", async () => {
    const got = {
      http: await sdkExport(redgen, "pinned-http", { encoding: "protobuf", headers: bearer(TEAM_A_TOKEN) }),
      grpcSameTenant: await sdkExport(redgen, "pinned-grpc", { encoding: "grpc", headers: { ...bearer(TEAM_A_TOKEN), "X-Scope-OrgID": "team-a" } }),
      httpOther: await sdkExport(redgen, "pinned-other", { encoding: "protobuf", headers: { ...bearer(TEAM_A_TOKEN), "X-Scope-OrgID": "team-b" } }),
      grpcOther: await sdkExport(redgen, "pinned-other", { encoding: "grpc", headers: { ...bearer(TEAM_A_TOKEN), "X-Scope-OrgID": "team-b" } }),
    };
    expect(got).toEqual({
      http: "ok",
      grpcSameTenant: "ok",
      httpOther: expect.stringContaining("Forbidden"),
      grpcOther: expect.stringContaining('7 PERMISSION_DENIED: these credentials are for tenant "team-a", not "team-b"'),
    });
    expect([await counted(redgen, "pinned-http", "team-a"), await counted(redgen, "pinned-grpc", "team-a"), await counted(redgen, "pinned-other", "team-b")]).toEqual([3, 3, 0]);
    expect(await counted(redgen, "pinned-http")).toBe(0); // not in single-tenant
  }, E2E_TIMEOUT_MS);

  test("API: every path but /ready needs a token; a pinned token reads only its tenant's /metrics/generated", async () => {
    const get = async (path: string, token?: string) => (await fetch(`${redgen.apiUrl}${path}`, { headers: token ? bearer(token) : {} })).status;
    expect({
      ready: await get("/ready"),
      metrics: await get("/metrics"),
      config: await get("/status/config"),
      generated: await get("/metrics/generated"),
      withToken: await get("/status/config", SHARED_TOKEN),
      pinnedOwn: await get("/metrics/generated?tenant=team-a", TEAM_A_TOKEN),
      pinnedDefault: await get("/metrics/generated", TEAM_A_TOKEN),
      pinnedOther: await get("/metrics/generated?tenant=team-b", TEAM_A_TOKEN),
      pinnedSelf: await get("/metrics", TEAM_A_TOKEN),
      wrong: await get("/metrics", "nope"),
    }).toEqual({ ready: 200, metrics: 401, config: 401, generated: 401, withToken: 200, pinnedOwn: 200, pinnedDefault: 200, pinnedOther: 403, pinnedSelf: 403, wrong: 401 });
    const own = await (await fetch(`${redgen.apiUrl}/metrics/generated`, { headers: bearer(TEAM_A_TOKEN) })).text();
    expect(own).toContain('service="pinned-http"');
  }, E2E_TIMEOUT_MS);

  test("refusals are counted by port and reason; no token appears in /status/config or /metrics", async () => {
    const f = await failures(redgen);
    expect(Object.keys(f).sort()).toEqual(["api/invalid", "api/missing", "api/tenant_mismatch", "otlp_grpc/invalid", "otlp_grpc/missing", "otlp_grpc/tenant_mismatch", "otlp_http/invalid", "otlp_http/missing", "otlp_http/tenant_mismatch"]);
    const shown = (await (await redgen.apiFetch("/status/config")).text()) + (await redgen.selfMetrics());
    expect([shown.includes(SHARED_TOKEN), shown.includes(TEAM_A_TOKEN)]).toEqual([false, false]);
    expect(redgen.process.stderr.includes(SHARED_TOKEN) || redgen.process.stderr.includes(TEAM_A_TOKEN)).toBe(false);
  }, E2E_TIMEOUT_MS);
});

describe("basic auth (htpasswd)", () => {
  let redgen: Redgen;
  const inline = `${htpasswdLine("alice", "alice pw")}\n${htpasswdLine("bob", "bob-pw")}\n`;
  const auth = { basicauth: { htpasswd: { inline }, tenants: { bob: "team-b" } } };
  beforeAll(async () => {
    redgen = await Redgen.start({ config: configWith(auth), api: { headers: { Authorization: basic("alice", "alice pw") } } });
  }, E2E_TIMEOUT_MS);
  afterAll(() => redgen?.stop(), E2E_TIMEOUT_MS);

  test("OTel JS SDK and telemetrygen with basic credentials; a wrong password is refused; bob is pinned to team-b", async () => {
    const alice = { Authorization: basic("alice", "alice pw") };
    const got = {
      http: await sdkExport(redgen, "basic-http", { encoding: "protobuf", headers: alice }),
      grpc: await sdkExport(redgen, "basic-grpc", { encoding: "grpc", headers: alice }),
      wrong: await sdkExport(redgen, "basic-refused", { encoding: "grpc", headers: { Authorization: basic("alice", "bob-pw") } }),
      none: await sdkExport(redgen, "basic-refused", { encoding: "protobuf" }),
      bob: await sdkExport(redgen, "basic-bob", { encoding: "grpc", headers: { Authorization: basic("bob", "bob-pw") } }),
      bobOther: await sdkExport(redgen, "basic-bob-other", { encoding: "protobuf", headers: { Authorization: basic("bob", "bob-pw"), "X-Scope-OrgID": "team-a" } }),
    };
    expect(got).toEqual({
      http: "ok",
      grpc: "ok",
      wrong: expect.stringContaining("16 UNAUTHENTICATED"),
      none: expect.stringContaining("Unauthorized"),
      bob: "ok",
      bobOther: expect.stringContaining("Forbidden"),
    });
    const tg = await run("telemetrygen", telemetrygen(redgen, "basic-tg", ["--otlp-insecure", "--otlp-header", `Authorization="${basic("alice", "alice pw")}"`]));
    expect(tg.code).toBe(0);
    expect([
      await counted(redgen, "basic-http"),
      await counted(redgen, "basic-grpc"),
      await counted(redgen, "basic-refused"),
      await counted(redgen, "basic-tg"),
      await counted(redgen, "basic-bob", "team-b"),
      await counted(redgen, "basic-bob-other", "team-a"),
    ]).toEqual([3, 3, 0, 4, 3, 0]);
  }, E2E_TIMEOUT_MS);

  test("API with basic credentials", async () => {
    const get = async (auth?: string) => (await fetch(`${redgen.apiUrl}/status/config`, { headers: auth ? { Authorization: auth } : {} })).status;
    expect([await get(), await get(basic("alice", "alice pw")), await get(basic("alice", "x")), await get(basic("bob", "bob-pw"))]).toEqual([401, 200, 401, 403]);
    expect(await (await redgen.apiFetch("/status/config")).text()).not.toContain("$2y$");
  }, E2E_TIMEOUT_MS);
});

describe("mutual TLS (client_ca_file)", () => {
  let redgen: Redgen;
  let pki: TestPki;
  let access: ApiAccess;
  beforeAll(async () => {
    pki = testPki();
    access = { ca: pki.ca, cert: pki.client.cert, key: pki.client.key };
    redgen = await Redgen.start({ config: configWith(undefined, pki), api: access });
  }, E2E_TIMEOUT_MS);
  afterAll(async () => {
    await redgen?.stop();
    pki?.[Symbol.dispose]();
  }, E2E_TIMEOUT_MS);

  test("OTel JS SDK, OTLP/HTTP and gRPC: accepted with a client certificate the CA signed; refused without one or with a rogue one", async () => {
    const good = { ca: pki.ca, clientCert: { cert: pki.client.cert, key: pki.client.key } };
    const rogue = { ca: pki.ca, clientCert: { cert: pki.rogue.cert, key: pki.rogue.key } };
    const got = {
      http: await sdkExport(redgen, "mtls-http", { encoding: "protobuf", tls: good }),
      grpc: await sdkExport(redgen, "mtls-grpc", { encoding: "grpc", tls: good }),
      httpNoCert: await sdkExport(redgen, "mtls-refused", { encoding: "protobuf", tls: { ca: pki.ca } }),
      grpcNoCert: await sdkExport(redgen, "mtls-refused", { encoding: "grpc", tls: { ca: pki.ca } }),
      httpRogue: await sdkExport(redgen, "mtls-refused", { encoding: "protobuf", tls: rogue }),
      grpcRogue: await sdkExport(redgen, "mtls-refused", { encoding: "grpc", tls: rogue }),
    };
    expect(got.http).toBe("ok");
    expect(got.grpc).toBe("ok");
    for (const k of ["httpNoCert", "grpcNoCert", "httpRogue", "grpcRogue"] as const) expect([k, got[k] === "ok"]).toEqual([k, false]);
    expect([await counted(redgen, "mtls-http"), await counted(redgen, "mtls-grpc"), await counted(redgen, "mtls-refused")]).toEqual([3, 3, 0]);
  }, E2E_TIMEOUT_MS);

  test("Go telemetrygen --mtls (gRPC and HTTP)", async () => {
    const flags = ["--ca-cert", pki.caFile, "--mtls", "--client-cert", pki.client.certFile, "--client-key", pki.client.keyFile];
    const grpc = telemetrygen(redgen, "mtls-tg-grpc", flags).map((a) => (a === redgen.otlpGrpcEndpoint ? `localhost:${redgen.otlpGrpcPort}` : a));
    const http = telemetrygen(redgen, "mtls-tg-http", flags, true).map((a) => a.replace("127.0.0.1", "localhost"));
    const results = [await run("telemetrygen-grpc", grpc), await run("telemetrygen-http", http)];
    expect(results.map((r) => (r.code === 0 ? "ok" : r.log))).toEqual(["ok", "ok"]);
    expect([await counted(redgen, "mtls-tg-grpc"), await counted(redgen, "mtls-tg-http")]).toEqual([4, 4]);
  }, E2E_TIMEOUT_MS);

  test("API: fetch with the client certificate is served; without one, or a rogue one, the handshake fails", async () => {
    const url = `${redgen.apiUrl}/status/config`;
    const attempt = (tls: Record<string, string>) =>
      fetch(url, { tls } as RequestInit).then(
        (r) => r.status,
        () => "handshake failed",
      );
    expect([await attempt(access as Record<string, string>), await attempt({ ca: pki.ca }), await attempt({ ca: pki.ca, cert: pki.rogue.cert, key: pki.rogue.key })]).toEqual([
      200,
      "handshake failed",
      "handshake failed",
    ]);
  }, E2E_TIMEOUT_MS);

  test("gRPC handshakes without a valid client certificate are counted", async () => {
    expect((await failures(redgen))["otlp_grpc/client_certificate"]).toBeGreaterThanOrEqual(2);
  }, E2E_TIMEOUT_MS);
});
