import { describe, expect, test } from "bun:test";
import { HpackError } from "../../../src/receive/h2/hpack-error.ts";
import { huffmanDecode } from "../../../src/receive/h2/huffman.ts";
import { HUFFMAN_CODES, HUFFMAN_LENGTHS } from "../../../src/receive/h2/huffman-table.ts";

/** Huffman-encodes symbols, then pads with `padBits` (default: 1s to the byte boundary). */
function encode(symbols: number[], pad?: { bits: number; value: number }): Uint8Array {
  const bits: number[] = [];
  for (const sym of symbols) {
    for (let i = HUFFMAN_LENGTHS[sym] - 1; i >= 0; i--) bits.push((HUFFMAN_CODES[sym] >>> i) & 1);
  }
  const padBits = pad?.bits ?? (8 - (bits.length % 8)) % 8;
  for (let i = padBits - 1; i >= 0; i--) bits.push(pad === undefined ? 1 : (pad.value >>> i) & 1);
  if (bits.length % 8 !== 0) throw new Error("test encoding does not end on a byte boundary");
  const out = new Uint8Array(bits.length / 8);
  for (let i = 0; i < bits.length; i++) out[i >> 3] |= bits[i] << (7 - (i & 7));
  return out;
}

const decode = (bytes: Uint8Array): string => huffmanDecode(bytes, 0, bytes.length);
const A = "a".charCodeAt(0); // 00011, 5 bits

function expectCompressionError(bytes: Uint8Array, message: RegExp): void {
  let error: unknown;
  try {
    decode(bytes);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(HpackError);
  expect((error as HpackError).kind).toBe("compression");
  expect((error as HpackError).message).toMatch(message);
}

describe("Huffman table (RFC 7541 Appendix B)", () => {
  test("is a complete prefix code whose EOS is 30 one-bits", () => {
    let kraft = 0;
    for (let sym = 0; sym <= 256; sym++) kraft += 2 ** -HUFFMAN_LENGTHS[sym];
    expect(kraft).toBe(1);
    expect(HUFFMAN_LENGTHS[256]).toBe(30);
    expect(HUFFMAN_CODES[256]).toBe(2 ** 30 - 1);
    expect(Math.min(...HUFFMAN_LENGTHS)).toBe(5);
  });
});

describe("huffmanDecode", () => {
  test("decodes every byte value, alone and in runs of 1 to 8 (padding of every length 0 to 7)", () => {
    for (let sym = 0; sym < 256; sym++) {
      for (let run = 1; run <= 8; run++) {
        const symbols = new Array<number>(run).fill(sym);
        expect(decode(encode(symbols))).toBe(String.fromCharCode(sym).repeat(run));
      }
    }
  });

  test("decodes pseudo-random strings of all byte values (latin1, one char per byte)", () => {
    let seed = 7541;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 16;
    for (let n = 0; n < 300; n++) {
      const symbols = Array.from({ length: next() % 200 }, () => next() & 0xff);
      expect(decode(encode(symbols))).toBe(String.fromCharCode(...symbols));
    }
  });

  test("decodes within a slice of a larger buffer", () => {
    const inner = encode([A, A, A]);
    const outer = new Uint8Array([0x00, ...inner, 0x00]);
    expect(huffmanDecode(outer, 1, 1 + inner.length)).toBe("aaa");
  });

  test("an empty string decodes to ''", () => {
    expect(decode(new Uint8Array(0))).toBe("");
  });

  test("accepts padding of up to 7 one-bits", () => {
    expect(decode(encode([A], { bits: 3, value: 0b111 }))).toBe("a");
    expect(decode(encode([A, A, A, A, A, A, A], { bits: 5, value: 0b11111 }))).toBe("aaaaaaa");
  });

  test("rejects the EOS symbol inside a string", () => {
    expectCompressionError(encode([A, 256, A]), /EOS/);
    expectCompressionError(encode([256]), /EOS/);
  });

  test("rejects padding longer than 7 bits", () => {
    expectCompressionError(encode([A], { bits: 11, value: 0x7ff }), /padding/);
    expectCompressionError(new Uint8Array([0xff]), /padding/);
  });

  test("rejects padding that is not all ones", () => {
    expectCompressionError(encode([A], { bits: 3, value: 0b000 }), /padding/);
    expectCompressionError(encode([A], { bits: 3, value: 0b110 }), /padding/);
    expectCompressionError(encode([A], { bits: 3, value: 0b011 }), /padding/);
  });
});
