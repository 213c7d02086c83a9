import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ProcessorName } from "../../src/config/types.ts";
import { TenantState } from "../../src/storage/tenant-state.ts";
import { idBytes, request, span } from "../support/otlp-builders.ts";
import { pipeline, tenantConfig } from "../support/pipeline.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "redgen-state-"));
  dirs.push(d);
  return d;
}

type Pipe = ReturnType<typeof pipeline>;
const SVC = { "service.name": "cart" };
const calls = 'traces_spanmetrics_calls_total{service="cart",span_kind="SPAN_KIND_SERVER",span_name="GET /cart",status_code="STATUS_CODE_UNSET"}';

function spanMetrics(processors: ProcessorName[] = ["span-metrics"], buckets?: number[], external: Record<string, string> = {}) {
  return pipeline(tenantConfig({ processors, spanMetrics: buckets ? { histogram_buckets: buckets } : {} }), { externalLabels: external });
}

/** Checkpoints `p` into `dir` (synchronously, as a rebalance does). */
function checkpoint(p: Pipe, dir: string, kafka: Map<string, bigint> = new Map()): void {
  const state = new TenantState(dir, "single-tenant");
  const c = state.capture(p.tenant(), 7, p.now, kafka);
  expect(state.checkpoint.writeSync(c.seq, c.payload)).toBe(true);
}

function restore(into: Pipe, dir: string) {
  return new TenantState(dir, "single-tenant").restore(into.tenant());
}

describe("a checkpoint brings the registry back", () => {
  test("every value, with the round and the Kafka offsets it was taken with", () => {
    const dir = tempDir();
    const before = spanMetrics();
    before.send(request({ resource: SVC, spans: [span({ name: "GET /cart", kind: 2 }), span({ name: "GET /cart", kind: 2, duration: 0.3 })] }));
    checkpoint(before, dir, new Map([["tempo/3", 1234n]]));
    const after = spanMetrics();
    const r = restore(after, dir);
    expect(r !== undefined && "restored" in r ? { ...r.restored, writtenAt: 0, kafka: [...r.restored.kafka] } : r).toEqual({
      roundSeq: 7,
      roundTs: before.now,
      writtenAt: 0,
      kafka: [["tempo/3", 1234n]],
      registry: { series: 3 * 1, labelSets: 1, skippedMetrics: [] },
      pendingEdges: 0,
    });
    expect(after.values()).toEqual(before.values());
    expect(after.tenant().registry.limiter.active).toBe(before.tenant().registry.limiter.active);
  });

  test("restored series get no zero-first sample; series new after the restore do", () => {
    const dir = tempDir();
    const before = spanMetrics();
    before.send(request({ resource: SVC, spans: [span({ name: "GET /cart", kind: 2 })] }));
    before.collect(); // the round that wrote the zero
    checkpoint(before, dir);
    const after = spanMetrics();
    restore(after, dir);
    after.send(request({ resource: SVC, spans: [span({ name: "GET /cart", kind: 2 }), span({ name: "GET /new", kind: 2 })] }));
    const round = after.collect();
    const samples = (name: string) => round.series.get(name)?.samples.map(([, v]) => v);
    expect(samples(calls)).toEqual([2]);
    expect(samples(calls.replace("GET /cart", "GET /new"))).toEqual([0, 1]);
  });

  test("a series that went stale before the checkpoint is recreated without an out-of-order zero (tombstones survive)", () => {
    const dir = tempDir();
    const fast = () => pipeline(tenantConfig({ processors: ["span-metrics"] }), { staleDurationMs: 1000 });
    const before = fast();
    before.send(request({ resource: SVC, spans: [span({ name: "GET /cart", kind: 2 })] }));
    before.collect();
    before.tenant().registry.removeStale(before.now + 2000);
    expect(before.values()).toEqual({});
    checkpoint(before, dir);
    const after = fast();
    after.setNow(before.now);
    restore(after, dir);
    after.send(request({ resource: SVC, spans: [span({ name: "GET /cart", kind: 2 })] }));
    // a zero at the end of the previous minute would be older than the sample already written
    expect(after.collect().series.get(calls)?.samples.map(([, v]) => v)).toEqual([1]);
  });

  test("a histogram whose buckets changed starts empty and is reported; the other metrics come back", () => {
    const dir = tempDir();
    const before = spanMetrics();
    before.send(request({ resource: SVC, spans: [span({ name: "GET /cart", kind: 2 })] }));
    checkpoint(before, dir);
    const after = spanMetrics(["span-metrics"], [0.5, 1]);
    const r = restore(after, dir);
    expect(r !== undefined && "restored" in r ? r.restored.registry.skippedMetrics : []).toEqual(["traces_spanmetrics_latency"]);
    expect(after.values()[calls]).toBe(1);
    expect(Object.keys(after.values()).some((k) => k.startsWith("traces_spanmetrics_latency"))).toBe(false);
  });

  test("a metric no processor registers any more comes back frozen (as Tempo keeps a removed processor's series)", () => {
    const dir = tempDir();
    const before = spanMetrics(["span-metrics", "host-info"]);
    before.send(request({ resource: { ...SVC, "host.id": "h-1" }, spans: [span({ name: "GET /cart", kind: 2 })] }));
    checkpoint(before, dir);
    const after = spanMetrics(["span-metrics"]);
    restore(after, dir);
    expect(after.values()['traces_host_info{grafana_host_id="h-1",host_source="host.id"}']).toBe(1);
  });

  test("changed external labels make every series another one: the checkpoint is not used", () => {
    const dir = tempDir();
    const before = spanMetrics();
    before.send(request({ resource: SVC, spans: [span({ name: "GET /cart", kind: 2 })] }));
    checkpoint(before, dir);
    const r = restore(spanMetrics(["span-metrics"], undefined, { cluster: "b" }), dir);
    expect(r !== undefined && "error" in r ? r.error : "").toContain("external labels");
  });
});

describe("a damaged checkpoint never stops a start", () => {
  const damage: [string, (file: string) => void][] = [
    ["truncated", (f) => truncateSync(f, 20)],
    ["a flipped byte", (f) => {
      const b = readFileSync(f);
      b[b.length - 3] ^= 0x55;
      writeFileSync(f, b);
    }],
    ["garbage", (f) => writeFileSync(f, "{ not a checkpoint }")],
    ["empty", (f) => writeFileSync(f, "")],
  ];
  test.each(damage)("%s: moved aside and reported, the tenant starts empty", (_name, hurt) => {
    const dir = tempDir();
    const before = spanMetrics();
    before.send(request({ resource: SVC, spans: [span({ name: "GET /cart", kind: 2 })] }));
    checkpoint(before, dir);
    hurt(join(dir, "single-tenant", "checkpoint"));
    const after = spanMetrics();
    expect(restore(after, dir)).toBeUndefined();
    expect(after.values()).toEqual({});
    expect(existsSync(join(dir, "single-tenant", "checkpoint"))).toBe(false);
    expect(readdirSync(join(dir, "single-tenant")).some((f) => f.startsWith("checkpoint.damaged-"))).toBe(true);
  });
});

test("an older capture written after a newer one does not replace it", async () => {
  const dir = tempDir();
  const p = spanMetrics();
  const state = new TenantState(dir, "single-tenant");
  p.send(request({ resource: SVC, spans: [span({ name: "GET /cart", kind: 2 })] }));
  const older = state.capture(p.tenant(), 1, p.now, new Map());
  p.send(request({ resource: SVC, spans: [span({ name: "GET /cart", kind: 2 })] }));
  const newer = state.capture(p.tenant(), 1, p.now, new Map());
  expect(state.checkpoint.writeSync(newer.seq, newer.payload)).toBe(true);
  expect(await state.checkpoint.write(older.seq, older.payload)).toBe(false);
  const after = spanMetrics();
  restore(after, dir);
  expect(after.values()[calls]).toBe(2);
});

test("temp files a crash left behind (a write that never reached its rename) are removed at start", () => {
  const dir = tempDir();
  const p = spanMetrics();
  checkpoint(p, dir);
  const stray = join(dir, "single-tenant", "checkpoint.tmp-4242-7");
  writeFileSync(stray, "half a checkpoint");
  new TenantState(dir, "single-tenant");
  expect(existsSync(stray)).toBe(false);
  expect(existsSync(join(dir, "single-tenant", "checkpoint"))).toBe(true);
});

describe("a capture in slices is the state of its first step", () => {
  /** Many series, a pending service-graph edge; the capture starts; spans keep arriving between its steps. */
  test("spans that arrive while it runs (on series it wrote, series it has not reached, new series, the edge's other half) are not in it", () => {
    const dir = tempDir();
    const before = spanMetrics(["span-metrics", "service-graphs"]);
    const names = Array.from({ length: 300 }, (_, i) => `GET /item/${i}`);
    before.send(request({ resource: SVC, spans: names.map((name) => span({ name, kind: 2 })) }));
    const traceId = idBytes(16, 999_999);
    const clientId = idBytes(8, 999_999);
    before.send(request({ resource: { "service.name": "web" }, spans: [span({ name: "GET /cart", kind: 3, traceId, spanId: clientId })] }));
    const atStart = before.values();
    const state = new TenantState(dir, "single-tenant");
    const kafka = new Map([["tempo/0", 42n]]);
    const steps = state.captureSteps(before.tenant(), 7, before.now, kafka);
    let yields = 0;
    let r = steps.next();
    for (; !r.done; r = steps.next()) {
      yields++;
      // the first and the last series, a new one, and (once) the server half of the pending edge
      const spans = [span({ name: names[0], kind: 2 }), span({ name: names[names.length - 1], kind: 2, duration: 2 }), span({ name: `new ${yields}`, kind: 2 })];
      if (yields === 3) spans.push(span({ name: "GET /cart", kind: 2, traceId, parentSpanId: clientId }));
      before.send(request({ resource: SVC, spans }));
    }
    expect(yields).toBeGreaterThan(10);
    // the spans did count, live
    expect(before.values()).not.toEqual(atStart);
    expect(state.checkpoint.writeSync(r.value.seq, r.value.payload)).toBe(true);
    const after = spanMetrics(["span-metrics", "service-graphs"]);
    const restored = restore(after, dir);
    // the 300 server spans and the client span waiting for their other halves when it began
    expect(restored !== undefined && "restored" in restored ? restored.restored.pendingEdges : restored).toBe(301);
    expect(after.values()).toEqual(atStart);
    // the edge pairs with its server span after the restore, once
    after.send(request({ resource: SVC, spans: [span({ name: "GET /cart", kind: 2, traceId, parentSpanId: clientId })] }));
    expect(after.values()['traces_service_graph_request_total{client="web",server="cart"}']).toBe(1);
  });
});
