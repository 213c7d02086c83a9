import { afterAll, expect, test } from "bun:test";
import http2 from "node:http2";
import { connect } from "node:net";
import { type H2Listener, listenH2 } from "../../../src/receive/h2/h2-listener.ts";
import type { H2Stream } from "../../../src/receive/h2/h2-stream.ts";
import { encodeHeaderBlock } from "../../../src/receive/h2/hpack-encoder.ts";
import { withTimeout } from "../../support/poll.ts";
import { selfSignedCert } from "../../support/tls.ts";

const cert = selfSignedCert();
const listeners: H2Listener[] = [];
afterAll(() => {
  for (const l of listeners) l.stop();
  cert[Symbol.dispose]();
});

const OK = encodeHeaderBlock([[":status", "200"]]);
const events = { settled() {}, streamOpened() {}, streamClosed() {}, pinged() {}, closed() {} };

/** A listener whose streams answer 200 with the request path as the body. */
async function start(o: { tls?: boolean; maxConnections?: number } = {}): Promise<H2Listener> {
  const l = listenH2({
    host: "127.0.0.1",
    port: 0,
    tls: o.tls ? { cert: cert.cert, key: await Bun.file(cert.keyFile).text() } : undefined,
    tlsHandshakeSeconds: 1,
    maxConnections: o.maxConnections ?? 10,
    limits: { maxConcurrentStreams: 10, streamWindow: 1 << 16, connectionWindow: 1 << 16, maxHeaderListBytes: 64 << 10 },
    onStream: (s: H2Stream) => {
      s.respond(OK, false);
      const big = s.headers["x-big"];
      s.sendMessage(new TextEncoder().encode(big === undefined ? s.headers[":path"] : `${big.length}:${big.slice(-8)}`), encodeHeaderBlock([["x-done", "1"]]));
    },
    onConnection: () => events,
  });
  listeners.push(l);
  return l;
}

/** One GET with a real HTTP/2 client (node:http2); resolves with the body. */
async function get(url: string, ca?: string, extra: Record<string, string> = {}): Promise<string> {
  const session = http2.connect(url, ca === undefined ? {} : { ca });
  try {
    const { promise, resolve, reject } = Promise.withResolvers<string>();
    session.on("error", reject);
    const req = session.request({ ":path": "/hello", ...extra });
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => resolve(body));
    req.on("error", reject);
    req.end();
    return await withTimeout("an HTTP/2 answer", promise, 10_000);
  } finally {
    session.close();
  }
}

/** Resolves when the server closes a raw TCP connection that sends `bytes` (or nothing). */
function closedByServer(port: number, bytes?: Uint8Array): Promise<void> {
  const { promise, resolve } = Promise.withResolvers<void>();
  const sock = connect(port, "127.0.0.1", () => bytes && sock.write(bytes));
  sock.on("error", () => undefined);
  sock.on("close", () => resolve());
  return withTimeout("the server to close the connection", promise, 10_000);
}

test("h2c: a real HTTP/2 client is answered", async () => {
  const l = await start();
  expect(await get(`http://127.0.0.1:${l.port}`)).toBe("/hello");
});

test("a header block over HEADERS and CONTINUATION frames arrives whole (socket reads are freed after each one)", async () => {
  const l = await start();
  const big = `${"v".repeat(40_000)}12345678`;
  expect(await get(`http://127.0.0.1:${l.port}`, undefined, { "x-big": big })).toBe(`${big.length}:12345678`);
});

test("TLS: a client negotiating h2 by ALPN is answered; one that never starts the handshake is dropped at its deadline", async () => {
  const l = await start({ tls: true });
  expect(await get(`https://127.0.0.1:${l.port}`, cert.cert)).toBe("/hello");
  await closedByServer(l.port as number);
});

test("connections beyond maxConnections are closed as they come; the others are served", async () => {
  const l = await start({ maxConnections: 1 });
  const first = http2.connect(`http://127.0.0.1:${l.port}`);
  first.on("error", () => undefined);
  const { promise, resolve } = Promise.withResolvers<void>();
  first.once("remoteSettings", () => resolve());
  await withTimeout("the first connection", promise, 10_000);
  await closedByServer(l.port as number, Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
  first.close();
});
