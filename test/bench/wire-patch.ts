/**
 * Rewriting a stored batch for sending "now": the corpus stores relative span
 * times (fixed64, ns since a virtual epoch), so a sender adds one shift to
 * every fixed64 time field in place — the encoding has fixed width, nothing
 * else moves. Trace ids are patched the same way (XOR of a pass number into
 * the first four bytes) so a corpus replayed in a loop never reuses a trace id
 * within the service-graph wait window.
 */
import { type Cursor, readLengthEnd, readVarint32, skipField } from "../../src/decode/wire-reader.ts";

/** Where the patchable fields of one ExportTraceServiceRequest are. */
export interface PatchIndex {
  /** byte offsets of fixed64 times: span start/end and event times */
  times: Uint32Array;
  /** byte offsets of the 16 trace-id bytes of each span */
  traceIds: Uint32Array;
  /** the largest span end time in the batch (relative ns) */
  maxEndNs: number;
  spans: number;
}

/** Scans a request once and records the offsets `patch` rewrites. */
export function indexBatch(buf: Uint8Array): PatchIndex {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const times: number[] = [];
  const traceIds: number[] = [];
  let maxEndNs = 0;
  let spans = 0;
  const c: Cursor = { pos: 0 };
  const each = (end: number, field: number, f: (start: number, end: number) => void) => {
    while (c.pos < end) {
      const tag = readVarint32(buf, c, end);
      if (tag === ((field << 3) | 2)) {
        const e = readLengthEnd(buf, c, end);
        f(c.pos, e);
        c.pos = e;
      } else skipField(buf, c, tag & 7, end);
    }
  };
  each(buf.length, 1, (_rs, rsEnd) =>
    each(rsEnd, 2, (_ss, ssEnd) =>
      each(ssEnd, 2, (_s, sEnd) => {
        spans++;
        while (c.pos < sEnd) {
          const tag = readVarint32(buf, c, sEnd);
          if (tag === 0x0a) {
            const e = readLengthEnd(buf, c, sEnd);
            traceIds.push(c.pos);
            c.pos = e;
          } else if (tag === 0x39 || tag === 0x41) {
            times.push(c.pos);
            if (tag === 0x41) maxEndNs = Math.max(maxEndNs, Number(view.getBigUint64(c.pos, true)));
            c.pos += 8;
          } else if (tag === 0x5a) {
            // Span.events: Event.time_unix_nano is field 1, fixed64
            const e = readLengthEnd(buf, c, sEnd);
            while (c.pos < e) {
              const t = readVarint32(buf, c, e);
              if (t === 0x09) {
                times.push(c.pos);
                c.pos += 8;
              } else skipField(buf, c, t & 7, e);
            }
            c.pos = e;
          } else skipField(buf, c, tag & 7, sEnd);
        }
      }),
    ),
  );
  return { times: Uint32Array.from(times), traceIds: Uint32Array.from(traceIds), maxEndNs, spans };
}

/**
 * Writes into `out` (a copy of the stored batch, or the batch itself) the
 * times shifted by `shiftNs` and trace ids XORed with `pass`. `shiftNs` must
 * be a whole number of nanoseconds (negative works too: two's complement).
 */
export function patch(out: Uint8Array, index: PatchIndex, shiftNs: bigint, pass: number): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const times = index.times;
  // 64-bit add as two 32-bit halves with carry (no bigint per field)
  const s = BigInt.asUintN(64, shiftNs);
  const sLo = Number(s & 0xffffffffn);
  const sHi = Number(s >> 32n);
  for (let k = 0; k < times.length; k++) {
    const at = times[k];
    const lo = view.getUint32(at, true) + sLo;
    const carry = lo >= 4294967296 ? 1 : 0;
    view.setUint32(at, lo - carry * 4294967296, true);
    view.setUint32(at + 4, (view.getUint32(at + 4, true) + sHi + carry) >>> 0, true);
  }
  if (pass !== 0) {
    const ids = index.traceIds;
    for (let k = 0; k < ids.length; k++) view.setUint32(ids[k], view.getUint32(ids[k], true) ^ pass, true);
  }
}

/** The shift that makes the batch's latest span end at `nowMs` (minus `lagMs`). */
export function shiftToNow(index: PatchIndex, nowMs: number, lagMs = 0): bigint {
  return BigInt(Math.round(nowMs - lagMs)) * 1_000_000n - BigInt(index.maxEndNs);
}
