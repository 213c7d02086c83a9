import { describe, expect, test } from "bun:test";
import { Setting, frame, readUint32, windowUpdate } from "../../../src/receive/h2/frames.ts";
import type { H2Stream } from "../../../src/receive/h2/h2-stream.ts";
import { encodeHeaderBlock } from "../../../src/receive/h2/hpack-encoder.ts";
import {
  ErrorCode,
  Flag,
  FrameType,
  LIMITS,
  REQUEST_HEADERS,
  WireHarness,
  dataFrame,
  goawayCode,
  headersFrame,
  resets,
} from "../../support/h2-wire.ts";

/** A handler that records what its streams hear. */
function recorder() {
  const got = new Map<number, { bytes: number[]; ended: boolean; closed: boolean }>();
  const listen = (s: H2Stream) => {
    const r = { bytes: [] as number[], ended: false, closed: false };
    got.set(s.id, r);
    s.listen({
      data: (c, off, len) => r.bytes.push(...c.subarray(off, off + len)),
      end: () => (r.ended = true),
      close: () => (r.closed = true),
    });
  };
  return { got, listen };
}

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe("handshake", () => {
  test("SETTINGS with the limits and a connection WINDOW_UPDATE come first; the client's SETTINGS is acknowledged", async () => {
    const h = new WireHarness();
    const first = await h.frames();
    expect(first[0].type).toBe(FrameType.SETTINGS);
    const values = new Map<number, number>();
    for (let i = 0; i < first[0].payload.length; i += 6) values.set((first[0].payload[i] << 8) | first[0].payload[i + 1], readUint32(first[0].payload, i + 2));
    expect(values.get(Setting.MAX_CONCURRENT_STREAMS)).toBe(LIMITS.maxConcurrentStreams);
    expect(values.get(Setting.INITIAL_WINDOW_SIZE)).toBe(LIMITS.streamWindow);
    expect(values.get(Setting.MAX_HEADER_LIST_SIZE)).toBe(LIMITS.maxHeaderListBytes);
    expect(first[1]).toMatchObject({ type: FrameType.WINDOW_UPDATE, stream: 0 });
    expect(readUint32(first[1].payload, 0)).toBe(LIMITS.connectionWindow - 65_535);
    h.handshake();
    expect((await h.frames()).map((f) => [f.type, f.flags])).toEqual([[FrameType.SETTINGS, Flag.ACK]]);
  });

  test("a frame other than SETTINGS first, or a wrong preface, is PROTOCOL_ERROR and the connection ends", async () => {
    const h = new WireHarness();
    await h.frames();
    h.send(Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), frame(FrameType.PING, 0, 0, new Uint8Array(8)));
    expect(goawayCode(await h.frames())).toBe(ErrorCode.PROTOCOL_ERROR);
    expect(h.ended).toBe(true);
    const g = new WireHarness();
    g.send(Buffer.from("GET / HTTP/1.1\r\n\r\n"));
    expect(g.ended).toBe(true);
  });
});

describe("requests", () => {
  test("a request cut at every byte boundary arrives as it does whole, padding and all", async () => {
    const body = bytes(5000);
    const padded = new Uint8Array(1 + 1000 + 7);
    padded[0] = 7;
    padded.set(body.subarray(4000, 5000), 1);
    const wire = Buffer.concat([
      Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
      frame(FrameType.SETTINGS, 0, 0),
      headersFrame(1),
      dataFrame(1, body.subarray(0, 4000)),
      frame(FrameType.DATA, Flag.PADDED | Flag.END_STREAM, 1, padded),
    ]);
    const whole = recorder();
    new WireHarness(LIMITS, whole.listen).send(wire);
    const split = recorder();
    const h = new WireHarness(LIMITS, split.listen);
    for (let i = 0; i < wire.length; i++) h.send(wire.subarray(i, i + 1));
    for (const r of [whole, split]) {
      expect(r.got.get(1)?.bytes).toEqual([...body]);
      expect(r.got.get(1)?.ended).toBe(true);
    }
    expect(h.streams[0].headers).toMatchObject({ ":path": "/svc/Method", "content-type": "application/grpc" });
  });

  test("data that comes before the handler listens waits, and the window is given back only once it listens", async () => {
    const h = new WireHarness().handshake();
    await h.frames();
    h.send(headersFrame(1), dataFrame(1, bytes(16_000)), dataFrame(1, bytes(16_000, 2)), dataFrame(1, bytes(8_000, 3)));
    expect((await h.frames()).filter((f) => f.type === FrameType.WINDOW_UPDATE && f.stream === 1)).toEqual([]);
    const seen: number[] = [];
    h.streams[0].listen({ data: (c, o, n) => seen.push(...c.subarray(o, o + n)), end: () => undefined, close: () => undefined });
    expect(seen).toEqual([...bytes(16_000), ...bytes(16_000, 2), ...bytes(8_000, 3)]);
    const updates = (await h.frames()).filter((f) => f.type === FrameType.WINDOW_UPDATE && f.stream === 1);
    expect(updates.map((f) => readUint32(f.payload, 0))).toEqual([40_000]);
  });

  test("DATA beyond the stream's window resets it (FLOW_CONTROL_ERROR); beyond the connection's ends the connection", async () => {
    const r = recorder();
    const h = new WireHarness({ ...LIMITS, streamWindow: 10_000 }, r.listen).handshake();
    await h.frames();
    h.send(headersFrame(1), dataFrame(1, bytes(10_001)));
    expect(resets(await h.frames())).toEqual([[1, ErrorCode.FLOW_CONTROL_ERROR]]);
    expect(r.got.get(1)).toMatchObject({ bytes: [], closed: true });
    // a stream nobody listens to yet gives nothing back: 8 × 9,000 bytes pass a 70,000-byte connection window
    const g = new WireHarness({ ...LIMITS, streamWindow: 100_000, connectionWindow: 70_000 }).handshake();
    g.send(headersFrame(1));
    for (let i = 0; i < 7; i++) g.send(dataFrame(1, bytes(9_000)));
    expect(goawayCode(await g.frames())).toBeUndefined();
    g.send(dataFrame(1, bytes(9_000)));
    expect(goawayCode(await g.frames())).toBe(ErrorCode.FLOW_CONTROL_ERROR);
  });

  test("streams beyond the concurrency limit are refused; an even stream id is a PROTOCOL_ERROR", async () => {
    const r = recorder();
    const h = new WireHarness(LIMITS, r.listen).handshake();
    await h.frames();
    h.send(headersFrame(1), headersFrame(3), headersFrame(5), headersFrame(7), headersFrame(9));
    expect(resets(await h.frames())).toEqual([[9, ErrorCode.REFUSED_STREAM]]);
    expect([...r.got.keys()]).toEqual([1, 3, 5, 7]);
    h.send(headersFrame(12));
    expect(goawayCode(await h.frames())).toBe(ErrorCode.PROTOCOL_ERROR);
  });

  test("RST_STREAM from the client closes its stream; the handler hears it", async () => {
    const r = recorder();
    const h = new WireHarness(LIMITS, r.listen).handshake();
    const code = new Uint8Array(4);
    code[3] = ErrorCode.CANCEL;
    h.send(headersFrame(1), dataFrame(1, bytes(10)), frame(FrameType.RST_STREAM, 0, 1, code));
    expect(r.got.get(1)).toMatchObject({ ended: false, closed: true });
    expect(h.conn.active).toBe(0);
  });
});

describe("header blocks", () => {
  test("a block across HEADERS and CONTINUATION frames decodes; anything between them is a PROTOCOL_ERROR", async () => {
    const block = encodeHeaderBlock(REQUEST_HEADERS);
    const r = recorder();
    const h = new WireHarness(LIMITS, r.listen).handshake();
    h.send(frame(FrameType.HEADERS, 0, 1, block.subarray(0, 10)), frame(FrameType.CONTINUATION, 0, 1, block.subarray(10, 20)), frame(FrameType.CONTINUATION, Flag.END_HEADERS, 1, block.subarray(20)));
    expect(h.streams[0].headers[":path"]).toBe("/svc/Method");
    await h.frames();
    h.send(frame(FrameType.HEADERS, 0, 3, block.subarray(0, 10)), frame(FrameType.PING, 0, 0, new Uint8Array(8)));
    expect(goawayCode(await h.frames())).toBe(ErrorCode.PROTOCOL_ERROR);
  });

  test("a flood of empty CONTINUATION frames is ENHANCE_YOUR_CALM", async () => {
    const h = new WireHarness().handshake();
    await h.frames();
    h.send(frame(FrameType.HEADERS, 0, 1, encodeHeaderBlock(REQUEST_HEADERS).subarray(0, 4)));
    for (let i = 0; i < 100 && !h.ended; i++) h.send(frame(FrameType.CONTINUATION, 0, 1));
    expect(goawayCode(await h.frames())).toBe(ErrorCode.ENHANCE_YOUR_CALM);
  });

  test("malformed HPACK (index 0) is a COMPRESSION_ERROR", async () => {
    const h = new WireHarness().handshake();
    await h.frames();
    h.send(frame(FrameType.HEADERS, Flag.END_HEADERS, 1, Uint8Array.of(0x80)));
    expect(goawayCode(await h.frames())).toBe(ErrorCode.COMPRESSION_ERROR);
  });

  test("malformed requests (an uppercase name, no :path) are reset; the connection serves on", async () => {
    const r = recorder();
    const h = new WireHarness(LIMITS, r.listen).handshake();
    await h.frames();
    h.send(headersFrame(1, true, [...REQUEST_HEADERS, ["X-Upper", "1"]]), headersFrame(3, true, REQUEST_HEADERS.filter(([n]) => n !== ":path")), headersFrame(5, true));
    expect(resets(await h.frames())).toEqual([
      [1, ErrorCode.PROTOCOL_ERROR],
      [3, ErrorCode.PROTOCOL_ERROR],
    ]);
    expect([...r.got.keys()]).toEqual([5]);
  });

  test("a header list above the limit resets its stream, and the HPACK table stays in step for the next request", async () => {
    const r = recorder();
    const h = new WireHarness(LIMITS, r.listen).handshake();
    await h.frames();
    const name = Buffer.from("x-a");
    // literal with incremental indexing, new name: x-a: 1 (becomes dynamic index 62)
    const indexed = Buffer.concat([Uint8Array.of(0x40, name.length), name, Uint8Array.of(1, 0x31)]);
    const big = encodeHeaderBlock([["x-big", "v".repeat(5000)]]);
    h.send(frame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 1, Buffer.concat([encodeHeaderBlock(REQUEST_HEADERS), indexed, big])));
    h.send(frame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 3, Buffer.concat([encodeHeaderBlock(REQUEST_HEADERS), Uint8Array.of(0x80 | 62)])));
    expect(resets(await h.frames())).toEqual([[1, ErrorCode.PROTOCOL_ERROR]]);
    expect(h.streams.map((s) => [s.id, s.headers["x-a"]])).toEqual([[3, "1"]]);
  });
});

describe("responses", () => {
  test("the response message waits for the client's window; the trailers follow it", async () => {
    const h = new WireHarness().handshake([[Setting.INITIAL_WINDOW_SIZE, 0]]);
    await h.frames();
    h.send(headersFrame(1, true));
    const s = h.streams[0];
    s.respond(encodeHeaderBlock([[":status", "200"]]), false);
    s.sendMessage(bytes(300), encodeHeaderBlock([["grpc-status", "0"]]));
    expect((await h.frames()).map((f) => f.type)).toEqual([FrameType.HEADERS]);
    h.send(windowUpdate(1, 100));
    let f = await h.frames();
    expect(f.map((x) => [x.type, x.payload.length])).toEqual([[FrameType.DATA, 100]]);
    h.send(windowUpdate(1, 1000));
    f = await h.frames();
    expect(f.map((x) => [x.type, x.flags & Flag.END_STREAM])).toEqual([
      [FrameType.DATA, 0],
      [FrameType.HEADERS, Flag.END_STREAM],
    ]);
    expect(f[0].payload).toEqual(bytes(300).subarray(100));
    expect(h.conn.active).toBe(0);
  });

  test("PING is answered; the server's own PING hears its ACK", async () => {
    const h = new WireHarness().handshake();
    await h.frames();
    const payload = bytes(8, 9);
    h.send(frame(FrameType.PING, 0, 0, payload));
    const f = await h.frames();
    expect(f.map((x) => [x.type, x.flags, [...x.payload]])).toEqual([[FrameType.PING, Flag.ACK, [...payload]]]);
    let acked: Error | null | undefined;
    expect(h.conn.ping((err) => (acked = err))).toBe(true);
    const ours = (await h.frames())[0];
    expect(acked).toBeUndefined();
    h.send(frame(FrameType.PING, Flag.ACK, 0, ours.payload));
    expect(acked).toBeNull();
  });

  test("close() sends GOAWAY(NO_ERROR), refuses new streams, and ends once the open ones have", async () => {
    const r = recorder();
    const h = new WireHarness(LIMITS, r.listen).handshake();
    h.send(headersFrame(1));
    await h.frames();
    h.conn.close();
    const g = await h.frames();
    expect(goawayCode(g)).toBe(ErrorCode.NO_ERROR);
    expect(readUint32(g[0].payload, 0)).toBe(1);
    h.send(headersFrame(3, true));
    expect(resets(await h.frames())).toEqual([[3, ErrorCode.REFUSED_STREAM]]);
    expect(h.ended).toBe(false);
    h.send(dataFrame(1, bytes(5), true));
    h.streams[0].respond(encodeHeaderBlock([[":status", "200"]]), true);
    expect(h.ended).toBe(true);
  });
});

test("a client resetting streams faster than the bucket refills is told ENHANCE_YOUR_CALM (rapid reset)", async () => {
  const r = recorder();
  const h = new WireHarness({ ...LIMITS, maxConcurrentStreams: 10 }, r.listen).handshake();
  await h.frames();
  const cancel = new Uint8Array(4);
  cancel[3] = ErrorCode.CANCEL;
  let id = 1;
  for (; id < 2 * 1000 && !h.ended; id += 2) h.send(headersFrame(id), frame(FrameType.RST_STREAM, 0, id, cancel));
  expect(h.ended).toBe(false); // the burst: 1,000 resets
  for (let i = 0; i < 100 && !h.ended; i++, id += 2) h.send(headersFrame(id), frame(FrameType.RST_STREAM, 0, id, cancel));
  expect(goawayCode(await h.frames())).toBe(ErrorCode.ENHANCE_YOUR_CALM);
  expect(r.got.size).toBeGreaterThan(1000);
});

test("a stream reset while its waiting data is replayed gives that window back once, not twice", async () => {
  const h = new WireHarness({ ...LIMITS, connectionWindow: 40_000, streamWindow: 60_000 }).handshake();
  await h.frames();
  h.send(headersFrame(1), dataFrame(1, bytes(15_000)), dataFrame(1, bytes(15_000)));
  const s = h.streams[0];
  s.listen({ data: () => s.reset(ErrorCode.CANCEL), end: () => undefined, close: () => undefined });
  const updates = (await h.frames()).filter((f) => f.type === FrameType.WINDOW_UPDATE && f.stream === 0);
  expect(updates.reduce((sum, f) => sum + readUint32(f.payload, 0), 0)).toBe(30_000);
});

test("reads freed after each one (as the listener does): a header block across reads and data waiting for its handler stay intact", async () => {
  const block = encodeHeaderBlock([...REQUEST_HEADERS, ["x-long", "z".repeat(3000)]]);
  const h = new WireHarness().handshake();
  await h.frames();
  h.sendReads(
    frame(FrameType.HEADERS, 0, 1, block.subarray(0, 1000)),
    frame(FrameType.CONTINUATION, 0, 1, block.subarray(1000, 2000)),
    frame(FrameType.CONTINUATION, Flag.END_HEADERS, 1, block.subarray(2000)),
    dataFrame(1, bytes(700)),
    dataFrame(1, bytes(300, 5), true),
  );
  expect(h.streams[0].headers["x-long"]).toBe("z".repeat(3000));
  const seen: number[] = [];
  let ended = false;
  h.streams[0].listen({ data: (c, o, n) => seen.push(...c.subarray(o, o + n)), end: () => (ended = true), close: () => undefined });
  expect(seen).toEqual([...bytes(700), ...bytes(300, 5)]);
  expect(ended).toBe(true);
});
