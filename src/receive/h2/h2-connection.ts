import { FrameReader, type FrameSink } from "./frame-reader.ts";
import {
  DEFAULT_WINDOW,
  ErrorCode,
  Flag,
  FrameType,
  MAX_WINDOW,
  Setting,
  copyOf,
  frame,
  goaway,
  readUint32,
  rstStream,
  settings,
  windowUpdate,
} from "./frames.ts";
import { FrameWriter, type Transport } from "./frame-writer.ts";
import { H2Stream, type StreamOwner } from "./h2-stream.ts";
import { ClosedStreams } from "./closed-streams.ts";
import { HeaderBlocks } from "./header-blocks.ts";
import { Pings } from "./pings.ts";
import { ResetBucket } from "./reset-bucket.ts";
import { log } from "../../util/log.ts";

/** Life-cycle signals for keepalive bookkeeping (GrpcSessions). */
export interface ConnectionEvents {
  settled(): void;
  streamOpened(): void;
  streamClosed(): void;
  pinged(): void;
  closed(): void;
}

export interface ConnectionLimits {
  maxConcurrentStreams: number;
  /** what each stream, and the connection, may have in flight towards this server */
  streamWindow: number;
  connectionWindow: number;
  /** decoded request headers, RFC 9113 §6.5.2 size */
  maxHeaderListBytes: number;
}

/**
 * The server side of one HTTP/2 connection (RFC 9113), as much as a gRPC
 * unary service needs: SETTINGS, flow control both ways, HEADERS with
 * CONTINUATION and HPACK, DATA to the stream's handler as it arrives, PING,
 * RST_STREAM and GOAWAY. Priorities are ignored; nothing is pushed.
 * Everything written while a read is handled goes out in one write.
 */
export class H2Connection implements FrameSink, StreamOwner {
  private readonly reader = new FrameReader(this);
  private readonly blocks: HeaderBlocks;
  private readonly streams = new Map<number, H2Stream>();
  private readonly writer: FrameWriter;
  private gotSettings = false;
  private lastStream = 0;
  private goingAway = false;
  private ended = false;
  private recvWindow: number;
  private recvUnacked = 0;
  /** the DATA frame being read: its stream (undefined: read and dropped), length and flags */
  private cur: H2Stream | undefined;
  private curLength = 0;
  private curFlags = 0;
  private readonly pings = new Pings();
  private readonly resets = new ResetBucket();
  private readonly closedStreams = new ClosedStreams();
  events: ConnectionEvents | undefined;

  constructor(
    private readonly transport: Transport,
    private readonly limits: ConnectionLimits,
    private readonly onStream: (s: H2Stream) => void,
  ) {
    this.writer = new FrameWriter(transport);
    this.blocks = new HeaderBlocks(limits.maxHeaderListBytes);
    this.recvWindow = limits.connectionWindow;
    this.send(
      settings([
        [Setting.MAX_CONCURRENT_STREAMS, limits.maxConcurrentStreams],
        [Setting.INITIAL_WINDOW_SIZE, limits.streamWindow],
        [Setting.MAX_HEADER_LIST_SIZE, limits.maxHeaderListBytes],
        [Setting.ENABLE_PUSH, 0],
      ]),
    );
    if (limits.connectionWindow > DEFAULT_WINDOW) this.send(windowUpdate(0, limits.connectionWindow - DEFAULT_WINDOW));
  }

  /** streams open now */
  get active(): number {
    return this.streams.size;
  }

  /** Bytes from the socket. */
  receive(bytes: Uint8Array): void {
    this.writer.reading = true;
    try {
      this.reader.push(bytes);
    } catch (e) {
      // a fault of this server's, not the client's: the connection ends, the process serves on
      log.error("OTLP/gRPC connection failed", { err: e });
      this.fail(ErrorCode.INTERNAL_ERROR, "internal error");
    } finally {
      this.writer.reading = false;
      this.writer.flush();
    }
  }

  /** Sends a PING; `done` hears of its ACK (null) or of the connection's end. */
  ping(done: (err: Error | null) => void): boolean {
    if (this.ended) return false;
    this.send(frame(FrameType.PING, 0, 0, this.pings.next(done)));
    return true;
  }

  /** GOAWAY with `code`; no new streams are taken; the connection ends once the open ones have. */
  close(code: number = ErrorCode.NO_ERROR, debug?: string): void {
    if (this.ended) return;
    if (!this.goingAway) {
      this.goingAway = true;
      this.send(goaway(this.lastStream, code, debug));
    }
    if (this.streams.size === 0) this.end();
  }

  /** Cuts the connection now. */
  destroy(): void {
    this.ended = true;
    this.writer.ended = true;
    this.reader.stop();
    this.transport.destroy();
  }

  /** The socket closed (either side): open streams are over. */
  closed(): void {
    this.ended = true;
    this.writer.ended = true;
    this.reader.stop();
    for (const s of [...this.streams.values()]) this.closeStream(s);
    this.pings.fail();
    this.events?.closed();
  }

  // ---- FrameSink ----

  control(type: number, flags: number, id: number, p: Uint8Array): void {
    if (!this.gotSettings && type !== FrameType.SETTINGS) return this.fail(ErrorCode.PROTOCOL_ERROR, "the first frame must be SETTINGS");
    if (this.blocks.pending !== 0 && type !== FrameType.CONTINUATION) return this.fail(ErrorCode.PROTOCOL_ERROR, "a header block interrupted");
    switch (type) {
      case FrameType.SETTINGS:
        return this.onSettings(flags, id, p);
      case FrameType.HEADERS:
      case FrameType.CONTINUATION: {
        if (id === 0) return this.fail(ErrorCode.PROTOCOL_ERROR, "HEADERS on stream 0");
        const r = type === FrameType.HEADERS ? this.blocks.headers(id, flags, p) : this.blocks.continuation(id, flags, p);
        if (typeof r === "string") return this.fail(this.blocks.errorCode, r);
        if (r !== undefined) this.onHeaders(id, r, this.blocks.endStream);
        return;
      }
      case FrameType.PRIORITY:
        if (id === 0) return this.fail(ErrorCode.PROTOCOL_ERROR, "PRIORITY on stream 0");
        // priorities are ignored, but a malformed one is still a stream error
        if (p.length !== 5) return this.refuse(id, ErrorCode.FRAME_SIZE_ERROR);
        if ((readUint32(p, 0) & 0x7fffffff) === id) return this.refuse(id, ErrorCode.PROTOCOL_ERROR);
        return;
      case FrameType.RST_STREAM: {
        if (id === 0 || id > this.lastStream) return this.fail(ErrorCode.PROTOCOL_ERROR, "RST_STREAM on an idle stream");
        if (p.length !== 4) return this.fail(ErrorCode.FRAME_SIZE_ERROR, "RST_STREAM size");
        const s = this.streams.get(id);
        if (s === undefined) return;
        if (!this.resets.take(Date.now())) return this.fail(ErrorCode.ENHANCE_YOUR_CALM, "too many stream resets");
        this.closeStream(s);
        return;
      }
      case FrameType.PING:
        return this.onPing(flags, id, p);
      case FrameType.GOAWAY:
        if (id !== 0) return this.fail(ErrorCode.PROTOCOL_ERROR, "GOAWAY on a stream");
        return this.close(); // the client opens no more streams: the connection ends with the open ones
      case FrameType.WINDOW_UPDATE:
        return this.onWindowUpdate(id, p);
      case FrameType.PUSH_PROMISE:
        return this.fail(ErrorCode.PROTOCOL_ERROR, "a client cannot push");
      default:
        return; // unknown frame types are ignored (RFC 9113 §5.5)
    }
  }

  dataStart(id: number, flags: number, length: number): void {
    if (this.blocks.pending !== 0) return this.fail(ErrorCode.PROTOCOL_ERROR, "a header block interrupted");
    if (id === 0) return this.fail(ErrorCode.PROTOCOL_ERROR, "DATA on stream 0");
    if (id > this.lastStream) return this.fail(ErrorCode.PROTOCOL_ERROR, "DATA on an idle stream");
    if (length > this.recvWindow) return this.fail(ErrorCode.FLOW_CONTROL_ERROR, "DATA beyond the connection window");
    this.recvWindow -= length;
    this.curLength = length;
    this.curFlags = flags;
    let s = this.streams.get(id);
    // a stream this server reset may still get what was in flight; any other closed one may not
    if (s === undefined && this.closedStreams.resetHere(id) !== true) this.send(rstStream(id, ErrorCode.STREAM_CLOSED));
    if (s !== undefined && s.remoteEnded) {
      this.resetStream(s, ErrorCode.STREAM_CLOSED);
      s = undefined;
    } else if (s !== undefined && length > s.recvWindow) {
      this.resetStream(s, ErrorCode.FLOW_CONTROL_ERROR);
      s = undefined;
    }
    if (s !== undefined) s.recvWindow -= length;
    this.cur = s;
  }

  dataBytes(chunk: Uint8Array, offset: number, length: number): void {
    const s = this.cur;
    if (s === undefined || s.closed) return;
    s.received += length;
    if (s.events !== undefined) s.events.data(chunk, offset, length);
    else (s.waiting ??= []).push(copyOf(chunk, offset, offset + length));
  }

  dataEnd(): void {
    const s = this.cur;
    this.cur = undefined;
    if (s === undefined || s.closed) return this.credit(undefined, this.curLength);
    if (s.events === undefined) s.withheld += this.curLength;
    else this.credit(s, this.curLength);
    if ((this.curFlags & Flag.END_STREAM) !== 0) this.remoteEnd(s);
  }

  fail(code: number, message: string): void {
    if (this.ended) return;
    this.reader.stop();
    if (!this.goingAway) {
      this.goingAway = true;
      this.send(goaway(this.lastStream, code, message));
    }
    this.end();
  }

  // ---- StreamOwner ----

  listen(s: H2Stream): void {
    const waiting = s.waiting;
    s.waiting = undefined;
    if (waiting !== undefined) for (const c of waiting) s.events?.data(c, 0, c.length);
    if (s.withheld > 0) {
      this.credit(s, s.withheld);
      s.withheld = 0;
    }
    if (s.remoteEnded && !s.closed) s.events?.end();
  }

  respond(s: H2Stream, block: Uint8Array, endStream: boolean): void {
    if (s.closed || s.localEnded) return;
    this.writer.headers(s.id, block, endStream);
    if (endStream) this.localEnd(s);
  }

  sendMessage(s: H2Stream, data: Uint8Array, trailers: Uint8Array): void {
    if (s.closed || s.localEnded) return;
    s.pendingData = data;
    s.pendingTrailers = trailers;
    this.trySend(s);
  }

  reset(s: H2Stream, code: number): void {
    this.resetStream(s, code);
  }

  // ---- internals ----

  private onSettings(flags: number, id: number, p: Uint8Array): void {
    if (id !== 0) return this.fail(ErrorCode.PROTOCOL_ERROR, "SETTINGS on a stream");
    if ((flags & Flag.ACK) !== 0) {
      if (p.length !== 0) this.fail(ErrorCode.FRAME_SIZE_ERROR, "SETTINGS ACK with a payload");
      return;
    }
    if (p.length % 6 !== 0) return this.fail(ErrorCode.FRAME_SIZE_ERROR, "SETTINGS size");
    for (let i = 0; i < p.length; i += 6) {
      const key = (p[i] << 8) | p[i + 1];
      const v = readUint32(p, i + 2);
      if (key === Setting.ENABLE_PUSH && v > 1) return this.fail(ErrorCode.PROTOCOL_ERROR, "ENABLE_PUSH");
      if (key === Setting.INITIAL_WINDOW_SIZE) {
        if (v > MAX_WINDOW) return this.fail(ErrorCode.FLOW_CONTROL_ERROR, "INITIAL_WINDOW_SIZE");
        const delta = v - this.writer.peerWindow;
        this.writer.peerWindow = v;
        for (const s of this.streams.values()) s.sendWindow += delta;
      }
      if (key === Setting.MAX_FRAME_SIZE) {
        if (v < 16_384 || v > 16_777_215) return this.fail(ErrorCode.PROTOCOL_ERROR, "MAX_FRAME_SIZE");
        this.writer.setMaxFrame(v);
      }
    }
    this.send(frame(FrameType.SETTINGS, Flag.ACK, 0));
    if (!this.gotSettings) {
      this.gotSettings = true;
      this.events?.settled();
    }
    this.sendBlocked();
  }

  private onPing(flags: number, id: number, p: Uint8Array): void {
    if (id !== 0) return this.fail(ErrorCode.PROTOCOL_ERROR, "PING on a stream");
    if (p.length !== 8) return this.fail(ErrorCode.FRAME_SIZE_ERROR, "PING size");
    if ((flags & Flag.ACK) === 0) {
      this.send(frame(FrameType.PING, Flag.ACK, 0, p));
      this.events?.pinged();
      return;
    }
    this.pings.acked(p);
  }

  private onWindowUpdate(id: number, p: Uint8Array): void {
    if (p.length !== 4) return this.fail(ErrorCode.FRAME_SIZE_ERROR, "WINDOW_UPDATE size");
    const inc = readUint32(p, 0) & 0x7fffffff;
    if (id === 0) {
      if (inc === 0) return this.fail(ErrorCode.PROTOCOL_ERROR, "a zero WINDOW_UPDATE");
      if (!this.writer.grow(inc)) return this.fail(ErrorCode.FLOW_CONTROL_ERROR, "connection window above 2^31-1");
      return this.sendBlocked();
    }
    if (id > this.lastStream) return this.fail(ErrorCode.PROTOCOL_ERROR, "WINDOW_UPDATE on an idle stream");
    const s = this.streams.get(id);
    if (s === undefined) return;
    if (inc === 0) return this.resetStream(s, ErrorCode.PROTOCOL_ERROR);
    s.sendWindow += inc;
    if (s.sendWindow > MAX_WINDOW) return this.resetStream(s, ErrorCode.FLOW_CONTROL_ERROR);
    if (s.pendingTrailers !== undefined) this.trySend(s);
  }

  private onHeaders(id: number, headers: Record<string, string> | null, endStream: boolean): void {
    const open = this.streams.get(id);
    if (open !== undefined) {
      // trailers from the client: they must end the stream
      if (!endStream || open.remoteEnded) return this.resetStream(open, ErrorCode.PROTOCOL_ERROR);
      return this.remoteEnd(open);
    }
    if (id <= this.lastStream) {
      // the block was decoded (HPACK stays in step); a stream this server reset may still get it
      const resetHere = this.closedStreams.resetHere(id);
      if (resetHere === true) return;
      return this.fail(resetHere === false ? ErrorCode.STREAM_CLOSED : ErrorCode.PROTOCOL_ERROR, "HEADERS on a closed stream");
    }
    if (id % 2 === 0) return this.fail(ErrorCode.PROTOCOL_ERROR, "an even stream id from a client");
    this.lastStream = id;
    if (this.goingAway || this.streams.size >= this.limits.maxConcurrentStreams) return this.refuse(id, ErrorCode.REFUSED_STREAM);
    const length = headers?.["content-length"];
    if (headers === null || (length !== undefined && !/^\d{1,15}$/.test(length))) return this.refuse(id, ErrorCode.PROTOCOL_ERROR);
    if (endStream && length !== undefined && length !== "0") return this.refuse(id, ErrorCode.PROTOCOL_ERROR);
    const s = new H2Stream(id, headers, this, this.writer.peerWindow, this.limits.streamWindow);
    if (length !== undefined) s.declared = Number(length);
    this.streams.set(id, s);
    this.events?.streamOpened();
    s.remoteEnded = endStream;
    this.onStream(s);
  }

  private remoteEnd(s: H2Stream): void {
    // a body that does not match its content-length is malformed (RFC 9113 §8.1.1)
    if (s.declared >= 0 && s.received !== s.declared) return this.resetStream(s, ErrorCode.PROTOCOL_ERROR);
    s.remoteEnded = true;
    if (s.events !== undefined) s.events.end();
    if (s.localEnded) this.closeStream(s);
  }

  private localEnd(s: H2Stream): void {
    s.localEnded = true;
    if (s.remoteEnded) this.closeStream(s);
  }

  private resetStream(s: H2Stream, code: number): void {
    if (s.closed) return;
    this.send(rstStream(s.id, code));
    this.closeStream(s, true);
  }

  /** RST_STREAM for a stream that is not open (refused, or closed already). */
  private refuse(id: number, code: number): void {
    const s = this.streams.get(id);
    if (s !== undefined) return this.resetStream(s, code);
    this.send(rstStream(id, code));
    this.closedStreams.add(id, true);
  }

  private closeStream(s: H2Stream, resetHere = false): void {
    if (s.closed) return;
    s.closed = true;
    this.closedStreams.add(s.id, resetHere);
    s.waiting = undefined;
    this.streams.delete(s.id);
    this.writer.forget(s);
    if (s.withheld > 0) this.credit(undefined, s.withheld);
    s.withheld = 0;
    this.events?.streamClosed();
    s.events?.close();
    if (this.goingAway && this.streams.size === 0) this.end();
  }

  /** Gives `n` bytes back to the client's windows, in updates of at least half a window. */
  private credit(s: H2Stream | undefined, n: number): void {
    this.recvUnacked += n;
    if (this.recvUnacked >= this.limits.connectionWindow / 2) {
      this.send(windowUpdate(0, this.recvUnacked));
      this.recvWindow += this.recvUnacked;
      this.recvUnacked = 0;
    }
    if (s === undefined || s.remoteEnded || s.closed) return;
    s.unacked += n;
    if (s.unacked >= this.limits.streamWindow / 2) {
      this.send(windowUpdate(s.id, s.unacked));
      s.recvWindow += s.unacked;
      s.unacked = 0;
    }
  }

  /** The response message as far as the windows allow; the stream's end once all of it went. */
  private trySend(s: H2Stream): void {
    if (this.writer.message(s)) this.localEnd(s);
  }

  private sendBlocked(): void {
    for (const s of this.writer.waiting()) if (s.pendingTrailers !== undefined) this.trySend(s);
  }

  private send(bytes: Uint8Array): void {
    if (!this.ended) this.writer.send(bytes);
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.reader.stop();
    this.writer.end();
  }
}
