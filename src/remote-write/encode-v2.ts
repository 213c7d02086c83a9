import type { MetricMeta, MetricType, NativeHistogramView } from "../registry/sink.ts";
import { ByteWriter } from "../util/byte-writer.ts";
import type { EncodedRequest, RoundEncoder } from "./encode.ts";
import { writeHistogram } from "./histogram-wire.ts";

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
  readonly requests: EncodedRequest[] = [];
  private readonly ts = new ByteWriter();
  private readonly symbolBytes = new ByteWriter();
  private symbols = new Map<string, number>();
  private readonly refs: number[] = [];
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
    // Sorted labels with __name__ and le in their place.
    const refs = this.refs;
    refs.length = 0;
    let named = false;
    let led = le === undefined;
    for (let i = 0; i < labels.length; i += 2) {
      const n = labels[i];
      if (!named && "__name__" < n) {
        refs.push(this.symbol("__name__"), this.symbol(name));
        named = true;
      }
      if (!led && "le" < n) {
        refs.push(this.symbol("le"), this.symbol(le as string));
        led = true;
      }
      refs.push(this.symbol(n), this.symbol(labels[i + 1]));
    }
    if (!named) refs.push(this.symbol("__name__"), this.symbol(name));
    if (!led) refs.push(this.symbol("le"), this.symbol(le as string));
    const at = w.begin(LABELS_REFS);
    for (let i = 0; i < refs.length; i++) w.varint(refs[i]);
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

  finish(): EncodedRequest[] {
    this.closeSeries();
    this.cut();
    return this.requests;
  }

  private symbol(s: string): number {
    let ref = this.symbols.get(s);
    if (ref === undefined) {
      ref = this.symbols.size;
      this.symbols.set(s, ref);
      this.symbolBytes.byte(SYMBOL);
      this.symbolBytes.string(s);
    }
    return ref;
  }

  /** Every request's table starts with "" (the spec requires it: ref 0 is the empty string). */
  private resetSymbols(): void {
    this.symbols = new Map();
    this.symbolBytes.pos = 0;
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
