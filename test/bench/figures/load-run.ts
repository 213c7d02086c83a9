/**
 * One measured end-to-end load against a server process, whichever it is
 * (redgen for e2e.*, the OpenTelemetry Collector for collector.*): load.ts in
 * its own process (so the loader's CPU is not the server's), a warm-up load,
 * then the measured one with the server's CPU from /proc and its RSS sampled
 * every 20 ms; and the figures every such run reports.
 */
import { join } from "node:path";
import { REPO_ROOT } from "../../support/setup.ts";
import type { LoadResult } from "../load.ts";
import { procCpuSeconds, procRss, procRssBytes } from "./proc-stat.ts";
import { type Report, log } from "./report.ts";
import type { BenchSettings } from "./settings.ts";

const LOAD_TS = join(import.meta.dir, "..", "load.ts");

/** service_graphs.max_items of the end-to-end config: the load's pending root edges fit (Tempo's 10000 would drop spans). */
export const E2E_MAX_ITEMS = 250_000;

export type LoaderResult = LoadResult & { cpuMs: number };

/** Runs load.ts with `--key value` args; its result plus the loader's own CPU time. */
export async function runLoader(args: Record<string, string | number>): Promise<LoaderResult> {
  const cmd = [process.execPath, LOAD_TS, ...Object.entries(args).flatMap(([k, v]) => [`--${k}`, String(v)])];
  const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "inherit", cwd: REPO_ROOT });
  const out = await new Response(proc.stdout).text();
  const code = await proc.exited;
  if (code !== 0) throw new Error(`load generator exited with ${code}: ${out}`);
  const result = JSON.parse(out.trim().split("\n").pop() as string) as LoadResult;
  return { ...result, cpuMs: Number(proc.resourceUsage()?.cpuTime.total ?? 0) / 1000 };
}

/** What the loader is given besides duration and pass-base: corpus, protocol, url, tenant, concurrency, authorization. */
export type LoadTarget = Record<string, string | number>;

export interface LoadRun {
  warm: LoaderResult;
  load: LoaderResult;
  /** the server's utime+stime over the measured load */
  cpuSeconds: number;
  idleRss: number;
  peak: { total: number; anon: number; file: number };
  /** RSS right after the measured load */
  endRss: number;
}

/** Warm-up load, then the measured one, against the server process `pid`. */
export async function measureLoad(settings: BenchSettings, pid: number, target: LoadTarget): Promise<LoadRun> {
  const idleRss = procRssBytes(pid);
  // the warm-up replays with other trace ids (pass-base), so the measured load never repeats one
  const warm = await runLoader({ ...target, duration: settings.e2eWarmSeconds, "pass-base": 1 << 20 });
  const cpu0 = procCpuSeconds(pid);
  // the peak is sampled during the measured load (the value at its end can be just after a GC)
  let peak = procRss(pid);
  const sampler = setInterval(() => {
    const now = procRss(pid);
    if (now.total > peak.total) peak = now;
  }, 20);
  const load = await runLoader({ ...target, duration: settings.e2eSeconds, "pass-base": 0 }).finally(() => clearInterval(sampler));
  const cpuSeconds = procCpuSeconds(pid) - cpu0;
  return { warm, load, cpuSeconds, idleRss, peak, endRss: procRssBytes(pid) };
}

/** Spans sent in both loads. */
export function spansSent(r: LoadRun): number {
  return r.warm.spansSent + r.load.spansSent;
}

/**
 * The figures of a load run (`who` names the server in `<who>_cpu/wall`), and
 * the problems every server must pass: no failed request, every span accepted.
 */
export function reportLoad(report: Report, name: string, who: string, r: LoadRun): void {
  const { warm, load } = r;
  const accepted = warm.spansAccepted + load.spansAccepted;
  if (load.failedRequests + warm.failedRequests > 0) report.problem(`${name}: ${load.failedRequests + warm.failedRequests} failed requests, first: ${load.firstError || warm.firstError}`);
  if (accepted !== spansSent(r)) report.problem(`${name}: ${spansSent(r) - accepted} spans rejected (partial success)`);
  report.add({ name, unit: "spans/s", value: load.spansAccepted / (load.elapsedMs / 1000) });
  report.add({ name, unit: "cpu_s/Mspans", value: r.cpuSeconds / (load.spansAccepted / 1e6) });
  report.add({ name, unit: `${who}_cpu/wall`, value: r.cpuSeconds / (load.elapsedMs / 1000) });
  report.add({ name, unit: "loader_cpu/wall", value: load.cpuMs / load.elapsedMs });
  report.add({ name, unit: "rss_mb", value: r.endRss / 2 ** 20 });
  report.add({ name, unit: "rss_idle_mb", value: r.idleRss / 2 ** 20 });
  report.add({ name, unit: "rss_peak_mb", value: r.peak.total / 2 ** 20 });
  // what the peak was made of: anonymous memory (heaps, malloc) vs pages of the binary
  report.add({ name, unit: "rss_peak_anon_mb", value: r.peak.anon / 2 ** 20 });
  report.add({ name, unit: "rss_peak_file_mb", value: r.peak.file / 2 ** 20 });
}

/** The progress line before a run. */
export function logLoad(settings: BenchSettings, name: string, what: string): void {
  log(`${name}: ${what}, warm-up ${settings.e2eWarmSeconds} s, then ${settings.e2eSeconds} s with ${settings.e2eConcurrency} requests in flight`);
}
