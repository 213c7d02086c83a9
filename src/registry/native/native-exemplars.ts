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
  /** trace ids, 16 bytes per slot; moved as four int32s */
  readonly trace: Uint8Array;
  private readonly trace32: Int32Array;
  private nextSeq = 0;

  constructor(
    private readonly cap: number,
    private readonly ttlMs: number,
  ) {
    this.f = new Float64Array(cap * 4);
    this.trace32 = new Int32Array(cap * 4);
    this.trace = new Uint8Array(this.trace32.buffer);
  }

  /** The value of exemplar i (kept in value order). */
  value(i: number): number {
    return this.f[i * 4];
  }

  private logv(i: number): number {
    return this.f[i * 4 + 1];
  }

  add(v: number, ms: number, traceIds: Uint8Array, traceOffset: number): void {
    const n = this.len;
    const seq = this.nextSeq++;
    if (n < this.cap) {
      let at = 0;
      while (at < n && !(v < this.value(at))) at++;
      this.shiftRight(at, n);
      this.len++;
      this.set(at, v, Math.log(v), ms, seq, traceIds, traceOffset);
      return;
    }
    if (n === 1) {
      this.set(0, v, Math.log(v), ms, seq, traceIds, traceOffset);
      return;
    }
    const f = this.f;
    // slot 0 first: the oldest so far, and the first value to compare
    let otIdx = 0;
    let otMs = f[2];
    let otSeq = f[3];
    let nIdx = v <= f[0] ? 0 : -1;
    let md = -1;
    let rIdx = -1;
    let pLog = f[1];
    let pMs = otMs;
    let pSeq = otSeq;
    for (let i = 1; i < n; i++) {
      const k = i * 4;
      const cLog = f[k + 1];
      const cMs = f[k + 2];
      const cSeq = f[k + 3];
      if (cMs < otMs || (cMs === otMs && cSeq < otSeq)) {
        otIdx = i;
        otMs = cMs;
        otSeq = cSeq;
      }
      if (nIdx === -1 && v <= f[k]) nIdx = i;
      const diff = Math.abs(cLog - pLog);
      if (md === -1 || diff < md) {
        md = diff;
        // the older of the pair goes
        rIdx = cMs < pMs || (cMs === pMs && cSeq < pSeq) ? i : i - 1;
      }
      pLog = cLog;
      pMs = cMs;
      pSeq = cSeq;
    }
    if (nIdx === -1) nIdx = n;
    const elog = Math.log(v);
    // Expired: the new one is at least the TTL younger than the oldest (see the class comment on times).
    if (ms - otMs >= this.ttlMs) rIdx = otIdx;
    else {
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
    if (rIdx === nIdx) this.set(nIdx, v, elog, ms, seq, traceIds, traceOffset);
    else if (rIdx < nIdx) {
      // drop rIdx, the ones up to nIdx move down, the new one lands just before nIdx's old place
      for (let i = rIdx; i < nIdx - 1; i++) this.copy(i + 1, i);
      this.set(nIdx - 1, v, elog, ms, seq, traceIds, traceOffset);
    } else {
      for (let i = rIdx; i > nIdx; i--) this.copy(i - 1, i);
      this.set(nIdx, v, elog, ms, seq, traceIds, traceOffset);
    }
  }


  private shiftRight(from: number, n: number): void {
    for (let i = n; i > from; i--) this.copy(i - 1, i);
  }

  /** Moves slot `from` to `to` element by element (copyWithin costs more than it moves at this size). */
  private copy(from: number, to: number): void {
    const f = this.f;
    const t = this.trace32;
    const a = from * 4;
    const b = to * 4;
    f[b] = f[a];
    f[b + 1] = f[a + 1];
    f[b + 2] = f[a + 2];
    f[b + 3] = f[a + 3];
    t[b] = t[a];
    t[b + 1] = t[a + 1];
    t[b + 2] = t[a + 2];
    t[b + 3] = t[a + 3];
  }

  private set(i: number, v: number, logv: number, ms: number, seq: number, traceIds: Uint8Array, off: number): void {
    const f = this.f;
    f[i * 4] = v;
    f[i * 4 + 1] = logv;
    f[i * 4 + 2] = ms;
    f[i * 4 + 3] = seq;
    for (let k = 0; k < 16; k++) this.trace[i * 16 + k] = traceIds[off + k];
  }
}
