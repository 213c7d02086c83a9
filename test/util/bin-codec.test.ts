import { describe, expect, test } from "bun:test";
import { BinReader, BinWriter, CodecError } from "../../src/util/bin-codec.ts";

describe("the checkpoint codec", () => {
  test("round trip of every kind, strings written once", () => {
    const w = new BinWriter();
    w.uint(0);
    w.uint(2 ** 53 - 1);
    w.f64(-0.1);
    w.bool(true);
    w.bytes(Uint8Array.of(1, 2, 3));
    for (let i = 0; i < 100; i++) w.str("service.name");
    w.str("ünï ✓");
    const bytes = w.finish();
    expect(bytes.length).toBeLessThan(150);
    const r = new BinReader(bytes);
    expect([r.uint(), r.uint(), r.f64(), r.bool(), [...r.bytes()]]).toEqual([0, 2 ** 53 - 1, -0.1, true, [1, 2, 3]]);
    for (let i = 0; i < 100; i++) expect(r.str()).toBe("service.name");
    expect(r.str()).toBe("ünï ✓");
    expect(r.done).toBe(true);
  });

  test.each([
    ["truncated", (b: Uint8Array) => b.subarray(0, b.length - 3)],
    ["a string index past the table", (b: Uint8Array) => Uint8Array.of(...b.subarray(0, b.length - 1), 99)],
  ])("damaged input (%s) throws CodecError, never anything else", (_what, damage) => {
    const w = new BinWriter();
    w.str("a");
    w.f64(1.5);
    w.str("b");
    const bad = damage(w.finish());
    expect(() => {
      const r = new BinReader(bad);
      r.str();
      r.f64();
      r.str();
    }).toThrow(CodecError);
  });

  test("a count larger than the data left is refused before anything is allocated", () => {
    const w = new BinWriter();
    w.uint(1_000_000_000);
    const r = new BinReader(w.finish());
    expect(() => r.count()).toThrow(CodecError);
  });
});
