/**
 * Fuzzing the config loader: seeded line-level mutations of real configs
 * (the seed, a full Tempo single-binary config, remote write with every
 * auth, receivers with TLS and auth, Kafka with SASL and TLS): values of
 * other types, lines dropped, repeated or shifted, keys redgen does not know,
 * YAML damage. Every text loads into a Config or fails with a ConfigError
 * naming what is wrong; nothing else is thrown.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { ConfigError, parseConfig } from "../../src/config/load.ts";
import { FUZZ_SEED, Tally, fuzzCases, fuzzRng, mutateYaml } from "../support/fuzz.ts";
import { pick } from "../support/random-otlp.ts";
import { FIXTURES, fixture } from "../config/helpers.ts";

const N = fuzzCases(500);
const r = fuzzRng("config");
const secrets = `${FIXTURES}/secrets`;

const ACCESS = `server:
  http_listen_port: 3200
  http_tls_config:
    cert_file: ${secrets}/client.pem
    key_file: ${secrets}/client-key.pem
    client_auth_type: RequireAndVerifyClientCert
    client_ca_file: ${secrets}/ca.pem
  auth:
    bearertokenauth:
      tokens:
        - admin-token
        - token: team-a-token
          tenant: team-a
distributor:
  receivers:
    otlp:
      protocols:
        grpc:
          endpoint: 127.0.0.1:4317
          max_concurrent_streams: 50
          max_connections: 100
          keepalive:
            server_parameters:
              max_connection_idle: 1m
              time: 30s
              timeout: 5s
            enforcement_policy:
              min_time: 10s
              permit_without_stream: true
          tls:
            cert_file: ${secrets}/client.pem
            key_file: ${secrets}/client-key.pem
            client_ca_file: ${secrets}/ca.pem
        http:
          endpoint: 127.0.0.1:4318
          idle_timeout: 30s
          auth:
            basicauth:
              htpasswd:
                inline: "ops:$apr1$KRGtjCwY$4BxY7E3CEPn/f1azGmv9L/"
              tenants:
                ops: team-ops
ingest:
  kafka:
    address: b1:9093
    topic: tempo-ingest
    sasl_mechanism: SCRAM-SHA-512
    sasl_username: gen
    sasl_password: pw
    tls_enabled: true
    tls_ca_path: ${secrets}/ca.pem
metrics_generator:
  storage:
    path: /tmp/redgen-fuzz
    remote_write:
      - url: https://aps.example/api/v1/remote_write
        sigv4:
          region: eu-west-1
          access_key: AKID
          secret_key: sk
      - url: https://m.example/push
        oauth2:
          client_id: c
          client_secret: s
          token_url: https://idp.example/token
          scopes: [a]
`;

const seeds = [...["seed.yaml", "tempo-full.yaml", "remote-write.yaml", "overrides.yaml", "env.yaml"].map((f) => readFileSync(fixture(f), "utf8")), ACCESS];

test(`config loader, ${N} mutated configs (seed ${FUZZ_SEED}): a Config or a ConfigError, nothing else`, () => {
  const tally = new Tally("config loader");
  const problems: string[] = [];
  for (let i = 0; i < N; i++) {
    const text = mutateYaml(r, pick(r, seeds));
    try {
      parseConfig(text, { expandEnv: true, env: { FIXTURES } });
      tally.add("loaded");
    } catch (e) {
      if (!(e instanceof ConfigError)) {
        problems.push(`case ${i}: ${(e as Error)?.stack ?? e}\n--- config:\n${text}`);
        tally.add("other exception");
      } else if (e.message.trim() === "") problems.push(`case ${i}: a ConfigError without a message`);
      else tally.add("ConfigError");
    }
  }
  tally.report();
  expect(problems.slice(0, 3)).toEqual([]);
  expect(tally.counts.get("loaded") ?? 0).toBeGreaterThan(N / 20);
}, 60_000);
