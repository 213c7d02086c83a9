/**
 * The child side of memory.<variant> and collect.<variant>, run as
 * `bench.ts --child memory` so nothing else lives in its heap: fills a fresh
 * registry through the full pipeline from a corpus, expires the pending
 * edges, and measures how much RSS and heap the registry's series took;
 * optionally then the remote-write collection of that registry.
 */
import { decodeProtobufBatch } from "../../../src/decode/otlp-wire.ts";
import { benchTenantConfig } from "../bench-config.ts";
import { readCorpus } from "../corpus.ts";
import { BenchPipeline, batchClockMs, benchProjection } from "../harness.ts";
import { indexBatch } from "../wire-patch.ts";
import { type CheckpointResult, measureCheckpoint } from "./checkpoint.ts";
import { type CollectResult, measureCollection } from "./collect.ts";
import { fullGc } from "./measure.ts";
import { type PageResult, measurePage } from "./page.ts";
import type { BenchSettings } from "./settings.ts";

/** What the child prints, one JSON line, for the parent (memory.ts) to check and report. */
export interface MemoryResult {
  variant: string;
  spans: number;
  expectedActive: number;
  active: number;
  rssBefore: number;
  rssAfter: number;
  heapBefore: number;
  heapAfter: number;
  fillMs: number;
  collect?: CollectResult;
  checkpoint?: CheckpointResult;
  page?: PageResult;
}

/** Fills a registry from corpus `variant` and measures it, and with `withCollect` its collection too. */
export async function memoryChild(settings: BenchSettings, variant: string, withCollect: boolean): Promise<MemoryResult> {
  const corpus = readCorpus(variant, settings.seed);
  const clocks = corpus.batches.map((b) => batchClockMs(indexBatch(b)));
  const cfg = benchTenantConfig();
  const projection = benchProjection(cfg);
  let p = new BenchPipeline(cfg, projection);
  // one small warm-up so the JIT and the lazily built parts do not count as series memory
  p.send(decodeProtobufBatch(corpus.batches[0], projection), clocks[0]);
  p = new BenchPipeline(cfg, projection);
  // decode everything once: the heap grows to hold decode garbage before the baseline, not after
  for (const b of corpus.batches) decodeProtobufBatch(b, projection);
  fullGc();
  const before = process.memoryUsage();
  const t0 = performance.now();
  for (let i = 0; i < corpus.batches.length; i++) {
    const r = p.send(decodeProtobufBatch(corpus.batches[i], projection), clocks[i]);
    if (r.rejectedSpans !== 0) throw new Error(`batch ${i}: ${r.errorMessage}`);
  }
  const fillMs = performance.now() - t0;
  p.expireAll();
  fullGc();
  const after = process.memoryUsage();
  const result: MemoryResult = {
    variant,
    spans: corpus.manifest.spans,
    expectedActive: corpus.manifest.expected.activeSeries,
    active: p.registry.limiter.active,
    rssBefore: before.rss,
    rssAfter: after.rss,
    heapBefore: before.heapUsed,
    heapAfter: after.heapUsed,
    fillMs,
  };
  if (withCollect) {
    result.collect = measureCollection(p, settings.quick ? 2 : 3);
    result.checkpoint = await measureCheckpoint(p, () => new BenchPipeline(cfg, projection), result.collect);
    result.page = await measurePage(p, settings.quick ? 3 : 9);
  }
  return result;
}
