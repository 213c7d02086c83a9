import type { NativeHistogramView, SeriesSink } from "../registry/sink.ts";
import { ByteWriter } from "../util/byte-writer.ts";
import { writeHistogram } from "./histogram-wire.ts";
import { LabelBytesCache } from "./label-bytes.ts";

/** One remote-write request body (uncompressed protobuf) and what it carries. */
export interface EncodedRequest {
  body: Uint8Array;
  /** float samples and native histogram samples */
  samples: number;
  exemplars: number;
}

/** The requests a round has completed so far (both encoders): handed over as the round goes on. */
export class CompletedRequests {
  private list: EncodedRequest[] = [];

  push(r: EncodedRequest): void {
    this.list.push(r);
  }

  /** The requests pushed since the last take. */
  take(): EncodedRequest[] {
    const done = this.list;
    if (done.length > 0) this.list = [];
    return done;
  }
}

/** The encoders of a round (remote write 1.0 here, 2.0 in encode-v2.ts). */
export interface RoundEncoder extends SeriesSink {
  /** The requests completed so far, handed over (a round compresses them while it goes on). */
  take(): EncodedRequest[];
  /** Ends the round: the requests not taken yet. */
  finish(): EncodedRequest[];
}

// Tags of prometheus.WriteRequest / TimeSeries / Sample / Exemplar (proto/prometheus/*.proto).
const TIMESERIES = 0x0a; // WriteRequest.timeseries = 1
const SAMPLE = 0x12; // TimeSeries.samples = 2
const EXEMPLAR = 0x1a; // TimeSeries.exemplars = 3
const HISTOGRAM = 0x22; // TimeSeries.histograms = 4
const VALUE_DOUBLE = 0x09; // Sample.value = 1
const SAMPLE_TS = 0x10; // Sample.timestamp = 2
const EXEMPLAR_VALUE = 0x11; // Exemplar.value = 2
const EXEMPLAR_TS = 0x18; // Exemplar.timestamp = 3
const LABEL = 0x0a; // TimeSeries.labels / Exemplar.labels = 1
const LABEL_NAME = 0x0a;
const LABEL_VALUE = 0x12;

/**
 * Encodes a collection round straight into prometheus.WriteRequest bytes
 * (remote write 1.0), split into requests of about `maxSamplesPerSend`
 * samples (a series is never split). Labels come from a per-tenant cache of
 * encoded runs, with __name__ and le written into their sorted place. Native
 * histograms go in TimeSeries.histograms in the integer form client_golang
 * produces (spec §9), when the tenant sends them (send_native_histograms).
 */
export class WriteRequestEncoder implements RoundEncoder {
  private readonly requests = new CompletedRequests();
  private readonly w = new ByteWriter();
  private series = -1;
  /** where the open series starts, and whether it holds anything (an empty one is taken back) */
  private seriesStart = 0;
  private seriesItems = 0;
  /** the open series is a native histogram this tenant does not send */
  private skipping = false;
  private samples = 0;
  private exemplars = 0;

  constructor(
    private readonly maxSamplesPerSend: number,
    private readonly sendExemplars: boolean,
    /** kept by the writer across rounds: labels are encoded once per series, not per round */
    private readonly labels: LabelBytesCache = new LabelBytesCache(),
    /** the tenant's send_native_histograms: generate_native_histograms is native or both (spec §9) */
    private readonly sendNative = true,
  ) {}

  family(): void {}

  begin(name: string, labels: readonly string[], le: string | undefined): void {
    this.closeSeries();
    if (this.samples >= this.maxSamplesPerSend) this.cut();
    const w = this.w;
    this.seriesStart = w.pos;
    this.seriesItems = 0;
    this.skipping = false;
    this.series = w.begin(TIMESERIES);
    // Sorted order: the cached runs split where __name__ and le belong ("__name__" < "le" always).
    const r = this.labels.runsOf(labels);
    const b = r.bytes;
    w.bytes(b.subarray(0, r.nameAt));
    w.bytes(this.labels.nameEntry(name));
    if (le === undefined) {
      w.bytes(b.subarray(r.nameAt));
      return;
    }
    w.bytes(b.subarray(r.nameAt, r.leAt));
    w.bytes(this.labels.leEntry(le));
    w.bytes(b.subarray(r.leAt));
  }

  zero(timestampMs: number): void {
    this.sample(timestampMs, 0);
  }

  zeroHistogram(timestampMs: number, schema: number): void {
    this.writeHistogram(timestampMs, schema, null);
  }

  histogram(timestampMs: number, h: NativeHistogramView): void {
    this.writeHistogram(timestampMs, h.schema, h);
  }

  private writeHistogram(timestampMs: number, schema: number, h: NativeHistogramView | null): void {
    if (!this.sendNative) {
      this.skipping = true;
      return;
    }
    const at = this.w.begin(HISTOGRAM);
    writeHistogram(this.w, timestampMs, schema, h);
    this.w.end(at);
    this.samples++;
    this.seriesItems++;
  }

  sample(timestampMs: number, value: number): void {
    const w = this.w;
    const at = w.begin(SAMPLE);
    w.byte(VALUE_DOUBLE);
    w.double(value);
    w.byte(SAMPLE_TS);
    w.varint(timestampMs);
    w.end(at);
    this.samples++;
    this.seriesItems++;
  }

  exemplar(labelName: string, labelValue: string, value: number, timestampMs: number): void {
    if (!this.sendExemplars || this.skipping) return;
    const w = this.w;
    const at = w.begin(EXEMPLAR);
    const label = w.begin(LABEL);
    w.byte(LABEL_NAME);
    w.string(labelName);
    w.byte(LABEL_VALUE);
    w.string(labelValue);
    w.end(label);
    w.byte(EXEMPLAR_VALUE);
    w.double(value);
    w.byte(EXEMPLAR_TS);
    w.varint(timestampMs);
    w.end(at);
    this.exemplars++;
    this.seriesItems++;
  }

  take(): EncodedRequest[] {
    return this.requests.take();
  }

  finish(): EncodedRequest[] {
    this.closeSeries();
    this.cut();
    return this.take();
  }

  private closeSeries(): void {
    if (this.series < 0) return;
    if (this.seriesItems === 0) this.w.pos = this.seriesStart;
    else this.w.end(this.series);
    this.series = -1;
  }

  private cut(): void {
    if (this.samples === 0 && this.exemplars === 0) return;
    this.requests.push({ body: this.w.take(), samples: this.samples, exemplars: this.exemplars });
    this.samples = 0;
    this.exemplars = 0;
  }
}
