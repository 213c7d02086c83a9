import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { ConfigError, Problems } from "../config/config-error.ts";
import { tenantConfigFor } from "../config/tenant-config.ts";
import { runtimeTenantConfigs } from "../config/tenant-configs.ts";
import type { Config, RuntimeOverridesSource } from "../config/types.ts";
import type { AttributeProjection } from "../decode/span-batch.ts";
import type { SelfMetrics } from "../telemetry/self-metrics.ts";
import { log } from "../util/log.ts";
import type { TenantFactory } from "./tenant-factory.ts";
import { reconfigureTenant } from "./tenant-reconfigure.ts";

/**
 * Re-reads the per-tenant runtime overrides file every
 * `per_tenant_override_period` (Tempo's runtime-config manager, spec §10) and
 * on SIGHUP. An unchanged file is skipped by its hash. A file that does not
 * load (unreadable, not YAML, an invalid key) changes nothing: the last good
 * overrides stay, the error is logged with its key path, and
 * `tempo_runtime_config_last_reload_successful{config="overrides"}` reads 0.
 */
export class OverridesReloader {
  /** 1 when the last attempt applied (or found nothing new), 0 after a failure */
  lastReloadSuccessful = 1;
  failures = 0;
  /** sha256 of the files' bytes last applied */
  hash = "";
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly onHangup = () => void this.reload("SIGHUP");

  constructor(
    private readonly config: Config,
    private readonly source: RuntimeOverridesSource,
    private readonly factory: TenantFactory,
    private readonly projection: AttributeProjection,
  ) {
    this.hash = this.currentHash() ?? "";
  }

  start(): void {
    if (this.source.period_ms > 0) this.timer = setInterval(() => this.reload("period"), this.source.period_ms);
    process.on("SIGHUP", this.onHangup);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    process.off("SIGHUP", this.onHangup);
  }

  /** Reads the file(s) and applies what changed; false when they could not be applied. */
  reload(why: string): boolean {
    const hash = this.currentHash();
    if (hash !== undefined && hash === this.hash) {
      this.lastReloadSuccessful = 1;
      return true;
    }
    const warnings: string[] = [];
    let next: Config["tenant_overrides"];
    try {
      const problems = new Problems();
      const { tenant_overrides, runtimeProblems } = runtimeTenantConfigs(this.source, problems, warnings);
      problems.throwIfAny();
      for (const [file, p] of runtimeProblems) p.throwIfAny(undefined, `per-tenant overrides file ${file}`);
      next = tenant_overrides;
    } catch (e) {
      this.failures++;
      this.lastReloadSuccessful = 0;
      const err = e instanceof ConfigError ? e.message : String(e);
      log.error("per-tenant overrides not applied; the last good ones stay in effect", { trigger: why, err });
      return false;
    }
    this.config.tenant_overrides = next;
    this.hash = hash ?? "";
    this.lastReloadSuccessful = 1;
    for (const w of warnings) log.warn(w);
    let changed = 0;
    for (const [id, w] of this.factory.wired) {
      const cfg = tenantConfigFor(this.config, id);
      if (JSON.stringify(cfg) === JSON.stringify(w.tenant.config)) continue;
      try {
        reconfigureTenant(w, cfg, this.config, this.projection);
        changed++;
      } catch (e) {
        this.failures++;
        log.error("tenant overrides could not be applied", { tenant: id, err: e });
      }
    }
    log.info("per-tenant overrides reloaded", { trigger: why, tenants_changed: changed });
    return true;
  }

  /** sha256 over the files' bytes; undefined when one cannot be read (the reload then reports it). */
  private currentHash(): string | undefined {
    const h = createHash("sha256");
    try {
      for (const f of this.source.files.split(",").map((s) => s.trim()).filter((s) => s !== "")) h.update(readFileSync(f));
    } catch {
      return undefined;
    }
    return h.digest("hex");
  }
}

/**
 * Starts reloading the runtime overrides, when a file is configured, and
 * registers its self-metrics (dskit's names with Tempo's prefix). SIGHUP is
 * always handled: without a file it only logs, instead of ending the process.
 */
export function startOverridesReload(config: Config, factory: TenantFactory, projection: AttributeProjection, metrics: SelfMetrics): { stop(): void } {
  const source = config.runtime_overrides;
  if (source === undefined) {
    const onHangup = () => log.info("SIGHUP: no per-tenant overrides file to reload (overrides.per_tenant_override_config)");
    process.on("SIGHUP", onHangup);
    return { stop: () => void process.off("SIGHUP", onHangup) };
  }
  const r = new OverridesReloader(config, source, factory, projection);
  r.start();
  const labels = { config: "overrides" };
  metrics.register(() => [
    { name: "tempo_runtime_config_last_reload_successful", help: "Whether the last runtime-config reload attempt was successful.", type: "gauge", samples: [{ labels, value: r.lastReloadSuccessful }] },
    { name: "tempo_runtime_config_hash", help: "Hash of the currently active runtime configuration.", type: "gauge", samples: [{ labels: { ...labels, sha256: r.hash }, value: 1 }] },
    { name: "redgen_runtime_config_reload_failures_total", help: "Reloads of the runtime overrides that were not applied.", type: "counter", samples: [{ labels, value: r.failures }] },
  ]);
  return r;
}
