/**
 * Keeps the bench honest in CI (fast: a few thousand spans):
 * - the corpus generator is deterministic;
 * - the fast wire decoder and the generated fromBinary path give identical
 *   processor results (span metrics + service graphs + host info) on it;
 * - the generator's expected series match what the registry holds;
 * - the time/trace-id patching a sender applies is exact and reversible.
 */
import { describe, expect, test } from "bun:test";
import { batchFromRequest } from "../../src/decode/from-request.ts";
import { decodeProtobuf } from "../../src/decode/otlp.ts";
import { decodeProtobufBatch } from "../../src/decode/otlp-wire.ts";
import type { SpanBatch } from "../../src/decode/span-batch.ts";
import { RecordingSink } from "../support/recording-sink.ts";
import { benchTenantConfig } from "./bench-config.ts";
import { generateCorpus } from "./corpus/generate.ts";
import type { CorpusOptions } from "./corpus/options.ts";
import { BenchPipeline, batchClockMs, benchProjection } from "./harness.ts";
import { indexBatch, patch } from "./wire-patch.ts";

const OPTIONS: CorpusOptions = { seed: 7, services: 20, operations: 200, nameVariants: 3, minSpans: 8 * 512, batchSpans: 512, traceRate: 200 };

describe("bench corpus", () => {
  const corpus = generateCorpus(OPTIONS);

  test("the same seed gives byte-identical batches and manifest; another seed does not", () => {
    const again = generateCorpus(OPTIONS);
    expect(again.manifest).toEqual(corpus.manifest);
    expect(again.batches.length).toBe(corpus.batches.length);
    for (let i = 0; i < corpus.batches.length; i++) expect(Buffer.from(again.batches[i]).equals(Buffer.from(corpus.batches[i]))).toBe(true);
    const other = generateCorpus({ ...OPTIONS, seed: 8 });
    expect(Buffer.from(other.batches[0]).equals(Buffer.from(corpus.batches[0]))).toBe(false);
    expect(corpus.manifest.spans).toBeGreaterThanOrEqual(OPTIONS.minSpans);
    expect(corpus.batches.slice(0, -1).every((b) => indexBatch(b).spans === 512)).toBe(true);
  });

  test("fast and generated decoding give identical span-metrics, service-graph and host-info results", () => {
    const cfg = benchTenantConfig();
    const projection = benchProjection(cfg);
    const run = (decode: (bytes: Uint8Array) => SpanBatch) => {
      const p = new BenchPipeline(cfg, projection);
      let rejected = 0;
      for (const bytes of corpus.batches) rejected += p.send(decode(bytes), batchClockMs(indexBatch(bytes))).rejectedSpans;
      p.expireAll();
      const sink = new RecordingSink();
      p.collect(sink, "remote");
      const stats = p.tenant.stats;
      return {
        rejected,
        active: p.registry.limiter.active,
        families: sink.families,
        series: Object.fromEntries(sink.series),
        stats: {
          spansReceived: stats.spansReceived,
          bytesReceived: stats.bytesReceived,
          discarded: Object.fromEntries(stats.discarded),
          serviceGraphs: { ...stats.serviceGraphs, expiredEdges: Object.fromEntries(stats.serviceGraphs.expiredEdges) },
        },
      };
    };
    const fast = run((b) => decodeProtobufBatch(b, projection));
    const generated = run((b) => batchFromRequest(decodeProtobuf(b), projection));
    expect(fast).toEqual(generated);

    // …and both are what the generator says the corpus contains.
    const e = corpus.manifest.expected;
    expect(fast.rejected).toBe(0);
    expect(fast.stats.spansReceived).toBe(corpus.manifest.spans);
    let calls = 0;
    let labelSets = 0;
    for (const [k, s] of Object.entries(fast.series)) {
      if (!k.startsWith("traces_spanmetrics_calls_total{")) continue;
      calls += s.samples[s.samples.length - 1][1];
      labelSets++;
    }
    expect(calls).toBe(e.calls);
    expect(labelSets).toBe(e.spanMetricsLabelSets);
    expect(Object.keys(fast.series).filter((k) => k.startsWith("traces_service_graph_request_total{")).length).toBe(e.serviceGraphEdges);
    expect(Object.keys(fast.series).filter((k) => k.startsWith("traces_host_info{")).length).toBe(e.hosts);
    expect(fast.active).toBe(e.activeSeries);
  });

  test("patching times and trace ids is exact and reversible", () => {
    const bytes = corpus.batches[1];
    const index = indexBatch(bytes);
    const before = decodeProtobufBatch(bytes, benchProjection(benchTenantConfig()));
    const copy = bytes.slice();
    const shift = 1_700_000_000_123_456_789n - BigInt(index.maxEndNs);
    patch(copy, index, shift, 0x5a5a5a5a);
    const after = decodeProtobufBatch(copy, benchProjection(benchTenantConfig()));
    expect(after.spanCount).toBe(before.spanCount);
    const ends = Array.from({ length: after.spanCount }, (_, i) => (BigInt(after.endTimes[i * 2 + 1]) << 32n) | BigInt(after.endTimes[i * 2]));
    expect(ends.reduce((a, b) => (b > a ? b : a))).toBe(1_700_000_000_123_456_789n);
    expect([...after.durations]).toEqual([...before.durations]);
    expect(after.traceIds[3] ^ before.traceIds[3]).toBe(0x5a);
    expect([...after.traceIds.subarray(4, 16)]).toEqual([...before.traceIds.subarray(4, 16)]);
    patch(copy, index, -shift, 0x5a5a5a5a);
    expect(Buffer.from(copy).equals(Buffer.from(bytes))).toBe(true);
  });
});
