/**
 * A small binary writer: one growable buffer, varints up to 2^53, doubles,
 * raw bytes, and length-delimited protobuf fields whose length is patched in
 * afterwards. The remote-write encoder uses it (protobuf-es' BinaryWriter
 * copies chunks on every raw append and fork/join, which dominated collection
 * time), and so does the checkpoint codec (bin-codec.ts).
 */
const encoder = new TextEncoder();

export class ByteWriter {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** A varint of a non-negative integer below 2^53 (tags, lengths, ms timestamps). */
  varint(n: number): void {
    this.ensure(8);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }

  double(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A length-prefixed UTF-8 string (ASCII, such as hex trace ids, without TextEncoder). */
  string(s: string): void {
    for (let i = 0; i < s.length; i++) {
      if (s.charCodeAt(i) >= 0x80) {
        const b = encoder.encode(s);
        this.varint(b.length);
        this.bytes(b);
        return;
      }
    }
    this.varint(s.length);
    this.ensure(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
  }

  /** Starts a length-delimited field: its tag, then room for the length, patched by `end`. */
  begin(tag: number): number {
    this.byte(tag);
    this.ensure(5);
    const at = this.pos;
    this.pos += 5;
    return at;
  }

  /** Writes the length of the field started at `at`, moving its content up when the length took under 5 bytes. */
  end(at: number): void {
    const len = this.pos - at - 5;
    let size = 1;
    for (let n = len; n >= 0x80; n = Math.floor(n / 0x80)) size++;
    const content = at + 5;
    if (size < 5) this.buf.copyWithin(at + size, content, this.pos);
    let n = len;
    let p = at;
    while (n >= 0x80) {
      this.buf[p++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[p] = n;
    this.pos -= 5 - size;
  }

  /** The bytes written so far (a copy), and starts over. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    return out;
  }

  /** The bytes written so far, not copied: valid until the next write. */
  written(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}
