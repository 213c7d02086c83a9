/** HTTP/2 frame types, flags, settings and error codes (RFC 9113) used by the lean server. */
export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

export const Flag = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;

export const Setting = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
  MAX_HEADER_LIST_SIZE: 0x6,
} as const;

export const ErrorCode = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  ENHANCE_YOUR_CALM: 0xb,
} as const;

export const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");
/** The smallest SETTINGS_MAX_FRAME_SIZE, and the one this server keeps for what it receives. */
export const MIN_MAX_FRAME_SIZE = 16_384;
export const MAX_WINDOW = 2 ** 31 - 1;
export const DEFAULT_WINDOW = 65_535;

/** One frame: the 9-byte header and `payload` (or `length` bytes of it from `offset`). */
export function frame(type: number, flags: number, stream: number, payload?: Uint8Array, offset = 0, length = payload?.length ?? 0): Uint8Array {
  const out = new Uint8Array(9 + length);
  out[0] = length >>> 16;
  out[1] = (length >>> 8) & 0xff;
  out[2] = length & 0xff;
  out[3] = type;
  out[4] = flags;
  writeUint32(out, 5, stream);
  if (payload !== undefined && length > 0) out.set(length === payload.length && offset === 0 ? payload : payload.subarray(offset, offset + length), 9);
  return out;
}

/**
 * A copy of `b[start, end)`. Not `b.slice()`: on a Buffer (what sockets hand
 * over) that is a view, and the socket's buffer is freed once a read is handled.
 */
export function copyOf(b: Uint8Array, start = 0, end = b.length): Uint8Array {
  const out = new Uint8Array(end - start);
  out.set(b.subarray(start, end));
  return out;
}

export function writeUint32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

export function readUint32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

export function windowUpdate(stream: number, increment: number): Uint8Array {
  const p = new Uint8Array(4);
  writeUint32(p, 0, increment);
  return frame(FrameType.WINDOW_UPDATE, 0, stream, p);
}

export function rstStream(stream: number, code: number): Uint8Array {
  const p = new Uint8Array(4);
  writeUint32(p, 0, code);
  return frame(FrameType.RST_STREAM, 0, stream, p);
}

export function goaway(lastStream: number, code: number, debug?: string): Uint8Array {
  const text = debug === undefined ? undefined : Buffer.from(debug, "latin1");
  const p = new Uint8Array(8 + (text?.length ?? 0));
  writeUint32(p, 0, lastStream);
  writeUint32(p, 4, code);
  if (text !== undefined) p.set(text, 8);
  return frame(FrameType.GOAWAY, 0, 0, p);
}

/** A SETTINGS frame of [id, value] pairs. */
export function settings(pairs: ReadonlyArray<readonly [number, number]>): Uint8Array {
  const p = new Uint8Array(6 * pairs.length);
  for (let i = 0; i < pairs.length; i++) {
    p[6 * i] = pairs[i][0] >>> 8;
    p[6 * i + 1] = pairs[i][0] & 0xff;
    writeUint32(p, 6 * i + 2, pairs[i][1]);
  }
  return frame(FrameType.SETTINGS, 0, 0, p);
}
