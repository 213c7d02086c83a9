import { describe, expect, test } from "bun:test";
import { GRPC_DEFAULTS, splitHostPort } from "../../src/config/receivers.ts";
import { errorFor, parse } from "./helpers.ts";

const protocols = (body: string) => `distributor:\n  receivers:\n    otlp:\n      protocols:\n${body}`;

describe("OTLP receivers", () => {
  test("a protocol block with no value is enabled on the collector's default endpoint", () => {
    const config = parse(protocols("        grpc:\n        http:\n"));
    expect(config.receivers).toEqual({
      grpc: { host: "localhost", port: 4317, max_request_bytes: 16 * 1024 * 1024, ...GRPC_DEFAULTS },
      http: { host: "localhost", port: 4318, max_request_bytes: 16 * 1024 * 1024, idle_timeout_s: 10 },
    });
  });

  test("size limits and TLS files", () => {
    const config = parse(
      protocols(
        "        grpc:\n          max_recv_msg_size_mib: 4\n          endpoint: 127.0.0.1:14317\n" +
          `        http:\n          max_request_body_size: 1000\n          tls:\n            cert_file: ${import.meta.path}\n            key_file: ${import.meta.path}\n`,
      ),
    );
    expect(config.receivers.grpc).toEqual({ host: "127.0.0.1", port: 14317, max_request_bytes: 4 * 1024 * 1024, ...GRPC_DEFAULTS });
    expect(config.receivers.http).toEqual({
      host: "localhost",
      port: 4318,
      max_request_bytes: 1000,
      idle_timeout_s: 10,
      tls: { cert_file: import.meta.path, key_file: import.meta.path },
    });
  });

  test("only the configured protocol is enabled", () => {
    expect(Object.keys(parse(protocols("        http:\n          endpoint: 0.0.0.0:4318\n")).receivers)).toEqual(["http"]);
  });

  test("without any receivers, Tempo's default OTLP gRPC receiver is used, with a warning", () => {
    const config = parse("server:\n  http_listen_port: 3200\n");
    expect(config.receivers).toEqual({ grpc: { host: "localhost", port: 4317, max_request_bytes: 16 * 1024 * 1024, ...GRPC_DEFAULTS } });
    expect(config.warnings).toContainEqual(expect.stringContaining("distributor.receivers is not set"));
  });

  test("other receivers are ignored with a warning", () => {
    const config = parse("distributor:\n  receivers:\n    jaeger:\n      protocols:\n        grpc:\n    otlp:\n      protocols:\n        grpc:\n");
    expect(config.warnings).toContain("distributor.receivers.jaeger: only OTLP is received by redgen; this receiver is ignored");
    expect(config.receivers.grpc).toBeDefined();
  });

  test("bad endpoints, missing TLS files and empty protocol lists fail", () => {
    expect(errorFor(protocols("        grpc:\n          endpoint: localhost\n")).message).toContain(
      'distributor.receivers.otlp.protocols.grpc.endpoint: endpoint "localhost" must be "host:port"',
    );
    expect(errorFor(protocols("        http:\n          tls:\n            cert_file: /nope.pem\n            key_file: /nope.key\n")).message).toContain(
      'distributor.receivers.otlp.protocols.http.tls.cert_file: cannot read "/nope.pem"',
    );
    expect(errorFor("distributor:\n  receivers:\n    otlp:\n      protocols: {}\n").message).toContain("enable at least one protocol");
    expect(errorFor(protocols("        http:\n          auth:\n            authenticator: basicauth\n")).message).toContain(
      "distributor.receivers.otlp.protocols.http.auth.authenticator: redgen has no extensions to refer to",
    );
  });
});

describe("splitHostPort", () => {
  test.each([
    ["0.0.0.0:4317", { host: "0.0.0.0", port: 4317 }],
    [":4318", { host: "0.0.0.0", port: 4318 }],
    ["[::]:4317", { host: "::", port: 4317 }],
    ["[::1]:9", { host: "::1", port: 9 }],
    ["otel.local:0", { host: "otel.local", port: 0 }],
  ])("%s", (endpoint, expected) => {
    expect(splitHostPort(endpoint)).toEqual(expected);
  });

  test.each(["4317", "host:", "host:port", "::1:4317", "h:70000"])("rejects %s", (endpoint) => {
    expect(() => splitHostPort(endpoint)).toThrow();
  });
});
