import type { Tenant, Tenants } from "../process/tenants.ts";
import { log } from "../util/log.ts";
import { inSlices } from "../util/slices.ts";

/**
 * The periodic work of every tenant: the stale-series sweep (spec §8.3,
 * every 5 minutes, which also moves the demand estimates' window on), the
 * cardinality evaluation (per-label limits and sanitizer mode, every 15 s as
 * in Tempo) and the processors' tick (service-graph expiry, every 2 s).
 * Guarded per tenant: one tenant's failure is logged, never fatal to the others.
 */
export function startPeriodic(tenants: Tenants, sweepMs: number): { stop(): void } {
  const everyTenant = (what: string, work: (t: Tenant, now: number) => void | Promise<void>) => () => {
    const now = Date.now();
    for (const t of tenants.all()) {
      const failed = (e: unknown) => log.error(`${what} failed`, { tenant: t.id, err: e });
      try {
        work(t, now)?.catch(failed);
      } catch (e) {
        failed(e);
      }
    }
  };
  const sweep = setInterval(everyTenant("stale-series sweep", sweepStale), sweepMs);
  const evaluation = setInterval(everyTenant("cardinality evaluation", (t) => t.registry.maintain()), 15_000);
  const ticker = setInterval(
    everyTenant("service-graph expiry", (t, now) => {
      for (const p of t.processors) p.tick?.(now);
    }),
    2000,
  );
  return {
    stop() {
      clearInterval(sweep);
      clearInterval(evaluation);
      clearInterval(ticker);
    },
  };
}

/**
 * The stale sweep of one tenant: it walks every series, so it runs in
 * slices, in the registry's lane (never inside a collection round).
 */
export function sweepStale(t: Tenant, now: number): Promise<void> {
  return t.registry.walks.run(() => inSlices(t.registry.removeStaleSteps(now)));
}
