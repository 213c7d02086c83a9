import type { NativeHistogramView } from "../registry/sink.ts";
import type { ByteWriter } from "../util/byte-writer.ts";

// Tags of Histogram, the same in prometheus.Histogram (1.0) and io.prometheus.write.v2.Histogram.
const COUNT_INT = 0x08; // 1, varint
const SUM = 0x19; // 3, double
const SCHEMA = 0x20; // 4, sint32
const ZERO_THRESHOLD = 0x29; // 5, double
const ZERO_COUNT_INT = 0x30; // 6, varint
const NEGATIVE_SPANS = 0x42; // 8
const NEGATIVE_DELTAS = 0x4a; // 9, packed sint64
const POSITIVE_SPANS = 0x5a; // 11
const POSITIVE_DELTAS = 0x62; // 12, packed sint64
const TIMESTAMP = 0x78; // 15, int64
const START_TIMESTAMP = 0x88; // 17, int64 (2.0 only): first byte of the two-byte tag
const SPAN_OFFSET = 0x08; // BucketSpan.offset = 1, sint32
const SPAN_LENGTH = 0x10; // BucketSpan.length = 2, uint32

/**
 * Writes the fields of one integer native histogram (the form client_golang
 * produces and Prometheus' FromIntHistogram sends): count and zero count as
 * integers (written even when 0, as a set oneof is), sum, schema, the zero
 * threshold, spans with bucket deltas, the timestamp. `h` null writes the
 * empty zero-first histogram: only the schema (Tempo's zero histogram has no
 * threshold either). `startMs` > 0 adds remote write 2.0's start timestamp.
 */
export function writeHistogram(w: ByteWriter, ts: number, schema: number, h: NativeHistogramView | null, startMs = 0): void {
  w.byte(COUNT_INT);
  w.varint(h === null ? 0 : h.count);
  if (h !== null && h.sum !== 0) {
    w.byte(SUM);
    w.double(h.sum);
  }
  if (schema !== 0) {
    w.byte(SCHEMA);
    w.varint(zigzag(schema));
  }
  if (h !== null && h.zeroThreshold !== 0) {
    w.byte(ZERO_THRESHOLD);
    w.double(h.zeroThreshold);
  }
  w.byte(ZERO_COUNT_INT);
  w.varint(h === null ? 0 : h.zeroCount);
  if (h !== null) {
    writeSpans(w, NEGATIVE_SPANS, h.negativeSpans);
    writeDeltas(w, NEGATIVE_DELTAS, h.negativeDeltas);
    writeSpans(w, POSITIVE_SPANS, h.positiveSpans);
    writeDeltas(w, POSITIVE_DELTAS, h.positiveDeltas);
  }
  w.byte(TIMESTAMP);
  w.varint(ts);
  if (startMs > 0) {
    w.byte(START_TIMESTAMP);
    w.byte(0x01);
    w.varint(startMs);
  }
}

function writeSpans(w: ByteWriter, tag: number, spans: readonly number[]): void {
  for (let i = 0; i < spans.length; i += 2) {
    const at = w.begin(tag);
    if (spans[i] !== 0) {
      w.byte(SPAN_OFFSET);
      w.varint(zigzag(spans[i]));
    }
    if (spans[i + 1] !== 0) {
      w.byte(SPAN_LENGTH);
      w.varint(spans[i + 1]);
    }
    w.end(at);
  }
}

function writeDeltas(w: ByteWriter, tag: number, deltas: readonly number[]): void {
  if (deltas.length === 0) return;
  const at = w.begin(tag);
  for (let i = 0; i < deltas.length; i++) w.varint(zigzag(deltas[i]));
  w.end(at);
}

/** Protobuf's sint zigzag for integers within ±2^52. */
export function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}
