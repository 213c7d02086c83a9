import { HUFFMAN_CODES, HUFFMAN_LENGTHS } from "./huffman-table.ts";
import { HpackError } from "./hpack-error.ts";

// A 4-bit state machine over the code tree (RFC 7541 §5.2). The tree of 257 leaves has 256 inner
// nodes; a state is an inner node (0 = root). The shortest code is 5 bits, so one nibble completes
// at most one symbol. Each entry: next state (bits 0-7), EMIT (bit 8), FAIL (bit 9, EOS reached),
// the emitted symbol (bits 16-23).
const EMIT = 0x100;
const FAIL = 0x200;
const EOS = 256;

const transitions = new Uint32Array(256 * 16);
/** 1 when decoding may end in this state: at a symbol boundary, or ≤ 7 bits of 1s into a code. */
const accepting = new Uint8Array(256);

function buildTables(): void {
  // children[2 * node + bit]: an inner node (≥ 0) or a leaf (-1 - symbol).
  const children = new Int32Array(512).fill(-1 - 0x10000);
  const depth = new Uint8Array(256);
  const allOnes = new Uint8Array(256);
  allOnes[0] = 1;
  let nodes = 1;
  for (let sym = 0; sym <= EOS; sym++) {
    const code = HUFFMAN_CODES[sym];
    const len = HUFFMAN_LENGTHS[sym];
    let node = 0;
    for (let i = len - 1; i >= 0; i--) {
      const bit = (code >>> i) & 1;
      const slot = 2 * node + bit;
      if (i === 0) {
        children[slot] = -1 - sym;
      } else {
        if (children[slot] < -0xffff) {
          children[slot] = nodes;
          depth[nodes] = depth[node] + 1;
          allOnes[nodes] = allOnes[node] & bit;
          nodes++;
        }
        node = children[slot];
      }
    }
  }
  if (nodes !== 256) throw new Error(`Huffman table: ${nodes} inner nodes, expected 256`);
  for (let state = 0; state < 256; state++) {
    accepting[state] = state === 0 || (allOnes[state] === 1 && depth[state] <= 7) ? 1 : 0;
    for (let nibble = 0; nibble < 16; nibble++) {
      let node = state;
      let entry = 0;
      for (let i = 3; i >= 0; i--) {
        const child = children[2 * node + ((nibble >>> i) & 1)];
        if (child < -0xffff) throw new Error("Huffman table: the code is not complete");
        if (child >= 0) {
          node = child;
          continue;
        }
        const sym = -1 - child;
        if (sym === EOS) entry |= FAIL;
        else entry |= EMIT | (sym << 16);
        node = 0;
      }
      transitions[(state << 4) | nibble] = entry | node;
    }
  }
}
buildTables();

let scratch = Buffer.allocUnsafe(256);

/** Decodes the Huffman-coded bytes src[start, end) to a latin1 string (one char per byte). */
export function huffmanDecode(src: Uint8Array, start: number, end: number): string {
  // Every symbol takes ≥ 5 bits, so n bytes decode to at most 8n/5 symbols.
  const max = (((end - start) * 8) / 5) | 0;
  if (max > scratch.length) scratch = Buffer.allocUnsafe(Math.max(max, scratch.length * 2));
  const out = scratch;
  let n = 0;
  let state = 0;
  for (let i = start; i < end; i++) {
    const byte = src[i];
    let t = transitions[(state << 4) | (byte >>> 4)];
    if (t & (EMIT | FAIL)) {
      if (t & FAIL) throw eosError();
      out[n++] = t >>> 16;
    }
    state = t & 0xff;
    t = transitions[(state << 4) | (byte & 0xf)];
    if (t & (EMIT | FAIL)) {
      if (t & FAIL) throw eosError();
      out[n++] = t >>> 16;
    }
    state = t & 0xff;
  }
  if (accepting[state] === 0) {
    throw new HpackError("compression", "Huffman string: padding longer than 7 bits or not all ones");
  }
  return out.toString("latin1", 0, n);
}

function eosError(): HpackError {
  return new HpackError("compression", "Huffman string contains the EOS symbol");
}
