/**
 * The Grafana dashboards (src/assets/grafana/) as files: well-formed for
 * import (unique uids, a Prometheus data-source variable every panel uses,
 * panels on the 24-column grid without overlaps), queries that only use
 * label names redgen writes and variables the dashboard defines, and a node
 * graph panel whose frames carry the fields Grafana's node graph reads
 * (edges: id, source, target, mainstat). Grafana itself is not run (it is
 * neither in Debian nor on npm); every query is run against a real
 * Prometheus in test/e2e/dashboards-and-alerts.test.ts.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../support/setup.ts";

const DIR = join(REPO_ROOT, "src/assets/grafana");

interface Target {
  refId: string;
  expr: string;
  datasource: { type: string; uid: string };
  instant?: boolean;
  format?: string;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
  transformations?: { id: string; options: { renameByName?: Record<string, string> } }[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: unknown }[] };
}

const FILES = readdirSync(DIR).filter((f) => f.endsWith(".json")).sort();
const load = (f: string) => JSON.parse(readFileSync(join(DIR, f), "utf8")) as Dashboard;

/** Every label name redgen writes on the series these dashboards read, plus `le` and the scrape's job/instance. */
const LABELS = new Set(["service", "span_name", "span_kind", "status_code", "client", "server", "connection_type", "le", "tenant", "reason", "job", "instance", "remote_name", "url", "protocol", "code"]);

/** Label names a PromQL expression uses: matchers, by/on/ignoring clauses, label_join's source labels. */
function labelNames(expr: string): string[] {
  const out: string[] = [];
  for (const m of expr.matchAll(/\{([^}]*)\}/g)) for (const mm of m[1].matchAll(/(\w+)\s*(=~|!~|!=|=)/g)) out.push(mm[1]);
  for (const m of expr.matchAll(/\b(?:by|on|ignoring|without)\s*\(([^)]*)\)/g)) out.push(...m[1].split(",").map((s) => s.trim()).filter(Boolean));
  for (const m of expr.matchAll(/label_join\([\s\S]*?,\s*"id",\s*"[^"]*",\s*"(\w+)",\s*"(\w+)"\s*\)/g)) out.push(m[1], m[2]);
  return out;
}

describe.each(FILES)("%s", (file) => {
  const d = load(file);
  const targets = d.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ p, t })));

  test("has a title, a uid of its own, and a Prometheus data-source variable that every panel and query uses", () => {
    expect(d.title).toStartWith("redgen / ");
    expect(FILES.filter((f) => load(f).uid === d.uid)).toEqual([file]);
    expect(d.templating.list.find((v) => v.name === "datasource")).toMatchObject({ type: "datasource", query: "prometheus" });
    for (const p of d.panels.filter((x) => x.type !== "row")) expect([p.title, p.datasource]).toEqual([p.title, { type: "prometheus", uid: "${datasource}" }]);
    for (const { p, t } of targets) expect([p.title, t.refId, t.datasource]).toEqual([p.title, t.refId, { type: "prometheus", uid: "${datasource}" }]);
  });

  test("panels sit on the 24-column grid without overlapping", () => {
    const ids = d.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const a of d.panels) {
      expect([a.title, a.gridPos.x + a.gridPos.w <= 24]).toEqual([a.title, true]);
      for (const b of d.panels) {
        if (a === b) continue;
        const g = a.gridPos;
        const h = b.gridPos;
        const overlap = g.x < h.x + h.w && h.x < g.x + g.w && g.y < h.y + h.h && h.y < g.y + g.h;
        expect(overlap ? `${a.title} overlaps ${b.title}` : "").toBe("");
      }
    }
  });

  test("queries use only labels redgen writes and variables the dashboard defines; refIds are unique per panel", () => {
    const vars = new Set(d.templating.list.map((v) => v.name));
    for (const { p, t } of targets) {
      expect([p.title, t.refId, labelNames(t.expr).filter((l) => !LABELS.has(l))]).toEqual([p.title, t.refId, []]);
      const used = [...t.expr.matchAll(/\$(\w+)/g)].map((m) => m[1]).filter((v) => !v.startsWith("__"));
      expect([p.title, used.filter((v) => !vars.has(v))]).toEqual([p.title, []]);
    }
    for (const p of d.panels) {
      const refs = (p.targets ?? []).map((t) => t.refId);
      expect(new Set(refs).size).toBe(refs.length);
    }
    // the seed article's mistake: Tempo writes `service`, never `service_name`
    expect(JSON.stringify(d)).not.toContain("service_name");
  });

  test("tables and the node graph merge instant table queries, renaming what Grafana reads", () => {
    for (const p of d.panels.filter((x) => x.type === "table" || x.type === "nodeGraph")) {
      for (const t of p.targets ?? []) expect([p.title, t.refId, t.instant, t.format]).toEqual([p.title, t.refId, true, "table"]);
      expect(p.transformations?.map((x) => x.id)).toEqual(["merge", "organize"]);
      const renames = p.transformations?.[1].options.renameByName ?? {};
      for (const t of p.targets ?? []) expect([p.title, renames[`Value #${t.refId}`]]).toEqual([p.title, expect.any(String)]);
    }
  });
});

test("the service graph panel gives Grafana's node graph an edges frame: id, source, target, mainstat, secondarystat", () => {
  const d = load("redgen-service-graph.json");
  const node = d.panels.find((p) => p.type === "nodeGraph");
  expect(node).toBeDefined();
  const renames = node?.transformations?.[1].options.renameByName ?? {};
  expect(renames).toMatchObject({ client: "source", server: "target", "Value #A": "mainstat", "Value #B": "secondarystat" });
  // every query carries the same id label (client → server), so merge joins them row by row
  for (const t of node?.targets ?? []) expect(t.expr).toMatch(/label_join\([\s\S]*"id", " → ", "client", "server"\s*\)$/);
});
