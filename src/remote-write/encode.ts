import type { SeriesSink } from "../registry/sink.ts";
import { ByteWriter } from "../util/byte-writer.ts";
import { LabelBytesCache } from "./label-bytes.ts";

/** One remote-write request body (uncompressed protobuf) and what it carries. */
export interface EncodedRequest {
  body: Uint8Array;
  samples: number;
  exemplars: number;
}

// Tags of prometheus.WriteRequest / TimeSeries / Sample / Exemplar (proto/prometheus/*.proto).
const TIMESERIES = 0x0a; // WriteRequest.timeseries = 1
const SAMPLE = 0x12; // TimeSeries.samples = 2
const EXEMPLAR = 0x1a; // TimeSeries.exemplars = 3
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
 * encoded runs, with __name__ and le written into their sorted place.
 */
export class WriteRequestEncoder implements SeriesSink {
  readonly requests: EncodedRequest[] = [];
  private readonly w = new ByteWriter();
  private series = -1;
  private samples = 0;
  private exemplars = 0;

  constructor(
    private readonly maxSamplesPerSend: number,
    private readonly sendExemplars: boolean,
    /** kept by the writer across rounds: labels are encoded once per series, not per round */
    private readonly labels: LabelBytesCache = new LabelBytesCache(),
  ) {}

  family(): void {}

  begin(name: string, labels: readonly string[], le: string | undefined): void {
    this.closeSeries();
    if (this.samples >= this.maxSamplesPerSend) this.cut();
    const w = this.w;
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

  sample(timestampMs: number, value: number): void {
    const w = this.w;
    const at = w.begin(SAMPLE);
    w.byte(VALUE_DOUBLE);
    w.double(value);
    w.byte(SAMPLE_TS);
    w.varint(timestampMs);
    w.end(at);
    this.samples++;
  }

  exemplar(labelName: string, labelValue: string, value: number, timestampMs: number): void {
    if (!this.sendExemplars) return;
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
  }

  /** Ends the round; `requests` then holds every body. */
  finish(): EncodedRequest[] {
    this.closeSeries();
    this.cut();
    return this.requests;
  }

  private closeSeries(): void {
    if (this.series >= 0) {
      this.w.end(this.series);
      this.series = -1;
    }
  }

  private cut(): void {
    if (this.samples === 0 && this.exemplars === 0) return;
    this.requests.push({ body: this.w.take(), samples: this.samples, exemplars: this.exemplars });
    this.samples = 0;
    this.exemplars = 0;
  }
}
