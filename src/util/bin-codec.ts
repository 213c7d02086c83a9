/**
 * A compact binary codec for redgen's own state files (checkpoints, queue
 * records): unsigned varints up to 2^53, doubles, bytes, and strings through
 * a string table, so the label names and values every series repeats are
 * written once. A writer's output is `finish()`: the table, then the body.
 * A reader throws CodecError on anything malformed; callers treat that as a
 * damaged file, never as a crash.
 */

import { ByteWriter } from "./byte-writer.ts";
import { type Steps, atOnce } from "./slices.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export class CodecError extends Error {}

export class BinWriter {
  private readonly body = new ByteWriter();
  private readonly strings = new Map<string, number>();
  private readonly table: string[] = [];

  /** A non-negative integer below 2^53. */
  uint(n: number): void {
    this.body.varint(n);
  }

  f64(v: number): void {
    this.body.double(v);
  }

  bool(b: boolean): void {
    this.body.byte(b ? 1 : 0);
  }

  bytes(b: Uint8Array): void {
    this.body.varint(b.length);
    this.body.bytes(b);
  }

  /** A string, as an index into the table. */
  str(s: string): void {
    let i = this.strings.get(s);
    if (i === undefined) {
      i = this.table.length;
      this.table.push(s);
      this.strings.set(s, i);
    }
    this.body.varint(i);
  }

  /** What was written since the last call, without a string table (only for writes without strings), for another writer's `raw`. */
  takeBody(): Uint8Array {
    if (this.table.length > 0) throw new Error("a body with strings cannot be moved to another writer");
    return this.body.take();
  }

  /** Bytes that another writer's takeBody gave, as they are. */
  raw(b: Uint8Array): void {
    this.body.bytes(b);
  }

  /** The table (count, then each string's UTF-8 bytes) followed by the body. */
  finish(): Uint8Array {
    return atOnce(this.finishSteps());
  }

  /** The same as a walk that yields every few thousand strings (a checkpoint's table holds every label value). */
  *finishSteps(): Steps<Uint8Array> {
    const head = new ByteWriter();
    head.varint(this.table.length);
    for (let i = 0; i < this.table.length; i++) {
      const b = encoder.encode(this.table[i]);
      head.varint(b.length);
      head.bytes(b);
      if ((i & 4095) === 4095) yield;
    }
    // one copy of the body (a checkpoint's is tens of MB at a million series)
    const h = head.written();
    const b = this.body.written();
    const out = new Uint8Array(h.length + b.length);
    out.set(h);
    out.set(b, h.length);
    this.body.pos = 0;
    return out;
  }
}

export class BinReader {
  private pos = 0;
  private readonly view: DataView;
  private readonly table: string[] = [];

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const n = this.uint();
    for (let i = 0; i < n; i++) {
      const b = this.bytes();
      try {
        this.table.push(decoder.decode(b));
      } catch {
        throw new CodecError("string table holds invalid UTF-8");
      }
    }
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  uint(): number {
    let n = 0;
    let mul = 1;
    for (let k = 0; k < 8; k++) {
      if (this.pos >= this.buf.length) throw new CodecError("truncated");
      const b = this.buf[this.pos++];
      n += (b & 0x7f) * mul;
      if (b < 0x80) return n;
      mul *= 0x80;
    }
    throw new CodecError("varint too long");
  }

  f64(): number {
    if (this.pos + 8 > this.buf.length) throw new CodecError("truncated");
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  bool(): boolean {
    return this.uint() !== 0;
  }

  bytes(): Uint8Array {
    const n = this.uint();
    if (this.pos + n > this.buf.length) throw new CodecError("truncated");
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  str(): string {
    const i = this.uint();
    const s = this.table[i];
    if (s === undefined) throw new CodecError(`string index ${i} out of range`);
    return s;
  }

  /** A count that must be plausible for the bytes left (guards allocations against damaged input). */
  count(): number {
    const n = this.uint();
    if (n > this.buf.length - this.pos + 1) throw new CodecError(`count ${n} larger than the data`);
    return n;
  }
}
