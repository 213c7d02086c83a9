/**
 * Fuzzing OTLP/protobuf: seeded mutations (structure-aware and raw) of
 * generated requests of every span shape, each decided by
 * - pdata itself (Tempo's receiver) plus Tempo's id checks: the wire decoder
 *   must accept exactly what Tempo accepts (the one allowed difference:
 *   values nested deeper than 100 levels) and size every accepted span as Tempo does;
 * - the OTLP/HTTP and OTLP/gRPC receivers: 200 / OK with every span counted,
 *   or a 4xx / INVALID_ARGUMENT with a reason and no counter changed — never
 *   a 5xx or INTERNAL;
 * - the generated-types decoder: a result or a DecodeError, nothing else.
 * REDGEN_FUZZ_CASES / REDGEN_FUZZ_SEED run it longer or elsewhere (README).
 */
import { describe, expect, test } from "bun:test";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { DecodeError } from "../../src/decode/decode-error.ts";
import { batchFromRequest } from "../../src/decode/from-request.ts";
import { decodeProtobuf } from "../../src/decode/otlp.ts";
import { decodeProtobufBatch } from "../../src/decode/otlp-wire.ts";
import { AttributeProjection } from "../../src/decode/span-batch.ts";
import { ExportTraceServiceResponseSchema } from "../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { SpanSchema } from "../../src/gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { FUZZ_SEED, ProtobufMutator, Tally, fuzzCases, fuzzRng, hex } from "../support/fuzz.ts";
import { GRPC_HEADERS, closed, h2session } from "../support/h2-raw.ts";
import { Http2TestServer, grpcFrame } from "../support/grpc-client.ts";
import { pdataSizes } from "../support/pdata-oracle.ts";
import { tenantConfig } from "../support/pipeline.ts";
import { inProcessReceivers } from "../support/receivers.ts";
import { pick, requestBytes } from "../support/random-otlp.ts";

const N = fuzzCases(1500);
const r = fuzzRng("otlp-protobuf");
const seeds = Array.from({ length: 150 }, (_, i) => requestBytes(r, 1 + i * 20).bytes);
const mutator = new ProtobufMutator(r, seeds);
const cases = Array.from({ length: N }, () => mutator.mutate(pick(r, seeds)));
const TOO_DEEP = "attribute value nested deeper than 100 levels";
// The generated spans end at 1,700,000,000.5 s: a clock 0.2 s before keeps them in the ingestion window.
const CLOCK = () => 1_700_000_000_300;

const projection = () => {
  const p = new AttributeProjection();
  p.slot("http.method");
  p.slot("k");
  return p;
};

/** Tempo's verdict: pdata's, then its distributor's id rules on the spans pdata decoded. */
function tempoVerdict(a: { error?: string; records?: Uint8Array[] }): "accept" | "refuse" {
  if (a.error !== undefined) return "refuse";
  for (const rec of a.records ?? []) {
    const lens = new Map<number, number>();
    for (let p = 0; p < rec.length; ) {
      const tag = rec[p++];
      if ((tag & 7) !== 2) {
        // scalars: skip a varint or fixed value (gogo's output is canonical)
        if ((tag & 7) === 0) while (rec[p++] >= 0x80);
        else p += (tag & 7) === 1 ? 8 : 4;
        if (tag >= 0x80) p++; // two-byte tags (field 16) carry no ids
        continue;
      }
      let len = 0;
      for (let s = 0; ; s += 7) {
        const b = rec[p++];
        len |= (b & 0x7f) << s;
        if (b < 0x80) break;
      }
      lens.set(tag >> 3, len);
      p += len;
    }
    if (lens.get(1) !== 16 || lens.get(2) !== 8) return "refuse";
  }
  return "accept";
}

/** The payloads of field `field` (length-delimited) in `b`. */
function fieldsOf(b: Uint8Array, field: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let p = 0; p < b.length; ) {
    let tag = 0;
    for (let s = 1, x = 0x80; x >= 0x80; s *= 128) tag += ((x = b[p++]) & 0x7f) * s;
    const wt = tag % 8;
    let len = 0;
    if (wt === 2) for (let s = 1, x = 0x80; x >= 0x80; s *= 128) len += ((x = b[p++]) & 0x7f) * s;
    else if (wt === 0) while (b[p++] >= 0x80);
    else len = wt === 1 ? 8 : wt === 5 ? 4 : 0;
    if (wt === 2 && Math.floor(tag / 8) === field) out.push(b.subarray(p, p + len));
    p += len;
  }
  return out;
}

/**
 * Whether every span is encoded canonically: decoding and re-encoding it
 * (unknown fields kept) gives as many bytes. Repeated singular fields,
 * overlong varints, tags and lengths are valid protobuf no encoder writes;
 * on those redgen sizes the bytes as sent where Tempo sizes its re-encoding
 * (README: deviations).
 */
function canonical(bytes: Uint8Array): boolean {
  try {
    for (const rs of fieldsOf(bytes, 1)) {
      for (const ss of [...fieldsOf(rs, 2), ...fieldsOf(rs, 1000)]) {
        for (const sp of fieldsOf(ss, 2)) if (toBinary(SpanSchema, fromBinary(SpanSchema, sp, { readUnknownFields: true })).length !== sp.length) return false;
      }
    }
    return true;
  } catch {
    return false;
  }
}

describe(`OTLP/protobuf, ${N} mutated requests (seed ${FUZZ_SEED})`, () => {
  const answers = pdataSizes(cases);

  test("the wire decoder agrees with Tempo (pdata + its id checks) on every case, and sizes accepted spans as it does", () => {
    const tally = new Tally("otlp-protobuf wire decoder vs pdata");
    const disagreements: string[] = [];
    cases.forEach((bytes, i) => {
      const tempo = tempoVerdict(answers[i]);
      let ours: string;
      let sizes: number[] = [];
      try {
        const b = decodeProtobufBatch(bytes, projection());
        ours = "accept";
        sizes = [...b.sizes.subarray(0, b.spanCount)];
      } catch (e) {
        if (!(e instanceof DecodeError)) throw new Error(`case ${i}: ${e} — input ${hex(bytes)}`);
        ours = e.message === TOO_DEEP ? "too deep" : "refuse";
      }
      if (ours === "too deep") {
        tally.add(tempo === "accept" ? "refused only by redgen: nested deeper than 100 levels" : "refused by both");
        return;
      }
      if (ours !== tempo) {
        tally.add("disagreement");
        disagreements.push(`case ${i}: Tempo ${tempo}s, redgen ${ours}s${tempo === "refuse" ? ` (pdata: ${answers[i].error ?? "id check"})` : ""} — ${hex(bytes, 200)}`);
        return;
      }
      if (ours === "accept" && JSON.stringify(sizes) !== JSON.stringify(answers[i].spans ?? [])) {
        if (!canonical(bytes)) {
          tally.add("accepted by both; sizes differ on a non-canonical encoding");
          return;
        }
        tally.add("size mismatch");
        disagreements.push(`case ${i}: sizes ${JSON.stringify(sizes)} vs Tempo's ${JSON.stringify(answers[i].spans)} — ${hex(bytes, 200)}`);
        return;
      }
      tally.add(ours === "accept" ? "accepted by both" : "refused by both");
    });
    tally.report();
    expect(disagreements.slice(0, 5)).toEqual([]);
    expect(tally.counts.get("accepted by both") ?? 0).toBeGreaterThan(N / 20);
    expect(tally.counts.get("refused by both") ?? 0).toBeGreaterThan(N / 20);
  });

  test("the generated-types decoder ends every case in a result or a DecodeError", () => {
    const tally = new Tally("otlp-protobuf generated decoder");
    cases.forEach((bytes, i) => {
      try {
        batchFromRequest(decodeProtobuf(bytes), projection());
        tally.add("decoded");
      } catch (e) {
        if (!(e instanceof DecodeError)) throw new Error(`case ${i}: ${e} — input ${hex(bytes)}`);
        tally.add("DecodeError");
      }
    });
    tally.report();
    expect(tally.total).toBe(N);
  });

  test("OTLP/HTTP: 200 with every span counted (received, and discarded = partial success), or 400 with a reason and nothing counted — never a 5xx", async () => {
    const rx = inProcessReceivers(tenantConfig({}), 16 << 20, CLOCK);
    // spans received and spans discarded (outside the ingestion window): what a request may change
    const counters = () => {
      let discarded = 0;
      for (const t of rx.tenants.all()) for (const n of t.stats.discarded.values()) discarded += n;
      return { received: rx.spansReceived(), discarded };
    };
    const tally = new Tally("otlp-protobuf via OTLP/HTTP");
    const problems: string[] = [];
    for (let i = 0; i < cases.length; i++) {
      const before = counters();
      const res = await rx.httpApp.request("/v1/traces", { method: "POST", body: cases[i], headers: { "Content-Type": "application/x-protobuf" } });
      const body = new Uint8Array(await res.arrayBuffer());
      const after = counters();
      tally.add(`HTTP ${res.status}`);
      if (res.status === 200) {
        const spans = answers[i].error === undefined ? (answers[i].spans?.length ?? 0) : -1;
        const rejected = Number(fromBinary(ExportTraceServiceResponseSchema, body).partialSuccess?.rejectedSpans ?? 0n);
        if (after.received - before.received !== spans || after.discarded - before.discarded !== rejected) {
          problems.push(`case ${i}: 200 but counted ${JSON.stringify({ before, after })} for ${spans} spans, ${rejected} rejected`);
        }
      } else if (res.status >= 500 || res.status < 400) problems.push(`case ${i}: HTTP ${res.status} — ${hex(cases[i], 200)}`);
      else if (after.received !== before.received || after.discarded !== before.discarded) problems.push(`case ${i}: ${res.status} but a counter moved`);
    }
    tally.report();
    expect(problems.slice(0, 5)).toEqual([]);
  }, 60_000);

  test("OTLP/gRPC: OK with every span counted, or INVALID_ARGUMENT and nothing counted — never INTERNAL", async () => {
    const rx = inProcessReceivers(tenantConfig({}), 16 << 20, CLOCK);
    await using server = await Http2TestServer.start(rx.grpcHandler);
    const session = await h2session(server.url);
    const tally = new Tally("otlp-protobuf via OTLP/gRPC");
    const problems: string[] = [];
    const subset = cases.slice(0, Math.ceil(cases.length / 3));
    for (let i = 0; i < subset.length; i++) {
      const before = rx.spansReceived();
      const s = session.request(GRPC_HEADERS);
      let status = "";
      s.on("response", (h) => (status = String(h["grpc-status"] ?? status)));
      s.on("trailers", (t) => (status = String(t["grpc-status"] ?? status)));
      s.on("error", () => undefined);
      s.resume();
      s.end(grpcFrame(subset[i]));
      await closed(s);
      tally.add(`grpc-status ${status}`);
      const moved = rx.spansReceived() - before;
      const spans = answers[i].error === undefined ? (answers[i].spans?.length ?? 0) : -1;
      if (status === "0" ? moved !== spans : status !== "3" || moved !== 0) problems.push(`case ${i}: grpc-status ${status}, counted ${moved}`);
    }
    session.close();
    tally.report();
    expect(problems.slice(0, 5)).toEqual([]);
  }, 60_000);
});
