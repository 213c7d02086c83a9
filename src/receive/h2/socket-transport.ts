import type { Socket } from "bun";
import type { Transport } from "./frame-writer.ts";

/** A client that does not read what it is sent (PING or SETTINGS floods) is cut beyond this. */
const MAX_QUEUED = 1 << 20;
/** How long a client may keep a connection open after this server's FIN (the listener's timeout handler cuts it). */
const CLOSE_GRACE_SECONDS = 10;

/**
 * A Bun socket as a connection's transport: what the kernel does not take
 * at once waits here, in order, until the socket drains; `end` closes the
 * sending side once all of it went out.
 */
export class SocketTransport implements Transport {
  private queue: Uint8Array[] = [];
  private ending = false;
  private done = false;

  constructor(private readonly socket: Socket<unknown>) {}

  write(bytes: Uint8Array): void {
    if (this.done) return;
    if (this.queue.length > 0) {
      this.queue.push(bytes);
      if (this.queued > MAX_QUEUED) this.destroy();
      return;
    }
    const n = this.socket.write(bytes);
    if (n < 0) return this.destroy();
    if (n < bytes.length) this.queue.push(bytes.subarray(n));
  }

  /** The socket can take more. */
  drain(): void {
    while (this.queue.length > 0 && !this.done) {
      const head = this.queue[0];
      const n = this.socket.write(head);
      if (n < 0) return this.destroy();
      if (n < head.length) {
        this.queue[0] = head.subarray(n);
        return;
      }
      this.queue.shift();
    }
    if (this.ending) this.end();
  }

  end(): void {
    this.ending = true;
    if (this.queue.length > 0 || this.done) return;
    this.done = true;
    // FIN, but keep reading what the client still sends (a closed socket would answer it with a
    // reset, and the client might lose the GOAWAY); the client closes, or it is cut after a grace
    this.socket.shutdown();
    this.socket.timeout(CLOSE_GRACE_SECONDS);
  }

  destroy(): void {
    this.done = true;
    this.queue = [];
    this.socket.terminate();
  }

  /** bytes written but not yet taken by the kernel */
  get queued(): number {
    let n = 0;
    for (const b of this.queue) n += b.length;
    return n;
  }
}
