/**
 * Fuzzing Kafka records in every format redgen reads — Tempo's PushBytesRequest
 * (push-bytes), Tempo's `otlp` codec and the Collector's otlp_proto and
 * otlp_json — through the real KafkaReceiver: mutated values, keys and
 * tenant headers. A record never stops the consumer and never makes an
 * "internal" error; each payload (each trace of a PushBytesRequest, as Tempo
 * pushes them one by one) is counted whole or not at all.
 */
import { expect, test } from "bun:test";
import { toJsonString } from "@bufbuild/protobuf";
import type { KafkaConfig } from "../../src/config/types.ts";
import { DecodeError } from "../../src/decode/decode-error.ts";
import { batchFromRequest } from "../../src/decode/from-request.ts";
import { recordPayloads } from "../../src/decode/kafka-record.ts";
import { decodeJson, decodeProtobuf } from "../../src/decode/otlp.ts";
import { decodeProtobufBatch } from "../../src/decode/otlp-wire.ts";
import { AttributeProjection } from "../../src/decode/span-batch.ts";
import { ExportTraceServiceRequestSchema } from "../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { KafkaReceiver, KafkaStats } from "../../src/receive/kafka/kafka-receiver.ts";
import type { KafkaSource } from "../../src/receive/kafka/kafka-source.ts";
import { FUZZ_SEED, ProtobufMutator, Tally, fuzzCases, fuzzRng, mutateJson, mutateText } from "../support/fuzz.ts";
import { pushBytesOfEntries } from "../support/kafka/tempo-records.ts";
import { tenantConfig } from "../support/pipeline.ts";
import { inProcessReceivers } from "../support/receivers.ts";
import { chance, pick, requestBytes } from "../support/random-otlp.ts";

const N = fuzzCases(1500);
const r = fuzzRng("kafka-records");

const FORMATS = ["push-bytes", "otlp", "otlp_proto", "otlp_json"] as const;
const cfg = {
  topics: FORMATS.map((format) => ({ topic: format, format, tenant_header: format === "otlp_json" ? "X-Tenant" : "", tenant: "single-tenant" })),
} as unknown as KafkaConfig;

const requests = Array.from({ length: 80 }, (_, i) => requestBytes(r, 1 + i * 20).bytes);
const json = requests.slice(0, 40).map((b) => {
  const text = toJsonString(ExportTraceServiceRequestSchema, decodeProtobuf(b));
  return JSON.stringify(JSON.parse(text, (k, v: unknown) => (["traceId", "spanId", "parentSpanId"].includes(k) && typeof v === "string" ? Buffer.from(v, "base64").toString("hex") : v)));
});
// seeded only (no random ids), so a seed replays exactly
const pushBytes = [...requests.slice(0, 20).map((b) => pushBytesOfEntries([b])), ...requests.slice(20, 40).map((b) => pushBytesOfEntries([b, pick(r, requests)], chance(r, 0.2)))];
const mutator = new ProtobufMutator(r, [...requests, ...pushBytes]);

/** Spans a payload adds when it decodes (the counting rule), 0 when it does not. */
function spansOf(payload: Uint8Array, isJson: boolean): number {
  try {
    if (isJson) return batchFromRequest(decodeJson(payload), new AttributeProjection()).spanCount;
    return decodeProtobufBatch(payload, new AttributeProjection(), false).spanCount;
  } catch (e) {
    if (e instanceof DecodeError) return 0;
    throw e;
  }
}

test(`Kafka records, ${N} mutated (seed ${FUZZ_SEED}): counted payload by payload, never an internal error`, () => {
  const rx = inProcessReceivers(tenantConfig({}));
  const stats = new KafkaStats();
  const receiver = new KafkaReceiver(cfg, {} as KafkaSource, rx.exporter, stats);
  const tally = new Tally("kafka records");
  const problems: string[] = [];
  for (let i = 0; i < N; i++) {
    const format = pick(r, FORMATS);
    let value: Uint8Array | undefined;
    if (format === "otlp_json") value = new TextEncoder().encode(mutateJson(r, pick(r, json)));
    else if (format === "push-bytes") value = mutator.mutate(pick(r, pushBytes));
    else value = mutator.mutate(pick(r, requests));
    if (chance(r, 0.02)) value = chance(r, 0.5) ? undefined : new Uint8Array(0);
    const tenant = chance(r, 0.9) ? "team-k" : mutateText(r, "team-k");
    const key = format === "push-bytes" || format === "otlp" ? (chance(r, 0.97) ? new TextEncoder().encode(tenant) : undefined) : undefined;
    const headers = new Map(format === "otlp_json" && chance(r, 0.8) ? [[Buffer.from("X-Tenant"), Buffer.from(tenant)]] : []);
    // what the record may add: its decodable payloads' spans, when the tenant is valid
    let expected = 0;
    try {
      const p = recordPayloads(value, format);
      for (const b of p.protobuf) expected += spansOf(b, false);
      if (p.json !== undefined) expected += spansOf(p.json, true);
    } catch (e) {
      if (!(e instanceof DecodeError)) problems.push(`case ${i}: recordPayloads threw ${e}`);
    }
    const errorsBefore = [...stats.errors.values()].reduce((a, b) => a + b, 0);
    const before = rx.spansReceived();
    try {
      receiver.onRecord({ topic: format, partition: 0, offset: BigInt(i), key, value, headers, timestampMs: Date.now() });
    } catch (e) {
      problems.push(`case ${i}: onRecord threw ${e}`);
      continue;
    }
    const added = rx.spansReceived() - before;
    const errors = [...stats.errors.values()].reduce((a, b) => a + b, 0) - errorsBefore;
    const badTenant = [...stats.errors.keys()].some((k) => k.endsWith("invalid_tenant") || k.endsWith("missing_tenant_key")) && errors > 0 && added === 0;
    tally.add(errors === 0 ? "counted whole" : added > 0 ? "counted in part (bad traces skipped)" : "skipped and counted as an error");
    if (added !== expected && !(badTenant && added === 0)) problems.push(`case ${i} (${format}): added ${added} spans, its payloads hold ${expected}`);
  }
  tally.report();
  const internal = [...stats.errors].filter(([k]) => k.endsWith("\u0000internal"));
  expect(internal).toEqual([]);
  expect(problems.slice(0, 5)).toEqual([]);
}, 60_000);
