/**
 * The corpus generator's only source of randomness. Every draw goes through a
 * seeded Rng (the trace stream, plus one per span for its attribute values),
 * so the same options give the same bytes on every machine: nothing in the
 * generator uses Math.random or the clock. Changing the order or number of
 * draws anywhere changes the corpus; bump GENERATOR_VERSION (options.ts) then.
 */

/** sfc32 seeded through splitmix32: fast, good enough, reproducible everywhere. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  float(): number {
    return this.u32() / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }

  /** index into `cumulative` weights (ascending, last = total) */
  weighted(cumulative: readonly number[]): number {
    const x = this.float() * cumulative[cumulative.length - 1];
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  normal(): number {
    const u = 1 - this.float();
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** log-normal with the given median, in ns, clamped to [minNs, maxNs] */
  lognormalNs(medianMs: number, sigma: number, maxMs: number): number {
    const ms = Math.min(maxMs, medianMs * Math.exp(sigma * this.normal()));
    return Math.max(1000, Math.round(ms * 1e6));
  }

  exponential(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }

  fill(out: Uint8Array, offset: number, n: number): void {
    for (let i = 0; i < n; i += 4) {
      const x = this.u32();
      for (let k = 0; k < 4 && i + k < n; k++) out[offset + i + k] = (x >>> (8 * k)) & 0xff;
    }
  }
}

/** Running sums of `weights`, the form Rng.weighted draws from. */
export function cumulative(weights: number[]): number[] {
  let s = 0;
  return weights.map((w) => (s += w));
}
