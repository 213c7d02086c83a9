/**
 * collect.<variant>: one remote-write collection of a filled registry, the
 * way the writer does it — registry.collect into WriteRequestEncoder, then
 * snappy for every request body. The first collection also writes every
 * series' zero sample, so it is reported apart from the steady ones.
 */
import { parseConfig } from "../../../src/config/load.ts";
import { WriteRequestEncoder } from "../../../src/remote-write/encode.ts";
import { snappyCompress } from "../../../src/remote-write/snappy.ts";
import type { BenchPipeline } from "../harness.ts";
import { fullGc } from "./measure.ts";
import { LabelBytesCache } from "../../../src/remote-write/label-bytes.ts";

export interface CollectResult {
  firstMs: number;
  encodeMs: number;
  snappyMs: number;
  totalMs: number;
  samples: number;
  requests: number;
  bodyBytes: number;
  snappyBytes: number;
}

/** The remote_write defaults redgen runs with, plus exemplars on (what Tempo setups usually enable). */
function remoteWriteSettings(): { maxSamplesPerSend: number; sendExemplars: boolean } {
  const rw = parseConfig("metrics_generator:\n  storage:\n    remote_write:\n      - url: http://127.0.0.1:9/api/v1/write\n").generator.storage.remote_write[0];
  return { maxSamplesPerSend: rw.queue.max_samples_per_send, sendExemplars: true };
}

function collectOnce(p: BenchPipeline, ts: number, labels: LabelBytesCache): Omit<CollectResult, "firstMs" | "totalMs"> & { ms: number } {
  const { maxSamplesPerSend, sendExemplars } = remoteWriteSettings();
  const t0 = performance.now();
  const enc = new WriteRequestEncoder(maxSamplesPerSend, sendExemplars, labels);
  p.collect(enc, "remote", ts);
  const requests = enc.finish();
  const t1 = performance.now();
  let snappyBytes = 0;
  let bodyBytes = 0;
  let samples = 0;
  for (const r of requests) {
    snappyBytes += snappyCompress(r.body).length;
    bodyBytes += r.body.length;
    samples += r.samples;
  }
  const t2 = performance.now();
  return { ms: t2 - t0, encodeMs: t1 - t0, snappyMs: t2 - t1, samples, requests: requests.length, bodyBytes, snappyBytes };
}

/** The first collection, then the median of `steadyRuns` more, 15 s of pipeline clock apart (the collection interval). */
export function measureCollection(p: BenchPipeline, steadyRuns: number): CollectResult {
  let ts = p.clock + 15_000;
  // as redgen's writer does: one label cache for the tenant, kept across rounds
  const labels = new LabelBytesCache();
  const first = collectOnce(p, ts, labels);
  const steady: ReturnType<typeof collectOnce>[] = [];
  for (let k = 0; k < steadyRuns; k++) {
    ts += 15_000;
    fullGc();
    steady.push(collectOnce(p, ts, labels));
  }
  steady.sort((a, b) => a.ms - b.ms);
  const m = steady[steady.length >> 1];
  return { firstMs: first.ms, encodeMs: m.encodeMs, snappyMs: m.snappyMs, totalMs: m.ms, samples: m.samples, requests: m.requests, bodyBytes: m.bodyBytes, snappyBytes: m.snappyBytes };
}
