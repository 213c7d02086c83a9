import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import type { SeriesSink } from "../registry/sink.ts";

/** One remote-write request body (uncompressed protobuf) and what it carries. */
export interface EncodedRequest {
  body: Uint8Array;
  samples: number;
  exemplars: number;
}

/**
 * Encodes a collection round straight into prometheus.WriteRequest bytes
 * (remote write 1.0), split into requests of about `maxSamplesPerSend`
 * samples. Field numbers follow proto/prometheus/{remote,types}.proto; the
 * generated types are not used on this path to avoid one object per sample.
 * Labels are written sorted, with __name__ and le merged into place.
 */
export class WriteRequestEncoder implements SeriesSink {
  readonly requests: EncodedRequest[] = [];
  private w = new BinaryWriter();
  private open = false;
  private samples = 0;
  private exemplars = 0;

  constructor(
    private readonly maxSamplesPerSend: number,
    private readonly sendExemplars: boolean,
  ) {}

  family(): void {}

  begin(name: string, labels: readonly string[], le: string | undefined): void {
    this.closeSeries();
    if (this.samples >= this.maxSamplesPerSend) this.cut();
    const w = this.w;
    w.tag(1, WireType.LengthDelimited).fork();
    this.open = true;
    let nameDone = false;
    let leDone = le === undefined;
    for (let i = 0; i < labels.length; i += 2) {
      const n = labels[i];
      if (!nameDone && "__name__" < n) {
        label(w, "__name__", name);
        nameDone = true;
      }
      if (!leDone && "le" < n) {
        label(w, "le", le as string);
        leDone = true;
      }
      label(w, n, labels[i + 1]);
    }
    if (!nameDone) label(w, "__name__", name);
    if (!leDone) label(w, "le", le as string);
  }

  sample(timestampMs: number, value: number): void {
    this.w.tag(2, WireType.LengthDelimited).fork().tag(1, WireType.Bit64).double(value).tag(2, WireType.Varint).int64(timestampMs).join();
    this.samples++;
  }

  exemplar(labelName: string, labelValue: string, value: number, timestampMs: number): void {
    if (!this.sendExemplars) return;
    const w = this.w.tag(3, WireType.LengthDelimited).fork();
    label(w, labelName, labelValue);
    w.tag(2, WireType.Bit64).double(value).tag(3, WireType.Varint).int64(timestampMs).join();
    this.exemplars++;
  }

  /** Ends the round; `requests` then holds every body. */
  finish(): EncodedRequest[] {
    this.closeSeries();
    this.cut();
    return this.requests;
  }

  private closeSeries(): void {
    if (this.open) {
      this.w.join();
      this.open = false;
    }
  }

  private cut(): void {
    if (this.samples === 0 && this.exemplars === 0) return;
    this.requests.push({ body: this.w.finish(), samples: this.samples, exemplars: this.exemplars });
    this.w = new BinaryWriter();
    this.samples = 0;
    this.exemplars = 0;
  }
}

function label(w: BinaryWriter, name: string, value: string): void {
  w.tag(1, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(name).tag(2, WireType.LengthDelimited).string(value).join();
}
