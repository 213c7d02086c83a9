import { describe, expect, test } from "bun:test";
import { StringTable } from "../../src/decode/string-table.ts";

/** A table whose decoder counts its calls (a call is a miss). */
function countingTable(): { table: StringTable; decoded: () => number } {
  let n = 0;
  const table = new StringTable((buf, start, end) => {
    n++;
    return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString("latin1", start, end);
  });
  return { table, decoded: () => n };
}

function bytesOf(values: string[]): { buf: Uint8Array; at: [number, number][] } {
  const parts = values.map((v) => new TextEncoder().encode(v));
  const buf = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  const at: [number, number][] = [];
  let pos = 0;
  for (const p of parts) {
    buf.set(p, pos);
    at.push([pos, pos + p.length]);
    pos += p.length;
  }
  return { buf, at };
}

describe("StringTable", () => {
  test("values that differ only in inner bytes (addresses, host names) each keep a slot", () => {
    // same length, same first three and last three bytes, same middle byte
    const values: string[] = [];
    for (let a = 0; a < 10; a++) for (let b = 0; b < 4; b++) values.push(`10.42.${a}${b}.12`);
    for (let n = 10; n < 40; n++) values.push(`ip-10-0-${n}-5.ec2.internal`);
    const { buf, at } = bytesOf(values);
    const { table, decoded } = countingTable();
    for (let i = 0; i < at.length; i++) expect(table.get(buf, at[i][0], at[i][1])).toBe(values[i]);
    const first = decoded();
    expect(first).toBe(values.length);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < at.length; i++) expect(table.get(buf, at[i][0], at[i][1])).toBe(values[i]);
    }
    // at most a chance collision or two among 70 values in 8,192 slots, never one per use
    expect(decoded() - first).toBeLessThanOrEqual(6);
  });

  test("a hit compares every byte: equal hashes never return another value", () => {
    const { table } = countingTable();
    const values = ["GET", "PUT", "POST", "status.ok", "status.no", "", "é-unicode"];
    const { buf, at } = bytesOf(values);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < values.length; i++) {
        const [s, e] = at[i];
        expect(table.get(buf, s, e)).toBe(values[i]);
      }
    }
  });

  test("keeps a copy of the bytes: a Buffer's slice would be a view of memory the next request reuses", () => {
    const { table, decoded } = countingTable();
    const buf = Buffer.from("checkout");
    expect(table.get(buf, 0, buf.length)).toBe("checkout");
    buf.write("shipping");
    expect(table.get(Buffer.from("checkout"), 0, 8)).toBe("checkout");
    expect(decoded()).toBe(1);
  });
});
