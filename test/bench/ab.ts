/**
 * Paired in-process A/B of two checkouts (`git worktree add`, each with
 * node_modules): both load into this one process and take turns over the
 * same corpus — decode + every processor, as inproc.all — alternating which
 * goes first, CPU time per round. On a shared VM single rounds move ±30 %,
 * and only ratios of the same moment show 2–6 % effects: it prints B/A of
 * the best round of each side (the least disturbed) and the median of the
 * per-pair ratios; run it in both orders and trust what agrees.
 *
 *   bun test/bench/ab.ts ROOT_A ROOT_B [--rounds 40] [--corpus base] [--target-info] [--only span-metrics|decode]
 */
import { DEFAULT_SEED } from "./corpus/options.ts";
import { readCorpus } from "./corpus.ts";
import { readArgs } from "./figures/settings.ts";

interface Side {
  /** one pass over the corpus; spans per CPU-second */
  run(): number;
}

/** The pipeline of the checkout at `root` over `batches`, built from that checkout's own modules. */
async function side(root: string, batches: Uint8Array[], spans: number, targetInfo: boolean, only: string | undefined): Promise<Side> {
  const { WireBatchDecoder } = await import(`${root}/src/decode/otlp-wire.ts`);
  const { benchTenantConfig } = await import(`${root}/test/bench/bench-config.ts`);
  const { BenchPipeline, batchClockMs, benchProjection } = await import(`${root}/test/bench/harness.ts`);
  const { indexBatch } = await import(`${root}/test/bench/wire-patch.ts`);
  const clocks: number[] = batches.map((b) => batchClockMs(indexBatch(b)));
  const base = benchTenantConfig();
  const cfg = targetInfo ? { ...base, span_metrics: { ...base.span_metrics, enable_target_info: true } } : base;
  const projection = benchProjection(cfg);
  const wire = new WireBatchDecoder(projection);
  return {
    run() {
      // --only decode: the wire decoder alone, no pipeline
      const p = only === "decode" ? null : new BenchPipeline(cfg, projection, only === undefined ? undefined : [only]);
      Bun.gc(true);
      const c0 = process.cpuUsage();
      if (p === null) for (let i = 0; i < batches.length; i++) wire.decode(batches[i]);
      else for (let i = 0; i < batches.length; i++) p.send(wire.decode(batches[i]), clocks[i]);
      const c = process.cpuUsage(c0);
      return spans / ((c.user + c.system) / 1e6);
    },
  };
}

const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1];

/** The arguments that are neither flags nor the values of --rounds, --corpus and --only. */
function positional(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--rounds" || argv[i] === "--corpus" || argv[i] === "--only") i++;
    else if (!argv[i].startsWith("--")) out.push(argv[i]);
  }
  return out;
}

export async function abCompare(argv: string[]): Promise<{ bestRatio: number; medianRatio: number; a: number[]; b: number[] }> {
  const args = readArgs(argv);
  const [rootA, rootB] = positional(argv);
  if (rootA === undefined || rootB === undefined) throw new Error("usage: bun test/bench/ab.ts ROOT_A ROOT_B [--rounds N] [--corpus NAME] [--target-info] [--only PROCESSOR|decode]");
  const rounds = Number(args.option("rounds") ?? 40);
  const warm = Math.min(4, Math.floor(rounds / 4));
  const corpus = readCorpus(args.option("corpus") ?? "base", DEFAULT_SEED);
  const sides = [rootA, rootB];
  const built: Side[] = [];
  for (const root of sides) built.push(await side(root, corpus.batches, corpus.manifest.spans, args.flag("target-info"), args.option("only")));
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const first = r % 2;
    const x = built[first].run();
    const y = built[1 - first].run();
    if (r < warm) continue;
    a.push(first === 0 ? x : y);
    b.push(first === 0 ? y : x);
  }
  return { bestRatio: Math.max(...b) / Math.max(...a), medianRatio: median(b.map((v, i) => v / a[i])), a, b };
}

if (import.meta.main) {
  const r = await abCompare(process.argv.slice(2));
  console.log(`ab A best ${Math.round(Math.max(...r.a))} median ${Math.round(median(r.a))} spans/s`);
  console.log(`ab B best ${Math.round(Math.max(...r.b))} median ${Math.round(median(r.b))} spans/s`);
  console.log(`ab B/A best ${r.bestRatio.toFixed(3)} median of pairs ${r.medianRatio.toFixed(3)} (${r.a.length} pairs)`);
}
