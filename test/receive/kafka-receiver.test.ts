/**
 * KafkaReceiver on an in-memory KafkaSource (the client seam implemented
 * here) in front of the real push path — TraceExport, createPush, Tenants,
 * the processors and registries — with a controllable clock: where the
 * tenant comes from per format, skipMetricsGeneration, bad records counted
 * by reason without stopping the stream, and the slack window dropping an
 * old backlog. Self-metrics are read through the real collectors.
 */
import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/config/load.ts";
import type { KafkaConfig, KafkaTopicConfig } from "../../src/config/types.ts";
import { KafkaProgress } from "../../src/receive/kafka/kafka-progress.ts";
import { LagTracker } from "../../src/receive/kafka/kafka-lag.ts";
import { KafkaReceiver, KafkaStats } from "../../src/receive/kafka/kafka-receiver.ts";
import type { KafkaRecordView, KafkaSource, PartitionLag } from "../../src/receive/kafka/kafka-source.ts";
import { registerCollectors } from "../../src/telemetry/collectors.ts";
import { registerKafkaCollectors } from "../../src/telemetry/kafka-collectors.ts";
import { SelfMetrics } from "../../src/telemetry/self-metrics.ts";
import { parseExposition } from "../support/exposition.ts";
import { nowNs } from "../support/otlp-builders.ts";
import { tenantConfig } from "../support/pipeline.ts";
import { RecordingSink } from "../support/recording-sink.ts";
import { inProcessReceivers } from "../support/receivers.ts";
import {
  type TestTrace,
  callsByKey,
  clientServerTraces,
  expectedCalls,
  otlpJsonValue,
  pushBytesOfEntries,
  pushBytesValue,
  spanCount,
  tracesDataValue,
} from "../support/kafka/tempo-records.ts";

/** A KafkaSource that hands over whatever the test delivers. */
class MemorySource implements KafkaSource {
  private handler: ((r: KafkaRecordView) => void) | undefined;
  private offset = 0n;
  ready = false;
  stopped = false;
  readonly skippedStale = 0;

  async start(onRecord: (r: KafkaRecordView) => void): Promise<void> {
    this.handler = onRecord;
    this.ready = true;
  }

  readonly committed: ReadonlyMap<string, bigint>[] = [];
  private readonly next = new Map<string, bigint>();

  processed(): ReadonlyMap<string, bigint> {
    return new Map(this.next);
  }

  async commit(offsets: ReadonlyMap<string, bigint>): Promise<ReadonlyMap<string, bigint>> {
    (this.committed as ReadonlyMap<string, bigint>[]).push(new Map(offsets));
    return offsets;
  }

  onRebalance(): void {}

  pause(): void {
    this.stopped = true;
    this.ready = false;
  }

  async close(): Promise<void> {}

  assigned() {
    return [{ topic: "tempo", partition: 0 }];
  }

  async lag(): Promise<PartitionLag[]> {
    return [{ topic: "tempo", partition: 0, lag: 7 }];
  }

  deliver(topic: string, value: Uint8Array | undefined, o: { key?: string; headers?: Record<string, string>; timestampMs?: number } = {}): void {
    if (this.handler === undefined) throw new Error("not started");
    const offset = this.offset++;
    this.next.set(`${topic}/0`, offset + 1n);
    this.handler({
      topic,
      partition: 0,
      offset,
      key: o.key === undefined ? undefined : Buffer.from(o.key),
      value,
      headers: new Map(Object.entries(o.headers ?? {}).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
      timestampMs: o.timestampMs ?? Date.now(),
    });
  }
}

const TOPICS: KafkaTopicConfig[] = [
  { topic: "tempo", format: "push-bytes", tenant_header: "", tenant: "" },
  { topic: "tempo-otlp", format: "otlp", tenant_header: "", tenant: "" },
  { topic: "otlp_spans", format: "otlp_proto", tenant_header: "X-Scope-OrgID", tenant: "collector-default" },
  { topic: "otlp_json", format: "otlp_json", tenant_header: "", tenant: "json-tenant" },
];

const KAFKA: KafkaConfig = {
  brokers: ["127.0.0.1:1"],
  client_id: "redgen",
  consumer_group: "metrics-generator",
  topics: TOPICS,
  instance_id: "test",
  leave_consumer_group_on_shutdown: false,
  skip_stale_backlog_on_startup: false,
  slack_ms: 30_000,
  dial_timeout_ms: 2000,
  lag_update_interval_ms: 0,
  session_timeout_ms: 180_000,
  rebalance_timeout_ms: 300_000,
};

async function setup(restored: Record<string, Record<string, number>> = {}) {
  const cfg = tenantConfig({ processors: ["span-metrics", "service-graphs"] });
  let now = Date.now();
  const { exporter, tenants } = inProcessReceivers(cfg, undefined, () => now);
  const source = new MemorySource();
  const progress = new KafkaProgress(source);
  for (const [tenant, offsets] of Object.entries(restored)) {
    progress.addTenant(tenant, new Map(Object.entries(offsets).map(([k, v]) => [k, BigInt(v)])));
  }
  const receiver = new KafkaReceiver(KAFKA, source, exporter, new KafkaStats(), (t, topic, p, o) => progress.alreadyCounted(t, topic, p, o));
  await receiver.start();
  const lag = new LagTracker(source, 0);
  const self = new SelfMetrics();
  registerCollectors(self, { version: "test", tenants: () => tenants.all(), endpoints: () => [], receivers: [] });
  registerKafkaCollectors(self, { ...loadConfig(undefined), kafka: KAFKA }, () => ({ receiver, lag, source, progress }));
  const metric = (name: string) => parseExposition(self.render()).filter((s) => s.name === name);
  return {
    source,
    receiver,
    lag,
    tenants,
    setNow: (ms: number) => {
      now = ms;
    },
    /** traces_spanmetrics_calls_total of every tenant, keyed as `expectedCalls` keys them */
    calls(): Record<string, number> {
      const out: Record<string, number> = {};
      for (const t of tenants.all()) {
        const sink = new RecordingSink();
        t.registry.collect(now, sink, "scrape");
        const samples = [...sink.series]
          .filter(([k]) => k.startsWith("traces_spanmetrics_calls_total{"))
          .map(([k, s]) => ({ labels: labelsOf(k), value: s.samples.at(-1)![1] }));
        Object.assign(out, callsByKey(samples, t.id));
      }
      return out;
    },
    /** traces_service_graph_request_total per tenant */
    edges(tenant: string): Record<string, number> {
      const sink = new RecordingSink();
      tenants.find(tenant)?.registry.collect(now, sink, "scrape");
      return Object.fromEntries(Object.entries(sink.values()).filter(([k]) => k.startsWith("traces_service_graph_request_total")));
    },
    /** a self-metric as "label=value,…" → value */
    self(name: string): Record<string, number> {
      return Object.fromEntries(
        metric(name).map((s) => [
          Object.entries(s.labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(","),
          s.value,
        ]),
      );
    },
  };
}

function labelsOf(seriesText: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of seriesText.matchAll(/(\w+)="([^"]*)"/g)) out[m[1]] = m[2];
  return out;
}

const traces = (n: number, client = "frontend", server = "payments", endNs?: bigint): TestTrace[] => clientServerTraces(n, client, server, endNs);

describe("where the tenant comes from", () => {
  test("push-bytes and otlp: the record key", async () => {
    const r = await setup();
    const a = traces(2);
    const b = traces(3);
    r.source.deliver("tempo", pushBytesValue(a), { key: "team-a" });
    r.source.deliver("tempo-otlp", tracesDataValue(b), { key: "team-b" });
    expect(r.calls()).toEqual(expectedCalls("team-b", b, expectedCalls("team-a", a)));
    expect(r.self("redgen_kafka_records_total")).toEqual({ "topic=tempo": 1, "topic=tempo-otlp": 1 });
  });

  test("push-bytes and otlp: no key → skipped as missing_tenant_key, nothing counted", async () => {
    const r = await setup();
    r.source.deliver("tempo", pushBytesValue(traces(2)));
    r.source.deliver("tempo-otlp", tracesDataValue(traces(2)), { key: "" });
    expect(r.calls()).toEqual({});
    expect([...r.tenants.all()]).toEqual([]);
    expect(r.self("redgen_kafka_records_skipped_total")).toEqual({
      "topic=tempo,reason=missing_tenant_key": 1,
      "topic=tempo-otlp,reason=missing_tenant_key": 1,
    });
  });

  test("an invalid tenant key → skipped as invalid_tenant", async () => {
    const r = await setup();
    r.source.deliver("tempo", pushBytesValue(traces(1)), { key: "a|b" });
    r.source.deliver("tempo", pushBytesValue(traces(1)), { key: "sp ace" });
    expect(r.calls()).toEqual({});
    expect(r.self("redgen_kafka_records_skipped_total")).toEqual({ "topic=tempo,reason=invalid_tenant": 2 });
  });

  test("otlp_proto: the configured header (any case), else the configured tenant; the key is ignored", async () => {
    const r = await setup();
    const [h1, h2, none] = [traces(1), traces(2), traces(3)];
    r.source.deliver("otlp_spans", tracesDataValue(h1), { headers: { "X-Scope-OrgID": "team-h" }, key: "0af7651916cd43dd8448eb211c80319c" });
    r.source.deliver("otlp_spans", tracesDataValue(h2), { headers: { "x-scope-orgid": "team-h", traceparent: "x" } });
    r.source.deliver("otlp_spans", tracesDataValue(none), { headers: { other: "team-x" } });
    expect(r.calls()).toEqual(expectedCalls("collector-default", none, expectedCalls("team-h", [...h1, ...h2])));
  });

  test("otlp_json: the fixed tenant", async () => {
    const r = await setup();
    const t = traces(2);
    r.source.deliver("otlp_json", otlpJsonValue(t), { key: "team-ignored", headers: { "X-Scope-OrgID": "team-ignored" } });
    expect(r.calls()).toEqual(expectedCalls("json-tenant", t));
  });

  test("a record of a topic that is not configured is ignored", async () => {
    const r = await setup();
    r.source.deliver("elsewhere", pushBytesValue(traces(1)), { key: "team-a" });
    expect(r.calls()).toEqual({});
    expect(r.self("redgen_kafka_records_total")).toEqual({});
  });
});

describe("push-bytes content", () => {
  test("several traces per record: every span counted, service-graph edges paired", async () => {
    const r = await setup();
    const t = traces(5);
    r.source.deliver("tempo", pushBytesValue(t), { key: "team-a" });
    expect(r.calls()).toEqual(expectedCalls("team-a", t));
    expect(r.edges("team-a")).toEqual({ 'traces_service_graph_request_total{client="frontend",server="payments"}': 5 });
  });

  test("skipMetricsGeneration: spans received, no metrics, the skipped processor runs counted", async () => {
    const r = await setup();
    const t = traces(4);
    r.source.deliver("tempo", pushBytesValue(t, true), { key: "team-a" });
    expect(r.calls()).toEqual({});
    expect(r.edges("team-a")).toEqual({});
    expect(r.self("tempo_metrics_generator_spans_received_total")).toEqual({ "tenant=team-a": spanCount(t) });
    // one push per trace, two processors each
    expect(r.self("tempo_metrics_generator_metrics_generation_skipped_processor_pushes_total")).toEqual({ "tenant=team-a": 4 * 2 });
    expect(r.self("redgen_kafka_records_skipped_total")).toEqual({});
  });
});

describe("bad records are counted and skipped; the next record is processed", () => {
  test("garbage, empty values, the wrong codec, a bad trace inside a good record", async () => {
    const r = await setup();
    const good1 = traces(2);
    const good2 = traces(3);
    const partial = traces(2);
    r.source.deliver("tempo", pushBytesValue(good1), { key: "team-a" });
    r.source.deliver("tempo", new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), { key: "team-a" });
    r.source.deliver("tempo", new Uint8Array(0), { key: "team-a" });
    r.source.deliver("tempo", undefined, { key: "team-a" });
    r.source.deliver("tempo", otlpJsonValue(traces(1)), { key: "team-a" });
    r.source.deliver("tempo", tracesDataValue(traces(1)), { key: "team-a" });
    // a valid PushBytesRequest whose second entry is not a trace: the other entries still count
    const truncated = new Uint8Array([0x0a, 0x05, 0x01]);
    r.source.deliver("tempo", pushBytesOfEntries([tracesDataValue([partial[0]]), truncated, tracesDataValue([partial[1]])]), { key: "team-a" });
    r.source.deliver("otlp_json", new TextEncoder().encode("{ not json"));
    r.source.deliver("otlp_json", pushBytesValue(traces(1)));
    r.source.deliver("otlp_spans", new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x7f]));
    r.source.deliver("tempo", pushBytesValue(good2), { key: "team-a" });
    expect(r.calls()).toEqual(expectedCalls("team-a", [...good1, ...partial, ...good2]));
    expect(r.self("redgen_kafka_records_skipped_total")).toEqual({
      "topic=tempo,reason=decode": 6,
      "topic=otlp_json,reason=decode": 2,
      "topic=otlp_spans,reason=decode": 1,
    });
    expect(r.self("redgen_kafka_records_total")).toEqual({ "topic=tempo": 8, "topic=otlp_json": 2, "topic=otlp_spans": 1 });
  });
});

describe("the slack window (old backlog)", () => {
  test("spans ending more than 30 s before or after now are dropped and counted; the rest count", async () => {
    const r = await setup();
    const now = Date.now();
    r.setNow(now);
    const ms = (offset: number) => BigInt(now + offset) * 1_000_000n;
    const old = traces(3, "frontend", "payments", ms(-3_600_000));
    const edgeOld = traces(1, "frontend", "payments", ms(-30_001));
    const future = traces(1, "frontend", "payments", ms(30_001));
    const inside = [...traces(1, "frontend", "payments", ms(-29_000)), ...traces(1, "frontend", "payments", ms(29_000))];
    r.source.deliver("tempo", pushBytesValue(old), { key: "team-a", timestampMs: now - 3_600_000 });
    r.source.deliver("tempo", pushBytesValue([...edgeOld, ...future, ...inside]), { key: "team-a" });
    expect(r.calls()).toEqual(expectedCalls("team-a", inside));
    const dropped = spanCount([...old, ...edgeOld, ...future]);
    expect(r.self("tempo_metrics_generator_spans_discarded_total")).toEqual({
      "tenant=team-a,reason=outside_metrics_ingestion_slack,processor=all": dropped,
    });
    expect(r.self("tempo_metrics_generator_spans_received_total")).toEqual({ "tenant=team-a": dropped + spanCount(inside) });
    // the record of the old backlog was an hour old
    expect(r.self("tempo_ingest_group_partition_lag_seconds")["group=metrics-generator,topic=tempo,partition=0"]).toBeLessThan(5);
  });

  test("lag seconds follow the newest record; lag records come from the source", async () => {
    const r = await setup();
    r.source.deliver("tempo", pushBytesValue(traces(1)), { key: "team-a", timestampMs: Date.now() - 120_000 });
    const lagSeconds = r.self("tempo_ingest_group_partition_lag_seconds")["group=metrics-generator,topic=tempo,partition=0"];
    expect(lagSeconds).toBeGreaterThanOrEqual(120);
    expect(lagSeconds).toBeLessThan(130);
    await r.lag.refresh();
    expect(r.self("tempo_ingest_group_partition_lag")).toEqual({ "group=metrics-generator,topic=tempo,partition=0": 7 });
    expect(r.self("tempo_metrics_generator_assigned_partitions")).toEqual({ "": 1 });
  });
});

test("after a restore, records the tenant's checkpoint already counted are skipped for that tenant only", async () => {
  const r = await setup({ "team-a": { "tempo/0": 2 } });
  for (const tenant of ["team-a", "team-a", "team-a", "team-b"]) r.source.deliver("tempo", pushBytesValue(traces(1)), { key: tenant });
  const spans = (tenant: string) => r.tenants.find(tenant)?.stats.spansReceived ?? 0;
  // offsets 0 and 1 were inside team-a's checkpoint; 2 is new; team-b's record (3) has no floor
  expect([spans("team-a"), spans("team-b")]).toEqual([3, 3]);
  expect(r.self("redgen_kafka_replayed_records_skipped_total")).toEqual({ "": 2 });
});

test("the receiver is ready when its source is, and pause stops the source", async () => {
  const r = await setup();
  expect(r.receiver.ready).toBe(true);
  r.receiver.pause();
  expect([r.receiver.ready, r.source.stopped]).toEqual([false, true]);
});

test("time-stamps in the builders are now", () => {
  // guards the helpers: spans must end inside the slack window unless a test says otherwise
  const t = traces(1)[0].resourceSpans[0].scopeSpans[0].spans[0];
  const diff = Number(nowNs() - t.endTimeUnixNano) / 1e6;
  expect(diff).toBeGreaterThanOrEqual(0);
  expect(diff).toBeLessThan(1000);
});
