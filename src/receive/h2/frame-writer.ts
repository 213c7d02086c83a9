import { DEFAULT_WINDOW, Flag, FrameType, MAX_WINDOW, frame } from "./frames.ts";
import type { H2Stream } from "./h2-stream.ts";

/** The socket under a connection (the listener handles backpressure). */
export interface Transport {
  write(bytes: Uint8Array): void;
  /** closes once everything written has gone out */
  end(): void;
  destroy(): void;
}

/**
 * What a connection sends: frames gathered while a read is handled go out
 * in one write (otherwise at the end of the current task), header blocks
 * cut to the client's SETTINGS_MAX_FRAME_SIZE, and response messages within
 * the client's flow-control windows — held back, in order, until a
 * WINDOW_UPDATE or a larger SETTINGS_INITIAL_WINDOW_SIZE lets them go.
 */
export class FrameWriter {
  /** set while a read is handled: sends wait for its end */
  reading = false;
  ended = false;
  /** the client's SETTINGS_INITIAL_WINDOW_SIZE: a new stream's send window */
  peerWindow = DEFAULT_WINDOW;
  private peerMaxFrame = 16_384;
  private sendWindow = DEFAULT_WINDOW;
  private out: Uint8Array[] = [];
  private flushQueued = false;
  private readonly blocked = new Set<H2Stream>();

  constructor(private readonly transport: Transport) {}

  send(bytes: Uint8Array): void {
    if (this.ended) return;
    this.out.push(bytes);
    if (this.reading || this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  flush(): void {
    const out = this.out;
    if (out.length === 0 || this.ended) return;
    this.out = [];
    this.transport.write(out.length === 1 ? out[0] : Buffer.concat(out));
  }

  /** Flushes and closes the socket once written. */
  end(): void {
    if (this.ended) return;
    this.flush();
    this.ended = true;
    this.transport.end();
  }

  /** HEADERS, and CONTINUATION for what does not fit one frame. */
  headers(id: number, block: Uint8Array, endStream: boolean): void {
    const max = this.peerMaxFrame;
    const first = Math.min(block.length, max);
    const end = endStream ? Flag.END_STREAM : 0;
    this.send(frame(FrameType.HEADERS, end | (first === block.length ? Flag.END_HEADERS : 0), id, block, 0, first));
    for (let off = first; off < block.length; off += max) {
      const n = Math.min(max, block.length - off);
      this.send(frame(FrameType.CONTINUATION, off + n === block.length ? Flag.END_HEADERS : 0, id, block, off, n));
    }
  }

  /** The stream's pending message as far as the windows allow, then its trailers; true once all went. */
  message(s: H2Stream): boolean {
    const data = s.pendingData as Uint8Array;
    let off = 0;
    while (off < data.length) {
      const n = Math.min(data.length - off, this.peerMaxFrame, s.sendWindow, this.sendWindow);
      if (n <= 0) break;
      this.send(frame(FrameType.DATA, 0, s.id, data, off, n));
      s.sendWindow -= n;
      this.sendWindow -= n;
      off += n;
    }
    if (off < data.length) {
      s.pendingData = data.subarray(off);
      this.blocked.add(s);
      return false;
    }
    this.blocked.delete(s);
    const trailers = s.pendingTrailers as Uint8Array;
    s.pendingData = s.pendingTrailers = undefined;
    this.headers(s.id, trailers, true);
    return true;
  }

  /** Streams whose message waits for window, for another try. */
  waiting(): H2Stream[] {
    return [...this.blocked];
  }

  forget(s: H2Stream): void {
    this.blocked.delete(s);
  }

  /** A connection-level WINDOW_UPDATE; false when it takes the window past 2^31-1. */
  grow(increment: number): boolean {
    this.sendWindow += increment;
    return this.sendWindow <= MAX_WINDOW;
  }

  setMaxFrame(size: number): void {
    this.peerMaxFrame = size;
  }
}
