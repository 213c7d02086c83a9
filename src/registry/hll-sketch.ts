/**
 * A HyperLogLog sketch of precision 10 with the sparse start Tempo's sketches
 * have (github.com/axiomhq/hyperloglog, which Tempo's cardinality estimates
 * use, spec §8.1 and §8.5): while small, hashes are kept as 25-bit sparse
 * codes and counted by linear counting over 2^25 buckets (close to exact);
 * past about 1 KiB of delta-encoded codes the sketch becomes 1024 dense
 * registers estimated with LogLog-Beta. The encoding, the switch point and the
 * estimator follow that library, so an estimate compares with a limit as
 * Tempo's does. Hashes are 64-bit, given as two 32-bit halves.
 */

const P = 10;
const M = 1 << P;
const PP = 25;
const MP = 2 ** PP;
const ALPHA = 0.7213 / (1 + 1.079 / M);

// LogLog-Beta bias correction for p = 10 (Qin et al., "LogLog-Beta and More", 2016).
const BETA = [
  -0.25935400670790054, -0.52598301999805808, 1.48933034925876839, -1.29642714084993571, 0.62284756217221615, -0.15672326770251041,
  0.02054415903878563, -0.00112488483925502,
];

function beta(ez: number): number {
  const zl = Math.log(ez + 1);
  let s = BETA[0] * ez;
  let pow = zl;
  for (let k = 1; k < BETA.length; k++) {
    s += BETA[k] * pow;
    pow *= zl;
  }
  return s;
}

/** Leading zeros of the 64-bit value hi:lo (64 when zero). */
function clz64(hi: number, lo: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}

/** The sparse code of a hash: its 25-bit index, and the run of zeros when bits 25..10 of it are all zero. */
function encode(hi: number, lo: number): number {
  const idx = hi >>> (32 - PP); // the top 25 bits
  if ((idx & ((1 << (PP - P)) - 1)) === 0) {
    // (hash << 25) | (2^25 - 1): the zeros after the 25-bit index, capped by 25 ones
    const shiftedHi = ((hi << PP) | (lo >>> (32 - PP))) >>> 0;
    const shiftedLo = ((lo << PP) | ((1 << PP) - 1)) >>> 0;
    const zeros = clz64(shiftedHi, shiftedLo) + 1;
    return ((idx << 7) | (zeros << 1) | 1) >>> 0;
  }
  return (idx << 1) >>> 0;
}

/** Dense register index and value of a sparse code. */
function decode(k: number): [index: number, rho: number] {
  if ((k & 1) === 1) return [k >>> (32 - P), ((k >>> 1) & 0x3f) + PP - P];
  // the index's low 15 bits hold the zeros: count them above bit PP-P, sentinel-capped
  const rest = ((k << (32 - PP + P - 1)) >>> 0) | 0;
  return [(k >>> (PP - P + 1)) & (M - 1), Math.clz32(rest >>> 0) + 1];
}

/** Bytes the sorted codes take as varint deltas (the library's switch-to-dense measure). */
function deltaBytes(sorted: number[]): number {
  let bytes = 0;
  let last = 0;
  for (const x of sorted) {
    let d = (x - last) >>> 0;
    bytes++;
    while (d >= 0x80) {
      d >>>= 7;
      bytes++;
    }
    last = x;
  }
  return bytes;
}

export class HllSketch {
  /** sparse codes merged so far, and codes added since (the library's list and temp set); null once dense */
  private list: Set<number> | null = new Set();
  private tmp: Set<number> = new Set();
  private regs: Uint8Array | null = null;

  insertHash(hi: number, lo: number): void {
    if (this.list !== null) {
      const before = this.tmp.size;
      this.tmp.add(encode(hi, lo));
      // The library checks its size whenever its temp set passes M/100 codes (new to the temp set, not to the sketch).
      if (this.tmp.size !== before && this.tmp.size * 100 > M) this.mergeTmp(true);
      return;
    }
    const regs = this.regs as Uint8Array;
    const idx = hi >>> (32 - P);
    // (hash << P) | (1 << (P-1)): the zeros after the index, sentinel-capped
    const wHi = ((hi << P) | (lo >>> (32 - P))) >>> 0;
    const wLo = ((lo << P) | (1 << (P - 1))) >>> 0;
    const rho = clz64(wHi, wLo) + 1;
    if (rho > regs[idx]) regs[idx] = rho;
  }

  /** Adds everything `other` saw. */
  merge(other: HllSketch): void {
    if (this.list !== null && other.list !== null) {
      for (const k of other.tmp) this.tmp.add(k);
      for (const k of other.list) this.tmp.add(k);
      if (this.tmp.size * 100 > M) this.mergeTmp(true);
      return;
    }
    this.toDense();
    const regs = this.regs as Uint8Array;
    if (other.list !== null) {
      for (const set of [other.list, other.tmp]) {
        for (const k of set) {
          const [i, r] = decode(k);
          if (r > regs[i]) regs[i] = r;
        }
      }
    } else {
      const o = other.regs as Uint8Array;
      for (let i = 0; i < M; i++) if (o[i] > regs[i]) regs[i] = o[i];
    }
  }

  clone(): HllSketch {
    const c = new HllSketch();
    c.list = this.list === null ? null : new Set(this.list);
    c.tmp = new Set(this.tmp);
    c.regs = this.regs === null ? null : this.regs.slice();
    return c;
  }

  estimate(): number {
    if (this.list !== null) {
      let n = this.list.size;
      for (const k of this.tmp) if (!this.list.has(k)) n++;
      return Math.floor(MP * Math.log(MP / (MP - n)));
    }
    const regs = this.regs as Uint8Array;
    let sum = 0;
    let ez = 0;
    for (let i = 0; i < M; i++) {
      if (regs[i] === 0) ez++;
      sum += 2 ** -regs[i];
    }
    return Math.floor((ALPHA * M * (M - ez)) / (sum + beta(ez)) + 0.5);
  }

  /** Bytes held, roughly (the sketch's own memory figure). */
  get bytes(): number {
    return this.list !== null ? (this.list.size + this.tmp.size) * 8 : M;
  }

  /** Moves the temp codes into the list; with `check`, turns dense once the list takes more than M bytes. */
  private mergeTmp(check: boolean): void {
    const list = this.list as Set<number>;
    for (const k of this.tmp) list.add(k);
    this.tmp.clear();
    if (check && deltaBytes([...list].sort((a, b) => a - b)) > M) this.toDense();
  }

  private toDense(): void {
    if (this.list === null) return;
    const regs = new Uint8Array(M);
    for (const set of [this.list, this.tmp]) {
      for (const k of set) {
        const [i, r] = decode(k);
        if (r > regs[i]) regs[i] = r;
      }
    }
    this.regs = regs;
    this.list = null;
    this.tmp = new Set();
  }
}

/** The 64-bit hash sketches take, as [hi, lo]: xxHash64 of the text, as Tempo hashes label values. */
export function hashHalves(text: string): [number, number] {
  const h = Bun.hash.xxHash64(text);
  return [Number(h >> 32n), Number(h & 0xffffffffn)];
}
