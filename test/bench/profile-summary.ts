/**
 * Summarises a .cpuprofile (from `bun --cpu-prof`) by self samples, counting only
 * samples taken inside a given function (the timed loop), so warm-up GCs,
 * corpus loading and config parsing do not blur the picture.
 *
 *   bun --cpu-prof --cpu-prof-dir=.cache/bench/profile test/bench/bench.ts --only inproc.all --runs 10
 *   bun test/bench/profile-summary.ts .cache/bench/profile/<file>.cpuprofile [--under pipelineRun] [--top 15]
 *
 * Frames are grouped by function name + file + line (Bun reports one frame
 * per inlined/tiered copy, so the same function can appear more than once
 * before grouping).
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { REPO_ROOT } from "../support/setup.ts";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

export function summarise(profile: Profile, under: string | undefined, top: number): string {
  const byId = new Map<number, Node>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const label = (n: Node) => {
    const f = n.callFrame;
    const path = f.url.startsWith("file://") ? fileURLToPath(f.url) : f.url;
    const where = path === "" || path.startsWith("[") ? "[native code]" : `${relative(REPO_ROOT, path)}${f.lineNumber >= 0 ? `:${f.lineNumber + 1}` : ""}`;
    return `${f.functionName || "(anonymous)"} ${where}`;
  };
  const inside = new Map<number, boolean>();
  const isInside = (id: number): boolean => {
    if (under === undefined) return true;
    const known = inside.get(id);
    if (known !== undefined) return known;
    const n = byId.get(id) as Node;
    const p = parent.get(id);
    const v = n.callFrame.functionName === under || (p !== undefined && isInside(p));
    inside.set(id, v);
    return v;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    if (!isInside(id)) continue;
    // Each sample counts once: Bun samples every few ms, and a sample's timeDelta
    // also holds the idle gap before it, which inflates frames next to waits
    // (an e2e server's socket reads) several times over.
    const dt = 1;
    all += dt;
    const leaf = label(byId.get(id) as Node);
    self.set(leaf, (self.get(leaf) ?? 0) + dt);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const l = label(byId.get(at) as Node);
      if (seen.has(l)) continue;
      seen.add(l);
      total.set(l, (total.get(l) ?? 0) + dt);
    }
  }
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  const pct = (x: number) => `${((100 * x) / all).toFixed(1)}%`;
  const out = [`${all} samples${under ? ` inside ${under}` : ""}`, "", "| # | self | total | function | where |", "|--:|--:|--:|---|---|"];
  rows.forEach(([l, t], k) => {
    const sp = l.indexOf(" ");
    out.push(`| ${k + 1} | ${pct(t)} | ${pct(total.get(l) ?? 0)} | \`${l.slice(0, sp)}\` | ${l.slice(sp + 1)} |`);
  });
  return out.join("\n");
}

if (import.meta.main) {
  const argv = process.argv.slice(2);
  const file = argv.find((a) => !a.startsWith("--") && argv[argv.indexOf(a) - 1] !== "--under" && argv[argv.indexOf(a) - 1] !== "--top");
  if (file === undefined) {
    console.error("usage: bun test/bench/profile-summary.ts FILE.cpuprofile [--under FUNCTION] [--top N]");
    process.exit(2);
  }
  const at = (k: string) => (argv.indexOf(k) >= 0 ? argv[argv.indexOf(k) + 1] : undefined);
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  console.log(summarise(profile, at("--under"), Number(at("--top") ?? 15)));
}
