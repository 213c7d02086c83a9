/** What a request handler hears from its stream; chunks are only valid during the call. */
export interface StreamEvents {
  data(chunk: Uint8Array, offset: number, length: number): void;
  /** the client sent END_STREAM */
  end(): void;
  /** the stream is over: answered, reset by either side, or its connection closed */
  close(): void;
}

/** The connection operations a stream uses (H2Connection). */
export interface StreamOwner {
  listen(s: H2Stream): void;
  respond(s: H2Stream, block: Uint8Array, endStream: boolean): void;
  sendMessage(s: H2Stream, data: Uint8Array, trailers: Uint8Array): void;
  reset(s: H2Stream, code: number): void;
}

/**
 * One request stream of the lean HTTP/2 server. Its data waits (copied,
 * bounded by the stream's flow-control window, which is not replenished
 * meanwhile) until the handler listens: the handler may check credentials
 * asynchronously before it reads a byte.
 */
export class H2Stream {
  events: StreamEvents | undefined;
  /** data that came before the handler listened */
  waiting: Uint8Array[] | undefined;
  remoteEnded = false;
  localEnded = false;
  closed = false;
  /** what this server may still send, and what the client may still send */
  sendWindow: number;
  recvWindow: number;
  /** bytes read and not yet given back to the client's window */
  unacked = 0;
  /** received while nobody listened: their window is given back once the handler listens */
  withheld = 0;
  /** content-length, when the client sent one (-1: none); DATA bytes received so far */
  declared = -1;
  received = 0;
  /** a response message held back by the client's flow-control window */
  pendingData: Uint8Array | undefined;
  pendingTrailers: Uint8Array | undefined;

  constructor(
    readonly id: number,
    readonly headers: Record<string, string>,
    private readonly owner: StreamOwner,
    sendWindow: number,
    recvWindow: number,
  ) {
    this.sendWindow = sendWindow;
    this.recvWindow = recvWindow;
  }

  /** Starts delivering data (what waited first, then END_STREAM if it came). */
  listen(events: StreamEvents): void {
    this.events = events;
    this.owner.listen(this);
  }

  /** HEADERS: a response head, or a whole trailers-only answer with `endStream`. */
  respond(block: Uint8Array, endStream: boolean): void {
    this.owner.respond(this, block, endStream);
  }

  /** The response: `data` in DATA frames, then `trailers` with END_STREAM (after `respond` sent the head). */
  sendMessage(data: Uint8Array, trailers: Uint8Array): void {
    this.owner.sendMessage(this, data, trailers);
  }

  /** RST_STREAM with `code` (NO_ERROR cuts short an upload that was already answered). */
  reset(code: number): void {
    this.owner.reset(this, code);
  }
}
