import { describe, expect, test } from "bun:test";
import { EntityLimiter } from "../../src/registry/entity-limiter.ts";
import { Registry, type RegistryOptions } from "../../src/registry/registry.ts";
import { BinReader, BinWriter } from "../../src/util/bin-codec.ts";
import { RecordingSink } from "../support/recording-sink.ts";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const TRACE = new Uint8Array(16);
const STALE = 15 * 60_000;

function registry(max: number, over: Partial<RegistryOptions> = {}): Registry {
  return new Registry({
    externalLabels: { __metrics_gen_instance: "h" },
    maxLabelNameLength: 1024,
    maxLabelValueLength: 2048,
    staleDurationMs: STALE,
    maxActiveSeries: () => 1, // ignored by the entity limiter
    limiterType: "entity",
    maxActiveEntities: () => max,
    traceIdLabelName: "traceID",
    ...over,
  });
}

/** calls, latency and size of one span, as the span-metrics processor records them. */
function spanMetrics(r: Registry) {
  const schema = r.fixedSchema(["service", "span_name"]);
  const calls = r.counter("traces_spanmetrics_calls_total");
  const latency = r.histogram("traces_spanmetrics_latency", [0.1, 1]);
  const size = r.counter("traces_spanmetrics_size_total");
  return (svc: string, name: string, now: number) => {
    const ls = schema.resolve([svc, name]);
    if (ls === null) throw new Error("invalid");
    calls.add(ls, 1, now);
    latency.observe(ls, 0.5, 1, TRACE, 0, now);
    size.add(ls, 100, now);
    if (ls.live === 0) r.release(ls);
  };
}

function series(r: Registry, now: number): string[] {
  const sink = new RecordingSink();
  r.collect(now, sink, "scrape");
  return [...sink.series.keys()];
}

describe("limiter_type: entity (spec §8.5)", () => {
  test("an entity is one label set shared by calls, latency and size: its metrics all count as one", () => {
    const r = registry(2);
    const span = spanMetrics(r);
    span("a", "GET /x", T0);
    span("a", "GET /y", T0);
    const l = r.limiter as EntityLimiter;
    expect(l.entities).toBe(2);
    // 2 entities × (1 calls + 5 latency (2 buckets + Inf + sum + count) + 1 size)
    expect(l.active).toBe(14);
    expect(l.limited).toBe(0);
    expect(series(r, T0).filter((k) => k.includes("metric_overflow"))).toEqual([]);
  });

  test("a new entity over the limit goes to the overflow series of every metric; each refused metric counts once", () => {
    const r = registry(2);
    const span = spanMetrics(r);
    span("a", "GET /x", T0);
    span("a", "GET /y", T0);
    span("a", "GET /z", T0);
    span("a", "GET /z", T0 + 1);
    const l = r.limiter as EntityLimiter;
    expect(l.entities).toBe(2);
    expect(l.limited).toBe(6); // 2 spans × 3 metrics, as Tempo counts OnAdd refusals
    const keys = series(r, T0);
    expect(keys).toContain('traces_spanmetrics_calls_total{__metrics_gen_instance="h",metric_overflow="true"}');
    expect(keys).toContain('traces_spanmetrics_latency_count{__metrics_gen_instance="h",metric_overflow="true"}');
    expect(keys).toContain('traces_spanmetrics_size_total{__metrics_gen_instance="h",metric_overflow="true"}');
    expect(keys.some((k) => k.includes("GET /z"))).toBe(false);
    // an accepted entity keeps updating while others are refused
    span("a", "GET /x", T0 + 2);
    expect(l.limited).toBe(6);
  });

  test("an entity goes when its last series went stale, and room opens for a new one", () => {
    const r = registry(1);
    const span = spanMetrics(r);
    span("a", "GET /x", T0);
    span("a", "GET /y", T0);
    const l = r.limiter as EntityLimiter;
    expect([l.entities, l.limited]).toEqual([1, 3]);
    r.removeStale(T0 + STALE + 1);
    expect([l.entities, l.entitiesRemoved, l.active]).toEqual([0, 1, 0]);
    span("a", "GET /y", T0 + STALE + 2);
    expect([l.entities, l.entitiesAdded]).toEqual([1, 2]);
  });

  test("max_active_series does not apply under the entity limiter; 0 means no limit", () => {
    const r = registry(0);
    const span = spanMetrics(r);
    for (let i = 0; i < 50; i++) span("a", `op${i}`, T0);
    expect((r.limiter as EntityLimiter).entities).toBe(50);
    expect(r.limiter.limited).toBe(0);
  });

  test("the limit is read live: raising it admits new entities at once", () => {
    let max = 1;
    const r = registry(0, { maxActiveEntities: () => max });
    const span = spanMetrics(r);
    span("a", "x", T0);
    span("a", "y", T0);
    expect((r.limiter as EntityLimiter).entities).toBe(1);
    max = 5;
    span("a", "y", T0);
    expect((r.limiter as EntityLimiter).entities).toBe(2);
  });

  test("a checkpoint restores the entities with their series: the limit holds across a restart", () => {
    const a = registry(2);
    const spanA = spanMetrics(a);
    spanA("a", "x", T0);
    spanA("a", "y", T0);
    const w = new BinWriter();
    a.snapshot(w);
    const b = registry(2);
    const spanB = spanMetrics(b);
    b.restore(new BinReader(w.finish()), 2);
    const l = b.limiter as EntityLimiter;
    expect([l.entities, l.active]).toEqual([2, 14]);
    spanB("a", "z", T0 + 1);
    expect(l.entities).toBe(2);
    expect(l.limited).toBe(3);
  });
});
