/**
 * Exactly-once from Kafka: three compiled redgen instances in one consumer
 * group (static members, a session timeout long enough that a restart is not
 * a rebalance, series kept apart by `registry.external_labels: {replica}`,
 * each with its own storage.path), six partitions, one push-bytes record per
 * partition every 100 ms, each partition's traces named after it. Mid-stream
 * one instance is SIGKILLed and started again at once on the same
 * storage.path: it restores its checkpoint, the group gives it its partitions
 * back, and it resumes where its durable state ends. Per partition, the sum
 * over the instances in Prometheus equals the spans produced — no record
 * counted twice, none skipped — and so do the service-graph edges.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type KafkaBroker, createTopic, startKafka } from "../support/kafka/broker.ts";
import { kafkaConfig, lastJoin } from "../support/kafka/redgen-kafka.ts";
import { SteadyProducer, committedOffsets, endOffsets, partitionOfService } from "../support/kafka/scale-out.ts";
import { parseExposition } from "../support/exposition.ts";
import { E2E_TIMEOUT_MS, poll } from "../support/poll.ts";
import { Prometheus } from "../support/prometheus.ts";
import { Redgen } from "../support/redgen-process.ts";

const TOPIC = "exactly-once";
const GROUP = "exactly-once";
const PARTITIONS = 6;
const TENANT = "team-eo";
const IDS = ["eo-1", "eo-2", "eo-3"];
const VICTIM = "eo-2";

let broker: KafkaBroker;
let prom: Prometheus;
const instances = new Map<string, Redgen>();
const stateDirs = new Map<string, string>();
let producer: SteadyProducer;

const seen = {
  victimPartitions: [] as number[],
  partitionsAfterRestart: [] as number[],
  restoredLine: "",
  replaySkipped: 0,
  calls: {} as Record<number, number>,
  edges: {} as Record<number, number>,
  resets: [] as number[],
};

function start(id: string): Promise<Redgen> {
  return Redgen.start({
    stateDir: stateDirs.get(id),
    config: kafkaConfig({
      bootstrap: broker.bootstrap,
      group: GROUP,
      instanceId: id,
      topic: TOPIC,
      sessionTimeout: "45s",
      remoteWriteUrl: prom.remoteWriteUrl,
      externalLabels: { replica: id },
      processors: ["span-metrics", "service-graphs"],
      dimensions: [],
    }),
  });
}

/** `sum by (label)` of `promql` over every instance, as partition → value. */
async function byPartition(promql: string, label: string): Promise<Record<number, number>> {
  const out: Record<number, number> = {};
  for (const s of await prom.query(`sum by (${label}) (${promql})`)) {
    const p = partitionOfService(s.metric[label]);
    if (p < 0) throw new Error(`unexpected ${label} ${s.metric[label]}`);
    out[p] = (out[p] ?? 0) + s.value;
  }
  return out;
}

beforeAll(async () => {
  [broker, prom] = await Promise.all([startKafka(), Prometheus.start()]);
  await createTopic(broker.bootstrap, TOPIC, PARTITIONS);
  for (const id of IDS) {
    stateDirs.set(id, mkdtempSync(join(tmpdir(), `redgen-e2e-${id}-`)));
    instances.set(id, await start(id));
  }
  await poll(
    "three instances with two partitions each",
    () => (IDS.every((id) => lastJoin(instances.get(id)!, TOPIC)?.partitions.length === 2) ? true : undefined),
    { timeoutMs: 30_000 },
  );

  producer = new SteadyProducer({ bootstrap: broker.bootstrap, topic: TOPIC, partitions: PARTITIONS, tenant: TENANT, tickMs: 100 });
  producer.start();
  await poll("3 s of production", () => (producer.ledger.length >= 30 * PARTITIONS ? true : undefined), { timeoutMs: 15_000 });

  const victim = instances.get(VICTIM)!;
  seen.victimPartitions = lastJoin(victim, TOPIC)!.partitions;
  await victim.stop("SIGKILL");
  const again = await start(VICTIM);
  instances.set(VICTIM, again);
  seen.partitionsAfterRestart = lastJoin(again, TOPIC)?.partitions ?? [];
  seen.restoredLine = again.process.stderr.split("\n").find((l) => l.includes('msg="tenant restored"')) ?? "";

  await poll("2 s more of production", () => (producer.ledger.length >= 50 * PARTITIONS ? true : undefined), { timeoutMs: 15_000 });
  await producer.stop();
  const ends = await endOffsets(broker.bootstrap, TOPIC, PARTITIONS);
  await poll(
    "every record committed by the group",
    async () => ((await committedOffsets(broker.bootstrap, GROUP, TOPIC, PARTITIONS)).every((o, p) => o === ends[p]) ? true : undefined),
    { timeoutMs: 30_000 },
  );
  // Committed means inside a checkpoint; the round after it is in Prometheus once every instance's local values are.
  await poll(
    "Prometheus to hold every instance's final values",
    async () => {
      for (const id of IDS) {
        const local = parseExposition(await instances.get(id)!.generated(TENANT))
          .filter((s) => s.name === "traces_spanmetrics_calls_total")
          .reduce((n, s) => n + s.value, 0);
        const [remote] = await prom.query(`sum(traces_spanmetrics_calls_total{replica="${id}"})`);
        if ((remote?.value ?? 0) !== local) return undefined;
      }
      return true;
    },
    { timeoutMs: 30_000 },
  );
  seen.calls = await byPartition("traces_spanmetrics_calls_total", "service");
  seen.edges = await byPartition("traces_service_graph_request_total", "client");
  seen.resets = (await prom.query("sum(resets(traces_spanmetrics_calls_total[15m]))")).map((s) => s.value);
  for (const s of parseExposition(await instances.get(VICTIM)!.selfMetrics())) {
    if (s.name === "redgen_kafka_replayed_records_skipped_total") seen.replaySkipped += s.value;
  }
  console.error(
    `kafka exactly-once: victim ${VICTIM} owned ${seen.victimPartitions}, after restart ${seen.partitionsAfterRestart}; ` +
      `skipped ${seen.replaySkipped} replayed records; per partition produced/counted: ` +
      Array.from({ length: PARTITIONS }, (_, p) => `${p}:${producer.spans(p)}/${seen.calls[p]}`).join(" "),
  );
}, 120_000);

afterAll(async () => {
  await producer?.stop().catch(() => undefined);
  await Promise.allSettled([...instances.values()].map((r) => r.stop("SIGKILL")));
  await Promise.allSettled([prom?.stop(), broker?.stop()]);
  for (const d of stateDirs.values()) rmSync(d, { recursive: true, force: true });
}, E2E_TIMEOUT_MS);

const all = Array.from({ length: PARTITIONS }, (_, p) => p);

test("the restarted instance restores its checkpoint and gets its partitions back without a rebalance", () => {
  expect(seen.restoredLine).toContain(`tenant=${TENANT}`);
  expect(seen.partitionsAfterRestart).toEqual(seen.victimPartitions);
});

test("per partition, the spans counted over all instances equal the spans produced: none twice, none skipped", () => {
  const produced = Object.fromEntries(all.map((p) => [p, producer.spans(p)]));
  expect(seen.calls).toEqual(produced);
});

test("every trace is one service-graph edge, exactly once", () => {
  // each trace is three spans: an internal root, the client call and the server span
  const traces = Object.fromEntries(all.map((p) => [p, producer.spans(p) / 3]));
  expect(seen.edges).toEqual(traces);
});

test("no counter was reset by the SIGKILL", () => {
  expect(seen.resets).toEqual([0]);
});
