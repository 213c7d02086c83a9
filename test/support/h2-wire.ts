import { ErrorCode, Flag, FrameType, PREFACE, frame, readUint32, settings } from "../../src/receive/h2/frames.ts";
import type { Transport } from "../../src/receive/h2/frame-writer.ts";
import { type ConnectionLimits, H2Connection } from "../../src/receive/h2/h2-connection.ts";
import type { H2Stream } from "../../src/receive/h2/h2-stream.ts";
import { encodeHeaderBlock } from "../../src/receive/h2/hpack-encoder.ts";
import { freeNow } from "../../src/receive/body-reader.ts";

/** A frame as this server wrote it. */
export interface WrittenFrame {
  type: number;
  flags: number;
  stream: number;
  payload: Uint8Array;
}

/** Cuts written bytes into frames. */
export function parseFrames(bytes: Uint8Array): WrittenFrame[] {
  const out: WrittenFrame[] = [];
  let i = 0;
  while (i + 9 <= bytes.length) {
    const len = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out.push({ type: bytes[i + 3], flags: bytes[i + 4], stream: readUint32(bytes, i + 5) & 0x7fffffff, payload: bytes.slice(i + 9, i + 9 + len) });
    i += 9 + len;
  }
  if (i !== bytes.length) throw new Error(`${bytes.length - i} bytes after the last whole frame`);
  return out;
}

/** The GOAWAY error code among `frames`, or undefined. */
export function goawayCode(frames: WrittenFrame[]): number | undefined {
  const g = frames.find((f) => f.type === FrameType.GOAWAY);
  return g === undefined ? undefined : readUint32(g.payload, 4);
}

/** RST_STREAM codes by stream. */
export function resets(frames: WrittenFrame[]): [number, number][] {
  return frames.filter((f) => f.type === FrameType.RST_STREAM).map((f) => [f.stream, readUint32(f.payload, 0)]);
}

export const REQUEST_HEADERS: [string, string][] = [
  [":method", "POST"],
  [":scheme", "http"],
  [":path", "/svc/Method"],
  [":authority", "localhost"],
  ["content-type", "application/grpc"],
  ["te", "trailers"],
];

/** A HEADERS frame opening `stream` with `headers` (END_HEADERS; END_STREAM when `end`). */
export function headersFrame(stream: number, end = false, headers = REQUEST_HEADERS): Uint8Array {
  return frame(FrameType.HEADERS, Flag.END_HEADERS | (end ? Flag.END_STREAM : 0), stream, encodeHeaderBlock(headers));
}

export function dataFrame(stream: number, bytes: Uint8Array, end = false): Uint8Array {
  return frame(FrameType.DATA, end ? Flag.END_STREAM : 0, stream, bytes);
}

export const LIMITS: ConnectionLimits = { maxConcurrentStreams: 4, streamWindow: 1 << 16, connectionWindow: 1 << 18, maxHeaderListBytes: 4096 };

/**
 * One server connection on an in-memory transport, the client's side
 * written by hand: what the server wrote is read back as frames.
 */
export class WireHarness implements Transport {
  readonly conn: H2Connection;
  readonly streams: H2Stream[] = [];
  private written: Uint8Array[] = [];
  ended = false;
  destroyed = false;

  constructor(limits: ConnectionLimits = LIMITS, onStream?: (s: H2Stream) => void) {
    this.conn = new H2Connection(this, limits, (s) => {
      this.streams.push(s);
      onStream?.(s);
    });
  }

  write(bytes: Uint8Array): void {
    this.written.push(bytes.slice());
  }

  end(): void {
    this.ended = true;
  }

  destroy(): void {
    this.destroyed = true;
  }

  /** The client preface and an empty SETTINGS. */
  handshake(extra: ReadonlyArray<readonly [number, number]> = []): this {
    this.conn.receive(Buffer.concat([PREFACE, settings(extra)]));
    return this;
  }

  send(...frames: Uint8Array[]): this {
    this.conn.receive(Buffer.concat(frames));
    return this;
  }

  /**
   * Each frame as its own socket read, the way the listener hands them over:
   * a Buffer over a fresh ArrayBuffer, freed (detached) once the read is handled.
   */
  sendReads(...frames: Uint8Array[]): this {
    for (const f of frames) {
      const store = new ArrayBuffer(f.length);
      const read = Buffer.from(store);
      read.set(f);
      this.conn.receive(read);
      freeNow(read);
    }
    return this;
  }

  /** The frames written since the last call (microtask-flushed writes included). */
  async frames(): Promise<WrittenFrame[]> {
    await Promise.resolve();
    const all = Buffer.concat(this.written);
    this.written = [];
    return parseFrames(all);
  }
}

export { ErrorCode, Flag, FrameType };
