/**
 * native.*: what generate_native_histograms costs, and what remote write
 * 2.0 saves.
 * - native.inproc_<mode>: the whole in-process push path (fast decoder,
 *   every processor) over the throughput corpus in classic, native and both
 *   mode, as inproc.all is measured (spans/s, cpu/wall).
 * - native.memory_<mode>: bytes per histogram label set of one latency
 *   histogram filled with realistic latencies (a log-normal per series, about
 *   36 buckets each), in a child process: heap and RSS growth per label set,
 *   and the buckets a native series holds. native.memory_counter is the same
 *   label sets with one counter: what the labels cost, to subtract.
 * - native.rw_<mode>: one steady collection round of the corpus-filled
 *   pipeline encoded as remote write 1.0 and 2.0: bytes of both, their
 *   ratio (snappy-compressed, as sent, and raw), and the encode time.
 */
import { join } from "node:path";
import type { TenantConfig } from "../../../src/config/types.ts";
import { WireBatchDecoder } from "../../../src/decode/otlp-wire.ts";
import type { HistogramMode } from "../../../src/registry/registry.ts";
import { Registry } from "../../../src/registry/registry.ts";
import { type RoundEncoder, WriteRequestEncoder } from "../../../src/remote-write/encode.ts";
import { WriteV2Encoder } from "../../../src/remote-write/encode-v2.ts";
import { LabelBytesCache } from "../../../src/remote-write/label-bytes.ts";
import { SymbolCache } from "../../../src/remote-write/symbol-cache.ts";
import { snappyCompress } from "../../../src/remote-write/snappy.ts";
import { REPO_ROOT } from "../../support/setup.ts";
import { benchTenantConfig } from "../bench-config.ts";
import { Rng } from "../corpus/rng.ts";
import { readCorpus } from "../corpus.ts";
import { BenchPipeline, batchClockMs, benchProjection } from "../harness.ts";
import { indexBatch } from "../wire-patch.ts";
import { fullGc, rateMeasurer } from "./measure.ts";
import { type Report, log } from "./report.ts";
import { type BenchSettings, wants, wantsSection } from "./settings.ts";

const MODES: HistogramMode[] = ["classic", "native", "both"];
const BENCH_TS = join(import.meta.dir, "..", "bench.ts");

export async function nativeFigures(settings: BenchSettings, report: Report): Promise<void> {
  if (!wantsSection(settings, "native")) return;
  const measure = rateMeasurer(settings, report);
  const corpus = readCorpus(settings.throughputCorpus, settings.seed, log);
  const spans = corpus.manifest.spans;
  const batches = corpus.batches;
  const clocks = batches.map((b) => batchClockMs(indexBatch(b)));
  const base = benchTenantConfig();
  const projection = benchProjection(base);
  const wire = new WireBatchDecoder(projection);
  const filled = (mode: HistogramMode): BenchPipeline => {
    const p = new BenchPipeline(withMode(base, mode), projection);
    for (let i = 0; i < batches.length; i++) {
      const r = p.send(wire.decode(batches[i]), clocks[i]);
      if (r.rejectedSpans !== 0) throw new Error(`native.${mode} batch ${i}: ${r.errorMessage}`);
    }
    return p;
  };
  for (const mode of MODES) {
    measure(`native.inproc_${mode}`, spans, () => null, () => filled(mode).tenant.stats.spansReceived, true);
  }
  for (const mode of MODES) {
    if (wants(settings, `native.rw_${mode}`)) encodeSizes(filled(mode), mode, report);
  }
  for (const mode of ["counter", ...MODES] as const) {
    const name = `native.memory_${mode}`;
    if (!wants(settings, name)) continue;
    const series = settings.quick ? 5_000 : 100_000;
    const proc = Bun.spawn([process.execPath, BENCH_TS, "--child", "native-memory", "--mode", mode, "--series", String(series)], { stdout: "pipe", stderr: "inherit", cwd: REPO_ROOT });
    const out = await new Response(proc.stdout).text();
    if ((await proc.exited) !== 0) throw new Error(`${name} child failed: ${out}`);
    const r = JSON.parse(out.trim().split("\n").pop() as string) as NativeMemoryResult;
    report.add({ name, unit: "label_sets", value: r.series });
    report.add({ name, unit: "heap_bytes/label_set", value: r.heapBytes / r.series });
    report.add({ name, unit: "rss_bytes/label_set", value: r.rssBytes / r.series });
    if (mode !== "classic" && mode !== "counter") report.add({ name, unit: "buckets/label_set", value: r.buckets / r.series });
  }
}

function withMode(cfg: TenantConfig, mode: HistogramMode): TenantConfig {
  return { ...cfg, generate_native_histograms: mode };
}

/** A steady round (the zero-first samples of the first are left out) as 1.0 and 2.0. */
function encodeSizes(p: BenchPipeline, mode: HistogramMode, report: Report): void {
  const labels = new LabelBytesCache();
  const symbols = new SymbolCache();
  const round = (enc: RoundEncoder, ts: number) => {
    const t0 = performance.now();
    p.collect(enc, "remote", ts);
    const reqs = enc.finish();
    const ms = performance.now() - t0;
    let raw = 0;
    let snappy = 0;
    for (const r of reqs) {
      raw += r.body.length;
      snappy += snappyCompress(r.body).length;
    }
    return { ms, raw, snappy };
  };
  const ts = p.clock + 15_000;
  // as the writer runs them: caches kept across rounds, steady rounds measured
  round(new WriteRequestEncoder(2000, true, labels), ts);
  round(new WriteV2Encoder(2000, true, true, symbols), ts);
  fullGc();
  const v1 = round(new WriteRequestEncoder(2000, true, labels), ts + 15_000);
  fullGc();
  const v2 = round(new WriteV2Encoder(2000, true, true, symbols), ts + 15_000);
  const name = `native.rw_${mode}`;
  report.add({ name, unit: "rw1_snappy_bytes", value: v1.snappy });
  report.add({ name, unit: "rw2_snappy_bytes", value: v2.snappy });
  report.add({ name, unit: "rw2/rw1_snappy", value: v2.snappy / v1.snappy });
  if (v2.snappy >= v1.snappy) report.problem(`${name}: a remote write 2.0 round (${v2.snappy} B) is not smaller than 1.0's (${v1.snappy} B)`);
  report.add({ name, unit: "rw2/rw1_raw", value: v2.raw / v1.raw });
  report.add({ name, unit: "rw1_encode_ms", value: v1.ms });
  report.add({ name, unit: "rw2_encode_ms", value: v2.ms });
}

export interface NativeMemoryResult {
  series: number;
  heapBytes: number;
  rssBytes: number;
  buckets: number;
}

/**
 * The child of native.memory_<mode>: `series` label sets of a span-metrics
 * latency histogram (Tempo's default buckets), each fed 200 latencies from
 * its own log-normal (median 2 ms to 2 s, σ 0.6), measured after a full GC.
 */
export function nativeMemoryChild(mode: HistogramMode | "counter", series: number): NativeMemoryResult {
  const make = () => new Registry({ externalLabels: { __metrics_gen_instance: "bench" }, maxLabelNameLength: 1024, maxLabelValueLength: 2048, staleDurationMs: 900_000, maxActiveSeries: () => 0, traceIdLabelName: "traceID" });
  const buckets = Array.from({ length: 14 }, (_, n) => 0.002 * 2 ** n);
  const rng = new Rng(7);
  const trace = new Uint8Array(16);
  const fill = (r: Registry, n: number) => {
    const h = mode === "counter" ? null : r.histogram("traces_spanmetrics_latency", buckets, mode);
    const c = mode === "counter" ? r.counter("traces_spanmetrics_calls_total") : null;
    const schema = r.fixedSchema(["service", "span_name", "span_kind", "status_code"]);
    for (let i = 0; i < n; i++) {
      const ls = schema.resolve([`service-${i % 20}`, `operation-${i}`, "SPAN_KIND_SERVER", "STATUS_CODE_UNSET"]);
      if (ls === null) throw new Error("labels refused");
      const median = Math.log(0.002) + rng.float() * Math.log(1000);
      for (let k = 0; k < 200; k++) {
        // Box-Muller: a normal draw for the log-normal latency
        const z = Math.sqrt(-2 * Math.log(1 - rng.float())) * Math.cos(2 * Math.PI * rng.float());
        for (let b = 0; b < 16; b++) trace[b] = rng.int(256);
        if (h !== null) h.observe(ls, Math.exp(median + 0.6 * z), 1, trace, 0, 1_000_000 + k);
        else c?.add(ls, 1, 1_000_000 + k);
      }
    }
    return r;
  };
  fill(make(), 100); // warm-up: JIT and lazily built parts
  fullGc();
  const before = process.memoryUsage();
  const r = fill(make(), series);
  fullGc();
  const after = process.memoryUsage();
  let populated = 0;
  r.collect(2_000_000, {
    family() {},
    begin() {},
    zero() {},
    sample() {},
    zeroHistogram() {},
    histogram(_ts, h) {
      for (let i = 1; i < h.positiveSpans.length; i += 2) populated += h.positiveSpans[i];
      for (let i = 1; i < h.negativeSpans.length; i += 2) populated += h.negativeSpans[i];
    },
    exemplar() {},
  }, "scrape");
  if (r.limiter.active === 0) throw new Error("no series");
  return { series, heapBytes: after.heapUsed - before.heapUsed, rssBytes: after.rss - before.rss, buckets: populated };
}
