import { afterAll, describe, expect, test } from "bun:test";
import http2 from "node:http2";
import type { Socket, TCPSocketListener } from "bun";
import { HpackDecoder } from "../../../src/receive/h2/hpack-decoder.ts";
import { encodeHeaderBlock } from "../../../src/receive/h2/hpack-encoder.ts";
import { withTimeout } from "../../support/poll.ts";
import { decodeAll } from "./hpack-test-util.ts";

const GRPC_RESPONSE: Array<[string, string]> = [
  [":status", "200"],
  ["content-type", "application/grpc"],
  ["grpc-status", "0"],
  ["grpc-message", "resource%20exhausted"],
];

describe("encodeHeaderBlock", () => {
  test(":status 200 is the single static index byte 0x88", () => {
    expect(encodeHeaderBlock([[":status", "200"]])).toEqual(new Uint8Array([0x88]));
  });

  test("static-table names are indexed in a literal without indexing; other names are literal", () => {
    const block = encodeHeaderBlock([
      [":status", "503"],
      ["content-type", "application/grpc"],
      ["grpc-status", "14"],
    ]);
    const ascii = (s: string) => [s.length, ...Buffer.from(s)];
    expect(Array.from(block)).toEqual([
      0x08, ...ascii("503"), // :status is index 8
      0x0f, 31 - 15, ...ascii("application/grpc"), // content-type is 31: prefix 15 + 16
      0x00, ...ascii("grpc-status"), ...ascii("14"),
    ]);
  });

  test("round-trips through the decoder without touching its dynamic table", () => {
    const long = "v".repeat(70_000);
    const headers: Array<[string, string]> = [
      ...GRPC_RESPONSE,
      [":status", "204"],
      ["x-latin1", "\x00\x7f\x80\xff"],
      ["x-127", "x".repeat(127)],
      ["www-authenticate", long], // static index 61: a two-byte prefix integer
      ["x-empty", ""],
      ["", "empty name"],
    ];
    const decoder = new HpackDecoder(4096, 1 << 20);
    expect(decodeAll(decoder, encodeHeaderBlock(headers))).toEqual(headers);
    expect(decoder.tableSize).toBe(0);
  });

  test("text above U+00FF throws a RangeError", () => {
    expect(() => encodeHeaderBlock([["grpc-message", "naïve ☃"]])).toThrow(RangeError);
  });
});

// A raw HTTP/2 server on Bun.listen that answers each request with a HEADERS frame carrying
// encodeHeaderBlock's output, and decodes the client's request blocks with HpackDecoder: both
// directions checked against node:http2's own HPACK.

interface RawServer {
  port: number;
  requests: Array<Array<[string, string]>>;
  decoder: HpackDecoder;
  stop(): void;
}

const FRAME_HEADERS = 0x1;
const FRAME_SETTINGS = 0x4;
const FLAG_END_STREAM = 0x1;
const FLAG_ACK = 0x1;
const FLAG_END_HEADERS = 0x4;
const FLAG_PADDED = 0x8;
const FLAG_PRIORITY = 0x20;
const PREFACE_LENGTH = 24;

function frame(type: number, flags: number, streamId: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(9 + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, (payload.length << 8) | type);
  out[4] = flags;
  view.setUint32(5, streamId);
  out.set(payload, 9);
  return out;
}

function startRawServer(response: (path: string) => ReadonlyArray<readonly [string, string]>): RawServer {
  const requests: Array<Array<[string, string]>> = [];
  const decoder = new HpackDecoder();
  let pending = Buffer.alloc(0);
  let prefaceSeen = false;
  const onFrame = (socket: Socket<unknown>, type: number, flags: number, streamId: number, payload: Buffer) => {
    if (type === FRAME_SETTINGS && (flags & FLAG_ACK) === 0) socket.write(frame(FRAME_SETTINGS, FLAG_ACK, 0, new Uint8Array(0)));
    if (type !== FRAME_HEADERS) return;
    if ((flags & FLAG_END_HEADERS) === 0) throw new Error("test server: CONTINUATION not supported");
    let start = 0;
    let end = payload.length;
    if (flags & FLAG_PADDED) end -= payload[start++];
    if (flags & FLAG_PRIORITY) start += 5;
    const fields = decodeAll(decoder, payload.subarray(start, end));
    requests.push(fields);
    const path = fields.find(([name]) => name === ":path")?.[1] ?? "";
    socket.write(frame(FRAME_HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, streamId, encodeHeaderBlock(response(path))));
  };
  const listener: TCPSocketListener = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(socket) {
        socket.write(frame(FRAME_SETTINGS, 0, 0, new Uint8Array(0)));
      },
      data(socket, data) {
        pending = Buffer.concat([pending, data]);
        if (!prefaceSeen) {
          if (pending.length < PREFACE_LENGTH) return;
          pending = pending.subarray(PREFACE_LENGTH);
          prefaceSeen = true;
        }
        while (pending.length >= 9) {
          const length = pending.readUIntBE(0, 3);
          if (pending.length < 9 + length) return;
          onFrame(socket, pending[3], pending[4], pending.readUInt32BE(5) & 0x7fffffff, pending.subarray(9, 9 + length));
          pending = pending.subarray(9 + length);
        }
      },
    },
  });
  return { port: listener.port, requests, decoder, stop: () => listener.stop(true) };
}

describe("against node:http2's HPACK", () => {
  const longValue = "L".repeat(300);
  const server = startRawServer((path) => [...GRPC_RESPONSE, ["x-path", path], ["x-long", longValue]]);
  const session = http2.connect(`http://127.0.0.1:${server.port}`);
  session.on("error", () => undefined);
  afterAll(() => {
    session.destroy();
    server.stop();
  });

  test("the client reads encodeHeaderBlock's responses; HpackDecoder reads the client's requests", async () => {
    for (let i = 0; i < 4; i++) {
      const path = `/opentelemetry.proto.collector.trace.v1.TraceService/Export?n=${i}`;
      const stream = session.request(
        { ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers", "x-tenant": `tenant-${i % 2}` },
        { endStream: true },
      );
      stream.on("error", () => undefined);
      const { promise, resolve } = Promise.withResolvers<http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader>();
      stream.once("response", resolve);
      const headers = await withTimeout("the response headers", promise, 10_000);
      expect(headers[":status"]).toBe(200);
      expect(headers["content-type"]).toBe("application/grpc");
      expect(headers["grpc-status"]).toBe("0");
      expect(headers["grpc-message"]).toBe("resource%20exhausted");
      expect(headers["x-path"]).toBe(path);
      expect(headers["x-long"]).toBe(longValue);
      stream.resume();
    }
    expect(server.requests).toHaveLength(4);
    // The client indexed its repeated fields once and referred to them from the dynamic table after.
    const indexed = server.decoder.tableEntries();
    expect(indexed.filter(([name]) => name === "te")).toEqual([["te", "trailers"]]);
    expect(indexed.filter(([name]) => name === "x-tenant")).toHaveLength(2);
    for (const [i, fields] of server.requests.entries()) {
      const get = (name: string) => fields.filter(([n]) => n === name).map(([, v]) => v);
      expect(get(":method")).toEqual(["POST"]);
      expect(get(":path")).toEqual([`/opentelemetry.proto.collector.trace.v1.TraceService/Export?n=${i}`]);
      expect(get(":scheme")).toEqual(["http"]);
      expect(get(":authority")).toEqual([`127.0.0.1:${server.port}`]);
      expect(get("content-type")).toEqual(["application/grpc"]);
      expect(get("te")).toEqual(["trailers"]);
      expect(get("x-tenant")).toEqual([`tenant-${i % 2}`]);
    }
  });
});
