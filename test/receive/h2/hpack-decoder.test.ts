import { describe, expect, test } from "bun:test";
import { HpackDecoder } from "../../../src/receive/h2/hpack-decoder.ts";
import { HpackError } from "../../../src/receive/h2/hpack-error.ts";
import { decodeAll, hex } from "./hpack-test-util.ts";

function decodeError(decoder: HpackDecoder, block: string): HpackError {
  try {
    decodeAll(decoder, hex(block));
  } catch (e) {
    if (e instanceof HpackError) return e;
    throw e;
  }
  throw new Error(`block ${block} decoded without an error`);
}

function expectCompressionError(block: string, message: RegExp, decoder = new HpackDecoder()): void {
  const error = decodeError(decoder, block);
  expect(error.kind).toBe("compression");
  expect(error.message).toMatch(message);
}

/** A literal-with-incremental-indexing field with a new name; ASCII only. */
function indexedLiteral(name: string, value: string): string {
  const str = (s: string) => s.length.toString(16).padStart(2, "0") + Buffer.from(s, "latin1").toString("hex");
  if (name.length > 126 || value.length > 126) throw new Error("test helper: short strings only");
  return `40${str(name)}${str(value)}`;
}

describe("HpackDecoder: the dynamic table", () => {
  test("an entry larger than the table empties it and is not added", () => {
    const decoder = new HpackDecoder(256);
    decodeAll(decoder, hex(indexedLiteral("a", "b")));
    expect(decoder.tableSize).toBe(34);
    const big = "x".repeat(120);
    // 32 + 1 + 2 * 120 = 273 > 256; the name is taken from the entry that is evicted (RFC 7541 §4.4).
    expect(decodeAll(decoder, hex(`7e 7f71 ${Buffer.from(big + big).toString("hex")}`))).toEqual([["a", big + big]]);
    expect(decoder.tableEntries()).toEqual([]);
    expect(decoder.tableSize).toBe(0);
  });

  test("a size update shrinks the table, evicting the oldest entries; a later one may grow it again", () => {
    const decoder = new HpackDecoder(4096);
    decodeAll(decoder, hex(indexedLiteral("a", "1") + indexedLiteral("b", "2") + indexedLiteral("c", "3")));
    expect(decoder.tableSize).toBe(3 * 34);
    // Size 68 (0x20 | 31, then 37), then a field indexing the new newest entry.
    expect(decodeAll(decoder, hex("3f25 be"))).toEqual([["c", "3"]]);
    expect(decoder.tableEntries()).toEqual([
      ["c", "3"],
      ["b", "2"],
    ]);
    expect(decoder.tableMaxSize).toBe(68);
    // Two updates at the start of one block (0, then 4096): the table empties, then may hold 4096.
    decodeAll(decoder, hex("20 3fe11f" + indexedLiteral("d", "4")));
    expect(decoder.tableEntries()).toEqual([["d", "4"]]);
    expect(decoder.tableMaxSize).toBe(4096);
  });

  test("strings are byte-preserving latin1, literal and Huffman-coded", () => {
    const decoder = new HpackDecoder();
    // :path (4) with the literal bytes 80 ff 00; accept (19) with the Huffman-coded bytes ff 80
    // (fffffbbfff9b, from Python's hpack encoder).
    const fields = decodeAll(decoder, hex("04 03 80ff00 0f04 86 fffffbbfff9b"));
    expect(fields).toEqual([
      [":path", "\x80\xff\x00"],
      ["accept", "\xff\x80"],
    ]);
  });
});

describe("HpackDecoder: malformed blocks throw HpackError compression", () => {
  test("EOS inside a Huffman string", () => {
    expectCompressionError("04 84 ffffffff", /EOS/);
  });
  test("Huffman padding longer than 7 bits, or not all ones", () => {
    expectCompressionError("04 81 ff", /padding/);
    expectCompressionError("04 81 18", /padding/);
  });
  test("index 0", () => {
    expectCompressionError("80", /index 0/);
  });
  test("an index past the table", () => {
    expectCompressionError("be", /index 62 past the table \(61 entries\)/);
    const decoder = new HpackDecoder();
    decodeAll(decoder, hex(indexedLiteral("a", "b")));
    expect(decodeAll(decoder, hex("be"))).toEqual([["a", "b"]]);
    expectCompressionError("bf", /index 63 past the table/, decoder);
    expectCompressionError("7f00 01 61", /index 63 past the table/, decoder); // as a literal's name
  });
  test("a size update above the limit; the limit itself is accepted", () => {
    expectCompressionError("3fe21f", /size update to 4097 above the limit 4096/);
    expect(decodeAll(new HpackDecoder(), hex("3fe11f"))).toEqual([]);
    expectCompressionError("3fe201", /size update to 257 above the limit 256/, new HpackDecoder(256));
  });
  test("a size update after a header field", () => {
    expectCompressionError("82 20", /after a header field/);
  });
  test("a truncated integer", () => {
    expectCompressionError("ff", /truncated integer/);
    expectCompressionError("ff 80", /truncated integer/);
    expectCompressionError("0f", /truncated integer/); // a name index 15 + continuation, missing
  });
  test("a truncated string", () => {
    expectCompressionError("04 05 6162", /string longer than the rest/);
    expectCompressionError("04 03 6162", /string longer than the rest/); // one byte short
    expectCompressionError("04 82 1f", /string longer than the rest/); // Huffman, one byte short
    expectCompressionError("40 01 61", /truncated string/); // a new name without its value
    expectCompressionError("04", /truncated string/); // a name index without its value
    expectCompressionError("40 8a ff", /string longer than the rest/);
  });
  test("an integer above 2^31 - 1 or with too many continuation bytes", () => {
    expectCompressionError("ff ffffffff0f", /integer overflow/);
    expectCompressionError("0f ffffffff07 00", /integer overflow/);
    expectCompressionError("ff 8080808080 00", /too many continuation bytes/);
    // The largest accepted integer, as an index: a valid integer, an invalid index.
    expectCompressionError("ff 80ffffff07", /index 2147483647 past the table/);
  });
});

describe("HpackDecoder: the header list limit", () => {
  test("exceeding it throws HpackError too_large after decoding the whole block", () => {
    const decoder = new HpackDecoder(4096, 100);
    const seen: Array<[string, string]> = [];
    // 2 × (1 + 1 + 32) = 68, then "c: 30 bytes" brings it to 131 > 100.
    const block = hex(indexedLiteral("a", "1") + indexedLiteral("b", "2") + indexedLiteral("c", "x".repeat(30)) + "82");
    let error: unknown;
    try {
      decoder.decode(block, (name, value) => seen.push([name, value]));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HpackError);
    expect((error as HpackError).kind).toBe("too_large");
    expect(seen).toEqual([
      ["a", "1"],
      ["b", "2"],
    ]);
    // The table kept in sync: the field past the limit was still indexed, the connection goes on.
    expect(decodeAll(decoder, hex("be bf"))).toEqual([
      ["c", "x".repeat(30)],
      ["b", "2"],
    ]);
    expect(decodeAll(decoder, hex("c0"))).toEqual([["a", "1"]]);
  });

  test("a list exactly at the limit is accepted", () => {
    expect(decodeAll(new HpackDecoder(4096, 68), hex(indexedLiteral("a", "1") + indexedLiteral("b", "2")))).toHaveLength(2);
  });

  test("a compression error after the limit is still a compression error", () => {
    const decoder = new HpackDecoder(4096, 40);
    expectCompressionError(indexedLiteral("a", "1") + indexedLiteral("b", "2") + "80", /index 0/, decoder);
  });
});
