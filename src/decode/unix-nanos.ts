/**
 * Unix-nanosecond timestamps held as two uint32 words (lo, hi), as OTLP's
 * fixed64 fields arrive. Tempo subtracts the uint64 values and converts the
 * difference to float64 once; doing the same here keeps every duration and gap
 * exact, where subtracting two doubles near 1.8e18 would be off by up to 256 ns.
 */

const TWO_32 = 4294967296;

/**
 * (end − start) in seconds, 0 when end ≤ start (Tempo clamps instead of
 * underflowing). The word difference is exact below 2^53 ns (104 days) and
 * rounded once above it, exactly as Go's float64(uint64) conversion rounds.
 */
export function diffSeconds(startLo: number, startHi: number, endLo: number, endHi: number): number {
  const ns = (endHi - startHi) * TWO_32 + (endLo - startLo);
  return ns > 0 ? ns / 1e9 : 0;
}

/** Span i's end as a double (ns): only for the ingestion window, where 256 ns do not matter. */
export function endNsApprox(endTimes: Uint32Array, i: number): number {
  return endTimes[i * 2 + 1] * TWO_32 + endTimes[i * 2];
}

/** Writes a uint64 nanosecond bigint into `col` at word pair i. */
export function setNanos(col: Uint32Array, i: number, ns: bigint): void {
  col[i * 2] = Number(ns & 0xffffffffn);
  col[i * 2 + 1] = Number((ns >> 32n) & 0xffffffffn);
}
