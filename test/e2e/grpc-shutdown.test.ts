/**
 * SIGTERM while gRPC clients are still connected. SDKs keep their gRPC
 * connection open for the life of the application, so redgen must not wait
 * for its clients to hang up before it exits (systemd would SIGKILL it after
 * the 90 s stop timeout). Each test runs its own redgen and gives it 3 s.
 */
import { expect, test } from "bun:test";
import { GrpcTraceClient } from "../support/grpc-client.ts";
import { closed, h2session, halfSentCall } from "../support/h2-raw.ts";
import { TestTracer } from "../support/otel-sdk.ts";
import { request, span } from "../support/otlp-builders.ts";
import { E2E_TIMEOUT_MS } from "../support/poll.ts";
import { Redgen, testConfig } from "../support/redgen-process.ts";

const STOP_WITHIN_MS = 3_000;

test("an idle OTel SDK gRPC connection does not hold up SIGTERM", async () => {
  const redgen = await Redgen.start({ config: testConfig({ grpc: {} }) });
  const tracer = new TestTracer({ endpoint: redgen.otlpGrpcUrl, encoding: "grpc", gzip: false, resource: { "service.name": "shutdown-idle" } });
  try {
    tracer.tracer.startSpan("op").end();
    expect(await tracer.flush()).toBe(1); // the exporter's connection is open and stays open
    const code = await redgen.stop("SIGTERM", STOP_WITHIN_MS);
    expect({ code, log: code === 0 ? "" : redgen.process.tail() }).toEqual({ code: 0, log: "" });
  } finally {
    await redgen.stop("SIGKILL").catch(() => undefined);
    await tracer.shutdown();
  }
}, E2E_TIMEOUT_MS);

// A client mid-request (or one holding a refused stream open) must not keep redgen alive.
test("a client in the middle of sending a request does not hold up SIGTERM", async () => {
  const redgen = await Redgen.start({ config: testConfig({ grpc: {} }) });
  const session = await h2session(redgen.otlpGrpcUrl);
  try {
    await halfSentCall(session, 2);
    // A second, well-behaved client finishes its export before the signal.
    {
      using client = new GrpcTraceClient(redgen.otlpGrpcUrl);
      await client.export(request({ resource: { "service.name": "shutdown-mid-request" }, spans: [span()] }));
    }
    const code = await redgen.stop("SIGTERM", STOP_WITHIN_MS);
    expect(code).toBe(0);
  } finally {
    session.destroy();
    await closed(session);
    await redgen.stop("SIGKILL").catch(() => undefined);
  }
}, E2E_TIMEOUT_MS);
