/**
 * The exemplars client_golang keeps for a native histogram (its
 * nativeExemplars): up to `cap` (10), ordered by value. When full, a new one
 * replaces the oldest if that is older than the TTL (5 min), else the older
 * of the two closest neighbours on a log scale, unless the new value would
 * itself make a closer pair. Reproduced step for step, because which
 * exemplars Tempo sends depends on every insertion.
 *
 * Times are ms plus an insertion sequence: client_golang stamps each
 * exemplar with time.Now(), so of two inserted in the same millisecond the
 * later one is the newer.
 */
export class NativeExemplars {
  len = 0;
  /**
   * Per slot, in one array (a series holds one of these: few objects keep it
   * small): value, ln(value) (computed once at insertion; client_golang
   * recomputes it, same result), time in ms, insertion sequence.
   */
  private readonly f: Float64Array;
  readonly trace: Uint8Array;
  private nextSeq = 0;

  constructor(
    private readonly cap: number,
    private readonly ttlMs: number,
  ) {
    this.f = new Float64Array(cap * 4);
    this.trace = new Uint8Array(cap * 16);
  }

  /** The value of exemplar i (kept in value order). */
  value(i: number): number {
    return this.f[i * 4];
  }

  private logv(i: number): number {
    return this.f[i * 4 + 1];
  }

  private ms(i: number): number {
    return this.f[i * 4 + 2];
  }

  private seq(i: number): number {
    return this.f[i * 4 + 3];
  }

  add(v: number, ms: number, traceIds: Uint8Array, traceOffset: number): void {
    const n = this.len;
    const seq = this.nextSeq++;
    if (n < this.cap) {
      let at = 0;
      while (at < n && !(v < this.value(at))) at++;
      this.shiftRight(at, n);
      this.len++;
      this.set(at, v, ms, seq, traceIds, traceOffset);
      return;
    }
    if (n === 1) {
      this.set(0, v, ms, seq, traceIds, traceOffset);
      return;
    }
    let otIdx = -1;
    let md = -1;
    let nIdx = -1;
    let rIdx = -1;
    let cLog = 0;
    let pLog = 0;
    for (let i = 0; i < n; i++) {
      if (otIdx === -1 || this.before(i, otIdx)) otIdx = i;
      if (nIdx === -1 && v <= this.value(i)) nIdx = i;
      pLog = cLog;
      cLog = this.logv(i);
      if (i === 0) continue;
      const diff = Math.abs(cLog - pLog);
      if (md === -1 || diff < md) {
        md = diff;
        rIdx = this.before(i, i - 1) ? i : i - 1;
      }
    }
    if (nIdx === -1) nIdx = n;
    // Expired: the new one is at least the TTL younger than the oldest (see the class comment on times).
    if (otIdx !== -1 && ms - this.ms(otIdx) >= this.ttlMs) rIdx = otIdx;
    else {
      const elog = Math.log(v);
      if (nIdx > 0) {
        const diff = Math.abs(elog - this.logv(nIdx - 1));
        if (diff < md) {
          md = diff;
          rIdx = nIdx - 1;
        }
      }
      if (nIdx < n) {
        const diff = Math.abs(this.logv(nIdx) - elog);
        if (diff < md) rIdx = nIdx;
      }
    }
    if (rIdx === nIdx) this.set(nIdx, v, ms, seq, traceIds, traceOffset);
    else if (rIdx < nIdx) {
      // drop rIdx, the ones up to nIdx move down, the new one lands just before nIdx's old place
      for (let i = rIdx; i < nIdx - 1; i++) this.copy(i + 1, i);
      this.set(nIdx - 1, v, ms, seq, traceIds, traceOffset);
    } else {
      for (let i = rIdx; i > nIdx; i--) this.copy(i - 1, i);
      this.set(nIdx, v, ms, seq, traceIds, traceOffset);
    }
  }

  /** Whether exemplar a was stamped before b. */
  private before(a: number, b: number): boolean {
    return this.ms(a) < this.ms(b) || (this.ms(a) === this.ms(b) && this.seq(a) < this.seq(b));
  }

  private shiftRight(from: number, n: number): void {
    for (let i = n; i > from; i--) this.copy(i - 1, i);
  }

  private copy(from: number, to: number): void {
    this.f.copyWithin(to * 4, from * 4, from * 4 + 4);
    this.trace.copyWithin(to * 16, from * 16, from * 16 + 16);
  }

  private set(i: number, v: number, ms: number, seq: number, traceIds: Uint8Array, off: number): void {
    const f = this.f;
    f[i * 4] = v;
    f[i * 4 + 1] = Math.log(v);
    f[i * 4 + 2] = ms;
    f[i * 4 + 3] = seq;
    for (let k = 0; k < 16; k++) this.trace[i * 16 + k] = traceIds[off + k];
  }
}
