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
 *   npm run bench -- --auth bearer the e2e receivers require a bearer token (or `basic`: an htpasswd user) the loader sends
 *   npm run bench -- --only e2e,collector
 *                                  redgen and the OpenTelemetry Collector under the same load (collector.* is opt-in:
 *                                  named in --only, or --collector to add it to the run; builds the Collector once)
 *
 * What is measured (details and method: test/bench/README.md):
 *   drain.*                        the span-name sanitizer alone: ns per call on cache misses and hits, heap at 100k names
 *   decode.*, process.*, inproc.*  in-process, one JS thread, spans/s over the corpus, median of runs after warm-up
 *   controls.*                     inproc.all with one cardinality control on (sanitizing, per-label limit, entity limiter)
 *   startup.ready_ms, startup.rss_mb  the compiled binary with the embedded default: spawn to GET /ready = 200, RSS then
 *   e2e.http, e2e.grpc             the compiled binary under load from a separate process: accepted spans/s,
 *                                  redgen CPU-seconds per million spans (/proc/<pid>/stat), lost spans (must be 0),
 *                                  RSS idle / peak during the load (with its anonymous and file-backed parts) / at its end
 *                                  (--cpu-prof DIR: a .cpuprofile of redgen per protocol)
 *   collector.http, collector.grpc the OpenTelemetry Collector (spanmetrics + servicegraph connectors, remote write)
 *                                  under the e2e load with the bench config's settings: the same figures, and the
 *                                  ratios of its CPU per span and peak RSS to redgen's (opt-in, never in CI)
 *   memory.<corpus>                RSS and heap bytes per active series after filling a registry (child process)
 *   collect.<corpus>               collection + remote-write encode + snappy for that registry, ms
 *   page.weight, page.<corpus>     the live page: document bytes (gzip), CPU of one poll of that registry
 *   attack.chunked, attack.idle    the binary under 48 parallel chunked 15 MiB uploads / 1,000 idle gRPC
 *                                  connections at a 1,024-descriptor limit: peak RSS and descriptors
 *                                  (--binary PATH: startup.*, e2e.* and attack.* against another build)
 *   pause.<corpus>.<job>           the longest event-loop pause and small OTLP requests' latency (p50/p99/max)
 *                                  during a collection round + checkpoint, a stale sweep, a scrape, a live-page poll
 *   native.*                       inproc.all per generate_native_histograms mode, bytes per histogram label set
 *                                  per mode, remote write 2.0 vs 1.0 bytes of one round
 *
 * This file only wires the figures (figures/*.ts) together, in the order
 * above; it is also the memory figures' child process (`--child memory`).
 */
import { attacks } from "./figures/attack.ts";
import { collectorFigures } from "./figures/collector.ts";
import { controls } from "./figures/controls.ts";
import { drainFigures } from "./figures/drain.ts";
import { endToEnd } from "./figures/end-to-end.ts";
import { inProcess } from "./figures/in-process.ts";
import { memoryChild } from "./figures/memory-child.ts";
import { memory } from "./figures/memory.ts";
import { pageWeight } from "./figures/page.ts";
import { pauseChild } from "./figures/pause-child.ts";
import { pauses } from "./figures/pause.ts";
import { nativeFigures, nativeMemoryChild } from "./figures/native.ts";
import type { HistogramMode } from "../../src/registry/registry.ts";
import { Report, log, machine } from "./figures/report.ts";
import { startup } from "./figures/startup.ts";
import { benchSettings, readArgs } from "./figures/settings.ts";

async function main(): Promise<void> {
  const args = readArgs(process.argv.slice(2));
  const settings = benchSettings(args);
  if (args.option("child") === "memory") {
    const r = await memoryChild(settings, args.option("variant") as string, args.flag("collect"));
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  if (args.option("child") === "pause") {
    const r = await pauseChild(settings.seed, args.option("variant") as string);
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  if (args.option("child") === "native-memory") {
    const r = nativeMemoryChild(args.option("mode") as HistogramMode | "counter", Number(args.option("series")));
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  const t0 = performance.now();
  const report = new Report(!settings.json);
  const m = machine(settings.quick);
  if (!settings.json) process.stdout.write(`# ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, bun ${m.bun}, ${m.platform}${settings.quick ? ", --quick" : ""}${settings.auth === "none" ? "" : `, --auth ${settings.auth}`}\n`);
  drainFigures(settings, report);
  inProcess(settings, report);
  controls(settings, report);
  await startup(settings, report, args.option("binary"));
  await endToEnd(settings, report, "http", args.option("binary"));
  await endToEnd(settings, report, "grpc", args.option("binary"));
  await collectorFigures(settings, report, "http");
  await collectorFigures(settings, report, "grpc");
  for (const v of settings.memoryCorpora) await memory(settings, report, v);
  pageWeight(settings, report);
  await pauses(settings, report);
  await attacks(settings, report, args.option("binary"));
  await nativeFigures(settings, report);
  log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (settings.json) {
    process.stdout.write(`${JSON.stringify({ machine: m, corpus: settings.throughputCorpus, figures: report.figures, problems: report.problems }, null, 2)}\n`);
  }
  if (report.problems.length > 0) process.exitCode = 1;
}

await main();
