/**
 * Bad records on a real broker, consumed by the compiled redgen: garbage,
 * empty values, the wrong codec (OTLP/JSON and Tempo's otlp TracesData on a
 * push-bytes topic, push-bytes on an otlp_json topic), a 15 MB record of
 * garbage — each counted in redgen_kafka_records_skipped_total{reason} and
 * skipped — while the good records around them, a 6.5 MB valid record among
 * them, are counted exactly: the partition never stops.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type KafkaBroker, createTopic, startKafka } from "../support/kafka/broker.ts";
import { type OutRecord, TestProducer } from "../support/kafka/producers.ts";
import { kafkaConfig, selfSamples } from "../support/kafka/redgen-kafka.ts";
import {
  type TestTrace,
  callsByKey,
  clientServerTraces,
  expectedCalls,
  otlpJsonValue,
  pushBytesValue,
  tracesDataValue,
} from "../support/kafka/tempo-records.ts";
import { parseExposition } from "../support/exposition.ts";
import { E2E_TIMEOUT_MS, poll } from "../support/poll.ts";
import { Redgen } from "../support/redgen-process.ts";

const TOPIC = "bad-records";
const JSON_TOPIC = "bad-records-json";
const TENANT = "team-bad";
const JSON_TENANT = "team-bad-json";
const GARBAGE_BYTES = 15 * 1024 * 1024;
const LARGE_TRACES = 20_000;

let broker: KafkaBroker;
let redgen: Redgen;
const good: TestTrace[] = [];
const goodJson: TestTrace[] = [];
let largeBytes = 0;
let pushBytesRecords = 0;

beforeAll(async () => {
  broker = await startKafka();
  await Promise.all([createTopic(broker.bootstrap, TOPIC, 1), createTopic(broker.bootstrap, JSON_TOPIC, 1)]);
  redgen = await Redgen.start({
    config: kafkaConfig({
      bootstrap: broker.bootstrap,
      group: "bad-records",
      instanceId: "bad-records-1",
      topic: TOPIC,
      otlpTopics: [{ topic: JSON_TOPIC, encoding: "otlp_json", tenant: JSON_TENANT }],
      dimensions: [],
    }),
  });
  const fresh = (n: number, into: TestTrace[], client = "bad-client", server = "bad-server") => {
    const t = clientServerTraces(n, client, server);
    into.push(...t);
    return t;
  };
  const large = pushBytesValue(fresh(LARGE_TRACES, good, "large-client", "large-server"));
  largeBytes = large.length;
  const records: OutRecord[] = [
    { key: TENANT, value: pushBytesValue(fresh(3, good)) },
    // a varint that never ends
    { key: TENANT, value: new Uint8Array(64).fill(0xff) },
    { key: TENANT, value: new Uint8Array(0) },
    // the wrong codec: OTLP/JSON, and Tempo's `codec: otlp` value, on a push-bytes topic
    { key: TENANT, value: otlpJsonValue(clientServerTraces(2, "bad-client", "bad-server")) },
    { key: TENANT, value: tracesDataValue(clientServerTraces(2, "bad-client", "bad-server")) },
    { key: TENANT, value: pushBytesValue(fresh(2, good)) },
    { key: TENANT, value: new Uint8Array(GARBAGE_BYTES).fill(0xff) },
    { key: TENANT, value: large },
    { key: TENANT, value: pushBytesValue(fresh(4, good)) },
  ];
  pushBytesRecords = records.length;
  const producer = new TestProducer(broker.bootstrap);
  try {
    // one record per batch, so the 15 MB one stays under the broker's 16 MB batch limit
    for (const r of records) await producer.send(TOPIC, "none", [r]);
    await producer.send(JSON_TOPIC, "lz4", [
      { value: new TextEncoder().encode("{ not json") },
      { value: pushBytesValue(clientServerTraces(1, "bad-client", "bad-server")) },
      { value: new Uint8Array(0) },
      { value: otlpJsonValue(fresh(2, goodJson, "json-client", "json-server")) },
    ]);
  } finally {
    await producer.close();
  }
}, 60_000);

afterAll(async () => {
  await redgen?.stop().catch(() => undefined);
  await broker?.stop();
}, E2E_TIMEOUT_MS);

test("the large valid record is really large", () => {
  expect(largeBytes).toBeGreaterThan(5_000_000);
  expect(largeBytes).toBeLessThan(10_000_000);
});

/**
 * redgen's /metrics once every record has been handed to the receiver (it
 * processes each record synchronously, so its spans are in the registry then).
 */
let consumed: Promise<string> | undefined;
function allConsumed(): Promise<string> {
  consumed ??= poll(
    "every record consumed",
    async () => {
      const t = await redgen.selfMetrics();
      const seen = selfSamples(t, "redgen_kafka_records_total");
      return seen[`topic=${TOPIC}`] === pushBytesRecords && seen[`topic=${JSON_TOPIC}`] === 4 ? t : undefined;
    },
    { timeoutMs: 20_000 },
  );
  return consumed;
}

test("bad records are counted by reason and skipped; every record after them is consumed", async () => {
  expect(selfSamples(await allConsumed(), "redgen_kafka_records_skipped_total")).toEqual({
    [`topic=${TOPIC},reason=decode`]: 5,
    [`topic=${JSON_TOPIC},reason=decode`]: 3,
  });
}, E2E_TIMEOUT_MS);

test("the good records, the 6.5 MB one included, are counted exactly", async () => {
  await allConsumed();
  const calls = async (tenant: string) =>
    callsByKey(parseExposition(await redgen.generated(tenant)).filter((s) => s.name === "traces_spanmetrics_calls_total"), tenant);
  expect(await calls(TENANT)).toEqual(expectedCalls(TENANT, good));
  expect(await calls(JSON_TENANT)).toEqual(expectedCalls(JSON_TENANT, goodJson));
}, E2E_TIMEOUT_MS);
