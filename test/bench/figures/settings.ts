/**
 * What one `npm run bench` was asked to do: the command-line flags, the sizes
 * they imply (--quick shrinks every one of them), and which figures --only
 * selects. Read once in bench.ts and handed to every figure.
 */
import { DEFAULT_SEED } from "../corpus/options.ts";

/** The command line, read as `--name`, `--name value` or `--name=value`. */
export interface Args {
  flag(name: string): boolean;
  option(name: string): string | undefined;
}

/** Reads `argv` (without the runtime and script paths). */
export function readArgs(argv: string[]): Args {
  return {
    flag(name) {
      return argv.includes(`--${name}`);
    },
    option(name) {
      const i = argv.indexOf(`--${name}`);
      if (i >= 0) return argv[i + 1];
      const p = argv.find((a) => a.startsWith(`--${name}=`));
      return p?.slice(name.length + 3);
    },
  };
}

export interface BenchSettings {
  /** small sizes, same code paths (CI keeps the harness working with it) */
  quick: boolean;
  /** one JSON document on stdout instead of `name unit value` lines */
  json: boolean;
  /** --only: figure names or dotted prefixes; empty means every figure */
  only: string[];
  seed: number;
  /** measured runs per in-process figure, after `warmups` unmeasured ones */
  runs: number;
  warmups: number;
  e2eSeconds: number;
  e2eWarmSeconds: number;
  /** requests in flight from the load generator */
  e2eConcurrency: number;
  /** the corpus the in-process and end-to-end throughput figures run on */
  throughputCorpus: string;
  /** the corpora a registry is filled from for memory.* and collect.* */
  memoryCorpora: string[];
  /** --auth: credentials the e2e receivers require and the loader sends (none, bearer or basic) */
  auth: "none" | "bearer" | "basic";
  /** --cpu-prof DIR: the e2e redgen writes a .cpuprofile per protocol there (BUN_OPTIONS) */
  cpuProfDir?: string;
  /** --collector: the opt-in collector.* figures join the run (they build the OpenTelemetry Collector first) */
  collector: boolean;
}

/** The settings the command line asks for, with the defaults for a full or a --quick run. */
export function benchSettings(args: Args): BenchSettings {
  const quick = args.flag("quick");
  return {
    quick,
    json: args.flag("json"),
    only: (args.option("only") ?? "").split(",").filter((s) => s !== ""),
    seed: Number(args.option("seed") ?? DEFAULT_SEED),
    runs: Number(args.option("runs") ?? (quick ? 3 : 5)),
    warmups: quick ? 1 : 2,
    e2eSeconds: Number(args.option("e2e-seconds") ?? (quick ? 2 : 15)),
    e2eWarmSeconds: quick ? 1 : 3,
    e2eConcurrency: Number(args.option("concurrency") ?? 8),
    throughputCorpus: args.option("corpus") ?? (quick ? "quick-base" : "base"),
    memoryCorpora: quick ? ["quick-hi"] : ["100k", "1m"],
    auth: authOption(args.option("auth")),
    cpuProfDir: args.option("cpu-prof"),
    collector: args.flag("collector"),
  };
}

/** Whether figure `name` was asked for: --only entries match a name exactly or as a dotted prefix ("e2e", "memory.1m"). */
export function wants(s: BenchSettings, name: string): boolean {
  return s.only.length === 0 || s.only.some((p) => name === p || name.startsWith(`${p}.`));
}

/**
 * Whether a collector.* figure (opt-in: it builds the OpenTelemetry Collector
 * first) was asked for: never in the default run; `--collector` adds the
 * family to what --only selects (everything without --only), and naming it in
 * --only (`--only e2e,collector`) selects it without the flag.
 */
export function wantsCollector(s: BenchSettings, name: string): boolean {
  return wants(s, name) && (s.collector || s.only.some((p) => name === p || name.startsWith(`${p}.`)));
}

/** Whether any figure under `section` (e.g. "decode") was asked for. */
export function wantsSection(s: BenchSettings, section: string): boolean {
  return s.only.length === 0 || s.only.some((p) => p === section || p.startsWith(`${section}.`) || section.startsWith(`${p}.`));
}

function authOption(v: string | undefined): BenchSettings["auth"] {
  if (v === undefined || v === "none") return "none";
  if (v === "bearer" || v === "basic") return v;
  throw new Error(`--auth ${v}: use none, bearer or basic`);
}
