import { expect, test } from "bun:test";
import { join } from "node:path";
import { HpackDecoder } from "../../../src/receive/h2/hpack-decoder.ts";
import { decodeAll, hex } from "./hpack-test-util.ts";

// Blocks from an independent encoder (Python's `hpack`, see test/fixtures/hpack/README.md):
// Huffman coding, indexing and eviction, never-indexed fields, size updates, long and binary values.

interface FixtureBlock {
  hex: string;
  headers: Array<[string, string]>;
  tableSize: number;
  tableCount: number;
  table?: Array<[string, string]>;
}
interface Fixture {
  maxTableSize: number;
  blocks: FixtureBlock[];
}

const fixture = (await Bun.file(join(import.meta.dir, "../../fixtures/hpack/python-hpack-blocks.json")).json()) as Fixture;

test("decodes the Python encoder's block sequence on one connection, the table in step after each block", () => {
  const decoder = new HpackDecoder(fixture.maxTableSize);
  expect(fixture.blocks.length).toBe(100);
  let checkedTables = 0;
  for (const [i, block] of fixture.blocks.entries()) {
    const fields = decodeAll(decoder, hex(block.hex));
    expect({ i, fields }).toEqual({ i, fields: block.headers });
    expect({ i, size: decoder.tableSize, count: decoder.tableEntries().length }).toEqual({
      i,
      size: block.tableSize,
      count: block.tableCount,
    });
    if (block.table !== undefined) {
      expect(decoder.tableEntries()).toEqual(block.table);
      checkedTables++;
    }
  }
  expect(checkedTables).toBe(10);
});
