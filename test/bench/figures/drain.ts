/**
 * drain.*: the span-name sanitizer (DRAIN) alone, on distinct raw names from
 * realistic families (test/support/span-name-families.ts): 100k (10k with
 * --quick) of them.
 *   drain.miss     ns/call  first sight of each name: tokenize + tree walk + train, into a fresh sanitizer
 *   drain.hit      ns/call  the same names again once they settled (the name cache's fast path), as fresh
 *                           string objects with no cached hash: the decoder interns only a few thousand short
 *                           values, so with 100k distinct names most arrive as new strings
 *   drain.hit_hot  ns/call  a sanitizer that knows 1,000 settled names, asked for them as the same string
 *                           objects each time (what the decoder's string table hands out for a tenant's usual names)
 *   drain.memory   heap_bytes, heap_bytes/name  what a sanitizer holding 100k names retains (the names, clusters,
 *                           tree, name cache): heapUsed growth after full GCs; also its clusters and cached names
 * Each timed figure: warm-ups, then the median of the runs.
 */
import { SpanNameSanitizer } from "../../../src/registry/span-name-sanitizer.ts";
import { distinctSpanNames } from "../../support/span-name-families.ts";
import { fullGc } from "./measure.ts";
import { type Report, log } from "./report.ts";
import { type BenchSettings, wants, wantsSection } from "./settings.ts";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** ns per sanitize() call over `names`, and a checksum so the calls cannot be optimised away. */
function timePass(s: SpanNameSanitizer, names: readonly string[]): number {
  let check = 0;
  const t0 = performance.now();
  for (let i = 0; i < names.length; i++) check += s.sanitize(names[i]).length;
  const dt = performance.now() - t0;
  if (check === 0) throw new Error("no output");
  return (dt * 1e6) / names.length;
}

export function drainFigures(settings: BenchSettings, report: Report): void {
  if (!wantsSection(settings, "drain")) return;
  const count = settings.quick ? 10_000 : 100_000;
  const names = distinctSpanNames(settings.seed, count);
  log(`drain: ${count} distinct span names, ${settings.warmups} warm-up + ${settings.runs} runs`);
  const hot = names.slice(0, 1000);
  const miss: number[] = [];
  const hit: number[] = [];
  const hitHot: number[] = [];
  for (let r = 0; r < settings.warmups + settings.runs; r++) {
    const s = new SpanNameSanitizer();
    Bun.gc(true);
    const m = timePass(s, names);
    timePass(s, names); // names whose answer changed since (new <_> branches, generalised leaves) are trained again here
    const fresh = JSON.parse(JSON.stringify(names)) as string[];
    const h = timePass(s, fresh);
    const small = new SpanNameSanitizer();
    timePass(small, hot);
    timePass(small, hot);
    let hh = 0;
    for (let k = 0; k < 20; k++) hh += timePass(small, hot);
    if (r >= settings.warmups) {
      miss.push(m);
      hit.push(h);
      hitHot.push(hh / 20);
    }
  }
  const add = (name: string, xs: number[]) => {
    if (wants(settings, name)) report.add({ name, unit: "ns/call", value: median(xs), runs: xs.map(Math.round) });
  };
  add("drain.miss", miss);
  add("drain.hit", hit);
  add("drain.hit_hot", hitHot);
  if (wants(settings, "drain.memory")) memory(settings, report, count);
}

/** Heap a sanitizer retains after seeing `count` distinct names (the names themselves included: the cache keeps them). */
function memory(settings: BenchSettings, report: Report, count: number): void {
  fullGc();
  const before = process.memoryUsage().heapUsed;
  const s = new SpanNameSanitizer();
  // the names are made and dropped here, so what stays is what the sanitizer holds on to
  for (const n of distinctSpanNames(settings.seed + 1, count)) s.sanitize(n);
  fullGc();
  const bytes = process.memoryUsage().heapUsed - before;
  report.add({ name: "drain.memory", unit: "heap_bytes", value: bytes });
  report.add({ name: "drain.memory", unit: "heap_bytes/name", value: bytes / count });
  report.add({ name: "drain.memory", unit: "clusters", value: s.clusters });
  report.add({ name: "drain.memory", unit: "cached_names", value: s.cachedNames });
  if (s.cachedNames !== count) report.problem(`drain.memory: ${s.cachedNames} names cached, expected ${count}`);
}
