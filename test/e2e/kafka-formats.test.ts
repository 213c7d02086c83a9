/**
 * Every record format redgen reads from Kafka, in every compression codec,
 * written by three independent producers, consumed by the compiled binary
 * from a real Kafka 4.2 broker and checked exactly on /metrics/generated and
 * in a real Prometheus (remote write):
 * - formats: Tempo's push-bytes (key = tenant, several traces per record),
 *   Tempo's `codec: otlp` (key = tenant), the Collector's otlp_proto (tenant
 *   from the X-Scope-OrgID header, or the configured fallback without one)
 *   and otlp_json (fixed tenant);
 * - producers × codecs: the project's client (@platformatic/kafka) and
 *   Debian's kcat (librdkafka), each with none, gzip, snappy (raw block), lz4
 *   (frame) and zstd; the official Java client with snappy, the xerial-framed
 *   kind. The broker's log segments are read back to show that each of these
 *   batch encodings really reached it.
 * One redgen reads the push-bytes and both Collector topics, a second one
 * (codec otlp) Tempo's otlp topic; each case has its own service names, so
 * all cases share one broker, one Prometheus and the two instances.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type KafkaBroker, createTopic, startKafka } from "../support/kafka/broker.ts";
import { CODECS, type Codec, type OutRecord, TestProducer, javaProduceAsync, kcatProduce, segmentBatches } from "../support/kafka/producers.ts";
import { kafkaConfig, selfSamples } from "../support/kafka/redgen-kafka.ts";
import {
  type TestTrace,
  callsByKey,
  clientServerTraces,
  expectedCalls,
  otlpJsonValue,
  pushBytesValue,
  spanCount,
  sumValues,
  tracesDataValue,
} from "../support/kafka/tempo-records.ts";
import { parseExposition } from "../support/exposition.ts";
import { E2E_TIMEOUT_MS } from "../support/poll.ts";
import { Prometheus } from "../support/prometheus.ts";
import { Redgen } from "../support/redgen-process.ts";

type Format = "push-bytes" | "otlp" | "otlp_proto" | "otlp_json";
type ProducerName = "platformatic" | "kcat" | "java";

const TOPIC: Record<Format, string> = {
  "push-bytes": "fmt-push-bytes",
  otlp: "fmt-otlp",
  otlp_proto: "fmt-otlp-proto",
  otlp_json: "fmt-otlp-json",
};
const SHORT: Record<Format, string> = { "push-bytes": "pb", otlp: "otlp", otlp_proto: "proto", otlp_json: "json" };
const RECORDS_PER_CASE = 2;
const TRACES_PER_RECORD = 3;

interface Case {
  id: string;
  format: Format;
  producer: ProducerName;
  codec: Codec;
  /** the tenant the spans must land in */
  tenant: string;
  traces: TestTrace[];
}

const CASES: Case[] = [];
for (const format of Object.keys(TOPIC) as Format[]) {
  const add = (producer: ProducerName, codec: Codec) => {
    // the Java producer writes no headers: its otlp_proto records take the configured fallback tenant
    const tenant = {
      "push-bytes": "tempo-pb",
      otlp: "tempo-otlp",
      otlp_proto: producer === "java" ? "collector-fallback" : "collector-proto",
      otlp_json: "collector-json",
    }[format];
    CASES.push({ id: `${SHORT[format]}-${producer}-${codec}`, format, producer, codec, tenant, traces: [] });
  };
  for (const producer of ["platformatic", "kcat"] as const) for (const codec of CODECS) add(producer, codec);
  add("java", "snappy");
}

/** The records of a case, with fresh span times (the slack window keeps only spans ending within 30 s of now). */
function recordsOf(c: Case): OutRecord[] {
  const records: OutRecord[] = [];
  for (let i = 0; i < RECORDS_PER_CASE; i++) {
    const traces = clientServerTraces(TRACES_PER_RECORD, c.id, `${c.id}-srv`);
    c.traces.push(...traces);
    switch (c.format) {
      case "push-bytes":
        records.push({ key: c.tenant, value: pushBytesValue(traces) });
        break;
      case "otlp":
        records.push({ key: c.tenant, value: tracesDataValue(traces) });
        break;
      case "otlp_proto":
        // the Collector keys by trace id with partition_traces_by_id; the key must not matter
        records.push({
          key: Buffer.from(traces[0].traceId).toString("hex"),
          value: tracesDataValue(traces),
          headers: c.producer === "java" ? undefined : { "X-Scope-OrgID": c.tenant },
        });
        break;
      case "otlp_json":
        records.push({ value: otlpJsonValue(traces) });
        break;
    }
  }
  return records;
}

let broker: KafkaBroker;
let prom: Prometheus;
/** reads push-bytes, otlp_proto and otlp_json */
let redgenA: Redgen;
/** reads Tempo's otlp codec */
let redgenB: Redgen;
const redgenOf = (c: Case) => (c.format === "otlp" ? redgenB : redgenA);

beforeAll(async () => {
  [broker, prom] = await Promise.all([startKafka(), Prometheus.start()]);
  await Promise.all(Object.values(TOPIC).map((t) => createTopic(broker.bootstrap, t, 1)));
  const common = { bootstrap: broker.bootstrap, remoteWriteUrl: prom.remoteWriteUrl, injectTenantIdAs: "tenant", dimensions: [] };
  [redgenA, redgenB] = await Promise.all([
    Redgen.start({
      config: kafkaConfig({
        ...common,
        group: "formats-a",
        instanceId: "formats-a",
        topic: TOPIC["push-bytes"],
        codec: "push-bytes",
        otlpTopics: [
          { topic: TOPIC.otlp_proto, encoding: "otlp_proto", tenant_header: "X-Scope-OrgID", tenant: "collector-fallback" },
          { topic: TOPIC.otlp_json, encoding: "otlp_json", tenant: "collector-json" },
        ],
      }),
    }),
    Redgen.start({ config: kafkaConfig({ ...common, group: "formats-b", instanceId: "formats-b", topic: TOPIC.otlp, codec: "otlp" }) }),
  ]);
  const producer = new TestProducer(broker.bootstrap);
  try {
    const java: Promise<void>[] = [];
    for (const c of CASES) {
      const records = recordsOf(c);
      const topic = TOPIC[c.format];
      if (c.producer === "platformatic") await producer.send(topic, c.codec, records);
      if (c.producer === "kcat") await kcatProduce(broker.bootstrap, topic, c.codec, records);
      // a JVM start each: run them side by side
      if (c.producer === "java") java.push(javaProduceAsync(broker.bootstrap, topic, c.codec, records));
    }
    await Promise.all(java);
  } finally {
    await producer.close();
  }
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([redgenA?.stop(), redgenB?.stop()]);
  await Promise.allSettled([prom?.stop(), broker?.stop()]);
}, E2E_TIMEOUT_MS);

const selectorOf = (c: Case) => `{service=~"${c.id}|${c.id}-srv"}`;

describe.each(CASES)("$format by $producer, $codec", (c) => {
  test("exact traces_spanmetrics_calls_total in Prometheus, in the record's tenant", async () => {
    const expected = expectedCalls(c.tenant, c.traces);
    expect(sumValues(expected)).toBe(RECORDS_PER_CASE * TRACES_PER_RECORD * 3);
    const got = await prom.waitFor(`traces_spanmetrics_calls_total${selectorOf(c)}`, (r) => sumValues(callsByKey(r)) >= sumValues(expected), 20_000);
    expect(callsByKey(got)).toEqual(expected);
  }, E2E_TIMEOUT_MS);

  test("the same on /metrics/generated?tenant=", async () => {
    await prom.waitFor(`sum(traces_spanmetrics_calls_total${selectorOf(c)})`, (r) => r[0]?.value === spanCount(c.traces), 20_000);
    const mine = parseExposition(await redgenOf(c).generated(c.tenant)).filter(
      (s) => s.name === "traces_spanmetrics_calls_total" && (s.labels.service === c.id || s.labels.service === `${c.id}-srv`),
    );
    expect(callsByKey(mine)).toEqual(expectedCalls(c.tenant, c.traces));
  }, E2E_TIMEOUT_MS);
});

test("every record consumed exactly once, none skipped, spans received per tenant", async () => {
  const total = spanCount(CASES.flatMap((c) => c.traces));
  await prom.waitFor(`sum(traces_spanmetrics_calls_total)`, (r) => r[0]?.value === total, 20_000);
  const records: Record<string, number> = {};
  const spans: Record<string, number> = {};
  for (const c of CASES) {
    records[`topic=${TOPIC[c.format]}`] = (records[`topic=${TOPIC[c.format]}`] ?? 0) + RECORDS_PER_CASE;
    spans[`tenant=${c.tenant}`] = (spans[`tenant=${c.tenant}`] ?? 0) + spanCount(c.traces);
  }
  const [a, b] = [await redgenA.selfMetrics(), await redgenB.selfMetrics()];
  expect({ ...selfSamples(a, "redgen_kafka_records_total"), ...selfSamples(b, "redgen_kafka_records_total") }).toEqual(records);
  expect({ ...selfSamples(a, "redgen_kafka_records_skipped_total"), ...selfSamples(b, "redgen_kafka_records_skipped_total") }).toEqual({});
  expect({
    ...selfSamples(a, "tempo_metrics_generator_spans_received_total"),
    ...selfSamples(b, "tempo_metrics_generator_spans_received_total"),
  }).toEqual(spans);
  expect(selfSamples(a, "tempo_metrics_generator_spans_discarded_total")).toEqual({});
}, E2E_TIMEOUT_MS);

test("the broker stored every codec and framing the cases name", () => {
  for (const format of Object.keys(TOPIC) as Format[]) {
    const batches = segmentBatches(broker.dir, TOPIC[format], 0);
    const seen = [...new Set(batches.map((b) => (b.framing === "" ? b.codec : `${b.codec}/${b.framing}`)))].sort();
    expect({ format, seen }).toEqual({ format, seen: ["gzip", "lz4/frame", "none", "snappy/raw", "snappy/xerial", "zstd"] });
    expect(batches.reduce((n, b) => n + b.records, 0)).toBe(CASES.filter((c) => c.format === format).length * RECORDS_PER_CASE);
  }
});
