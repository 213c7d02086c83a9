/**
 * `ingest.kafka` + the generator's Kafka keys → Config.kafka. Tempo's topic
 * carries its own record format (`metrics_generator.codec`) with the tenant
 * in the record key; `otlp_topics` are Collector topics with their encoding
 * and a tenant header or fixed tenant.
 */
import type { PathSegment, Problems } from "./config-error.ts";
import { readReferencedFile } from "./config-files.ts";
import type { KafkaConfig, KafkaTopicConfig } from "./types.ts";
import type { ParsedGenerator } from "./schema-generator.ts";
import type { ParsedIngest } from "./schema-ingest.ts";

/** Tempo's consumer group for generators (spec §2.1); redgen lets it be changed. */
export const DEFAULT_CONSUMER_GROUP = "metrics-generator";

/** The Kafka settings, or undefined when no topic is configured. */
export function buildKafka(
  ingest: ParsedIngest,
  gen: ParsedGenerator,
  instanceId: string,
  warnings: string[],
  problems: Problems,
): KafkaConfig | undefined {
  const k = ingest.kafka;
  if (k === undefined) return undefined;
  const topics: KafkaTopicConfig[] = [];
  if (k.topic !== "") topics.push({ topic: k.topic, format: gen.codec, tenant_header: "", tenant: "" });
  for (const t of k.otlp_topics) topics.push({ topic: t.topic, format: t.encoding, tenant_header: t.tenant_header, tenant: t.tenant });
  if (topics.length === 0) {
    warnings.push("ingest.kafka has no topic (ingest.kafka.topic or ingest.kafka.otlp_topics): redgen does not consume from Kafka");
    return undefined;
  }
  if (ingest.enabled === false) {
    warnings.push("ingest.enabled is false: redgen does not consume from Kafka");
    return undefined;
  }
  const out: KafkaConfig = {
    brokers: k.address
      .split(",")
      .map((a) => a.trim())
      .filter((a) => a !== ""),
    client_id: k.client_id || "redgen",
    consumer_group: k.consumer_group || DEFAULT_CONSUMER_GROUP,
    topics,
    instance_id: instanceId,
    leave_consumer_group_on_shutdown: gen.leave_consumer_group_on_shutdown,
    skip_stale_backlog_on_startup: gen.skip_stale_backlog_on_startup,
    slack_ms: gen.metrics_ingestion_time_range_slack,
    dial_timeout_ms: k.dial_timeout,
    lag_update_interval_ms: k.consumer_group_lag_metric_update_interval,
    session_timeout_ms: k.session_timeout,
    rebalance_timeout_ms: Math.max(k.rebalance_timeout, k.session_timeout),
  };
  const at = ["ingest", "kafka"];
  const sasl = buildSasl(k, at, problems);
  if (sasl !== undefined) out.sasl = sasl;
  if (k.tls_enabled) out.tls = buildTls(k, at, problems);
  else if (k.tls_ca_path || k.tls_cert_path || k.tls_key_path || k.tls_server_name) {
    warnings.push("ingest.kafka.tls_* settings are ignored while ingest.kafka.tls_enabled is false (as in Tempo)");
  }
  return out;
}

type ParsedKafka = NonNullable<ParsedIngest["kafka"]>;

/** Tempo's rules: PLAIN takes both credentials or neither (then no SASL); SCRAM needs both. */
function buildSasl(k: ParsedKafka, at: PathSegment[], problems: Problems): KafkaConfig["sasl"] {
  const mechanism = k.sasl_mechanism;
  if (mechanism === "OAUTHBEARER" || mechanism === "AWS_MSK_IAM") {
    problems.add([...at, "sasl_mechanism"], `${mechanism} is not supported by redgen (use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)`);
    return undefined;
  }
  let password = k.sasl_password;
  if (k.sasl_password_file !== undefined) {
    if (password !== "") problems.add([...at, "sasl_password_file"], "set either sasl_password or sasl_password_file, not both");
    password = readReferencedFile(k.sasl_password_file, problems, [...at, "sasl_password_file"])?.trim() ?? "";
  }
  const username = k.sasl_username;
  if (mechanism === "PLAIN" && username === "" && password === "" && k.sasl_password_file === undefined) return undefined;
  if (username === "" || password === "") {
    problems.add(at, `SASL ${mechanism} needs both sasl_username and sasl_password`);
    return undefined;
  }
  return { mechanism, username, password };
}

/** The PEM files of tls_ca_path, tls_cert_path and tls_key_path, read now. */
function buildTls(k: ParsedKafka, at: PathSegment[], problems: Problems): KafkaConfig["tls"] {
  const read = (file: string, key: string) => (file === "" ? undefined : readReferencedFile(file, problems, [...at, key]));
  const tls: NonNullable<KafkaConfig["tls"]> = { insecure_skip_verify: k.tls_insecure_skip_verify };
  const ca = read(k.tls_ca_path, "tls_ca_path");
  const cert = read(k.tls_cert_path, "tls_cert_path");
  const key = read(k.tls_key_path, "tls_key_path");
  if ((k.tls_cert_path === "") !== (k.tls_key_path === "")) problems.add(at, "a client certificate needs both tls_cert_path and tls_key_path");
  if (ca !== undefined) tls.ca = ca;
  if (cert !== undefined) tls.cert = cert;
  if (key !== undefined) tls.key = key;
  if (k.tls_server_name !== "") tls.server_name = k.tls_server_name;
  return tls;
}
