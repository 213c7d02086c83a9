import { AuthStats } from "../auth/auth-stats.ts";
import { Authenticator } from "../auth/authenticator.ts";
import { redactedConfig } from "../config/redact.ts";
import type { Config } from "../config/types.ts";
import type { Tenants } from "../process/tenants.ts";
import { apiApp } from "../serve/api.ts";
import type { SelfMetrics } from "../telemetry/self-metrics.ts";
import { storageStatus } from "../telemetry/storage-collectors.ts";
import { liveSources } from "./live-page.ts";
import { tlsOptions } from "./receivers.ts";
import type { Storage } from "./storage.ts";
import type { TenantFactory } from "./tenant-factory.ts";
import type { startKafka } from "./kafka.ts";

/** What the API port needs from the running process. */
export interface ApiParts {
  version: string;
  selfMetrics: SelfMetrics;
  tenants: Tenants;
  factory: TenantFactory;
  storage: Storage;
  kafka: () => ReturnType<typeof startKafka> | undefined;
  /** why /ready answers 503, or null */
  notReady: () => string | null;
}

/**
 * The API port (server.http_listen_port): self-metrics, generated series for
 * scraping, readiness, status pages and the live page, behind server.auth
 * and server TLS when configured. Returns the server and its auth counters.
 */
export async function startApi(config: Config, p: ApiParts): Promise<{ server: ReturnType<typeof Bun.serve>; authStats: AuthStats }> {
  const authStats = new AuthStats("api");
  const server = Bun.serve({
    hostname: config.server.http_listen_address,
    port: config.server.http_listen_port,
    tls: config.server.tls ? await tlsOptions(config.server.tls) : undefined,
    fetch: apiApp({
      auth: config.server.auth && new Authenticator(config.server.auth),
      authStats,
      selfMetrics: p.selfMetrics,
      registryOf: (t) => p.tenants.find(t)?.registry,
      notReady: p.notReady,
      statusConfig: () => JSON.stringify(redactedConfig(config), null, 2),
      statusStorage: () => storageStatus(p.storage, p.factory),
      live: liveSources(config, p.version, p.tenants, p.factory, p.kafka),
    }).fetch,
  });
  return { server, authStats };
}
