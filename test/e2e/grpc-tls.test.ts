/**
 * TLS on both receivers of the compiled binary, configured as Tempo spells
 * it (`distributor.receivers.otlp.protocols.{grpc,http}.tls.{cert_file,key_file}`),
 * with a self-signed certificate made for this run: OTLP/HTTP over https and
 * OTLP/gRPC over TLS (the OTel JS SDK exporter and a connect client) are
 * accepted and counted exactly; plain text to either TLS port and clients
 * that do not trust the certificate fail, and count nothing.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { ExportTraceServiceRequestSchema } from "../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { parseExposition } from "../support/exposition.ts";
import { GrpcJsClient, GrpcStatus, GrpcTraceClient } from "../support/grpc-client.ts";
import { LeadingZeroIdGenerator, TestTracer } from "../support/otel-sdk.ts";
import { request, span } from "../support/otlp-builders.ts";
import { E2E_TIMEOUT_MS } from "../support/poll.ts";
import { portOf } from "../support/ports.ts";
import { Redgen, testConfig } from "../support/redgen-process.ts";
import { type SelfSignedCert, selfSignedCert } from "../support/tls.ts";
import { SPAN_COUNT, byKey, expectedByGroup, sendScenario } from "./scenario.ts";

let cert: SelfSignedCert;
let redgen: Redgen;
let httpsUrl: string;
let grpcsUrl: string;

beforeAll(async () => {
  cert = selfSignedCert();
  const tls = { cert_file: cert.certFile, key_file: cert.keyFile };
  redgen = await Redgen.start({ config: testConfig({ grpc: { tls }, http: { tls } }) });
  httpsUrl = `https://127.0.0.1:${portOf(redgen.otlpHttpUrl)}`;
  // A host name, not 127.0.0.1: grpc-js under Bun refuses an IP address as TLS servername (the certificate names both).
  grpcsUrl = `https://localhost:${redgen.otlpGrpcPort}`;
}, E2E_TIMEOUT_MS);

afterAll(async () => {
  try {
    await redgen?.stop();
  } finally {
    cert?.[Symbol.dispose]();
  }
}, E2E_TIMEOUT_MS);

/** traces_spanmetrics_calls_total of `service` on /metrics/generated, as seriesKey → value. */
async function callsOf(service: string): Promise<Record<string, number>> {
  const mine = parseExposition(await redgen.generated()).filter((s) => s.name === "traces_spanmetrics_calls_total" && s.labels.service === service);
  return byKey(mine);
}

const oneSpan = (service: string) => toBinary(ExportTraceServiceRequestSchema, request({ resource: { "service.name": service }, spans: [span({ name: "tls", kind: 2 })] }));
const oneSpanCalls = (service: string) => ({
  [`{service="${service}",span_kind="SPAN_KIND_SERVER",span_name="tls",status_code="STATUS_CODE_UNSET"}`]: 1,
});

test("OTLP/HTTP over https with the certificate as CA", async () => {
  const res = await fetch(`${httpsUrl}/v1/traces`, {
    method: "POST",
    headers: { "Content-Type": "application/x-protobuf" },
    body: oneSpan("tls-http"),
    tls: { ca: cert.cert },
  });
  expect(res.status).toBe(200);
  expect(await callsOf("tls-http")).toEqual(oneSpanCalls("tls-http"));
}, E2E_TIMEOUT_MS);

test("OTel JS SDK gRPC exporter over TLS (gzip), counted exactly", async () => {
  const service = "tls-grpc-sdk";
  {
    await using tracer = new TestTracer({ endpoint: grpcsUrl, encoding: "grpc", gzip: true, ca: cert.cert, resource: { "service.name": service }, idGenerator: new LeadingZeroIdGenerator() });
    await sendScenario(tracer);
  }
  const calls = await callsOf(service);
  expect(calls).toEqual(expectedByGroup(service, (g) => g.durationsMs.length));
  expect(Object.values(calls).reduce((a, b) => a + b, 0)).toBe(SPAN_COUNT);
}, E2E_TIMEOUT_MS);

test("connect gRPC client over TLS", async () => {
  using client = new GrpcTraceClient(grpcsUrl, { ca: cert.cert });
  await client.export(request({ resource: { "service.name": "tls-grpc-connect" }, spans: [span({ name: "tls", kind: 2 })] }));
  expect(await callsOf("tls-grpc-connect")).toEqual(oneSpanCalls("tls-grpc-connect"));
}, E2E_TIMEOUT_MS);

test("plain HTTP to the TLS port fails and counts nothing", async () => {
  const attempt = fetch(`http://127.0.0.1:${portOf(redgen.otlpHttpUrl)}/v1/traces`, {
    method: "POST",
    headers: { "Content-Type": "application/x-protobuf" },
    body: oneSpan("tls-plain-http"),
  }).then((r) => `answered ${r.status}`);
  // The TLS server drops a connection that does not start with a TLS handshake.
  expect(await attempt.catch((e: Error & { code?: string }) => `failed: ${e.code ?? e.message}`)).toBe("failed: ECONNRESET");
  expect(await callsOf("tls-plain-http")).toEqual({});
}, E2E_TIMEOUT_MS);

test("plain-text gRPC (h2c) to the TLS port is UNAVAILABLE and counts nothing", async () => {
  using client = new GrpcJsClient(redgen.otlpGrpcEndpoint);
  const outcome = await client.call(oneSpan("tls-plain-grpc"), { deadlineMs: 5_000 });
  expect(outcome.code).toBe(GrpcStatus.UNAVAILABLE);
  expect(await callsOf("tls-plain-grpc")).toEqual({});
}, E2E_TIMEOUT_MS);

test("clients that do not trust the certificate fail on both receivers", async () => {
  const http = await fetch(`${httpsUrl}/v1/traces`, { method: "POST", headers: { "Content-Type": "application/x-protobuf" }, body: oneSpan("tls-untrusted") })
    .then((r) => `answered ${r.status}`)
    .catch((e: Error & { code?: string }) => `rejected: ${e.code ?? e.message}`);
  using client = new GrpcTraceClient(grpcsUrl); // the system's roots only
  const grpc = await client
    .export(request({ resource: { "service.name": "tls-untrusted" }, spans: [span()] }))
    .then(() => "succeeded")
    .catch((e: unknown) => `rejected: ${Code[ConnectError.from(e).code]}: ${ConnectError.from(e).rawMessage}`);
  expect({ http, grpc }).toEqual({ http: "rejected: DEPTH_ZERO_SELF_SIGNED_CERT", grpc: expect.stringMatching(/^rejected: \w+: self.signed certificate/i) });
  expect(await callsOf("tls-untrusted")).toEqual({});
}, E2E_TIMEOUT_MS);
