import type { TenantConfig } from "../config/types.ts";
import type { Registry } from "../registry/registry.ts";
import type { Processor, TenantStats } from "./processor.ts";

/** Everything one tenant owns (Tempo's per-tenant instance, spec §1). */
export interface Tenant {
  readonly id: string;
  /** the effective overrides; replaced when the runtime overrides change */
  config: TenantConfig;
  readonly registry: Registry;
  /** rebuilt when the tenant's processor config changes */
  processors: Processor[];
  readonly stats: TenantStats;
}

/**
 * Tenants are created on their first data, even without processors, and live
 * as long as the process (as in Tempo). The factory is injected by main, which
 * is the only place that knows how a registry, processors and writers fit.
 */
export class Tenants {
  private readonly byId = new Map<string, Tenant>();

  constructor(private readonly create: (id: string) => Tenant) {}

  get(id: string): Tenant {
    let t = this.byId.get(id);
    if (t === undefined) {
      t = this.create(id);
      this.byId.set(id, t);
    }
    return t;
  }

  /** The tenant, only if it already exists. */
  find(id: string): Tenant | undefined {
    return this.byId.get(id);
  }

  all(): IterableIterator<Tenant> {
    return this.byId.values();
  }

  get size(): number {
    return this.byId.size;
  }
}
