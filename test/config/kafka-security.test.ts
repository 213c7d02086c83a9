/**
 * SASL and TLS to the Kafka brokers with Tempo's keys (ingest.kafka.sasl_*,
 * tls_*): Tempo's consistency rules, files read at load (CA, client
 * certificate, redgen's sasl_password_file), mechanisms redgen cannot speak
 * refused at their key, and nothing secret in /status/config.
 */
import { describe, expect, test } from "bun:test";
import { redactedConfig } from "../../src/config/redact.ts";
import { errorFor, fixture, parse } from "./helpers.ts";

const kafka = (extra: string) => `ingest:\n  kafka:\n    address: b1:9093,b2:9093\n    topic: tempo-ingest\n${extra}`;
const F = import.meta.path;
const [CA, CERT, KEY] = ["ca.pem", "client.pem", "client-key.pem"].map((f) => fixture(`secrets/${f}`));

describe("ingest.kafka SASL and TLS", () => {
  test("SCRAM with TLS: credentials and the PEM files are read at load; /status/config hides the password and key", () => {
    const c = parse(
      kafka(
        `    sasl_mechanism: SCRAM-SHA-512\n    sasl_username: gen\n    sasl_password: s3cr3t-pw\n    tls_enabled: true\n    tls_ca_path: ${CA}\n    tls_cert_path: ${CERT}\n    tls_key_path: ${KEY}\n    tls_server_name: kafka.internal\n`,
      ),
    );
    expect(c.kafka?.sasl).toEqual({ mechanism: "SCRAM-SHA-512", username: "gen", password: "s3cr3t-pw" });
    expect(Object.keys(c.kafka?.tls ?? {}).sort()).toEqual(["ca", "cert", "insecure_skip_verify", "key", "server_name"]);
    expect(c.kafka?.tls?.server_name).toBe("kafka.internal");
    const shown = JSON.stringify(redactedConfig(c));
    expect(shown).not.toContain("s3cr3t-pw");
    expect(shown).toContain('"key":"<secret>"');
    expect(shown).not.toContain("PRIVATE KEY");
  });

  test("PLAIN without credentials is no SASL (Tempo's default); TLS settings without tls_enabled are ignored with a warning", () => {
    const c = parse(kafka(`    tls_ca_path: ${F}\n`));
    expect([c.kafka?.sasl, c.kafka?.tls]).toEqual([undefined, undefined]);
    expect(c.warnings).toContain("ingest.kafka.tls_* settings are ignored while ingest.kafka.tls_enabled is false (as in Tempo)");
  });

  test("the password from a file (redgen's sasl_password_file), trimmed", () => {
    expect(parse(kafka(`    sasl_username: gen\n    sasl_password_file: ${F}\n`)).kafka?.sasl?.password.startsWith("/**")).toBe(true);
  });

  const errors: [string, string, string][] = [
    ["PLAIN with a username only", "    sasl_username: gen\n", "ingest.kafka: SASL PLAIN needs both sasl_username and sasl_password"],
    ["SCRAM without credentials", "    sasl_mechanism: SCRAM-SHA-256\n", "ingest.kafka: SASL SCRAM-SHA-256 needs both"],
    ["OAUTHBEARER", "    sasl_mechanism: OAUTHBEARER\n", "ingest.kafka.sasl_mechanism: OAUTHBEARER is not supported by redgen"],
    ["an OAUTHBEARER key", "    sasl_oauthbearer_token: t\n", "ingest.kafka.sasl_oauthbearer_token: SASL OAUTHBEARER and AWS_MSK_IAM are not supported"],
    ["an unknown mechanism", "    sasl_mechanism: GSSAPI\n", "ingest.kafka.sasl_mechanism"],
    ["both password forms", `    sasl_username: gen\n    sasl_password: x\n    sasl_password_file: ${F}\n`, "ingest.kafka.sasl_password_file: set either sasl_password or sasl_password_file"],
    ["a missing CA file", "    tls_enabled: true\n    tls_ca_path: /nope.pem\n", 'ingest.kafka.tls_ca_path: cannot read "/nope.pem": no such file'],
    ["a certificate without its key", `    tls_enabled: true\n    tls_cert_path: ${F}\n`, "ingest.kafka: a client certificate needs both tls_cert_path and tls_key_path"],
  ];
  for (const [name, extra, message] of errors) {
    test(name, () => {
      expect(errorFor(kafka(extra)).message).toContain(message);
    });
  }
});
