/**
 * No secret is ever shown: the compiled binary configured with every kind of
 * secret redgen takes — credentials and a token in a remote-write URL,
 * remote-write basic auth and header values, oauth2 client secret, sigv4
 * secret key, receiver and API tokens, htpasswd hashes, the Kafka SASL
 * password — while its remote writes fail (logged errors), its Kafka client
 * cannot reach a broker (logged retries) and clients are refused. None of
 * the secrets appears in /status/config, in any /metrics label, or anywhere
 * in the log.
 */
import { expect, test } from "bun:test";
import { toBinary } from "@bufbuild/protobuf";
import { ExportTraceServiceRequestSchema } from "../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { freePort } from "../support/ports.ts";
import { request, span } from "../support/otlp-builders.ts";
import { E2E_TIMEOUT_MS, poll } from "../support/poll.ts";
import { Redgen, testConfig } from "../support/redgen-process.ts";

const S = (name: string) => `${name}-${crypto.randomUUID().slice(0, 8)}`;
const SECRETS = {
  urlPassword: S("urlpw"),
  urlToken: S("urltoken"),
  header: S("hdr"),
  basic: S("basicpw"),
  oauthSecret: S("oauth"),
  awsSecret: S("aws"),
  receiverToken: S("otlptoken"),
  apiToken: S("apitoken"),
  sasl: S("saslpw"),
};
const HTPASSWD = "ops:$2y$05$yO6./7EyvxBzJBirWl58FuHY/mFv60Q/i1ZPhwj2E6hdWrW2SeTZC";

test("secrets stay out of /status/config, /metrics and the log, also when things fail", async () => {
  // Every remote-write endpoint fails, so their errors (with their URLs) are logged.
  const sink = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => new Response("down", { status: new URL(req.url).pathname === "/basic" ? 401 : 500 }) });
  try {
    const base = `127.0.0.1:${sink.port}`;
    const config = testConfig({ remoteWriteUrl: `http://writer:${SECRETS.urlPassword}@${base}/api/v1/write?token=${SECRETS.urlToken}` }) as Record<string, any>;
    config.metrics_generator.storage.remote_write[0].headers = { "X-Api-Key": SECRETS.header };
    config.metrics_generator.storage.remote_write_flush_deadline = "1s"; // the endpoints never recover: do not wait at shutdown
    config.metrics_generator.storage.remote_write.push(
      { url: `http://${base}/basic`, name: "basic", basic_auth: { username: "u", password: SECRETS.basic } },
      { url: `http://${base}/oauth`, name: "oauth", oauth2: { client_id: "c", client_secret: SECRETS.oauthSecret, token_url: `http://${base}/token` } },
      { url: `http://${base}/aws`, name: "aws", sigv4: { region: "eu-west-1", access_key: "AKIDX", secret_key: SECRETS.awsSecret } },
    );
    const auth = { bearertokenauth: { token: SECRETS.receiverToken }, basicauth: { htpasswd: { inline: HTPASSWD } } };
    config.distributor.receivers.otlp.protocols.http.auth = auth;
    config.server.auth = { bearertokenauth: { token: SECRETS.apiToken } };
    config.ingest = { kafka: { address: `127.0.0.1:${await freePort()}`, topic: "t", sasl_mechanism: "SCRAM-SHA-512", sasl_username: "gen", sasl_password: SECRETS.sasl } };
    await using redgen = await Redgen.start({ config, waitReady: false, api: { headers: { Authorization: `Bearer ${SECRETS.apiToken}` } } });

    const send = (token: string) =>
      fetch(`${redgen.otlpHttpUrl}/v1/traces`, {
        method: "POST",
        headers: { "Content-Type": "application/x-protobuf", Authorization: `Bearer ${token}` },
        body: toBinary(ExportTraceServiceRequestSchema, request({ resource: { "service.name": "secrets" }, spans: [span({ name: "op", kind: 2 })] })),
      });
    expect([(await send(SECRETS.receiverToken)).status, (await send(`${SECRETS.receiverToken}x`)).status]).toEqual([200, 401]);
    // Failed writes of every endpoint, and failed Kafka connections, are in the log by now.
    await poll(
      "logged failures of every remote-write endpoint and of Kafka",
      () => ([`${base}/basic: HTTP 401`, "oauth2 token request", `${base}/aws: HTTP 500`, "/api/v1/write?token=<secret>: HTTP 500", "kafka: cannot start consuming"].every((s) => redgen.process.stderr.includes(s)) ? true : undefined),
      { timeoutMs: 20_000 },
    );
    const everything = [await (await redgen.apiFetch("/status/config")).text(), await redgen.selfMetrics(), redgen.process.stderr].join("\n");
    const leaked = Object.entries(SECRETS).filter(([, v]) => everything.includes(v));
    expect(leaked).toEqual([]);
    expect(everything).not.toContain(HTPASSWD.split(":")[1]);
    // The redacted URL is what the labels show.
    expect(await redgen.selfMetrics()).toContain('url="http://writer:<secret>@');
  } finally {
    sink.stop(true);
  }
}, E2E_TIMEOUT_MS);
