/**
 * skip_stale_backlog_on_startup against a real broker: a backlog of records
 * produced long ago (record timestamps and span times 10 minutes old) and a
 * few fresh ones. With the setting, the old records are passed over without
 * decoding; without it they are decoded and their spans dropped by the slack
 * window. Either way only the fresh spans are counted.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { Producer } from "@platformatic/kafka";
import { PushBytesRequestSchema, TraceSchema } from "../../src/gen/tempopb/tempo_pb.ts";
import { type KafkaBroker, createTopic, startKafka } from "../support/kafka/broker.ts";
import { nowNs, request, span } from "../support/otlp-builders.ts";
import { E2E_TIMEOUT_MS, poll } from "../support/poll.ts";
import { Redgen } from "../support/redgen-process.ts";
import { kafkaConfig } from "../support/kafka/redgen-kafka.ts";

const TOPIC = "stale-backlog";
const OLD = 5;
const FRESH = 3;
let broker: KafkaBroker;

/** A push-bytes record value with one trace of two spans ending at `endNs`. */
function record(endNs: bigint): Buffer {
  const req = request({ resource: { "service.name": "backlog" }, spans: [span({ name: "a", endNs }), span({ name: "b", endNs })] });
  const trace = toBinary(TraceSchema, create(TraceSchema, { resourceSpans: req.resourceSpans }));
  return Buffer.from(toBinary(PushBytesRequestSchema, create(PushBytesRequestSchema, { traces: [trace] })));
}

beforeAll(async () => {
  broker = await startKafka();
  await createTopic(broker.bootstrap, TOPIC, 1);
  const producer = new Producer({ clientId: "stale-test", bootstrapBrokers: [broker.bootstrap] });
  const tenMinutesAgo = Date.now() - 600_000;
  const messages = [
    ...Array.from({ length: OLD }, () => ({ topic: TOPIC, partition: 0, key: Buffer.from("t"), value: record(nowNs(-600_000)), timestamp: BigInt(tenMinutesAgo) })),
    ...Array.from({ length: FRESH }, () => ({ topic: TOPIC, partition: 0, key: Buffer.from("t"), value: record(nowNs()) })),
  ];
  await producer.send({ messages, acks: -1 });
  await producer.close();
}, E2E_TIMEOUT_MS);

afterAll(async () => {
  await broker?.stop();
}, E2E_TIMEOUT_MS);

/** Reads a counter from redgen's /metrics (0 when absent). */
function metric(text: string, name: string, labels = ""): number {
  const line = text.split("\n").find((l) => l.startsWith(`${name}${labels}`) && !l.startsWith("#"));
  return line === undefined ? 0 : Number(line.split(" ").pop());
}

for (const skip of [true, false]) {
  test(`only fresh spans are counted; skip_stale_backlog_on_startup: ${skip}`, async () => {
    const group = `stale-${skip}`;
    const redgen = await Redgen.start({
      config: kafkaConfig({ bootstrap: broker.bootstrap, topic: TOPIC, group, instanceId: group, skipStaleBacklog: skip }),
    });
    try {
      const self = await poll(
        "all records consumed",
        async () => {
          const text = await redgen.selfMetrics();
          const seen = metric(text, "redgen_kafka_records_total") + metric(text, "redgen_kafka_stale_records_skipped_total");
          return seen === OLD + FRESH ? text : undefined;
        },
        { timeoutMs: 30_000 },
      );
      expect({
        stale: metric(self, "redgen_kafka_stale_records_skipped_total"),
        decoded: metric(self, "redgen_kafka_records_total"),
        outsideSlack: metric(self, "tempo_metrics_generator_spans_discarded_total", '{tenant="t",reason="outside_metrics_ingestion_slack"'),
      }).toEqual(skip ? { stale: OLD, decoded: FRESH, outsideSlack: 0 } : { stale: 0, decoded: OLD + FRESH, outsideSlack: OLD * 2 });
      const calls = (await redgen.generated("t")).split("\n").filter((l) => l.startsWith("traces_spanmetrics_calls_total"));
      expect(calls.map((l) => Number(l.split(" ").pop()))).toEqual([FRESH, FRESH]);
    } finally {
      await redgen.stop();
    }
  }, E2E_TIMEOUT_MS);
}
