/**
 * pause.<variant>.<job>: the longest event-loop pause and the latency of
 * small OTLP requests (p50, p99, max) while a big registry's long jobs run:
 * a collection round with its checkpoint, a stale sweep, a scrape and a
 * live-page poll. The registry is filled and served in a child process
 * (pause-child.ts, `bench.ts --child pause`), the requests come from a third
 * one (pause-prober.ts).
 */
import { join } from "node:path";
import { REPO_ROOT } from "../../support/setup.ts";
import { ensureCorpus } from "../corpus.ts";
import type { PauseResult } from "./pause-child.ts";
import { type Report, log } from "./report.ts";
import { type BenchSettings, wants } from "./settings.ts";

const BENCH_TS = join(import.meta.dir, "..", "bench.ts");

export async function pauses(settings: BenchSettings, report: Report): Promise<void> {
  const variants = settings.quick ? ["quick-hi"] : ["1m"];
  for (const variant of variants) {
    const name = `pause.${variant}`;
    if (!wants(settings, name)) continue;
    ensureCorpus(variant, settings.seed, log);
    log(`${name}: filling a registry in a child process, then probing it during a round, a sweep, a scrape, a page poll`);
    const proc = Bun.spawn([process.execPath, BENCH_TS, "--child", "pause", "--variant", variant, "--seed", String(settings.seed)], {
      stdout: "pipe",
      stderr: "inherit",
      cwd: REPO_ROOT,
    });
    const out = await new Response(proc.stdout).text();
    if ((await proc.exited) !== 0) throw new Error(`pause child for ${variant} failed: ${out}`);
    const r = JSON.parse(out.trim().split("\n").pop() as string) as PauseResult;
    report.add({ name, unit: "active_series", value: r.active });
    for (const ph of r.phases) {
      const n = `${name}.${ph.name}`;
      if (ph.failed > 0) report.problem(`${n}: ${ph.failed} of ${ph.probes} probe requests failed`);
      report.add({ name: n, unit: "job_ms", value: ph.jobMs });
      report.add({ name: n, unit: "pause_max_ms", value: ph.pauseMaxMs });
      report.add({ name: n, unit: "pauses_over_50ms", value: ph.pausesOver50 });
      report.add({ name: n, unit: "probes", value: ph.probes });
      report.add({ name: n, unit: "p50_ms", value: ph.p50Ms });
      report.add({ name: n, unit: "p99_ms", value: ph.p99Ms });
      report.add({ name: n, unit: "max_ms", value: ph.maxMs });
    }
  }
}
