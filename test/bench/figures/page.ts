/**
 * page.*: what the live page costs. `page.weight`: the document as served
 * (bytes, and gzip as sent to browsers that take it). `page.<variant>`: one
 * poll of /live/summary against the filled registry of a corpus — snapshot
 * (a scrape-mode collection into the summary sink), view and JSON — with the
 * page's clock 5 s apart per poll (the page's refresh), so every poll takes a
 * fresh snapshot; CPU per poll and what that makes per minute of an open page.
 */
import { LivePage } from "../../../src/serve/live/live-page.ts";
import type { LiveSources } from "../../../src/serve/live/live-sources.ts";
import { pageDocument } from "../../../src/serve/live/page-routes.ts";
import { RING_DEFAULTS } from "../../../src/serve/live/snapshot-ring.ts";
import type { BenchPipeline } from "../harness.ts";
import type { Report } from "./report.ts";
import type { BenchSettings } from "./settings.ts";
import { wants } from "./settings.ts";

/** The page refreshes every 5 s (page.html REFRESH_MS). */
const REFRESH_MS = 5000;

export interface PageResult {
  /** median wall time of one poll */
  ms: number;
  /** median CPU time (user + system) of one poll */
  cpuMs: number;
  jsonBytes: number;
  services: number;
  operations: number;
  edges: number;
}

/** `polls` polls of the page against `p`'s registry, 5 s of page clock apart. */
export async function measurePage(p: BenchPipeline, polls: number): Promise<PageResult> {
  const t = p.tenant;
  const sources: LiveSources = {
    version: "bench",
    tenantIds: () => [t.id],
    registryOf: () => t.registry,
    health: () => ({ spansReceived: t.stats.spansReceived, discarded: [], activeSeries: t.registry.limiter.active, maxActiveSeries: 0, seriesLimited: 0, remoteWrite: [] }),
    kafka: () => null,
  };
  let clock = Date.now();
  const page = new LivePage(sources, { ...RING_DEFAULTS }, () => clock);
  const wall: number[] = [];
  const cpu: number[] = [];
  let json = "";
  for (let i = 0; i < polls + 1; i++) {
    clock += REFRESH_MS;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    json = JSON.stringify(await page.view(t.id));
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    // the first poll warms the JIT up
    if (i > 0) {
      wall.push(ms);
      cpu.push((c.user + c.system) / 1000);
    }
  }
  const v = JSON.parse(json) as { red: { service: string }[]; edges: unknown[] };
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
  return { ms: median(wall), cpuMs: median(cpu), jsonBytes: json.length, services: new Set(v.red.map((r) => r.service)).size, operations: v.red.length, edges: v.edges.length };
}

/** page.weight: the embedded document, raw and gzipped. */
export function pageWeight(settings: BenchSettings, report: Report): void {
  if (!wants(settings, "page.weight")) return;
  const doc = pageDocument();
  report.add({ name: "page.weight", unit: "bytes", value: Buffer.byteLength(doc.html) });
  report.add({ name: "page.weight", unit: "gzip_bytes", value: doc.gzip.length });
}

/** page.<variant> figures from a child's PageResult. */
export function reportPage(report: Report, variant: string, activeSeries: number, r: PageResult): void {
  const name = `page.${variant}`;
  report.add({ name, unit: "active_series", value: activeSeries });
  report.add({ name, unit: "ms/poll", value: r.ms });
  report.add({ name, unit: "cpu_ms/poll", value: r.cpuMs });
  report.add({ name, unit: "cpu_s/min_open", value: (r.cpuMs / 1000) * (60_000 / REFRESH_MS) });
  report.add({ name, unit: "json_bytes/poll", value: r.jsonBytes });
  report.add({ name, unit: "operations", value: r.operations });
  report.add({ name, unit: "edges", value: r.edges });
}
