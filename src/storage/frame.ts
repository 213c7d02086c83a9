/**
 * The framing of every record redgen writes to disk: a 4-byte magic, the
 * payload length and its CRC-32, then the payload. A reader can tell a torn
 * tail (the frame runs past the end of the file) from damage (bad magic,
 * impossible length, CRC mismatch) and cut the file there.
 */
export const FRAME_HEADER_BYTES = 12;

export type Unframed =
  | { ok: true; payload: Uint8Array; end: number }
  | { ok: false; reason: "torn" | "damaged"; detail: string };

export function frame(magic: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, magic);
  v.setUint32(4, payload.length);
  v.setUint32(8, Bun.hash.crc32(payload));
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

/** Reads the frame at `offset`; `maxLength` bounds the payload (a damaged length must not allocate gigabytes). */
export function unframe(buf: Uint8Array, offset: number, magic: number, maxLength: number): Unframed {
  if (offset + FRAME_HEADER_BYTES > buf.length) return { ok: false, reason: "torn", detail: "header cut short" };
  const v = new DataView(buf.buffer, buf.byteOffset + offset, FRAME_HEADER_BYTES);
  if (v.getUint32(0) !== magic) return { ok: false, reason: "damaged", detail: "bad magic" };
  const len = v.getUint32(4);
  if (len > maxLength) return { ok: false, reason: "damaged", detail: `impossible length ${len}` };
  const end = offset + FRAME_HEADER_BYTES + len;
  if (end > buf.length) return { ok: false, reason: "torn", detail: `record cut short (${buf.length - offset} of ${end - offset} bytes)` };
  const payload = buf.subarray(offset + FRAME_HEADER_BYTES, end);
  if (Bun.hash.crc32(payload) !== v.getUint32(8)) return { ok: false, reason: "damaged", detail: "CRC mismatch" };
  return { ok: true, payload, end };
}
