/**
 * Scale-out: three compiled redgen instances in one consumer group (static
 * members scale-1..3, session timeout 6 s, series kept apart by
 * `registry.external_labels: {replica: <id>}`, collection every 1 s, remote
 * write into one real Prometheus) on a 6-partition topic. A producer writes
 * one push-bytes record per partition every 100 ms, traces partitioned by
 * trace id (Tempo's FNV-1 token): both ResourceSpans of a trace — the client
 * and the server span — are in one record. Each partition's traces carry
 * services named after it (scale-pN, scale-pN-db), so Prometheus tells per
 * partition and per instance what was counted. Mid-stream one instance is
 * SIGKILLed; after its session expires the two survivors take its
 * partitions; production goes on for 2 s more, then stops, and the test waits
 * until the group has committed every record and Prometheus holds the
 * survivors' final values.
 *
 * What can be asserted exactly, and why. README ("Delivery"): an instance
 * sends a round only after the checkpoint holding its counts is on disk, and
 * commits the offsets inside that checkpoint right after; this instance never
 * comes back, so its durable state stays on its disk. With V the killed
 * instance's partitions, C_p the group's committed offset of partition p right
 * after the kill and W_p the records it had remote-written (Prometheus,
 * replica=<killed>):
 *   - p ∉ V: counted exactly once — Σ_replicas calls = spans produced;
 *   - p ∈ V: the survivors count exactly the records from C_p on, and the sum
 *     is produced + (W_p − C_p) spans with W_p ≥ C_p: nothing is lost, and
 *     what it sent between its last checkpoint's commit and the kill (at most
 *     about one collection interval, 1.5 s of the ledger) is counted twice.
 * Hence per partition of V and over all instances:
 *   produced ≤ counted ≤ produced + dupBound.
 * (A killed instance that comes back on its storage.path counts everything
 * exactly once: kafka-exactly-once.test.ts.)
 *
 * Partitions that only move between survivors in the rebalance are counted
 * exactly once: redgen commits at the start of a rebalance, leaves records
 * fetched during it to the next owner, and drops records of partitions it no
 * longer owns (round-robin is not sticky, so survivors trade partitions).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type KafkaBroker, createTopic, startKafka } from "../support/kafka/broker.ts";
import { type GroupJoin, groupJoins, kafkaConfig, lastJoin, selfSamples } from "../support/kafka/redgen-kafka.ts";
import { SteadyProducer, committedOffsets, endOffsets, partitionOfService, servicesOf } from "../support/kafka/scale-out.ts";
import { parseExposition } from "../support/exposition.ts";
import { E2E_TIMEOUT_MS, poll } from "../support/poll.ts";
import { Prometheus } from "../support/prometheus.ts";
import { Redgen } from "../support/redgen-process.ts";

const TOPIC = "scale";
const GROUP = "scale";
const PARTITIONS = 6;
const TENANT = "team-scale";
const IDS = ["scale-1", "scale-2", "scale-3"];
const VICTIM = "scale-2";
const SURVIVORS = IDS.filter((id) => id !== VICTIM);
const SESSION_TIMEOUT_MS = 6_000;

let broker: KafkaBroker;
let prom: Prometheus;
const instances = new Map<string, Redgen>();
let producer: SteadyProducer;

/** What the scenario observed. */
const seen = {
  settled: [] as GroupJoin[],
  after: [] as GroupJoin[],
  victimPartitions: [] as number[],
  killAt: 0,
  rebalanceMs: 0,
  /** the group's committed offsets right after the kill */
  committedAtKill: [] as number[],
  /** partition → replica → traces_spanmetrics_calls_total, from Prometheus */
  calls: {} as Record<number, Record<string, number>>,
  /** partition → replica → server spans ("POST /pay", SPAN_KIND_SERVER) */
  serverSpans: {} as Record<number, Record<string, number>>,
  /** partition → replica → failed server spans */
  failedServerSpans: {} as Record<number, Record<string, number>>,
  /** partition → replica → traces_service_graph_request_total{client=scale-pN, server=scale-pN-db} */
  edges: {} as Record<number, Record<string, number>>,
  /** partition → replica → traces_service_graph_request_failed_total */
  failedEdges: {} as Record<number, Record<string, number>>,
  /** every other service-graph edge series (virtual nodes, cross-partition pairs) */
  strayEdges: [] as Record<string, string>[],
  survivorSelf: {} as Record<string, string>,
};

function start(id: string): Promise<Redgen> {
  return Redgen.start({
    config: kafkaConfig({
      bootstrap: broker.bootstrap,
      group: GROUP,
      instanceId: id,
      topic: TOPIC,
      sessionTimeout: `${SESSION_TIMEOUT_MS / 1000}s`,
      remoteWriteUrl: prom.remoteWriteUrl,
      externalLabels: { replica: id },
      processors: ["span-metrics", "service-graphs"],
      serviceGraphs: { wait: "10s", enable_virtual_node_label: true },
      dimensions: [],
    }),
  });
}

/** `sum by (replica, <label>)` of `promql` as partition → replica → value, the partition read from `label`. */
async function byPartition(promql: string, label: string): Promise<Record<number, Record<string, number>>> {
  const out: Record<number, Record<string, number>> = {};
  for (const s of await prom.query(`sum by (replica, ${label}) (${promql})`)) {
    const p = partitionOfService(s.metric[label]);
    if (p < 0) throw new Error(`unexpected ${label} ${s.metric[label]}`);
    out[p] ??= {};
    out[p][s.metric.replica] = (out[p][s.metric.replica] ?? 0) + s.value;
  }
  return out;
}

const sumOf = (m: Record<string, number> | undefined) => Object.values(m ?? {}).reduce((a, b) => a + b, 0);

beforeAll(async () => {
  [broker, prom] = await Promise.all([startKafka(), Prometheus.start()]);
  await createTopic(broker.bootstrap, TOPIC, PARTITIONS);
  for (const id of IDS) instances.set(id, await start(id));
  seen.settled = await poll(
    "three instances with two partitions each, in one generation",
    () => {
      const j = IDS.map((id) => lastJoin(instances.get(id)!, TOPIC));
      if (j.some((x) => x === undefined || x.partitions.length !== 2 || x.generation !== j[0]!.generation)) return undefined;
      return j as GroupJoin[];
    },
    { timeoutMs: 30_000 },
  );

  producer = new SteadyProducer({ bootstrap: broker.bootstrap, topic: TOPIC, partitions: PARTITIONS, tenant: TENANT, tickMs: 100 });
  producer.start();
  await poll("3 s of production", () => (producer.ledger.length >= 30 * PARTITIONS ? true : undefined), { timeoutMs: 15_000 });

  const victim = instances.get(VICTIM)!;
  seen.victimPartitions = lastJoin(victim, TOPIC)!.partitions;
  seen.killAt = Date.now();
  await victim.stop("SIGKILL");
  seen.committedAtKill = await committedOffsets(broker.bootstrap, GROUP, TOPIC, PARTITIONS);

  const survivors = SURVIVORS.map((id) => instances.get(id)!);
  const joinsBefore = survivors.map((s) => groupJoins(s.process.stderr, TOPIC).length);
  seen.after = await poll(
    "the survivors to share the six partitions",
    () => {
      const j = survivors.map((s, i) => (groupJoins(s.process.stderr, TOPIC).length > joinsBefore[i] ? lastJoin(s, TOPIC) : undefined));
      if (j.some((x) => x === undefined || x.partitions.length !== 3 || x.generation !== j[0]!.generation)) return undefined;
      return j as GroupJoin[];
    },
    { timeoutMs: 30_000, intervalMs: 20 },
  );
  seen.rebalanceMs = Date.now() - seen.killAt;
  const rebalancedAt = Date.now();
  await poll("2 s of production after the rebalance", () => (Date.now() - rebalancedAt >= 2000 ? true : undefined), { timeoutMs: 5_000 });
  await producer.stop();

  const ends = await endOffsets(broker.bootstrap, TOPIC, PARTITIONS);
  expect(ends).toEqual(Array.from({ length: PARTITIONS }, (_, p) => producer.records(p)));
  let lastCommitted: number[] = [];
  await poll(
    "every record committed by the group",
    async () => {
      lastCommitted = await committedOffsets(broker.bootstrap, GROUP, TOPIC, PARTITIONS);
      return lastCommitted.every((o, p) => o === ends[p]) ? true : undefined;
    },
    { timeoutMs: 20_000 },
    () => `committed ${lastCommitted}, log ends ${ends}`,
  );
  // the survivors' final counts (all records are processed: committed) are in Prometheus
  await poll(
    "Prometheus to hold the survivors' final values",
    async () => {
      for (const id of SURVIVORS) {
        const local = parseExposition(await instances.get(id)!.generated(TENANT))
          .filter((s) => s.name === "traces_spanmetrics_calls_total")
          .reduce((n, s) => n + s.value, 0);
        const [remote] = await prom.query(`sum(traces_spanmetrics_calls_total{replica="${id}"})`);
        if (remote?.value !== local) return undefined;
      }
      return true;
    },
    { timeoutMs: 20_000 },
  );
  seen.calls = await byPartition("traces_spanmetrics_calls_total", "service");
  seen.serverSpans = await byPartition(`traces_spanmetrics_calls_total{span_name="POST /pay",span_kind="SPAN_KIND_SERVER"}`, "service");
  seen.failedServerSpans = await byPartition(
    `traces_spanmetrics_calls_total{span_name="POST /pay",span_kind="SPAN_KIND_SERVER",status_code="STATUS_CODE_ERROR"}`,
    "service",
  );
  seen.edges = await byPartition("traces_service_graph_request_total", "client");
  seen.failedEdges = await byPartition(`traces_service_graph_request_failed_total`, "client");
  const allEdges = await prom.query("traces_service_graph_request_total");
  seen.strayEdges = allEdges
    .map((s) => s.metric)
    .filter((m) => {
      const p = partitionOfService(m.client);
      return p < 0 || m.server !== servicesOf(p).server || m.connection_type !== undefined || m.virtual_node !== undefined;
    });
  for (const id of SURVIVORS) seen.survivorSelf[id] = await instances.get(id)!.selfMetrics();
  console.error(
    `kafka scale-out: victim ${VICTIM} owned ${seen.victimPartitions}; committed at kill ${seen.committedAtKill}; survivors owned all partitions ${seen.rebalanceMs} ms after the kill; ` +
      `per partition produced/counted: ${Array.from({ length: PARTITIONS }, (_, p) => `${p}:${producer.spans(p)}/${JSON.stringify(seen.calls[p])}`).join(" ")}`,
  );
}, 90_000);

afterAll(async () => {
  await producer?.stop().catch(() => undefined);
  await Promise.allSettled([...instances.values()].map((r) => r.stop("SIGKILL")));
  await Promise.allSettled([prom?.stop(), broker?.stop()]);
}, E2E_TIMEOUT_MS);

const all = Array.from({ length: PARTITIONS }, (_, p) => p);

test("the group spreads the partitions 2/2/2; after the SIGKILL the survivors share them 3/3 once the session expires", () => {
  expect(seen.settled.flatMap((j) => j.partitions).sort()).toEqual(all);
  expect(seen.after.flatMap((j) => j.partitions).sort()).toEqual(all);
  expect(seen.victimPartitions).toHaveLength(2);
  // static members: nothing moves before the session expires (its last heartbeat was at most one
  // heartbeat interval, session/3, before the kill), and not much later
  expect(seen.rebalanceMs).toBeGreaterThanOrEqual(SESSION_TIMEOUT_MS - SESSION_TIMEOUT_MS / 3);
  expect(seen.rebalanceMs).toBeLessThan(SESSION_TIMEOUT_MS + 10_000);
});

/** README's delivery bound for the killed instance's partitions, in spans: sent by it after its last commit, counted again by a survivor. */
function dupBound(): number {
  return producer.spansBetween(seen.victimPartitions, seen.killAt - 1500, seen.killAt);
}

test("nothing is lost: every partition is counted at least once, the killed instance's too", () => {
  for (const p of all) {
    const produced = producer.spans(p);
    const counted = sumOf(seen.calls[p]);
    expect({ p, atLeastProduced: counted >= produced }).toEqual({ p, atLeastProduced: true });
    if (seen.victimPartitions.includes(p)) {
      // the survivors start at the committed offset: at least every record from there on
      expect({ p, survivors: counted - (seen.calls[p]?.[VICTIM] ?? 0) >= producer.spans(p, seen.committedAtKill[p]) }).toEqual({ p, survivors: true });
    }
  }
});

test("the killed instance's partitions: produced ≤ counted ≤ produced + dupBound", () => {
  const V = seen.victimPartitions;
  const produced = V.reduce((n, p) => n + producer.spans(p), 0);
  const counted = V.reduce((n, p) => n + sumOf(seen.calls[p]), 0);
  expect(dupBound()).toBeGreaterThan(0);
  expect(counted).toBeGreaterThanOrEqual(produced);
  expect(counted).toBeLessThanOrEqual(produced + dupBound());
});

// A survivor's records are counted exactly once even when the rebalance moves its partitions;
// only what the killed instance counted after its last commit is counted again (README bound).
test("only the killed instance's partitions are counted twice, within README's bound; the sum over instances equals produced within it", () => {
  const produced = all.reduce((n, p) => n + producer.spans(p), 0);
  const sum = all.reduce((n, p) => n + sumOf(seen.calls[p]), 0);
  const exact: Record<number, number> = {};
  const expected: Record<number, number> = {};
  for (const p of all) {
    if (seen.victimPartitions.includes(p)) {
      // the survivors count exactly the records from the committed offset on
      exact[p] = sumOf(seen.calls[p]) - (seen.calls[p]?.[VICTIM] ?? 0);
      expected[p] = producer.spans(p, seen.committedAtKill[p]);
    } else {
      exact[p] = sumOf(seen.calls[p]);
      expected[p] = producer.spans(p);
    }
  }
  expect(exact).toEqual(expected);
  expect(sum).toBeGreaterThanOrEqual(produced);
  expect(sum).toBeLessThanOrEqual(produced + dupBound());
});

test("service-graph edges pair within one instance: one complete edge per trace counted, no virtual node, nothing expired", () => {
  for (const p of all) {
    // per instance: as many edges as server spans (traces) it counted, the failed ones included
    expect({ p, edges: seen.edges[p] }).toEqual({ p, edges: seen.serverSpans[p] });
    expect({ p, failed: seen.failedEdges[p] ?? {} }).toEqual({ p, failed: seen.failedServerSpans[p] ?? {} });
  }
  expect(seen.strayEdges).toEqual([]);
  for (const id of SURVIVORS) {
    const text = seen.survivorSelf[id];
    expect({ id, expired: selfSamples(text, "tempo_metrics_generator_processor_service_graphs_expired_edges") }).toEqual({ id, expired: {} });
    expect({ id, pending: selfSamples(text, "redgen_service_graphs_pending_edges") }).toEqual({ id, pending: { [`tenant=${TENANT}`]: 0 } });
  }
});

test("Prometheus holds each survivor's own series, equal to its /metrics/generated", async () => {
  for (const id of SURVIVORS) {
    const local = parseExposition(await instances.get(id)!.generated(TENANT)).filter((s) => s.name === "traces_spanmetrics_calls_total");
    const remote = await prom.query(`traces_spanmetrics_calls_total{replica="${id}"}`);
    const key = (l: Record<string, string>) => `${l.service} ${l.span_name} ${l.span_kind} ${l.status_code}`;
    expect(Object.fromEntries(remote.map((s) => [key(s.metric), s.value]))).toEqual(Object.fromEntries(local.map((s) => [key(s.labels), s.value])));
  }
});
