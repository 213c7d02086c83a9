/** The words of an edge key (trace id + span id), as stored on an Edge. */
export interface KeyWords {
  k0: number;
  k1: number;
  k2: number;
  k3: number;
  k4: number;
  k5: number;
}

/**
 * The key of the span being processed (spec §5.2): trace id plus the client's
 * span id, which is the server's parent span id. Held as six int32 words so
 * the store can index them without a string per span and confirm a hit by
 * comparing words. One mutable instance per processor.
 */
export class EdgeKey implements KeyWords {
  k0 = 0;
  k1 = 0;
  k2 = 0;
  k3 = 0;
  k4 = 0;
  k5 = 0;

  /** Loads trace id words at trace32[t..t+4) and span id words at span32[s..s+2). */
  load(trace32: Int32Array, t: number, span32: Int32Array, s: number): void {
    this.k0 = trace32[t];
    this.k1 = trace32[t + 1];
    this.k2 = trace32[t + 2];
    this.k3 = trace32[t + 3];
    this.k4 = span32[s];
    this.k5 = span32[s + 1];
  }

  /** A root server span: the trace id and a zero parent. */
  loadRoot(trace32: Int32Array, t: number): void {
    this.k0 = trace32[t];
    this.k1 = trace32[t + 1];
    this.k2 = trace32[t + 2];
    this.k3 = trace32[t + 3];
    this.k4 = 0;
    this.k5 = 0;
  }

  copyTo(e: KeyWords): void {
    e.k0 = this.k0;
    e.k1 = this.k1;
    e.k2 = this.k2;
    e.k3 = this.k3;
    e.k4 = this.k4;
    e.k5 = this.k5;
  }

  /** The key as text (the rare collision path, and filtered-side markers). */
  text(): string {
    return `${this.k0},${this.k1},${this.k2},${this.k3},${this.k4},${this.k5}`;
  }
}

/** Writes the trace id of a key into `out32` (an Int32Array view of the exemplar's 16 bytes). */
export function writeTraceId(e: KeyWords, out32: Int32Array): void {
  out32[0] = e.k0;
  out32[1] = e.k1;
  out32[2] = e.k2;
  out32[3] = e.k3;
}
