import { ErrorCode, Flag, FrameType, MIN_MAX_FRAME_SIZE, PREFACE } from "./frames.ts";

/** What the reader hands on; `payload` and `chunk` are only valid during the call. */
export interface FrameSink {
  /** a whole frame other than DATA */
  control(type: number, flags: number, stream: number, payload: Uint8Array): void;
  /** a DATA frame begins: `length` is the whole payload (padding included: it counts for flow control) */
  dataStart(stream: number, flags: number, length: number): void;
  /** bytes of the DATA frame's data (padding excluded), as they arrive */
  dataBytes(chunk: Uint8Array, offset: number, length: number): void;
  /** the DATA frame is complete */
  dataEnd(): void;
  /** the peer broke the framing: the connection is over */
  fail(code: number, message: string): void;
}

const enum State {
  Preface,
  Header,
  Payload,
  PadLength,
  Data,
  Padding,
  Dead,
}

/**
 * The byte stream of an HTTP/2 connection cut into frames, across socket
 * reads of any size: the client preface, then 9-byte headers and payloads.
 * DATA is handed on as it arrives (never assembled per frame: the receiver
 * copies it once, into the request message); other frames, at most
 * SETTINGS_MAX_FRAME_SIZE bytes, are handed on whole, straight from the read
 * when they lie inside it.
 */
export class FrameReader {
  private state = State.Preface;
  private have = 0;
  private readonly header = new Uint8Array(9);
  private readonly scratch = new Uint8Array(MIN_MAX_FRAME_SIZE);
  private type = 0;
  private flags = 0;
  private stream = 0;
  private length = 0;
  /** bytes of the current payload part still to come */
  private left = 0;
  private padding = 0;

  constructor(private readonly sink: FrameSink) {}

  push(b: Uint8Array): void {
    const n = b.length;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case State.Preface: {
          for (; i < n && this.have < PREFACE.length; i++, this.have++) {
            if (b[i] !== PREFACE[this.have]) return this.die(ErrorCode.PROTOCOL_ERROR, "not an HTTP/2 client preface");
          }
          if (this.have === PREFACE.length) this.enter(State.Header);
          break;
        }
        case State.Header: {
          if (this.have === 0 && n - i >= 9) {
            this.parseHeader(b, i);
            i += 9;
          } else {
            for (; i < n && this.have < 9; i++) this.header[this.have++] = b[i];
            if (this.have < 9) return;
            this.parseHeader(this.header, 0);
          }
          if (this.dead()) return;
          break;
        }
        case State.Payload: {
          if (this.have === 0 && n - i >= this.length) {
            const payload = b.subarray(i, i + this.length);
            i += this.length;
            this.enter(State.Header);
            this.sink.control(this.type, this.flags, this.stream, payload);
          } else {
            const k = Math.min(n - i, this.length - this.have);
            this.scratch.set(b.subarray(i, i + k), this.have);
            this.have += k;
            i += k;
            if (this.have < this.length) return;
            this.enter(State.Header);
            this.sink.control(this.type, this.flags, this.stream, this.scratch.subarray(0, this.length));
          }
          break;
        }
        case State.PadLength: {
          this.padding = b[i++];
          if (this.padding >= this.length) return this.die(ErrorCode.PROTOCOL_ERROR, "DATA padding longer than the frame");
          this.left = this.length - 1 - this.padding;
          this.afterData();
          break;
        }
        case State.Data: {
          const k = Math.min(n - i, this.left);
          this.sink.dataBytes(b, i, k);
          i += k;
          this.left -= k;
          if (this.left === 0) this.afterData();
          break;
        }
        case State.Padding: {
          const k = Math.min(n - i, this.padding);
          i += k;
          this.padding -= k;
          if (this.padding === 0) this.endData();
          break;
        }
        case State.Dead:
          return;
      }
      if (this.dead()) return;
    }
  }

  /** Stops reading: whatever arrives later is ignored. */
  stop(): void {
    this.state = State.Dead;
  }

  private parseHeader(h: Uint8Array, at: number): void {
    this.length = (h[at] << 16) | (h[at + 1] << 8) | h[at + 2];
    this.type = h[at + 3];
    this.flags = h[at + 4];
    this.stream = ((h[at + 5] & 0x7f) << 24) | (h[at + 6] << 16) | (h[at + 7] << 8) | h[at + 8];
    if (this.length > MIN_MAX_FRAME_SIZE) return this.die(ErrorCode.FRAME_SIZE_ERROR, `a frame of ${this.length} bytes`);
    if (this.type !== FrameType.DATA) {
      this.enter(State.Payload);
      if (this.length === 0) {
        this.enter(State.Header);
        this.sink.control(this.type, this.flags, this.stream, this.scratch.subarray(0, 0));
      }
      return;
    }
    this.sink.dataStart(this.stream, this.flags, this.length);
    if (this.dead()) return;
    if ((this.flags & Flag.PADDED) !== 0) {
      if (this.length === 0) return this.die(ErrorCode.FRAME_SIZE_ERROR, "padded DATA without a pad length");
      this.enter(State.PadLength);
    } else {
      this.padding = 0;
      this.left = this.length;
      this.afterData();
    }
  }

  private afterData(): void {
    if (this.left > 0) this.enter(State.Data);
    else if (this.padding > 0) this.enter(State.Padding);
    else this.endData();
  }

  private endData(): void {
    this.enter(State.Header);
    this.sink.dataEnd();
  }

  /** a sink call may have stopped the reader (the compiler cannot see that) */
  private dead(): boolean {
    return this.state === State.Dead;
  }

  private enter(s: State): void {
    if (this.state === State.Dead) return;
    this.state = s;
    this.have = 0;
  }

  private die(code: number, message: string): void {
    this.state = State.Dead;
    this.sink.fail(code, message);
  }
}
