import { Hono } from "hono";
import type { Registry } from "../registry/registry.ts";
import { tenantFromHeader } from "../receive/tenant-id.ts";
import type { SelfMetrics } from "../telemetry/self-metrics.ts";
import { TextExposition } from "./exposition.ts";
import { PROTOBUF_EXPOSITION, ProtoExposition, wantsProtobuf } from "./proto-exposition.ts";

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
}

const TEXT = "text/plain; version=0.0.4; charset=utf-8";

/**
 * The server port (server.http_listen_port): redgen's own metrics, the
 * generated series for scraping, readiness.
 */
export function apiApp(deps: ApiDeps): Hono {
  const app = new Hono();
  app.get("/metrics", (c) => c.body(deps.selfMetrics.render(), 200, { "Content-Type": TEXT }));
  app.get("/metrics/generated", (c) => {
    const t = tenantFromHeader(c.req.query("tenant") ?? c.req.header("x-scope-orgid"));
    if ("error" in t) return c.text(t.error, 400);
    const registry = deps.registryOf(t.tenant);
    // Native histograms need the protobuf format; Prometheus asks for it when it scrapes them.
    if (wantsProtobuf(c.req.header("accept"))) {
      const proto = new ProtoExposition();
      registry?.collect(Date.now(), proto, "scrape");
      return c.body(proto.bytes() as Uint8Array<ArrayBuffer>, 200, { "Content-Type": PROTOBUF_EXPOSITION });
    }
    const exp = new TextExposition();
    registry?.collect(Date.now(), exp, "scrape");
    return c.body(exp.text(), 200, { "Content-Type": TEXT });
  });
  app.get("/ready", (c) => {
    const why = deps.notReady();
    return why === null ? c.text("ready\n") : c.text(`${why}\n`, 503);
  });
  app.get("/status/config", (c) => c.text(deps.statusConfig()));
  app.get("/status/storage", (c) => c.json(deps.statusStorage()));
  return app;
}
