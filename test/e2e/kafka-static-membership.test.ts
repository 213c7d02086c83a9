/**
 * Static membership (KIP-345, metrics_generator.instance_id) with two
 * compiled redgen instances on a 6-partition topic, session timeout 20 s:
 * - B stopped gracefully (SIGTERM, leave_consumer_group_on_shutdown false)
 *   and started again with the same instance_id inside the session timeout
 *   gets its own partitions back in the same generation — no rebalance, A
 *   never rejoins — and resumes exactly at its committed offsets;
 * - with leave_consumer_group_on_shutdown: true, a SIGTERM hands B's
 *   partitions to A at once: A's very next join (generation + 1, so nothing
 *   rebalanced in between) owns all six, well inside the session timeout.
 * Each step is also checked by records: every instance consumes exactly the
 * records of the partitions it owns, none twice.
 * Group changes are read from each instance's "kafka: joined consumer group"
 * log lines (generation and partitions).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type KafkaBroker, createTopic, startKafka } from "../support/kafka/broker.ts";
import { TestProducer } from "../support/kafka/producers.ts";
import { type GroupJoin, groupJoins, kafkaConfig, lastJoin, selfSamples } from "../support/kafka/redgen-kafka.ts";
import { clientServerTraces, pushBytesValue } from "../support/kafka/tempo-records.ts";
import { E2E_TIMEOUT_MS, poll } from "../support/poll.ts";
import { Redgen } from "../support/redgen-process.ts";

const TOPIC = "static";
const PARTITIONS = 6;
const SESSION_TIMEOUT_MS = 20_000;

let broker: KafkaBroker;
let producer: TestProducer;
const running: Redgen[] = [];

function start(instanceId: string, leaveOnShutdown = false): Promise<Redgen> {
  return Redgen.start({
    config: kafkaConfig({
      bootstrap: broker.bootstrap,
      group: "static",
      instanceId,
      topic: TOPIC,
      sessionTimeout: `${SESSION_TIMEOUT_MS / 1000}s`,
      leaveOnShutdown,
      dimensions: [],
    }),
  }).then((r) => {
    running.push(r);
    return r;
  });
}

/** One record on each of `partitions`. */
async function produce(partitions: number[]): Promise<void> {
  await producer.send(
    TOPIC,
    "zstd",
    partitions.map((p) => ({ key: "team-static", partition: p, value: pushBytesValue(clientServerTraces(1, "static-client", "static-server")) })),
  );
}

async function records(r: Redgen): Promise<number> {
  return selfSamples(await r.selfMetrics(), "redgen_kafka_records_total")[`topic=${TOPIC}`] ?? 0;
}

/** Polls until `r` has consumed exactly `n` records (fails on more). */
async function consumed(r: Redgen, n: number): Promise<void> {
  await poll(`${n} records consumed`, async () => {
    const got = await records(r);
    if (got > n) throw new Error(`consumed ${got} records, expected ${n}`);
    return got === n ? true : undefined;
  });
}

const parts = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

beforeAll(async () => {
  broker = await startKafka();
  await createTopic(broker.bootstrap, TOPIC, PARTITIONS);
  producer = new TestProducer(broker.bootstrap);
}, E2E_TIMEOUT_MS);

afterAll(async () => {
  await Promise.allSettled(running.map((r) => r.stop("SIGKILL")));
  await producer?.close();
  await broker?.stop();
}, E2E_TIMEOUT_MS);

test("a restart with the same instance_id gets the same partitions back without a rebalance; leaving on shutdown hands them over at once", async () => {
  const a = await start("static-a");
  const b = await start("static-b");
  // settled: both in one generation, three partitions each, all six covered
  const [ja, jb] = await poll(
    "the group to settle on 3 + 3 partitions",
    () => {
      const [x, y] = [lastJoin(a, TOPIC), lastJoin(b, TOPIC)];
      if (x === undefined || y === undefined || x.generation !== y.generation) return undefined;
      if (x.partitions.length !== 3 || y.partitions.length !== 3) return undefined;
      return [x, y] as [GroupJoin, GroupJoin];
    },
    { timeoutMs: 20_000 },
  );
  expect([...ja.partitions, ...jb.partitions].sort()).toEqual(parts(0, PARTITIONS));
  const generation = ja.generation;
  const aJoins = groupJoins(a.process.stderr, TOPIC).length;

  // A fetch A issued while it owned all six partitions may still be open at B's join; redgen
  // drops what it delivers for B's partitions. One record on A's own partition closes that fetch
  // so the counts below are per owner.
  await produce([ja.partitions[0]]);
  await consumed(a, 1);

  // 1. one record per partition: each instance gets the records of its partitions
  await produce(parts(0, PARTITIONS));
  await Promise.all([consumed(a, 4), consumed(b, 3)]);

  // 2. B stops gracefully, without leaving; records keep coming; nobody takes B's partitions
  const stoppedAt = Date.now();
  expect(await b.stop("SIGTERM")).toBe(0);
  await produce(parts(0, PARTITIONS));
  await consumed(a, 7);

  // 3. B again, same instance_id, inside the session timeout
  const b2 = await start("static-b", true);
  const rejoinMs = Date.now() - stoppedAt;
  expect(rejoinMs).toBeLessThan(SESSION_TIMEOUT_MS);
  expect(groupJoins(b2.process.stderr, TOPIC)).toEqual([{ generation, partitions: jb.partitions }]);
  // exactly the records produced while it was away: it resumed at B's committed offsets
  await consumed(b2, 3);
  await consumed(a, 7);
  expect(groupJoins(a.process.stderr, TOPIC)).toHaveLength(aJoins);
  expect(selfSamples(await b2.selfMetrics(), "tempo_metrics_generator_assigned_partitions")).toEqual({ "": 3 });

  // 4. B2 leaves on SIGTERM: A's next join owns all six partitions, long before the session timeout
  const leftAt = Date.now();
  expect(await b2.stop("SIGTERM")).toBe(0);
  expect(b2.process.stderr).toContain('msg="kafka: left the consumer group"');
  const takeover = await poll("A to own all partitions", () => (groupJoins(a.process.stderr, TOPIC).length > aJoins ? lastJoin(a, TOPIC) : undefined), {
    timeoutMs: SESSION_TIMEOUT_MS,
    intervalMs: 20,
  });
  const handoverMs = Date.now() - leftAt;
  // generation + 1: the leave caused the first rebalance since the group settled
  expect(takeover).toEqual({ generation: generation + 1, partitions: parts(0, PARTITIONS) });
  expect(handoverMs).toBeLessThan(SESSION_TIMEOUT_MS / 2);
  expect(selfSamples(await a.selfMetrics(), "tempo_metrics_generator_assigned_partitions")).toEqual({ "": 6 });
  // A resumes B's partitions at B2's committed offsets: one new record per partition, nothing replayed
  await produce(parts(0, PARTITIONS));
  await consumed(a, 13);
  console.error(`static membership: B back after ${rejoinMs} ms; A owned B's partitions ${handoverMs} ms after B2's SIGTERM`);
}, 90_000);
