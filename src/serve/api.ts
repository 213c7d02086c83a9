import { Hono } from "hono";
import type { AuthStats } from "../auth/auth-stats.ts";
import type { Authenticator } from "../auth/authenticator.ts";
import type { Registry } from "../registry/registry.ts";
import { tenantFor } from "../receive/tenant-id.ts";
import type { SelfMetrics } from "../telemetry/self-metrics.ts";
import { mountAssets } from "./asset-routes.ts";
import { TextExposition } from "./exposition.ts";
import type { LiveSources } from "./live/live-sources.ts";
import { mountLivePage } from "./live/page-routes.ts";
import { PROTOBUF_EXPOSITION, ProtoExposition, wantsProtobuf } from "./proto-exposition.ts";
import { scrapeStream } from "./scrape-stream.ts";

/** What the API reads; main injects it. */
export interface ApiDeps {
  selfMetrics: SelfMetrics;
  /** the registry of a tenant, if that tenant has sent data */
  registryOf(tenant: string): Registry | undefined;
  /** null when ready, otherwise why not */
  notReady(): string | null;
  /** the effective config as YAML-ish text for /status/config */
  statusConfig(): string;
  /** the state directory, checkpoints and remote-write queues, for /status/storage */
  statusStorage(): unknown;
  /** what the live page at / shows; without it there is no page */
  live?: LiveSources;
  /** required credentials (server.auth); none when absent */
  auth?: Authenticator;
  authStats?: AuthStats;
}

const TEXT = "text/plain; version=0.0.4; charset=utf-8";

/**
 * The server port (server.http_listen_port): redgen's own metrics, the
 * generated series for scraping, readiness, the live page, and the
 * dashboards and rules that fit this binary. With `auth`, every path but
 * /ready (probes) needs credentials; credentials pinned to a tenant read only
 * that tenant's /metrics/generated (the other paths show every tenant).
 */
export function apiApp(deps: ApiDeps): Hono<{ Variables: { pinned: string | undefined } }> {
  const app = new Hono<{ Variables: { pinned: string | undefined } }>();
  const auth = deps.auth;
  if (auth !== undefined) {
    app.use("*", async (c, next) => {
      if (c.req.path === "/ready") return next();
      const headers = c.req.raw.headers;
      const result = await auth.check((n) => headers.get(n));
      if (!result.ok) {
        deps.authStats?.fail(result.reason);
        return c.text("missing or invalid credentials\n", 401, { "WWW-Authenticate": 'Bearer realm="redgen"' });
      }
      if (result.tenant !== undefined && c.req.path !== "/metrics/generated") {
        deps.authStats?.fail("tenant_mismatch");
        return c.text(`these credentials may only read /metrics/generated of tenant "${result.tenant}"\n`, 403);
      }
      c.set("pinned", result.tenant);
      return next();
    });
  }
  app.get("/metrics", (c) => c.body(deps.selfMetrics.render(), 200, { "Content-Type": TEXT }));
  // A huge tenant's scrape is collected in slices and streamed: it takes as long as it takes, but never holds the event loop long.
  app.get("/metrics/generated", async (c) => {
    const t = tenantFor(c.req.query("tenant") ?? c.req.header("x-scope-orgid"), c.get("pinned"));
    if ("forbidden" in t) {
      deps.authStats?.fail("tenant_mismatch");
      return c.text(`${t.forbidden}\n`, 403);
    }
    if ("error" in t) return c.text(t.error, 400);
    const registry = deps.registryOf(t.tenant);
    // Native histograms need the protobuf format; Prometheus asks for it when it scrapes them.
    const proto = wantsProtobuf(c.req.header("accept"));
    const type = proto ? PROTOBUF_EXPOSITION : TEXT;
    if (registry === undefined) return c.body(null, 200, { "Content-Type": type });
    const exp = proto ? new ProtoExposition() : new TextExposition();
    return c.body(scrapeStream(registry.collectSteps(Date.now(), exp, "scrape"), (end) => exp.take(end)), 200, { "Content-Type": type });
  });
  app.get("/ready", (c) => {
    const why = deps.notReady();
    return why === null ? c.text("ready\n") : c.text(`${why}\n`, 503);
  });
  app.get("/status/config", (c) => c.text(deps.statusConfig()));
  app.get("/status/storage", (c) => c.json(deps.statusStorage()));
  mountAssets(app);
  if (deps.live !== undefined) mountLivePage(app, deps.live);
  return app;
}
