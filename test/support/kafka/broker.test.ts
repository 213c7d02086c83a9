import { Admin, Consumer, Producer, stringDeserializers, stringSerializers } from "@platformatic/kafka";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { withTimeout } from "../poll.ts";
import { createTopic, type KafkaBroker, startKafka } from "./broker.ts";

let kafka: KafkaBroker;

beforeAll(async () => {
  kafka = await startKafka();
}, 60_000);

afterAll(async () => {
  await kafka?.stop();
}, 20_000);

test(
  "a real broker creates a 6-partition topic, takes a record and hands it to a group member",
  async () => {
    const topic = "broker-smoke";
    const admin = new Admin({ clientId: "broker-test", bootstrapBrokers: [kafka.bootstrap] });
    const producer = new Producer({ clientId: "broker-test", bootstrapBrokers: [kafka.bootstrap], serializers: stringSerializers });
    const consumer = new Consumer({
      clientId: "broker-test",
      groupId: "broker-test",
      bootstrapBrokers: [kafka.bootstrap],
      deserializers: stringDeserializers,
    });
    try {
      await createTopic(kafka.bootstrap, topic, 6);
      const md = await admin.metadata({ topics: [topic], forceUpdate: true });
      expect(md.topics.get(topic)?.partitionsCount).toBe(6);

      await producer.send({ messages: [{ topic, key: "tenant-a", value: "hello", partition: 4 }] });

      const stream = await consumer.consume({ topics: [topic], mode: "earliest", autocommit: false, maxWaitTime: 200 });
      const got = await withTimeout(
        "the record to come back",
        (async () => {
          for await (const m of stream) return m;
          throw new Error("stream ended");
        })(),
        15_000,
      );
      expect(got.key).toBe("tenant-a");
      expect(got.value).toBe("hello");
      expect(got.partition).toBe(4);
      expect(got.offset).toBe(0n);
      await stream.close();
    } finally {
      await consumer.close(true);
      await producer.close();
      await admin.close();
    }
    const dir = kafka.dir;
    await kafka.stop();
    expect(existsSync(dir)).toBe(false);
    expect(() => process.kill(kafka.pid, 0)).toThrow();
  },
  30_000,
);
