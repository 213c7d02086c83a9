/**
 * Where results go. Figures are printed as `name unit value` lines the moment
 * they are taken (so a long run shows progress), or kept for one JSON
 * document at the end with --json; progress and problems always go to stderr,
 * so stdout stays machine-readable either way.
 */
import { cpus, totalmem } from "node:os";

/** One measured number. */
export interface Figure {
  name: string;
  unit: string;
  value: number;
  /** every measured run, for spread */
  runs?: number[];
}

/** Progress on stderr. */
export function log(s: string): void {
  process.stderr.write(`bench: ${s}\n`);
}

/** The figures of one run, and the correctness problems found on the way (any problem: exit status 1). */
export class Report {
  readonly figures: Figure[] = [];
  readonly problems: string[] = [];

  /** `lines`: print each figure as it comes (no --json). */
  constructor(private readonly lines: boolean) {}

  add(f: Figure): void {
    this.figures.push(f);
    if (this.lines) process.stdout.write(`${f.name} ${f.unit} ${formatValue(f.value)}\n`);
  }

  /** A failed correctness check (lost spans, wrong series counts); speed is never one. */
  problem(s: string): void {
    this.problems.push(s);
    log(`PROBLEM: ${s}`);
  }
}

/** Three significant digits below 100, whole numbers above. */
function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 100 || Number.isInteger(v)) return String(Math.round(v));
  return v.toPrecision(3);
}

/** The machine the figures were taken on: the first line of the text output, `machine` in the JSON. */
export function machine(quick: boolean) {
  const c = cpus();
  return {
    cpu: c[0]?.model ?? "unknown",
    cores: c.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    bun: Bun.version,
    platform: `${process.platform} ${process.arch}`,
    quick,
  };
}
