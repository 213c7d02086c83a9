type PingDone = (err: Error | null) => void;

/** This server's PINGs awaiting their ACK: each payload is a counter, so an ACK finds its PING. */
export class Pings {
  private waiting: { payload: Uint8Array; done: PingDone }[] = [];
  private count = 0;

  /** The payload of a new PING whose ACK `done` hears of. */
  next(done: PingDone): Uint8Array {
    const payload = new Uint8Array(8);
    this.count++;
    payload[4] = (this.count >>> 24) & 0xff;
    payload[5] = (this.count >>> 16) & 0xff;
    payload[6] = (this.count >>> 8) & 0xff;
    payload[7] = this.count & 0xff;
    this.waiting.push({ payload, done });
    return payload;
  }

  /** A PING ACK arrived; one that matches no PING of ours is ignored. */
  acked(payload: Uint8Array): void {
    const i = this.waiting.findIndex((q) => q.payload.every((b, k) => b === payload[k]));
    if (i >= 0) this.waiting.splice(i, 1)[0].done(null);
  }

  /** The connection ended: every waiting PING fails. */
  fail(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const p of waiting) p.done(new Error("connection closed"));
  }
}
