/**
 * A raw protobuf writer for tests that need bytes no canonical encoder writes:
 * explicit zero values, unknown fields, values left out, fields in any order.
 * Each call appends one field; `msg` nests another writer's bytes.
 */
export class WireWriter {
  private readonly parts: number[] = [];

  get bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }

  private varintRaw(v: bigint): void {
    let x = BigInt.asUintN(64, v);
    while (x >= 0x80n) {
      this.parts.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.parts.push(Number(x));
  }

  private tag(field: number, wire: number): void {
    this.varintRaw((BigInt(field) << 3n) | BigInt(wire));
  }

  /** A tag (field, wire type) with nothing after it: group markers (3, 4) or a field left unfinished. */
  marker(field: number | bigint, wire: number): this {
    this.varintRaw((BigInt(field) << 3n) | BigInt(wire));
    return this;
  }

  /** Bytes as they are, e.g. a varint of a chosen length or garbage. */
  raw(bytes: ArrayLike<number>): this {
    for (let i = 0; i < bytes.length; i++) this.parts.push(bytes[i]);
    return this;
  }

  varint(field: number, v: number | bigint): this {
    this.tag(field, 0);
    this.varintRaw(BigInt(v));
    return this;
  }

  fixed64(field: number, v: bigint | number): this {
    this.tag(field, 1);
    const b = new Uint8Array(8);
    if (typeof v === "number") new DataView(b.buffer).setFloat64(0, v, true);
    else new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
    this.parts.push(...b);
    return this;
  }

  fixed32(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    this.parts.push(...b);
    return this;
  }

  bytesField(field: number, b: Uint8Array): this {
    this.tag(field, 2);
    this.varintRaw(BigInt(b.length));
    for (let i = 0; i < b.length; i++) this.parts.push(b[i]);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytesField(field, new TextEncoder().encode(s));
  }

  msg(field: number, inner: WireWriter | ((w: WireWriter) => void)): this {
    const w = inner instanceof WireWriter ? inner : new WireWriter();
    if (!(inner instanceof WireWriter)) inner(w);
    return this.bytesField(field, w.bytes);
  }
}
