import { describe, expect, test } from "bun:test";
import { HllSketch } from "../../src/registry/hll-sketch.ts";

/** splitmix64 of n, as two 32-bit halves: a fixed, well-spread hash sequence. */
function mix(n: number): [number, number] {
  let z = (BigInt(n) * 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
  z ^= z >> 31n;
  return [Number(z >> 32n), Number(z & 0xffffffffn)];
}

describe("HyperLogLog, as Tempo's sketches estimate (axiomhq/hyperloglog v0.2.6, precision 10)", () => {
  // Produced by the Go library itself (a throwaway program fed the same hashes, estimating a clone as
  // Tempo's Cardinality does): sparse and near-exact up to ~340 values, then dense LogLog-Beta.
  // Over 20,000 inserts with duplicates, zero runs and merges the two agreed on every estimate.
  const vectors: [n: number, estimate: number][] = [
    [1, 1],
    [2, 2],
    [10, 10],
    [100, 100],
    [250, 250],
    [300, 300],
    [320, 320],
    [340, 340],
    [360, 370],
    [400, 404],
    [1000, 1012],
    [3000, 3037],
    [10000, 9660],
    [30000, 30183],
  ];
  test("the library's estimates for the same hash sequence", () => {
    const s = new HllSketch();
    const got: [number, number][] = [];
    const at = new Set(vectors.map(([n]) => n));
    for (let n = 1; n <= 30000; n++) {
      const [hi, lo] = mix(n);
      s.insertHash(hi, lo);
      if (at.has(n)) got.push([n, s.clone().estimate()]);
    }
    expect(got).toEqual(vectors);
  });

  test("within 3 standard errors (3 × 1.04/√1024 ≈ 9.8 %) up to 200,000 distinct values; duplicates change nothing", () => {
    const s = new HllSketch();
    const errors: number[] = [];
    for (let n = 1; n <= 200_000; n++) {
      const [hi, lo] = mix(n + 1_000_000);
      s.insertHash(hi, lo);
      if (n % 7 === 0) s.insertHash(hi, lo);
      if (n % 20_000 === 0) errors.push(Math.abs(s.estimate() - n) / n);
    }
    expect(Math.max(...errors)).toBeLessThan(0.098);
  });

  test("merging two sketches estimates their union", () => {
    const a = new HllSketch();
    const b = new HllSketch();
    for (let n = 1; n <= 5000; n++) a.insertHash(...mix(n));
    for (let n = 2501; n <= 7500; n++) b.insertHash(...mix(n));
    a.merge(b);
    expect(Math.abs(a.estimate() - 7500) / 7500).toBeLessThan(0.098);
  });
});
