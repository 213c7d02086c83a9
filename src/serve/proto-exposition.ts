import type { MetricMeta, MetricType, NativeHistogramView, SeriesSink } from "../registry/sink.ts";
import { ByteWriter } from "../util/byte-writer.ts";

/** The media type Prometheus asks for to scrape native histograms. */
export const PROTOBUF_EXPOSITION = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

// Tags of io.prometheus.client (proto/io/prometheus/client/metrics.proto).
const FAMILY_NAME = 0x0a; // MetricFamily.name = 1
const FAMILY_HELP = 0x12; // help = 2
const FAMILY_TYPE = 0x18; // type = 3
const FAMILY_METRIC = 0x22; // metric = 4
const FAMILY_UNIT = 0x2a; // unit = 5
const METRIC_LABEL = 0x0a; // Metric.label = 1
const METRIC_GAUGE = 0x12; // gauge = 2
const METRIC_COUNTER = 0x1a; // counter = 3
const METRIC_HISTOGRAM = 0x3a; // histogram = 7
const LABEL_NAME = 0x0a;
const LABEL_VALUE = 0x12;
const VALUE = 0x09; // Gauge.value / Counter.value = 1
const COUNTER_CREATED = 0x1a; // Counter.created_timestamp = 3
const H_COUNT = 0x08; // Histogram.sample_count = 1
const H_SUM = 0x11; // sample_sum = 2
const H_BUCKET = 0x1a; // bucket = 3
const H_SCHEMA = 0x28; // schema = 5, sint32
const H_ZERO_THRESHOLD = 0x31; // zero_threshold = 6
const H_ZERO_COUNT = 0x38; // zero_count = 7
const H_NEGATIVE_SPAN = 0x4a; // negative_span = 9
const H_NEGATIVE_DELTA = 0x52; // negative_delta = 10, packed sint64
const H_POSITIVE_SPAN = 0x62; // positive_span = 12
const H_POSITIVE_DELTA = 0x6a; // positive_delta = 13
const H_CREATED = 0x7a; // created_timestamp = 15
const B_COUNT = 0x08; // Bucket.cumulative_count = 1
const B_UPPER = 0x11; // Bucket.upper_bound = 2
const TS_SECONDS = 0x08; // Timestamp.seconds = 1
const TS_NANOS = 0x10; // Timestamp.nanos = 2

const TYPE: Record<MetricType, number> = { counter: 0, gauge: 1, histogram: 4 };

/**
 * The protobuf exposition (delimited io.prometheus.client.MetricFamily
 * messages) of a registry: what a Prometheus with native histograms on asks
 * for, and the only format that carries them. A histogram's classic series
 * (`_bucket`, `_sum`, `_count`) and its native part arrive as separate
 * series with one shared labels array; they are folded back into one
 * Metric, as client_golang writes a histogram. Counters and histograms carry
 * their created timestamp. Exemplars are not exposed (as in the text format).
 */
/** Bytes of a family kept in one piece. */
const PIECE = 1 << 20;

export class ProtoExposition implements SeriesSink {
  /** finished families, each its length and its pieces */
  private out: Uint8Array[] = [];
  private readonly fam = new ByteWriter();
  /** the open family's bytes so far, in pieces of about PIECE bytes: a family of a million series is never copied whole */
  private famPieces: Uint8Array[] = [];
  private famBytes = 0;
  private open = false;
  private type: MetricType = "gauge";
  private name = "";
  /** the open Metric: its labels, its start, the open value message inside it */
  private labels: readonly string[] | null = null;
  private metricAt = -1;
  private innerAt = -1;
  /** what the open histogram already holds */
  private part: "bucket" | "sum" | "count" | "native" | "" = "";
  private le = 0;
  private hasCount = false;

  family(name: string, type: MetricType, meta: MetricMeta): void {
    this.flushFamily();
    const f = this.fam;
    f.byte(FAMILY_NAME);
    f.string(name);
    if (meta.help !== "") {
      f.byte(FAMILY_HELP);
      f.string(meta.help);
    }
    f.byte(FAMILY_TYPE);
    f.varint(TYPE[type]);
    if (meta.unit !== "") {
      f.byte(FAMILY_UNIT);
      f.string(meta.unit);
    }
    this.open = true;
    this.type = type;
    this.name = name;
  }

  begin(name: string, labels: readonly string[], le: string | undefined, startMs: number): void {
    if (this.type !== "histogram") {
      this.openMetric(labels);
      const f = this.fam;
      if (this.type === "counter") {
        this.innerAt = f.begin(METRIC_COUNTER);
        if (startMs > 0) timestamp(f, COUNTER_CREATED, startMs);
      } else this.innerAt = f.begin(METRIC_GAUGE);
      return;
    }
    if (labels !== this.labels) {
      this.openMetric(labels);
      this.innerAt = this.fam.begin(METRIC_HISTOGRAM);
      this.hasCount = false;
      if (startMs > 0) timestamp(this.fam, H_CREATED, startMs);
    }
    if (name === this.name) this.part = "native";
    else if (name.endsWith("_bucket")) {
      this.part = "bucket";
      this.le = le === "+Inf" ? Infinity : Number(le);
    } else this.part = name.endsWith("_sum") ? "sum" : "count";
  }

  zero(): void {}

  sample(_timestampMs: number, value: number): void {
    const f = this.fam;
    if (this.type !== "histogram") {
      f.byte(VALUE);
      f.double(value);
      return;
    }
    if (this.part === "bucket") {
      // client_golang leaves +Inf out: it is the count.
      if (this.le === Infinity) return;
      const at = f.begin(H_BUCKET);
      f.byte(B_COUNT);
      f.varint(value);
      f.byte(B_UPPER);
      f.double(this.le);
      f.end(at);
    } else if (this.part === "sum") {
      f.byte(H_SUM);
      f.double(value);
    } else if (this.part === "count") {
      f.byte(H_COUNT);
      f.varint(value);
      this.hasCount = true;
    }
  }

  zeroHistogram(): void {}

  histogram(_timestampMs: number, h: NativeHistogramView): void {
    const f = this.fam;
    if (!this.hasCount) {
      f.byte(H_COUNT);
      f.varint(h.count);
      f.byte(H_SUM);
      f.double(h.sum);
    }
    f.byte(H_SCHEMA);
    f.varint(h.schema >= 0 ? h.schema * 2 : -h.schema * 2 - 1);
    f.byte(H_ZERO_THRESHOLD);
    f.double(h.zeroThreshold);
    f.byte(H_ZERO_COUNT);
    f.varint(h.zeroCount);
    spans(f, H_NEGATIVE_SPAN, h.negativeSpans);
    deltas(f, H_NEGATIVE_DELTA, h.negativeDeltas);
    spans(f, H_POSITIVE_SPAN, h.positiveSpans);
    deltas(f, H_POSITIVE_DELTA, h.positiveDeltas);
  }

  exemplar(): void {}

  /** The whole exposition. */
  bytes(): Uint8Array {
    const pieces = this.take(true);
    let n = 0;
    for (const p of pieces) n += p.length;
    const all = new Uint8Array(n);
    n = 0;
    for (const p of pieces) {
      all.set(p, n);
      n += p.length;
    }
    return all;
  }

  /** The families finished since the last call (with `end`, the open one too), in pieces, for a scrape that streams them. */
  take(end: boolean): Uint8Array[] {
    if (end) this.flushFamily();
    const out = this.out;
    this.out = [];
    return out;
  }

  private openMetric(labels: readonly string[]): void {
    this.closeMetric();
    const f = this.fam;
    this.metricAt = f.begin(FAMILY_METRIC);
    this.labels = labels;
    for (let i = 0; i < labels.length; i += 2) {
      const at = f.begin(METRIC_LABEL);
      f.byte(LABEL_NAME);
      f.string(labels[i]);
      f.byte(LABEL_VALUE);
      f.string(labels[i + 1]);
      f.end(at);
    }
  }

  private closeMetric(): void {
    if (this.metricAt < 0) return;
    this.fam.end(this.innerAt);
    this.fam.end(this.metricAt);
    this.metricAt = -1;
    this.labels = null;
    // whole metrics only: nothing in a finished piece is patched later
    if (this.fam.pos >= PIECE) {
      const piece = this.fam.take();
      this.famPieces.push(piece);
      this.famBytes += piece.length;
    }
  }

  private flushFamily(): void {
    if (!this.open) return;
    this.closeMetric();
    const last = this.fam.take();
    const length = new ByteWriter();
    length.varint(this.famBytes + last.length);
    this.out.push(length.take(), ...this.famPieces, last);
    this.famPieces = [];
    this.famBytes = 0;
    this.open = false;
  }
}

function timestamp(w: ByteWriter, tag: number, ms: number): void {
  const at = w.begin(tag);
  const seconds = Math.floor(ms / 1000);
  w.byte(TS_SECONDS);
  w.varint(seconds);
  const nanos = (ms - seconds * 1000) * 1_000_000;
  if (nanos > 0) {
    w.byte(TS_NANOS);
    w.varint(nanos);
  }
  w.end(at);
}

function spans(w: ByteWriter, tag: number, s: readonly number[]): void {
  for (let i = 0; i < s.length; i += 2) {
    const at = w.begin(tag);
    w.byte(0x08);
    w.varint(s[i] >= 0 ? s[i] * 2 : -s[i] * 2 - 1);
    w.byte(0x10);
    w.varint(s[i + 1]);
    w.end(at);
  }
}

function deltas(w: ByteWriter, tag: number, d: readonly number[]): void {
  if (d.length === 0) return;
  const at = w.begin(tag);
  for (let i = 0; i < d.length; i++) w.varint(d[i] >= 0 ? d[i] * 2 : -d[i] * 2 - 1);
  w.end(at);
}

/**
 * Whether an Accept header prefers the protobuf exposition: it names
 * application/vnd.google.protobuf with proto=io.prometheus.client.MetricFamily
 * and encoding=delimited, with a quality no lower than any text format's.
 */
export function wantsProtobuf(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  let proto = -1;
  let other = -1;
  for (const part of accept.split(",")) {
    const [type, ...params] = part.split(";").map((s) => s.trim());
    let q = 1;
    const p = new Map<string, string>();
    for (const x of params) {
      const eq = x.indexOf("=");
      if (eq > 0) p.set(x.slice(0, eq).trim().toLowerCase(), x.slice(eq + 1).trim());
    }
    if (p.has("q")) q = Number(p.get("q"));
    if (!Number.isFinite(q)) continue;
    if (type.toLowerCase() === "application/vnd.google.protobuf") {
      if (p.get("proto") === "io.prometheus.client.MetricFamily" && p.get("encoding") === "delimited") proto = Math.max(proto, q);
    } else other = Math.max(other, q);
  }
  return proto > 0 && proto >= other;
}
