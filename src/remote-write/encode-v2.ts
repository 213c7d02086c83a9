import type { MetricMeta, MetricType, NativeHistogramView } from "../registry/sink.ts";
import { ByteWriter } from "../util/byte-writer.ts";
import { CompletedRequests, type EncodedRequest, type RoundEncoder } from "./encode.ts";
import { writeHistogram } from "./histogram-wire.ts";
import { SymbolCache } from "./symbol-cache.ts";

// Tags of io.prometheus.write.v2 (proto/prometheus/write/v2/types.proto).
const SYMBOL = 0x22; // Request.symbols = 4
const TIMESERIES = 0x2a; // Request.timeseries = 5
const LABELS_REFS = 0x0a; // TimeSeries.labels_refs = 1, packed; Exemplar.labels_refs = 1
const SAMPLE = 0x12; // TimeSeries.samples = 2
const HISTOGRAM = 0x1a; // TimeSeries.histograms = 3
const EXEMPLAR = 0x22; // TimeSeries.exemplars = 4
const METADATA = 0x2a; // TimeSeries.metadata = 5
const VALUE = 0x09; // Sample.value = 1 / Exemplar.value = 2 (0x11)
const EXEMPLAR_VALUE = 0x11;
const TIMESTAMP = 0x10; // Sample.timestamp = 2
const START_TIMESTAMP = 0x18; // Sample.start_timestamp = 3
const EXEMPLAR_TS = 0x18; // Exemplar.timestamp = 3
const META_TYPE = 0x08; // Metadata.type = 1
const META_HELP = 0x18; // Metadata.help_ref = 3
const META_UNIT = 0x20; // Metadata.unit_ref = 4

const METRIC_TYPE: Record<MetricType, number> = { counter: 1, gauge: 2, histogram: 3 };

/**
 * Encodes a collection round into io.prometheus.write.v2.Request bytes
 * (remote write 2.0): every string once per request in the symbol table,
 * series as label references, float samples and native histograms, exemplars,
 * and per series its metadata (type, help, unit). Counter and histogram
 * samples carry their start timestamp (the series' creation, or the native
 * histogram's last reset) instead of the zero-first sample, which 2.0
 * leaves out: a receiver that ingests start timestamps as zeros (Prometheus
 * 3 with created-timestamp-zero-ingestion) gets the same first increase.
 * Requests hold about `maxSamplesPerSend` samples (a series is never split).
 */
export class WriteV2Encoder implements RoundEncoder {
  private readonly requests = new CompletedRequests();
  private readonly ts = new ByteWriter();
  private readonly symbolBytes = new ByteWriter();
  /** this request's refs of strings that are not label names or values (help, unit, exemplar labels) */
  private symbols = new Map<string, number>();
  private nextRef = 0;
  private generation = 0;
  private series = -1;
  private seriesStart = 0;
  private seriesItems = 0;
  private skipping = false;
  /** start timestamp of the open series (0: none, e.g. a gauge) */
  private start = 0;
  private type: MetricType = "gauge";
  private meta: MetricMeta = { help: "", unit: "" };
  private samples = 0;
  private exemplars = 0;

  constructor(
    private readonly maxSamplesPerSend: number,
    private readonly sendExemplars: boolean,
    private readonly sendNative = true,
    /** kept by the writer across rounds: label strings get their ids once, not per series */
    private readonly cache: SymbolCache = new SymbolCache(),
  ) {
    this.resetSymbols();
  }

  family(_name: string, type: MetricType, meta: MetricMeta): void {
    this.type = type;
    this.meta = meta;
  }

  begin(name: string, labels: readonly string[], le: string | undefined, startMs: number): void {
    this.closeSeries();
    if (this.samples >= this.maxSamplesPerSend) this.cut();
    const w = this.ts;
    this.seriesStart = w.pos;
    this.seriesItems = 0;
    this.skipping = false;
    this.start = this.type === "gauge" ? 0 : startMs;
    this.series = w.begin(TIMESERIES);
    // Sorted labels with __name__ and le in their place ("__name__" < "le" always).
    const run = this.cache.runsOf(labels);
    const ids = run.ids;
    const pairs = ids.length >> 1;
    const at = w.begin(LABELS_REFS);
    for (let p = 0; p <= pairs; p++) {
      if (p === run.nameAt) {
        w.varint(this.labelRef(this.cache.id("__name__")));
        w.varint(this.labelRef(this.cache.id(name)));
      }
      if (p === run.leAt && le !== undefined) {
        w.varint(this.labelRef(this.cache.id("le")));
        w.varint(this.labelRef(this.cache.id(le)));
      }
      if (p === pairs) break;
      w.varint(this.labelRef(ids[p * 2]));
      w.varint(this.labelRef(ids[p * 2 + 1]));
    }
    w.end(at);
    const m = w.begin(METADATA);
    w.byte(META_TYPE);
    w.varint(METRIC_TYPE[this.type]);
    if (this.meta.help !== "") {
      w.byte(META_HELP);
      w.varint(this.symbol(this.meta.help));
    }
    if (this.meta.unit !== "") {
      w.byte(META_UNIT);
      w.varint(this.symbol(this.meta.unit));
    }
    w.end(m);
  }

  /** Left out: the start timestamp says when the series began. */
  zero(): void {}

  zeroHistogram(): void {}

  sample(timestampMs: number, value: number): void {
    const w = this.ts;
    const at = w.begin(SAMPLE);
    w.byte(VALUE);
    w.double(value);
    w.byte(TIMESTAMP);
    w.varint(timestampMs);
    if (this.start > 0) {
      w.byte(START_TIMESTAMP);
      w.varint(this.start);
    }
    w.end(at);
    this.samples++;
    this.seriesItems++;
  }

  histogram(timestampMs: number, h: NativeHistogramView): void {
    if (!this.sendNative) {
      this.skipping = true;
      return;
    }
    const at = this.ts.begin(HISTOGRAM);
    writeHistogram(this.ts, timestampMs, h.schema, h, this.start);
    this.ts.end(at);
    this.samples++;
    this.seriesItems++;
  }

  exemplar(labelName: string, labelValue: string, value: number, timestampMs: number): void {
    if (!this.sendExemplars || this.skipping || this.seriesItems === 0) return;
    const w = this.ts;
    const at = w.begin(EXEMPLAR);
    const refs = w.begin(LABELS_REFS);
    w.varint(this.symbol(labelName));
    w.varint(this.symbol(labelValue));
    w.end(refs);
    w.byte(EXEMPLAR_VALUE);
    w.double(value);
    w.byte(EXEMPLAR_TS);
    w.varint(timestampMs);
    w.end(at);
    this.exemplars++;
  }

  take(): EncodedRequest[] {
    return this.requests.take();
  }

  finish(): EncodedRequest[] {
    this.closeSeries();
    this.cut();
    this.cache.endRound();
    return this.take();
  }

  /** This request's ref of a cached label string (added to the table on first use). */
  private labelRef(id: number): number {
    const c = this.cache;
    if (id >= c.stamp.length) c.cover(id);
    if (c.stamp[id] === this.generation) return c.local[id];
    const s = c.strings[id];
    // the same string may already be in the table as another kind of symbol
    let ref = this.symbols.get(s);
    if (ref === undefined) ref = this.add(s);
    c.stamp[id] = this.generation;
    c.local[id] = ref;
    c.noteUsed(1);
    return ref;
  }

  /** This request's ref of any other string. */
  private symbol(s: string): number {
    const id = this.cache.peek(s);
    if (id !== undefined) return this.labelRef(id);
    let ref = this.symbols.get(s);
    if (ref === undefined) {
      ref = this.add(s);
      this.symbols.set(s, ref);
    }
    return ref;
  }

  private add(s: string): number {
    this.symbolBytes.byte(SYMBOL);
    this.symbolBytes.string(s);
    return this.nextRef++;
  }

  /** Every request's table starts with "" (the spec requires it: ref 0 is the empty string). */
  private resetSymbols(): void {
    this.symbols = new Map();
    this.symbolBytes.pos = 0;
    this.nextRef = 0;
    this.generation = this.cache.nextGeneration();
    this.symbol("");
  }

  private closeSeries(): void {
    if (this.series < 0) return;
    // A series needs a sample or a histogram (a receiver refuses one without): take an empty one back.
    if (this.seriesItems === 0) this.ts.pos = this.seriesStart;
    else this.ts.end(this.series);
    this.series = -1;
  }

  private cut(): void {
    if (this.samples === 0) return;
    const symbols = this.symbolBytes.take();
    const series = this.ts.take();
    const body = new Uint8Array(symbols.length + series.length);
    body.set(symbols);
    body.set(series, symbols.length);
    this.requests.push({ body, samples: this.samples, exemplars: this.exemplars });
    this.samples = 0;
    this.exemplars = 0;
    this.resetSymbols();
  }
}
