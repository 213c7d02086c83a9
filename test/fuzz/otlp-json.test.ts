/**
 * Fuzzing OTLP/JSON through the OTLP/HTTP receiver: seeded mutations of
 * generated requests (values of other types, nodes removed or repeated,
 * values nested past 100 levels, bad hex ids, raw text damage). Every
 * request ends in 200 with every span counted (received, and discarded =
 * partial success) or in 400 with a reason and no counter changed; never a
 * 5xx, never an exception.
 */
import { expect, test } from "bun:test";
import { toJsonString } from "@bufbuild/protobuf";
import { DecodeError } from "../../src/decode/decode-error.ts";
import { decodeJson, decodeProtobuf } from "../../src/decode/otlp.ts";
import { ExportTraceServiceRequestSchema } from "../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { FUZZ_SEED, Tally, fuzzCases, fuzzRng, mutateJson } from "../support/fuzz.ts";
import { tenantConfig } from "../support/pipeline.ts";
import { inProcessReceivers } from "../support/receivers.ts";
import { pick, requestBytes } from "../support/random-otlp.ts";

const N = fuzzCases(1500);
const r = fuzzRng("otlp-json");
const ID_KEYS = new Set(["traceId", "spanId", "parentSpanId"]);

/** OTLP/JSON of a generated request: ids in hex, as OTLP/JSON wants them. */
function toOtlpJson(bytes: Uint8Array): string {
  const json = toJsonString(ExportTraceServiceRequestSchema, decodeProtobuf(bytes));
  return JSON.stringify(JSON.parse(json, (k, v: unknown) => (ID_KEYS.has(k) && typeof v === "string" ? Buffer.from(v, "base64").toString("hex") : v)));
}

const seeds = Array.from({ length: 100 }, (_, i) => requestBytes(r, 1 + i * 20))
  .filter((s) => !s.legacy)
  .map((s) => toOtlpJson(s.bytes));

test(`OTLP/JSON, ${N} mutated requests (seed ${FUZZ_SEED}): 200 with exact counts or 400, never a 5xx`, async () => {
  const rx = inProcessReceivers(tenantConfig({}), 16 << 20, () => 1_700_000_000_300);
  const counters = () => {
    let discarded = 0;
    for (const t of rx.tenants.all()) for (const n of t.stats.discarded.values()) discarded += n;
    return { received: rx.spansReceived(), discarded };
  };
  const tally = new Tally("otlp-json via OTLP/HTTP");
  const problems: string[] = [];
  for (let i = 0; i < N; i++) {
    const text = mutateJson(r, pick(r, seeds));
    // the spans the request holds when it decodes (the count an accepted request must add)
    let spans = -1;
    try {
      spans = decodeJson(new TextEncoder().encode(text)).resourceSpans.reduce((n, rs) => n + rs.scopeSpans.reduce((m, ss) => m + ss.spans.length, 0), 0);
    } catch (e) {
      if (!(e instanceof DecodeError)) problems.push(`case ${i}: decodeJson threw ${e}`);
    }
    const before = counters();
    const res = await rx.httpApp.request("/v1/traces", { method: "POST", body: text, headers: { "Content-Type": "application/json" } });
    const answer = await res.text();
    const after = counters();
    tally.add(`HTTP ${res.status}`);
    if (res.status === 200) {
      const rejected = Number(JSON.parse(answer).partialSuccess?.rejectedSpans ?? 0);
      if (after.received - before.received !== spans || after.discarded - before.discarded !== rejected) problems.push(`case ${i}: 200, counted ${JSON.stringify({ before, after })} for ${spans} spans — ${text.slice(0, 300)}`);
    } else if (res.status !== 400) problems.push(`case ${i}: HTTP ${res.status} ${answer.slice(0, 200)} — ${text.slice(0, 300)}`);
    else if (after.received !== before.received || after.discarded !== before.discarded) problems.push(`case ${i}: 400 but a counter moved`);
    else if (!JSON.parse(answer).message) problems.push(`case ${i}: 400 without a reason`);
  }
  tally.report();
  expect(problems.slice(0, 5)).toEqual([]);
  expect(tally.counts.get("HTTP 200") ?? 0).toBeGreaterThan(N / 20);
  expect(tally.counts.get("HTTP 400") ?? 0).toBeGreaterThan(N / 20);
}, 60_000);
