/**
 * `npm run bench` — redgen's benchmark harness. One figure per line
 * (`name unit value`), or one JSON document with --json.
 *
 *   npm run bench                  full run (a few minutes on 2 cores)
 *   npm run bench -- --quick       small sizes, same code paths, < 1 min (CI keeps it working; never judges speed)
 *   npm run bench -- --json        JSON instead of lines (progress goes to stderr)
 *   npm run bench -- --only inproc.all,e2e.http
 *                                  just the figures whose names start with one of these
 *   npm run bench -- --runs 7      measured runs per in-process figure (median reported)
 *
 * What is measured (details and method: test/bench/README.md):
 *   decode.*, process.*, inproc.*  in-process, one JS thread, spans/s over the corpus, median of runs after warm-up
 *   e2e.http, e2e.grpc             the compiled binary under load from a separate process: accepted spans/s,
 *                                  redgen CPU-seconds per million spans (/proc/<pid>/stat), lost spans (must be 0)
 *   memory.<corpus>                RSS and heap bytes per active series after filling a registry (child process)
 *   collect.<corpus>               collection + remote-write encode + snappy for that registry, ms
 */
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../src/config/load.ts";
import { batchFromRequest } from "../../src/decode/from-request.ts";
import { decodeProtobuf } from "../../src/decode/otlp.ts";
import { WireBatchDecoder, decodeProtobufBatch } from "../../src/decode/otlp-wire.ts";
import type { SpanBatch } from "../../src/decode/span-batch.ts";
import { WriteRequestEncoder } from "../../src/remote-write/encode.ts";
import { snappyCompress } from "../../src/remote-write/snappy.ts";
import { Redgen } from "../support/redgen-process.ts";
import { REPO_ROOT, ensureBinary } from "../support/setup.ts";
import { benchTenantConfig, benchYaml } from "./bench-config.ts";
import { DEFAULT_SEED } from "./corpus-gen.ts";
import { corpusDir, ensureCorpus, readCorpus } from "./corpus.ts";
import { BenchPipeline, TENANT, batchClockMs, benchProjection } from "./harness.ts";
import type { LoadResult } from "./load.ts";
import { indexBatch } from "./wire-patch.ts";

interface Figure {
  name: string;
  unit: string;
  value: number;
  /** every measured run, for spread */
  runs?: number[];
}

// ---------------------------------------------------------------------------
// arguments

const argv = process.argv.slice(2);
function flag(name: string): boolean {
  return argv.includes(`--${name}`);
}
function option(name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i >= 0) return argv[i + 1];
  const p = argv.find((a) => a.startsWith(`--${name}=`));
  return p?.slice(name.length + 3);
}

const QUICK = flag("quick");
const JSON_OUT = flag("json");
const ONLY = (option("only") ?? "").split(",").filter((s) => s !== "");
const SEED = Number(option("seed") ?? DEFAULT_SEED);
const RUNS = Number(option("runs") ?? (QUICK ? 3 : 5));
const WARMUPS = QUICK ? 1 : 2;
const E2E_SECONDS = Number(option("e2e-seconds") ?? (QUICK ? 2 : 15));
const E2E_WARM_SECONDS = QUICK ? 1 : 3;
const E2E_CONCURRENCY = Number(option("concurrency") ?? 8);
const THROUGHPUT_CORPUS = option("corpus") ?? (QUICK ? "quick-base" : "base");
const MEMORY_CORPORA = QUICK ? ["quick-hi"] : ["100k", "1m"];

/** Whether figure `name` was asked for: --only entries match a name exactly or as a dotted prefix ("e2e", "memory.1m"). */
function want(name: string): boolean {
  return ONLY.length === 0 || ONLY.some((p) => name === p || name.startsWith(`${p}.`));
}

/** Whether any figure under `section` (e.g. "decode") was asked for. */
function wantSection(section: string): boolean {
  return ONLY.length === 0 || ONLY.some((p) => p === section || p.startsWith(`${section}.`) || section.startsWith(`${p}.`));
}

const log = (s: string) => process.stderr.write(`bench: ${s}\n`);

const figures: Figure[] = [];
/** correctness problems (lost spans, wrong series counts): printed, and the exit status is 1 */
const problems: string[] = [];
function problem(s: string): void {
  problems.push(s);
  log(`PROBLEM: ${s}`);
}
function report(f: Figure): void {
  figures.push(f);
  if (!JSON_OUT) process.stdout.write(`${f.name} ${f.unit} ${formatValue(f.value)}\n`);
}

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 100 || Number.isInteger(v)) return String(Math.round(v));
  return v.toPrecision(3);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// ---------------------------------------------------------------------------
// 1. in-process, one thread

/**
 * Runs `run` (fresh state from `setup` each time) WARMUPS + RUNS times and
 * reports the median rate of the measured runs; with `cpu`, also the
 * process CPU time per wall time over them (above 1: GC or other helper
 * threads worked alongside the JS thread).
 */
function measure<S>(name: string, spans: number, setup: () => S, run: (s: S) => number, cpu = false): void {
  if (!want(name)) return;
  const rates: number[] = [];
  let cpuMs = 0;
  let wallMs = 0;
  for (let r = 0; r < WARMUPS + RUNS; r++) {
    const state = setup();
    Bun.gc(true);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const n = run(state);
    const dt = performance.now() - t0;
    const c = process.cpuUsage(c0);
    if (n !== spans) throw new Error(`${name}: processed ${n} spans, expected ${spans}`);
    if (r >= WARMUPS) {
      rates.push(n / (dt / 1000));
      cpuMs += (c.user + c.system) / 1000;
      wallMs += dt;
    }
  }
  report({ name, unit: "spans/s", value: median(rates), runs: rates.map(Math.round) });
  if (cpu) report({ name, unit: "cpu/wall", value: cpuMs / wallMs });
}

function inProcess(): void {
  if (!["decode", "process", "inproc"].some(wantSection)) return;
  const corpus = readCorpus(THROUGHPUT_CORPUS, SEED, log);
  const spans = corpus.manifest.spans;
  const batches = corpus.batches;
  const clocks = batches.map((b) => batchClockMs(indexBatch(b)));
  const cfg = benchTenantConfig();
  const projection = benchProjection(cfg);
  log(`in-process: corpus ${THROUGHPUT_CORPUS}, ${spans} spans in ${batches.length} batches, ${WARMUPS} warm-up + ${RUNS} runs each`);

  // The receivers' decoder: one instance, batch reused request after request.
  const wire = new WireBatchDecoder(projection);
  measure("decode.fast", spans, () => null, () => {
    let n = 0;
    for (let i = 0; i < batches.length; i++) n += wire.decode(batches[i]).spanCount;
    return n;
  });
  measure("decode.generated", spans, () => null, function generatedDecodeRun(): number {
    let n = 0;
    for (let i = 0; i < batches.length; i++) n += batchFromRequest(decodeProtobuf(batches[i]), projection).spanCount;
    return n;
  });

  const stages: [string, "span-metrics" | "service-graphs" | "host-info"][] = [
    ["process.span_metrics", "span-metrics"],
    ["process.service_graphs", "service-graphs"],
    ["process.host_info", "host-info"],
  ];
  if (stages.some(([n]) => want(n))) {
    const decoded: SpanBatch[] = batches.map((b) => decodeProtobufBatch(b, projection));
    for (const [name, processor] of stages) {
      measure(name, spans, () => new BenchPipeline(cfg, projection, [processor]), (p) => {
        for (let i = 0; i < decoded.length; i++) p.process(decoded[i], clocks[i]);
        return spans;
      });
    }
  }

  // named, so a profile can be cut to the timed loop (profile-summary.ts --under pipelineRun)
  const all = (decode: (b: Uint8Array) => SpanBatch) =>
    function pipelineRun(p: BenchPipeline): number {
      for (let i = 0; i < batches.length; i++) {
        const r = p.send(decode(batches[i]), clocks[i]);
        if (r.rejectedSpans !== 0) throw new Error(`batch ${i}: ${r.errorMessage}`);
      }
      return p.tenant.stats.spansReceived;
    };
  measure("inproc.all", spans, () => new BenchPipeline(cfg, projection), all((b) => wire.decode(b)), true);
  measure("inproc.all_generated", spans, () => new BenchPipeline(cfg, projection), all((b) => batchFromRequest(decodeProtobuf(b), projection)));
}

// ---------------------------------------------------------------------------
// 2. end to end against dist/redgen

const CLK_TCK = 100; // Linux USER_HZ; /proc/<pid>/stat counts in these ticks

function procCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state): utime is field 14, stime field 15
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

function procRssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m === null ? Number.NaN : Number(m[1]) * 1024;
}

async function runLoader(args: Record<string, string | number>): Promise<LoadResult & { cpuMs: number }> {
  const cmd = [process.execPath, join(import.meta.dir, "load.ts"), ...Object.entries(args).flatMap(([k, v]) => [`--${k}`, String(v)])];
  const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "inherit", cwd: REPO_ROOT });
  const out = await new Response(proc.stdout).text();
  const code = await proc.exited;
  if (code !== 0) throw new Error(`load generator exited with ${code}: ${out}`);
  const result = JSON.parse(out.trim().split("\n").pop() as string) as LoadResult;
  return { ...result, cpuMs: Number(proc.resourceUsage()?.cpuTime.total ?? 0) / 1000 };
}

function sumCalls(exposition: string): number {
  let sum = 0;
  for (const line of exposition.split("\n")) {
    if (!line.startsWith("traces_spanmetrics_calls_total{") && !line.startsWith("traces_spanmetrics_calls_total ")) continue;
    sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

async function endToEnd(protocol: "http" | "grpc"): Promise<void> {
  const name = `e2e.${protocol}`;
  if (!want(name)) return;
  ensureCorpus(THROUGHPUT_CORPUS, SEED, log);
  ensureBinary();
  const redgen = await Redgen.start({ config: benchYaml({ receivers: true, maxItems: 250_000 }) });
  try {
    const grpcPort = /otlp_grpc=\S+:(\d+)/.exec(redgen.process.stderr)?.[1];
    const url = protocol === "http" ? redgen.otlpHttpUrl : `http://127.0.0.1:${grpcPort}`;
    const common = { corpus: corpusDir(THROUGHPUT_CORPUS, SEED), protocol, url, tenant: TENANT, concurrency: E2E_CONCURRENCY };
    log(`${name}: redgen pid ${redgen.process.pid}, warm-up ${E2E_WARM_SECONDS} s, then ${E2E_SECONDS} s with ${E2E_CONCURRENCY} requests in flight`);
    const warm = await runLoader({ ...common, duration: E2E_WARM_SECONDS, "pass-base": 1 << 20 });
    const pid = redgen.process.pid;
    const cpu0 = procCpuSeconds(pid);
    const load = await runLoader({ ...common, duration: E2E_SECONDS, "pass-base": 0 });
    const cpu = procCpuSeconds(pid) - cpu0;
    const rss = procRssBytes(pid);
    const calls = sumCalls(await redgen.generated(TENANT));
    const accepted = warm.spansAccepted + load.spansAccepted;
    const sent = warm.spansSent + load.spansSent;
    if (load.failedRequests + warm.failedRequests > 0) problem(`${name}: ${load.failedRequests + warm.failedRequests} failed requests, first: ${load.firstError || warm.firstError}`);
    if (accepted !== sent) problem(`${name}: ${sent - accepted} spans rejected (partial success)`);
    if (calls !== sent) problem(`${name}: ${sent} spans sent, traces_spanmetrics_calls_total sums to ${calls}`);
    report({ name, unit: "spans/s", value: load.spansAccepted / (load.elapsedMs / 1000) });
    report({ name, unit: "cpu_s/Mspans", value: cpu / (load.spansAccepted / 1e6) });
    report({ name, unit: "redgen_cpu/wall", value: cpu / (load.elapsedMs / 1000) });
    report({ name, unit: "loader_cpu/wall", value: load.cpuMs / load.elapsedMs });
    report({ name, unit: "lost_spans", value: sent - calls });
    report({ name, unit: "rss_mb", value: rss / 2 ** 20 });
  } finally {
    await redgen.stop();
  }
}

// ---------------------------------------------------------------------------
// 3 + 4. memory per active series, collection + remote-write encode (child process each)

interface MemoryResult {
  variant: string;
  spans: number;
  expectedActive: number;
  active: number;
  rssBefore: number;
  rssAfter: number;
  heapBefore: number;
  heapAfter: number;
  fillMs: number;
  collect?: CollectResult;
}

interface CollectResult {
  firstMs: number;
  encodeMs: number;
  snappyMs: number;
  totalMs: number;
  samples: number;
  requests: number;
  bodyBytes: number;
  snappyBytes: number;
}

function gc(): void {
  for (let k = 0; k < 3; k++) Bun.gc(true);
}

/** The remote_write defaults redgen runs with, plus exemplars on (what Tempo setups usually enable). */
function remoteWriteSettings(): { maxSamplesPerSend: number; sendExemplars: boolean } {
  const rw = parseConfig("metrics_generator:\n  storage:\n    remote_write:\n      - url: http://127.0.0.1:9/api/v1/write\n").generator.storage.remote_write[0];
  return { maxSamplesPerSend: rw.queue.max_samples_per_send, sendExemplars: true };
}

function collectOnce(p: BenchPipeline, ts: number): Omit<CollectResult, "firstMs" | "totalMs"> & { ms: number } {
  const { maxSamplesPerSend, sendExemplars } = remoteWriteSettings();
  const t0 = performance.now();
  const enc = new WriteRequestEncoder(maxSamplesPerSend, sendExemplars);
  p.collect(enc, "remote", ts);
  const requests = enc.finish();
  const t1 = performance.now();
  let snappyBytes = 0;
  let bodyBytes = 0;
  let samples = 0;
  for (const r of requests) {
    snappyBytes += snappyCompress(r.body).length;
    bodyBytes += r.body.length;
    samples += r.samples;
  }
  const t2 = performance.now();
  return { ms: t2 - t0, encodeMs: t1 - t0, snappyMs: t2 - t1, samples, requests: requests.length, bodyBytes, snappyBytes };
}

async function memoryChild(variant: string, withCollect: boolean): Promise<MemoryResult> {
  const corpus = readCorpus(variant, SEED);
  const clocks = corpus.batches.map((b) => batchClockMs(indexBatch(b)));
  const cfg = benchTenantConfig();
  const projection = benchProjection(cfg);
  let p = new BenchPipeline(cfg, projection);
  // one small warm-up so the JIT and the lazily built parts do not count as series memory
  p.send(decodeProtobufBatch(corpus.batches[0], projection), clocks[0]);
  p = new BenchPipeline(cfg, projection);
  // decode everything once: the heap grows to hold decode garbage before the baseline, not after
  for (const b of corpus.batches) decodeProtobufBatch(b, projection);
  gc();
  const before = process.memoryUsage();
  const t0 = performance.now();
  for (let i = 0; i < corpus.batches.length; i++) {
    const r = p.send(decodeProtobufBatch(corpus.batches[i], projection), clocks[i]);
    if (r.rejectedSpans !== 0) throw new Error(`batch ${i}: ${r.errorMessage}`);
  }
  const fillMs = performance.now() - t0;
  p.shutdown();
  gc();
  const after = process.memoryUsage();
  const result: MemoryResult = {
    variant,
    spans: corpus.manifest.spans,
    expectedActive: corpus.manifest.expected.activeSeries,
    active: p.registry.limiter.active,
    rssBefore: before.rss,
    rssAfter: after.rss,
    heapBefore: before.heapUsed,
    heapAfter: after.heapUsed,
    fillMs,
  };
  if (withCollect) {
    // The first remote collection also writes every series' zero sample; later ones are steady state.
    let ts = p.clock + 15_000;
    const first = collectOnce(p, ts);
    const steady: ReturnType<typeof collectOnce>[] = [];
    for (let k = 0; k < (QUICK ? 2 : 3); k++) {
      ts += 15_000;
      gc();
      steady.push(collectOnce(p, ts));
    }
    steady.sort((a, b) => a.ms - b.ms);
    const m = steady[steady.length >> 1];
    result.collect = { firstMs: first.ms, encodeMs: m.encodeMs, snappyMs: m.snappyMs, totalMs: m.ms, samples: m.samples, requests: m.requests, bodyBytes: m.bodyBytes, snappyBytes: m.snappyBytes };
  }
  return result;
}

async function memory(variant: string): Promise<void> {
  const mem = `memory.${variant}`;
  const col = `collect.${variant}`;
  if (!want(mem) && !want(col)) return;
  ensureCorpus(variant, SEED, log);
  log(`${mem}: filling a registry in a child process`);
  const cmd = [process.execPath, import.meta.path, "--child", "memory", "--variant", variant, "--seed", String(SEED)];
  if (want(col)) cmd.push("--collect");
  if (QUICK) cmd.push("--quick");
  const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "inherit", cwd: REPO_ROOT });
  const out = await new Response(proc.stdout).text();
  if ((await proc.exited) !== 0) throw new Error(`memory child for ${variant} failed: ${out}`);
  const r = JSON.parse(out.trim().split("\n").pop() as string) as MemoryResult;
  if (r.active !== r.expectedActive) problem(`${mem}: ${r.active} active series, the corpus manifest expects ${r.expectedActive}`);
  if (want(mem)) {
    report({ name: mem, unit: "active_series", value: r.active });
    report({ name: mem, unit: "rss_bytes/series", value: (r.rssAfter - r.rssBefore) / r.active });
    report({ name: mem, unit: "heap_bytes/series", value: (r.heapAfter - r.heapBefore) / r.active });
    report({ name: mem, unit: "rss_mb", value: r.rssAfter / 2 ** 20 });
    report({ name: mem, unit: "fill_spans/s", value: r.spans / (r.fillMs / 1000) });
  }
  if (r.collect !== undefined && want(col)) {
    const c = r.collect;
    report({ name: col, unit: "first_ms", value: c.firstMs });
    report({ name: col, unit: "ms", value: c.totalMs });
    report({ name: col, unit: "encode_ms", value: c.encodeMs });
    report({ name: col, unit: "snappy_ms", value: c.snappyMs });
    report({ name: col, unit: "samples", value: c.samples });
    report({ name: col, unit: "requests", value: c.requests });
    report({ name: col, unit: "body_mb", value: c.bodyBytes / 2 ** 20 });
    report({ name: col, unit: "snappy_mb", value: c.snappyBytes / 2 ** 20 });
  }
}

// ---------------------------------------------------------------------------

function machine() {
  const c = cpus();
  return {
    cpu: c[0]?.model ?? "unknown",
    cores: c.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    bun: Bun.version,
    platform: `${process.platform} ${process.arch}`,
    quick: QUICK,
  };
}

async function main(): Promise<void> {
  const child = option("child");
  if (child === "memory") {
    const r = await memoryChild(option("variant") as string, flag("collect"));
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  const t0 = performance.now();
  const m = machine();
  if (!JSON_OUT) process.stdout.write(`# ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, bun ${m.bun}, ${m.platform}${QUICK ? ", --quick" : ""}\n`);
  inProcess();
  await endToEnd("http");
  await endToEnd("grpc");
  for (const v of MEMORY_CORPORA) await memory(v);
  log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (JSON_OUT) process.stdout.write(`${JSON.stringify({ machine: m, corpus: THROUGHPUT_CORPUS, figures, problems }, null, 2)}\n`);
  if (problems.length > 0) process.exitCode = 1;
}

await main();
