/**
 * Parsed tempo.yaml → Config: the shape the rest of redgen runs on. Also
 * gathers the warnings (ignored keys, deviations from Tempo) that main logs.
 */
import { hostname } from "node:os";
import type { Problems } from "./config-error.ts";
import type { Config } from "./types.ts";
import type { ParsedRoot } from "./schema-root.ts";
import { misspeltSections } from "./misspelt-sections.ts";
import { ignoredSettingWarnings } from "./ignored-warnings.ts";
import { buildAuth } from "./auth.ts";
import { buildReceivers, serverTls } from "./receivers.ts";
import { buildRemoteWrites } from "./remote-write.ts";
import { buildTenantConfigs } from "./tenant-configs.ts";
import { buildKafka } from "./kafka.ts";
import { defaultStoragePath } from "./storage-path.ts";

/** The Config, plus problems found in per-tenant overrides files (reported after tempo.yaml's own). */
export function buildConfig(
  parsed: ParsedRoot,
  problems: Problems,
): { config: Config; runtimeProblems: Map<string, Problems> } {
  const warnings = ignoredSettingWarnings(parsed);
  const gen = parsed.metrics_generator;
  for (const { key, section } of misspeltSections(parsed)) {
    problems.add([key], `unknown top-level key (did you mean "${section}"?)`);
  }

  const { tenant_defaults, tenant_overrides, runtimeProblems, runtime_overrides } = buildTenantConfigs(parsed, problems, warnings);
  const remoteWritePath = ["metrics_generator", "storage", "remote_write"];

  const instanceId = gen.instance_id || hostname();
  const config: Config = {
    server: buildServer(parsed.server, problems),
    receivers: buildReceivers(parsed.distributor, problems, warnings),
    generator: {
      registry: gen.registry,
      storage: {
        path: gen.storage.path || defaultStoragePath(),
        max_queue_bytes: gen.storage.max_queue_bytes,
        remote_write: buildRemoteWrites(gen.storage.remote_write, remoteWritePath, problems, warnings),
        remote_write_flush_deadline_ms: gen.storage.remote_write_flush_deadline,
        remote_write_add_org_id_header: gen.storage.remote_write_add_org_id_header,
      },
      metrics_ingestion_time_range_slack_ms: gen.metrics_ingestion_time_range_slack,
      instance_id: instanceId,
      limiter_type: gen.limiter_type,
    },
    kafka: buildKafka(parsed.ingest, gen, instanceId, warnings, problems),
    tenant_defaults,
    tenant_overrides,
    runtime_overrides,
    warnings,
  };
  return { config, runtimeProblems };
}

function buildServer(s: ParsedRoot["server"], problems: Problems): Config["server"] {
  const out: Config["server"] = {
    http_listen_address: s.http_listen_address || "0.0.0.0",
    http_listen_port: s.http_listen_port,
    log_level: s.log_level ?? "info",
  };
  const t = s.http_tls_config;
  // dskit serves plain HTTP while cert_file is empty (Tempo's default block has it so).
  if (t !== undefined && (t.cert_file !== "" || t.key_file !== "" || t.client_ca_file !== undefined)) {
    const at = ["server", "http_tls_config"];
    if (t.cert_file === "" || t.key_file === "") problems.add(at, "TLS needs both cert_file and key_file");
    const verify = t.client_auth_type === "RequireAndVerifyClientCert";
    if (verify && t.client_ca_file === undefined) problems.add([...at, "client_ca_file"], "RequireAndVerifyClientCert needs client_ca_file");
    if (!verify && t.client_ca_file !== undefined) {
      problems.add([...at, "client_auth_type"], "set client_auth_type: RequireAndVerifyClientCert to verify client certificates against client_ca_file");
    }
    out.tls = serverTls({ cert_file: t.cert_file, key_file: t.key_file, client_ca_file: verify ? t.client_ca_file : undefined }, at, problems);
  }
  if (s.auth !== undefined) out.auth = buildAuth(s.auth, ["server", "auth"], problems);
  return out;
}
