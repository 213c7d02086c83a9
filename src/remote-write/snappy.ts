// The wasm is embedded with `type: "file"` so it is inside the compiled binary;
// snappy-wasm's own loaders look for it next to node_modules (toolchain.md §5).
import wasmPath from "../../node_modules/snappy-wasm/es/snappy_bg.wasm" with { type: "file" };
import { readFileSync } from "node:fs";
import { compress_raw, decompress_raw, initSync } from "snappy-wasm";

// Compiled on first use, not at start: an instance without remote write never
// pays for it, and the wasm compile (~3 ms) stays off the path to /ready.
let ready = false;
function init(): void {
  initSync(readFileSync(wasmPath as unknown as string));
  ready = true;
}

/** Snappy block-format compression (what remote write 1.0 sends). */
export function snappyCompress(bytes: Uint8Array): Uint8Array {
  if (!ready) init();
  return compress_raw(bytes);
}

/**
 * Decompresses a snappy block, refusing one whose declared length is over
 * `maxLength` or malformed: snappy-wasm panics on bogus length headers.
 */
export function snappyDecompress(bytes: Uint8Array, maxLength = 64 << 20): Uint8Array {
  let len = 0;
  let shift = 0;
  let i = 0;
  for (; i < 5 && i < bytes.length; i++) {
    len += (bytes[i] & 0x7f) * 2 ** shift;
    shift += 7;
    if ((bytes[i] & 0x80) === 0) break;
  }
  if (i === bytes.length || i === 5 || len > maxLength) throw new Error("snappy: invalid or oversized length header");
  if (!ready) init();
  return decompress_raw(bytes);
}

/**
 * The first byte of what a snappy block decompresses to, without
 * decompressing (-1 when it cannot be told): a block starts with its length,
 * then a literal, whose first byte is the data's first byte. The queue on
 * disk tells remote write 1.0 and 2.0 requests apart by it (their first
 * protobuf fields differ), so rounds queued before a protobuf_message change
 * still go out with their own headers.
 */
export function snappyFirstByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < 5 && i < bytes.length && (bytes[i] & 0x80) !== 0) i++;
  i++;
  if (i >= bytes.length) return -1;
  const tag = bytes[i];
  if ((tag & 3) !== 0) return -1;
  const n = tag >> 2;
  const skip = n < 60 ? 1 : 1 + (n - 59);
  return i + skip < bytes.length ? bytes[i + skip] : -1;
}
