/**
 * Runs the native-histogram oracle (test/support/native-histogram-oracle,
 * client_golang driven as Tempo drives it; built by setup) over many cases
 * in one process, and reads back what Tempo would write at each "write".
 */
import { ensureNativeHistogramOracle } from "./setup.ts";

export type OracleOp =
  | { t: number; op: "observe"; v: number; m: number; trace: string }
  | { t: number; op: "write" };

export interface OracleCase {
  mode: "native" | "both";
  buckets: number[];
  factor: number;
  maxBuckets: number;
  minResetMs: number;
  ops: OracleOp[];
}

export interface OracleExemplar {
  value: number;
  trace: string;
}

export interface OracleWrite {
  schema: number;
  zeroThreshold: number;
  zeroCount: number;
  count: number;
  sum: number;
  positiveSpans: number[];
  positiveDeltas: number[];
  negativeSpans: number[];
  negativeDeltas: number[];
  createdMs: number;
  /** both mode: cumulative classic buckets as Tempo writes them, +Inf last */
  classic: { le: string; count: number; exemplar?: OracleExemplar }[];
  /** native mode: the kept native exemplars */
  exemplars: OracleExemplar[];
}

/** A Go float string (FormatFloat 'g', also NaN and ±Inf) as a number. */
function goFloat(s: string): number {
  if (s === "+Inf") return Infinity;
  if (s === "-Inf") return -Infinity;
  return Number(s);
}

export function runNativeOracle(cases: readonly OracleCase[]): OracleWrite[][] {
  const binary = ensureNativeHistogramOracle();
  const input = cases
    .map((c) =>
      JSON.stringify({
        ...c,
        ops: c.ops.map((o) => (o.op === "observe" ? { ...o, v: String(o.v), m: String(o.m) } : o)),
      }),
    )
    .join("\n");
  const p = Bun.spawnSync([binary], { stdin: Buffer.from(`${input}\n`), stdout: "pipe", stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`nativehistogram oracle exited with ${p.exitCode}: ${p.stderr.toString()}`);
  const lines = p.stdout.toString().trim().split("\n");
  if (lines.length !== cases.length) throw new Error(`oracle answered ${lines.length} of ${cases.length} cases`);
  return lines.map((l) => {
    const { writes } = JSON.parse(l) as { writes: Record<string, unknown>[] | null };
    return (writes ?? []).map((w) => {
      const ex = (e: { value: string; trace: string }) => ({ value: goFloat(e.value), trace: e.trace });
      return {
        schema: w.schema as number,
        zeroThreshold: goFloat(w.zeroThreshold as string),
        zeroCount: w.zeroCount as number,
        count: w.count as number,
        sum: goFloat(w.sum as string),
        positiveSpans: (w.positiveSpans as [number, number][]).flat(),
        positiveDeltas: w.positiveDeltas as number[],
        negativeSpans: (w.negativeSpans as [number, number][]).flat(),
        negativeDeltas: w.negativeDeltas as number[],
        createdMs: w.createdMs as number,
        classic: (w.classic as { le: string; count: number; exemplar?: { value: string; trace: string } }[]).map((b) => ({
          le: b.le,
          count: b.count,
          ...(b.exemplar ? { exemplar: ex(b.exemplar) } : {}),
        })),
        exemplars: (w.exemplars as { value: string; trace: string }[]).map(ex),
      };
    });
  });
}
