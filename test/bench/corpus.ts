/**
 * `npm run bench:corpus` — writes the benchmark corpora as protobuf files:
 *
 *   .cache/bench/corpus-<variant>/batch-0000.pb …  one ExportTraceServiceRequest each
 *   .cache/bench/corpus-<variant>/manifest.json     options, counts, expected label sets/series
 *
 * Usage: bun test/bench/corpus.ts [--variant NAME]... [--all] [--seed N] [--force] [--verify]
 *   default variants: base 1k 100k 1m; --all adds the --quick stand-ins;
 *   --verify regenerates in memory and checks the files are byte-identical.
 * `npm run bench` calls ensureCorpus() itself, so running this first is optional.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../support/setup.ts";
import { generateCorpus } from "./corpus/generate.ts";
import type { Manifest } from "./corpus/manifest.ts";
import { type CorpusOptions, DEFAULT_SEED, GENERATOR_VERSION, VARIANTS } from "./corpus/options.ts";

export const CACHE_DIR = join(REPO_ROOT, ".cache", "bench");

export function corpusDir(variant: string, seed = DEFAULT_SEED): string {
  return join(CACHE_DIR, seed === DEFAULT_SEED ? `corpus-${variant}` : `corpus-${variant}-seed${seed}`);
}

export function optionsFor(variant: string, seed = DEFAULT_SEED): CorpusOptions {
  const v = VARIANTS[variant];
  if (v === undefined) throw new Error(`unknown corpus variant "${variant}" (known: ${Object.keys(VARIANTS).join(", ")})`);
  return { seed, ...v };
}

const batchFile = (i: number) => `batch-${String(i).padStart(4, "0")}.pb`;

function readManifest(dir: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest;
  } catch {
    return undefined;
  }
}

function upToDate(m: Manifest | undefined, o: CorpusOptions): m is Manifest {
  return m !== undefined && m.generator === GENERATOR_VERSION && JSON.stringify(m.options) === JSON.stringify(o);
}

/** Generates and writes a corpus; returns its manifest. */
export function writeCorpus(variant: string, seed = DEFAULT_SEED): Manifest {
  const dir = corpusDir(variant, seed);
  const corpus = generateCorpus(optionsFor(variant, seed));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  corpus.batches.forEach((b, i) => writeFileSync(join(dir, batchFile(i)), b));
  // manifest last: its presence marks a complete corpus
  writeFileSync(join(dir, "manifest.json"), `${JSON.stringify(corpus.manifest, null, 2)}\n`);
  return corpus.manifest;
}

/** The corpus's manifest, generating the files first when missing or stale. */
export function ensureCorpus(variant: string, seed = DEFAULT_SEED, log: (s: string) => void = () => {}): Manifest {
  const m = readManifest(corpusDir(variant, seed));
  if (upToDate(m, optionsFor(variant, seed))) return m;
  const t0 = performance.now();
  log(`generating corpus ${variant} …`);
  const out = writeCorpus(variant, seed);
  log(`generated corpus ${variant}: ${out.spans} spans in ${out.batches} batches (${Math.round(performance.now() - t0)} ms)`);
  return out;
}

export interface LoadedCorpus {
  manifest: Manifest;
  dir: string;
  batches: Uint8Array[];
}

/** Reads a corpus into memory (generating it first if needed). */
export function readCorpus(variant: string, seed = DEFAULT_SEED, log?: (s: string) => void): LoadedCorpus {
  ensureCorpus(variant, seed, log);
  return readCorpusDir(corpusDir(variant, seed));
}

/** Reads the corpus in `dir` as written by writeCorpus. */
export function readCorpusDir(dir: string): LoadedCorpus {
  const manifest = readManifest(dir);
  if (manifest === undefined) throw new Error(`no corpus in ${dir} (run npm run bench:corpus)`);
  const batches: Uint8Array[] = [];
  for (let i = 0; i < manifest.batches; i++) batches.push(new Uint8Array(readFileSync(join(dir, batchFile(i)))));
  return { manifest, dir, batches };
}

function verify(variant: string, seed: number): boolean {
  const dir = corpusDir(variant, seed);
  const fresh = generateCorpus(optionsFor(variant, seed));
  const files = readdirSync(dir).filter((f) => f.endsWith(".pb")).sort();
  if (files.length !== fresh.batches.length) return false;
  for (let i = 0; i < files.length; i++) {
    if (!Buffer.from(readFileSync(join(dir, batchFile(i)))).equals(Buffer.from(fresh.batches[i]))) return false;
  }
  return readFileSync(join(dir, "manifest.json"), "utf8") === `${JSON.stringify(fresh.manifest, null, 2)}\n`;
}

if (import.meta.main) {
  const argv = process.argv.slice(2);
  let seed = DEFAULT_SEED;
  let force = false;
  let check = false;
  const variants: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--variant") variants.push(argv[++i]);
    else if (a.startsWith("--variant=")) variants.push(a.slice(10));
    else if (a === "--seed") seed = Number(argv[++i]);
    else if (a.startsWith("--seed=")) seed = Number(a.slice(7));
    else if (a === "--all") variants.push(...Object.keys(VARIANTS));
    else if (a === "--force") force = true;
    else if (a === "--verify") check = true;
    else {
      console.error(`usage: bun test/bench/corpus.ts [--variant NAME]... [--all] [--seed N] [--force] [--verify]\nvariants: ${Object.keys(VARIANTS).join(", ")}`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(seed)) throw new Error("--seed must be an integer");
  if (variants.length === 0) variants.push("base", "1k", "100k", "1m");
  let failed = false;
  for (const v of [...new Set(variants)]) {
    const t0 = performance.now();
    const m = force || !existsSync(join(corpusDir(v, seed), "manifest.json")) ? writeCorpus(v, seed) : ensureCorpus(v, seed);
    const e = m.expected;
    console.log(
      `${v}: ${m.spans} spans, ${m.traces} traces, ${m.batches} batches, ${(m.bytes / 1e6).toFixed(1)} MB (${Math.round(m.bytes / m.spans)} B/span), ` +
        `${e.spanMetricsLabelSets} span-metrics label sets, ${e.serviceGraphEdges} edges, ${e.hosts} hosts → ${e.activeSeries} active series ` +
        `[${corpusDir(v, seed)}, ${Math.round(performance.now() - t0)} ms]`,
    );
    if (check) {
      const ok = verify(v, seed);
      console.log(`${v}: ${ok ? "byte-identical on regeneration" : "DIFFERS on regeneration"}`);
      failed ||= !ok;
    }
  }
  if (failed) process.exit(1);
}
