/**
 * Test vectors for the native histogram, drawn from a seeded Rng (the bench
 * corpus' generator): latencies like Tempo sees, values on and next to
 * bucket boundaries of every schema, zero, negatives, subnormals, ±Inf and
 * NaN, fractional and large multipliers, exemplars with repeated and
 * expiring values, and bucket limits that halve the resolution, reset, and
 * run out of schemas.
 */
import { Rng } from "../../bench/corpus/rng.ts";
import type { OracleCase, OracleOp } from "../../support/native-oracle.ts";

const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
export const DEFAULT_BUCKETS = Array.from({ length: 14 }, (_, n) => 0.002 * 2 ** n);

function hex(rng: Rng, zeroChance = 0.05): string {
  if (rng.chance(zeroChance)) return "0".repeat(32);
  let s = "";
  // Leading zero bytes now and then: Tempo strips leading zeros of the hex.
  const lead = rng.chance(0.2) ? rng.int(4) : 0;
  for (let i = 0; i < 16; i++) s += (i < lead ? 0 : rng.int(256)).toString(16).padStart(2, "0");
  return s;
}

/** A latency in seconds, log-uniform between 10^lo and 10^hi. */
function latency(rng: Rng, lo = -6, hi = 2): number {
  return 10 ** (lo + rng.float() * (hi - lo));
}

/** A bucket factor that gives `schema` (just above 2^(2^-schema)). */
export function factorFor(schema: number): number {
  return 2 ** (2 ** -schema) * (1 + 1e-9);
}

interface Shape {
  mode: "native" | "both";
  factor: number;
  maxBuckets: number;
  minResetMs: number;
  buckets?: number[];
}

function build(shape: Shape, ops: OracleOp[]): OracleCase {
  return { mode: shape.mode, buckets: shape.mode === "both" ? (shape.buckets ?? DEFAULT_BUCKETS) : [], factor: shape.factor, maxBuckets: shape.maxBuckets, minResetMs: shape.minResetMs, ops };
}

/** Random latencies with multipliers and exemplars, written every `every` observations, time advancing. */
function stream(rng: Rng, shape: Shape, n: number, every: number, value: () => number, stepMs: () => number, multiplier: () => number): OracleCase {
  const ops: OracleOp[] = [];
  let t = T0;
  for (let i = 0; i < n; i++) {
    t += stepMs();
    ops.push({ t, op: "observe", v: value(), m: multiplier(), trace: hex(rng) });
    if ((i + 1) % every === 0) ops.push({ t, op: "write" });
  }
  ops.push({ t: t + 1, op: "write" });
  return build(shape, ops);
}

const DEFAULT: Shape = { mode: "native", factor: 1.1, maxBuckets: 100, minResetMs: 900_000 };

export function vectors(seed: number): { name: string; c: OracleCase }[] {
  const rng = new Rng(seed);
  const out: { name: string; c: OracleCase }[] = [];
  const one = () => 1;
  const ms = (max: number) => () => rng.int(max);

  // Tempo's defaults, typical latencies.
  for (let k = 0; k < 12; k++) {
    const mode = k % 2 === 0 ? "native" : "both";
    out.push({ name: `latencies ${mode} #${k}`, c: stream(rng, { ...DEFAULT, mode }, 400, 37, () => latency(rng, -4, 1), ms(50), one) });
  }

  // Every schema: values on each boundary of the schema and one ulp either side, plus random ones.
  for (let schema = -4; schema <= 8; schema++) {
    const ops: OracleOp[] = [];
    let t = T0;
    const step = schema > 0 ? 1 / 2 ** schema : 2 ** -schema;
    for (let e = -3; e <= 3; e += step) {
      const b = 2 ** e;
      for (const v of [b, b * (1 + Number.EPSILON), b * (1 - Number.EPSILON / 2), -b]) ops.push({ t: ++t, op: "observe", v, m: 1, trace: hex(rng) });
    }
    for (let i = 0; i < 100; i++) ops.push({ t: ++t, op: "observe", v: latency(rng, -3, 1), m: 1, trace: hex(rng) });
    ops.push({ t: ++t, op: "write" });
    out.push({ name: `boundaries of schema ${schema}`, c: build({ mode: "native", factor: factorFor(schema), maxBuckets: 0, minResetMs: 0 }, ops) });
  }

  // client_golang's boundary constants sit up to 4 ulps below 2^(i/256): every value within 6 ulps of each.
  for (const scale of [1, 2 ** -20, 2 ** 30]) {
    const ops: OracleOp[] = [];
    let t = T0;
    for (let i = 0; i < 256; i++) {
      let v = 2 ** (i / 256) * scale;
      for (let k = 0; k < 6; k++) v = nextDown(v);
      for (let k = 0; k <= 12; k++, v = nextUp(v)) ops.push({ t: ++t, op: "observe", v, m: 1, trace: "0".repeat(32) });
    }
    ops.push({ t: ++t, op: "write" });
    out.push({ name: `every schema-8 boundary ±6 ulps (×${scale})`, c: build({ mode: "native", factor: factorFor(8), maxBuckets: 0, minResetMs: 0 }, ops) });
  }

  // Zero, negatives, tiny and huge values, infinities, NaN.
  {
    const specials = [0, -0, 1e-320, -1e-320, 2 ** -128, 2 ** -127, -(2 ** -128), 1e-40, Number.MAX_VALUE, -Number.MAX_VALUE, Infinity, -Infinity, Number.NaN, 1, -1, 0.5, 1e300];
    for (const mode of ["native", "both"] as const) {
      const ops: OracleOp[] = [];
      let t = T0;
      for (let r = 0; r < 3; r++) for (const v of specials) ops.push({ t: ++t, op: "observe", v, m: 1, trace: hex(rng) });
      ops.push({ t: ++t, op: "write" });
      out.push({ name: `special values ${mode}`, c: build({ ...DEFAULT, mode, maxBuckets: 0 }, ops) });
    }
  }

  // Fractional, zero, negative and large multipliers, in both modes.
  for (const mode of ["native", "both"] as const) {
    const mults = [0.25, 0.5, 1, 1.5, 2.5, 3, 0, -1, 7.000001, 50, 0.9999];
    out.push({
      name: `multipliers ${mode}`,
      c: stream(rng, { ...DEFAULT, mode }, 300, 29, () => latency(rng, -3, 0), ms(20), () => mults[rng.int(mults.length)]),
    });
  }

  // Bucket limits: halving while min_reset_duration has not passed, the scheduled reset, and a reset.
  for (const [maxBuckets, minResetMs] of [
    [10, 60_000],
    [20, 900_000],
    [5, 0],
    [1, 30_000],
    [3, 1],
  ] as const) {
    for (const mode of ["native", "both"] as const) {
      out.push({
        name: `limit ${maxBuckets} buckets, min reset ${minResetMs} ms, ${mode}`,
        c: stream(rng, { ...DEFAULT, mode, maxBuckets, minResetMs }, 600, 23, () => (rng.chance(0.1) ? -latency(rng) : latency(rng, -7, 4)), ms(500), () => (rng.chance(0.2) ? 2.5 : 1)),
      });
    }
  }

  // Down to the coarsest schema: a wide spread with a limit of 2.
  out.push({
    name: "coarsest schema",
    c: stream(rng, { ...DEFAULT, factor: factorFor(8), maxBuckets: 2, minResetMs: 0 }, 200, 50, () => 10 ** (rng.float() * 600 - 300), ms(3), one),
  });

  // Exemplars: many traces, few distinct values (equal pairs), gaps past the 5-minute TTL.
  for (const mode of ["native", "both"] as const) {
    const values = [0.001, 0.002, 0.004, 0.01, 0.1, 1, 2];
    out.push({
      name: `exemplars with repeated values and TTL gaps ${mode}`,
      c: stream(rng, { ...DEFAULT, mode }, 500, 31, () => values[rng.int(values.length)], () => (rng.chance(0.03) ? 301_000 : rng.int(3000)), () => (rng.chance(0.1) ? 13 : 1)),
    });
    out.push({
      name: `exemplars, same millisecond ${mode}`,
      c: stream(rng, { ...DEFAULT, mode }, 200, 17, () => latency(rng, -3, 0), () => (rng.chance(0.7) ? 0 : 1), one),
    });
  }

  // Custom classic buckets in both mode.
  out.push({
    name: "both with custom buckets",
    c: stream(rng, { ...DEFAULT, mode: "both", buckets: [0.1, 0.5, 1, 5, 10] }, 300, 41, () => latency(rng, -2, 1.5), ms(10), one),
  });
  out.push({ name: "both without classic buckets", c: stream(rng, { ...DEFAULT, mode: "both", buckets: [] }, 100, 13, () => latency(rng), ms(10), one) });
  return out;
}

const f = new Float64Array(1);
const b = new BigInt64Array(f.buffer);
function nextUp(v: number): number {
  f[0] = v;
  b[0] += 1n;
  return f[0];
}
function nextDown(v: number): number {
  f[0] = v;
  b[0] -= 1n;
  return f[0];
}
