/**
 * Kafka over SASL_SSL, configured with Tempo's keys (ingest.kafka.sasl_mechanism,
 * sasl_username, sasl_password, tls_enabled, tls_ca_path): a real broker
 * (KRaft) with a SASL_SSL listener (PLAIN and SCRAM users, a certificate from
 * a test CA), records produced by kcat (librdkafka) over SASL_SSL, consumed by
 * the compiled redgen with each mechanism and counted exactly. A wrong
 * password keeps redgen unready (it retries, it does not crash) and the
 * password never shows in its log or /status/config.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type KafkaBroker, createTopic, startKafka } from "../support/kafka/broker.ts";
import { kcatProduce } from "../support/kafka/producers.ts";
import { kafkaConfig } from "../support/kafka/redgen-kafka.ts";
import { clientServerTraces, pushBytesValue, spanCount } from "../support/kafka/tempo-records.ts";
import { parseExposition } from "../support/exposition.ts";
import { E2E_TIMEOUT_MS, poll } from "../support/poll.ts";
import { Redgen } from "../support/redgen-process.ts";
import { type TestPki, testPki } from "../support/tls.ts";

const PLAIN_PW = `plain-${crypto.randomUUID()}`;
const SCRAM_PW = `scram-${crypto.randomUUID()}`;
const TOPIC = "sasl-ssl";

let pki: TestPki;
let broker: KafkaBroker;
let secrets: string;
const traces = clientServerTraces(6, "sasl-shop", "sasl-payments");

beforeAll(async () => {
  pki = testPki();
  secrets = mkdtempSync(join(tmpdir(), "redgen-sasl-"));
  writeFileSync(join(secrets, "scram-password"), `${SCRAM_PW}\n`);
  broker = await startKafka({
    security: { certFile: pki.server.certFile, keyFile: pki.server.keyFile, plainUsers: { plainuser: PLAIN_PW }, scramUsers: { scramuser: SCRAM_PW } },
  });
  await createTopic(broker.bootstrap, TOPIC, 1);
  // kcat writes over the SASL_SSL listener too. (With PLAIN: Debian's librdkafka 2.0.2 fails SCRAM
  // against this Kafka 4.2 broker, "invalid credentials", where the Java-protocol clients succeed.)
  await kcatProduce(broker.saslSslBootstrap as string, TOPIC, "snappy", [{ key: "team-sasl", value: pushBytesValue(traces) }], {
    "security.protocol": "SASL_SSL",
    "sasl.mechanisms": "PLAIN",
    "sasl.username": "plainuser",
    "sasl.password": PLAIN_PW,
    "ssl.ca.location": pki.caFile,
  });
}, 120_000);

afterAll(async () => {
  await broker?.stop();
  pki?.[Symbol.dispose]();
  rmSync(secrets, { recursive: true, force: true });
}, E2E_TIMEOUT_MS);

/** redgen consuming the topic over SASL_SSL with one mechanism, in its own consumer group. */
function config(group: string, sasl: Record<string, unknown>): Record<string, unknown> {
  const c = kafkaConfig({ bootstrap: broker.saslSslBootstrap as string, group, instanceId: group, topic: TOPIC, dimensions: [] }) as { ingest: { kafka: Record<string, unknown> } };
  Object.assign(c.ingest.kafka, { tls_enabled: true, tls_ca_path: pki.caFile }, sasl);
  return c;
}

async function consumedSpans(redgen: Redgen): Promise<number> {
  return parseExposition(await redgen.generated("team-sasl"))
    .filter((s) => s.name === "traces_spanmetrics_calls_total")
    .reduce((n, s) => n + s.value, 0);
}

describe("redgen consumes over SASL_SSL with each mechanism", () => {
  const cases: [string, () => Record<string, unknown>][] = [
    ["PLAIN", () => ({ sasl_mechanism: "PLAIN", sasl_username: "plainuser", sasl_password: PLAIN_PW })],
    ["SCRAM-SHA-256", () => ({ sasl_mechanism: "SCRAM-SHA-256", sasl_username: "scramuser", sasl_password: SCRAM_PW })],
    ["SCRAM-SHA-512, password from a file", () => ({ sasl_mechanism: "SCRAM-SHA-512", sasl_username: "scramuser", sasl_password_file: join(secrets, "scram-password") })],
  ];
  for (const [name, sasl] of cases) {
    test(name, async () => {
      await using redgen = await Redgen.start({ config: config(`sasl-${name.split(",")[0].toLowerCase()}`, sasl()) });
      await poll("every span consumed", async () => ((await consumedSpans(redgen)) === spanCount(traces) ? true : undefined), { timeoutMs: 30_000 });
      const shown = (await (await redgen.apiFetch("/status/config")).text()) + redgen.process.stderr;
      expect([shown.includes(PLAIN_PW), shown.includes(SCRAM_PW), shown.includes("sasl_password")]).toEqual([false, false, false]);
    }, E2E_TIMEOUT_MS);
  }
});

test("a wrong password: redgen stays unready, retries, keeps serving; the password is never shown", async () => {
  const wrong = `wrong-${crypto.randomUUID()}`;
  await using redgen = await Redgen.start({
    config: config("sasl-wrong", { sasl_mechanism: "SCRAM-SHA-256", sasl_username: "scramuser", sasl_password: wrong }),
    waitReady: false,
  });
  await poll("two failed attempts to join", () => ((redgen.process.stderr.match(/kafka: cannot start consuming/g) ?? []).length >= 2 ? true : undefined), {
    timeoutMs: 30_000,
  });
  const ready = await redgen.apiFetch("/ready");
  expect([ready.status, await ready.text()]).toEqual([503, "kafka consumer has not joined its group yet\n"]);
  expect(redgen.process.exitCode).toBeNull();
  expect(redgen.process.stderr).not.toContain(wrong);
  expect(await (await redgen.apiFetch("/status/config")).text()).not.toContain(wrong);
}, E2E_TIMEOUT_MS);
