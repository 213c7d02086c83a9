/**
 * The gRPC port's HTTP/2 server under mutated client conversations: valid
 * exchanges (preface, SETTINGS, requests split over HEADERS/CONTINUATION and
 * DATA, PINGs, WINDOW_UPDATEs, resets) with frames changed, dropped,
 * repeated or cut, then fed in reads of random sizes, each freed after it
 * is handled as the listener does. Whatever a case does, the server must
 * not fault (a fault ends a connection with INTERNAL_ERROR), must write
 * whole frames, and once the socket closes every byte taken from the
 * in-flight budget must be back.
 */
import { describe, expect, test } from "bun:test";
import { ErrorCode, Flag, FrameType, PREFACE, Setting, frame, settings, windowUpdate } from "../../src/receive/h2/frames.ts";
import { encodeHeaderBlock } from "../../src/receive/h2/hpack-encoder.ts";
import { pick } from "../support/random-otlp.ts";
import { FUZZ_SEED, Tally, fuzzCases, fuzzRng, hex, randomBytes } from "../support/fuzz.ts";
import { EXPORT_PATH, exportFrame } from "../support/grpc-client.ts";
import { WireHarness, goawayCode } from "../support/h2-wire.ts";
import { request, span } from "../support/otlp-builders.ts";
import { tenantConfig } from "../support/pipeline.ts";
import { inProcessReceivers } from "../support/receivers.ts";

const CASES = fuzzCases(400);
const r = fuzzRng("h2-frames");
const HEADERS: [string, string][] = [
  [":method", "POST"],
  [":scheme", "http"],
  [":path", EXPORT_PATH],
  [":authority", "localhost"],
  ["content-type", "application/grpc"],
  ["te", "trailers"],
];
const MESSAGE = exportFrame(request({ resource: { "service.name": "fuzz" }, spans: [span({ name: "a" }), span({ name: "b" })] }));

/** One valid conversation, as a list of frames (the preface first). */
function conversation(): Uint8Array[] {
  const frames: Uint8Array[] = [PREFACE, settings(r() < 0.5 ? [] : [[Setting.INITIAL_WINDOW_SIZE, Math.floor(r() * 70_000)], [Setting.MAX_FRAME_SIZE, 16_384]])];
  const streams = 1 + Math.floor(r() * 4);
  for (let k = 0; k < streams; k++) {
    const id = 2 * k + 1;
    const block = encodeHeaderBlock(r() < 0.3 ? [...HEADERS, ["authorization", "x".repeat(Math.floor(r() * 3000))]] : HEADERS);
    const cut = Math.floor(r() * block.length);
    if (r() < 0.3 && cut > 0) frames.push(frame(FrameType.HEADERS, 0, id, block.subarray(0, cut)), frame(FrameType.CONTINUATION, Flag.END_HEADERS, id, block.subarray(cut)));
    else frames.push(frame(FrameType.HEADERS, Flag.END_HEADERS, id, block));
    let off = 0;
    while (off < MESSAGE.length) {
      const n = Math.min(MESSAGE.length - off, 1 + Math.floor(r() * 400));
      frames.push(frame(FrameType.DATA, off + n === MESSAGE.length ? Flag.END_STREAM : 0, id, MESSAGE, off, n));
      off += n;
    }
    if (r() < 0.2) frames.push(frame(FrameType.PING, 0, 0, randomBytes(r, 8)));
    if (r() < 0.2) frames.push(windowUpdate(r() < 0.5 ? 0 : id, 1 + Math.floor(r() * 100_000)));
    if (r() < 0.1) frames.push(frame(FrameType.RST_STREAM, 0, id, Uint8Array.of(0, 0, 0, 8)));
  }
  return frames;
}

/** One mutation of one frame (or of the list). */
function mutate(frames: Uint8Array[]): void {
  const i = 1 + Math.floor(r() * (frames.length - 1));
  const f = frames[i].slice();
  switch (pick(r, ["type", "flags", "stream", "length", "byte", "drop", "repeat", "truncate", "insert"] as const)) {
    case "type":
      f[3] = Math.floor(r() * 12);
      break;
    case "flags":
      f[4] ^= 1 << Math.floor(r() * 8);
      break;
    case "stream":
      f[8] = Math.floor(r() * 12);
      f[5] = f[6] = f[7] = r() < 0.1 ? 0xff : 0;
      break;
    case "length":
      f[2] = Math.floor(r() * 256);
      break;
    case "byte":
      if (f.length > 9) f[9 + Math.floor(r() * (f.length - 9))] = Math.floor(r() * 256);
      break;
    case "drop":
      frames.splice(i, 1);
      return;
    case "repeat":
      frames.splice(i, 0, f);
      return;
    case "truncate":
      frames[i] = f.subarray(0, Math.floor(r() * f.length));
      return;
    case "insert":
      frames.splice(i, 0, frame(Math.floor(r() * 10), Math.floor(r() * 256), Math.floor(r() * 8), randomBytes(r, Math.floor(r() * 40))));
      return;
  }
  frames[i] = f;
}

describe(`HTTP/2 frames, ${CASES} mutated conversations (seed ${FUZZ_SEED})`, () => {
  test("no fault, whole frames written, the in-flight budget all given back", async () => {
    const tally = new Tally("h2-frames");
    const rx = inProcessReceivers(tenantConfig({}));
    for (let c = 0; c < CASES; c++) {
      const frames = conversation();
      const mutations = Math.floor(r() * 4);
      for (let m = 0; m < mutations; m++) mutate(frames);
      const wire = Buffer.concat(frames);
      const h = new WireHarness({ maxConcurrentStreams: 100, streamWindow: 4 << 20, connectionWindow: 16 << 20, maxHeaderListBytes: 64 << 10 }, rx.grpcHandler);
      const reads: Uint8Array[] = [];
      for (let off = 0; off < wire.length; ) {
        const n = Math.min(wire.length - off, 1 + Math.floor(r() * 3000));
        reads.push(wire.subarray(off, off + n));
        off += n;
      }
      const where = `case ${c} (seed ${FUZZ_SEED}): ${hex(wire, 256)}`;
      h.sendReads(...reads);
      const written = await h.frames(); // throws on a partial frame
      const code = goawayCode(written);
      expect({ where, internal: code === ErrorCode.INTERNAL_ERROR }).toEqual({ where, internal: false });
      h.conn.closed();
      expect({ where, inUse: rx.grpcBudget.inUse }).toEqual({ where, inUse: 0 });
      tally.add(code === undefined ? "served" : `goaway ${code}`);
    }
    tally.report();
    expect(tally.total).toBe(CASES);
    expect(tally.counts.get("served") ?? 0).toBeGreaterThan(0);
  }, 120_000);
});
