/**
 * The child side of pause.<variant>, run as `bench.ts --child pause`: fills
 * a registry from a corpus (as memory-child.ts does), serves it the way
 * redgen does (the OTLP/HTTP receiver and the API app, each on its port, on
 * this process's one event loop), and runs the long jobs of a big registry
 * one after another while the prober (pause-prober.ts, another process)
 * sends small OTLP requests every 5 ms: a collection round with its
 * checkpoint (encode + snappy + capture + zstd/fsync of the checkpoint), a
 * stale sweep, a scrape of /metrics/generated (text, then protobuf) and a
 * live-page poll. For each
 * job it reports the longest event-loop pause (gaps of a 1 ms interval timer
 * beyond its period) and the latency of the probe requests sent meanwhile.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeProtobufBatch } from "../../../src/decode/otlp-wire.ts";
import { createPush } from "../../../src/process/push.ts";
import { Tenants } from "../../../src/process/tenants.ts";
import { InflightBudget } from "../../../src/receive/inflight-budget.ts";
import { ReceiverStats, otlpHttpApp } from "../../../src/receive/otlp-http.ts";
import { TraceExport } from "../../../src/receive/trace-export.ts";
import { TenantWriter } from "../../../src/remote-write/tenant-writer.ts";
import { apiApp } from "../../../src/serve/api.ts";
import { PROTOBUF_EXPOSITION } from "../../../src/serve/proto-exposition.ts";
import type { LiveSources } from "../../../src/serve/live/live-sources.ts";
import { TenantState } from "../../../src/storage/tenant-state.ts";
import { SelfMetrics } from "../../../src/telemetry/self-metrics.ts";
import { sweepStale } from "../../../src/wiring/periodic.ts";
import { benchTenantConfig } from "../bench-config.ts";
import { readCorpus } from "../corpus.ts";
import { BenchPipeline, batchClockMs, benchProjection } from "../harness.ts";
import { indexBatch } from "../wire-patch.ts";
import type { ProbeRecord } from "./pause-prober.ts";

/** One long job measured while probes run. */
export interface PausePhase {
  name: string;
  /** how long the job took, wall clock */
  jobMs: number;
  /** the longest event-loop pause while it ran, and how many were longer than 50 ms */
  pauseMaxMs: number;
  pausesOver50: number;
  /** probe requests sent while it ran, their latency p50 / p99 / max, and how many failed */
  probes: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  failed: number;
}

export interface PauseResult {
  variant: string;
  active: number;
  phases: PausePhase[];
}

const PROBER = join(import.meta.dir, "pause-prober.ts");
const HOST = "127.0.0.1";

/** The long jobs, as this version of redgen runs them (the one place that knows whether they are sliced). */
function jobs(tenant: BenchPipeline["tenant"], state: TenantState) {
  return {
    capture: function* (seq: number, ts: number) {
      return yield* state.captureSteps(tenant, seq, ts, new Map());
    },
    sweep: (now: number) => sweepStale(tenant, now),
  };
}

/** Watches the event loop: a 1 ms interval timer, and the gaps between its runs. */
class LoopWatch {
  private last = performance.now();
  private gaps: { at: number; ms: number }[] = [];
  private readonly timer = setInterval(() => {
    const now = performance.now();
    this.gaps.push({ at: now, ms: now - this.last - 1 });
    this.last = now;
  }, 1);

  /** The pauses that overlap [from, to] (performance.now() times), longest first. */
  pauses(from: number, to: number): number[] {
    const out: number[] = [];
    for (const g of this.gaps) {
      const began = g.at - g.ms - 1;
      if (began <= to && g.at >= from) out.push(g.ms);
    }
    return out.sort((a, b) => b - a);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export async function pauseChild(seed: number, variant: string): Promise<PauseResult> {
  const corpus = readCorpus(variant, seed);
  const cfg = benchTenantConfig();
  const projection = benchProjection(cfg);
  const p = new BenchPipeline(cfg, projection);
  for (const b of corpus.batches) {
    const r = p.send(decodeProtobufBatch(b, projection), batchClockMs(indexBatch(b)));
    if (r.rejectedSpans !== 0) throw new Error(r.errorMessage);
  }
  p.expireAll();
  const tenant = p.tenant;
  const dir = mkdtempSync(join(tmpdir(), "redgen-bench-pause-"));
  const state = new TenantState(dir, tenant.id);
  const job = jobs(tenant, state);

  const exporter = new TraceExport(createPush(new Tenants(() => tenant), Date.now), projection);
  const receiverApp = otlpHttpApp(exporter, { maxRequestBytes: 16 << 20, budget: new InflightBudget(64 << 20) }, new ReceiverStats());
  const live: LiveSources = {
    version: "bench",
    tenantIds: () => [tenant.id],
    registryOf: () => tenant.registry,
    health: () => ({ spansReceived: tenant.stats.spansReceived, discarded: [], activeSeries: tenant.registry.limiter.active, maxActiveSeries: 0, seriesLimited: 0, remoteWrite: [] }),
    kafka: () => null,
  };
  const api = apiApp({ selfMetrics: new SelfMetrics(), registryOf: () => tenant.registry, notReady: () => null, statusConfig: () => "", statusStorage: () => ({}), live });
  const receiver = Bun.serve({ hostname: HOST, port: 0, fetch: receiverApp.fetch });
  const apiServer = Bun.serve({ hostname: HOST, port: 0, fetch: api.fetch });
  const prober = Bun.spawn([process.execPath, PROBER], { stdout: "pipe", stderr: "inherit" });
  const reader = prober.stdout.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  const control = `http://${HOST}:${(JSON.parse(first) as { port: number }).port}`;

  const queue = { release() {}, append: async () => {} };
  const writer = new TenantWriter(
    tenant.id,
    tenant.registry,
    [{ queue: queue as never, maxSamplesPerSend: 2000, sendExemplars: true, protocol: "v1", sendNative: () => false }],
    3_600_000,
    false,
    {
      capture: job.capture,
      write: (c) => state.checkpoint.write(c.seq, c.payload),
      writeSync: (c) => state.checkpoint.writeSync(c.seq, c.payload),
      durable: () => {},
    },
  );
  // the first round writes every zero sample; steady rounds are what runs every 15 s
  await writer.collectRound(Date.now());

  const watch = new LoopWatch();
  const phases: PausePhase[] = [];
  const measure = async (name: string, run: () => Promise<unknown>) => {
    await fetch(`${control}/probe/start?url=${encodeURIComponent(`http://${HOST}:${receiver.port}`)}&tenant=${tenant.id}`, { method: "POST" });
    // the probes settle first (connections open, JIT warm)
    await Bun.sleep(300);
    const w0 = Date.now();
    const t0 = performance.now();
    await run();
    const t1 = performance.now();
    const w1 = Date.now();
    await Bun.sleep(100);
    const records = (await (await fetch(`${control}/probe/stop`, { method: "POST" })).json()) as ProbeRecord[];
    const during = records.filter((r) => r.sentAt >= w0 && r.sentAt <= w1);
    const ms = during.map((r) => r.ms).sort((a, b) => a - b);
    const pauses = watch.pauses(t0, t1);
    phases.push({
      name,
      jobMs: t1 - t0,
      pauseMaxMs: pauses[0] ?? 0,
      pausesOver50: pauses.filter((ms) => ms > 50).length,
      probes: during.length,
      p50Ms: quantile(ms, 0.5),
      p99Ms: quantile(ms, 0.99),
      maxMs: ms.at(-1) ?? Number.NaN,
      failed: during.filter((r) => r.status !== 200).length,
    });
  };
  const fetchVia = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${control}/fetch?url=${encodeURIComponent(`http://${HOST}:${apiServer.port}${path}`)}&headers=${encodeURIComponent(JSON.stringify(headers))}`);
    const r = (await res.json()) as { status: number; bytes: number };
    if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
  };
  try {
    await measure("round", () => writer.collectRound(Date.now()));
    // at the fill's clock: the sweep walks every series and removes none (as the sweep every few minutes mostly does)
    await measure("sweep", () => job.sweep(p.clock));
    await measure("scrape", () => fetchVia(`/metrics/generated?tenant=${tenant.id}`));
    await measure("scrape_protobuf", () => fetchVia(`/metrics/generated?tenant=${tenant.id}`, { accept: PROTOBUF_EXPOSITION }));
    await measure("page", () => fetchVia(`/live/summary?tenant=${tenant.id}`));
  } finally {
    watch.stop();
    prober.kill();
    receiver.stop(true);
    apiServer.stop(true);
    rmSync(dir, { recursive: true, force: true });
  }
  return { variant, active: tenant.registry.limiter.active, phases };
}
