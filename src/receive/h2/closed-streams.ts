/**
 * The streams a connection closed last, and whether this server reset them:
 * a frame for a stream this server reset may still be in flight and is
 * dropped (RFC 9113 §5.4.2), one for a stream that ended normally is the
 * client's error (STREAM_CLOSED), and one for an id never seen is a
 * PROTOCOL_ERROR. Only the last `max` are kept: no memory grows with the
 * life of a connection.
 */
export class ClosedStreams {
  private readonly ids = new Map<number, boolean>();

  constructor(private readonly max = 256) {}

  add(id: number, resetHere: boolean): void {
    this.ids.set(id, resetHere);
    if (this.ids.size > this.max) this.ids.delete(this.ids.keys().next().value as number);
  }

  /** true: this server reset it; false: it ended normally; undefined: not among the recent ones */
  resetHere(id: number): boolean | undefined {
    return this.ids.get(id);
  }
}
