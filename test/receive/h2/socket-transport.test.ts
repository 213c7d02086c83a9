import { expect, test } from "bun:test";
import type { Socket } from "bun";
import { SocketTransport } from "../../../src/receive/h2/socket-transport.ts";

/** A socket whose kernel buffer takes `room` more bytes until drained. */
function fakeSocket(room: number) {
  const s = {
    room,
    taken: [] as number[],
    ended: false,
    timeoutSeconds: 0,
    terminated: false,
    write(b: Uint8Array) {
      const n = Math.min(b.length, s.room);
      s.room -= n;
      s.taken.push(...b.subarray(0, n));
      return n;
    },
    shutdown() {
      s.ended = true;
    },
    timeout(seconds: number) {
      s.timeoutSeconds = seconds;
    },
    terminate() {
      s.terminated = true;
    },
  };
  return s;
}

test("what the socket does not take waits, in order, until it drains; end() shuts the sending side down after it", () => {
  const sock = fakeSocket(3);
  const t = new SocketTransport(sock as unknown as Socket<unknown>);
  t.write(Uint8Array.of(1, 2, 3, 4, 5));
  t.write(Uint8Array.of(6, 7));
  t.end();
  expect(sock.taken).toEqual([1, 2, 3]);
  expect(sock.ended).toBe(false);
  expect(t.queued).toBe(4);
  sock.room = 2;
  t.drain();
  expect(sock.taken).toEqual([1, 2, 3, 4, 5]);
  expect(sock.ended).toBe(false);
  sock.room = 100;
  t.drain();
  expect(sock.taken).toEqual([1, 2, 3, 4, 5, 6, 7]);
  expect(sock.ended).toBe(true); // the sending side shut down; the socket stays readable until the client closes
  expect(sock.timeoutSeconds).toBeGreaterThan(0); // or until the grace ends
});

test("a client that reads nothing is cut once a megabyte waits for it", () => {
  const sock = fakeSocket(0);
  const t = new SocketTransport(sock as unknown as Socket<unknown>);
  for (let i = 0; i < 200 && !sock.terminated; i++) t.write(new Uint8Array(8 << 10));
  expect(sock.terminated).toBe(true);
  expect(t.queued).toBe(0);
});
