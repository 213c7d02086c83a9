/**
 * decode.*, process.*, inproc.*: in-process throughput on one JS thread, over
 * the whole throughput corpus decoded from its stored bytes. Each batch runs
 * at its own virtual time (batchClockMs), so the ingestion window and the
 * service-graph expiry behave as they would live.
 */
import { batchFromRequest } from "../../../src/decode/from-request.ts";
import { decodeProtobuf } from "../../../src/decode/otlp.ts";
import { WireBatchDecoder, decodeProtobufBatch } from "../../../src/decode/otlp-wire.ts";
import type { SpanBatch } from "../../../src/decode/span-batch.ts";
import { benchTenantConfig } from "../bench-config.ts";
import { readCorpus } from "../corpus.ts";
import { BenchPipeline, batchClockMs, benchProjection } from "../harness.ts";
import { indexBatch, patch } from "../wire-patch.ts";
import { rateMeasurer } from "./measure.ts";
import { type Report, log } from "./report.ts";
import { type BenchSettings, wants, wantsSection } from "./settings.ts";

/** Decoders alone, each processor alone, then the whole push path with both decoders. */
export function inProcess(settings: BenchSettings, report: Report): void {
  if (!["decode", "process", "inproc"].some((section) => wantsSection(settings, section))) return;
  const measure = rateMeasurer(settings, report);
  const corpus = readCorpus(settings.throughputCorpus, settings.seed, log);
  const spans = corpus.manifest.spans;
  const batches = corpus.batches;
  const indexes = batches.map(indexBatch);
  const clocks = indexes.map(batchClockMs);
  const cfg = benchTenantConfig();
  const projection = benchProjection(cfg);
  log(`in-process: corpus ${settings.throughputCorpus}, ${spans} spans in ${batches.length} batches, ${settings.warmups} warm-up + ${settings.runs} runs each`);

  // The receivers' decoder: one instance, batch reused request after request.
  const wire = new WireBatchDecoder(projection);
  measure("decode.fast", spans, () => null, () => {
    let n = 0;
    for (let i = 0; i < batches.length; i++) n += wire.decode(batches[i]).spanCount;
    return n;
  });
  measure("decode.generated", spans, () => null, function generatedDecodeRun(): number {
    let n = 0;
    for (let i = 0; i < batches.length; i++) n += batchFromRequest(decodeProtobuf(batches[i]), projection).spanCount;
    return n;
  });

  const stages: [string, "span-metrics" | "service-graphs" | "host-info"][] = [
    ["process.span_metrics", "span-metrics"],
    ["process.service_graphs", "service-graphs"],
    ["process.host_info", "host-info"],
  ];
  if (stages.some(([n]) => wants(settings, n))) {
    const decoded: SpanBatch[] = batches.map((b) => decodeProtobufBatch(b, projection));
    for (const [name, processor] of stages) {
      measure(name, spans, () => new BenchPipeline(cfg, projection, [processor]), (p) => {
        for (let i = 0; i < decoded.length; i++) p.process(decoded[i], clocks[i]);
        return spans;
      });
    }
  }

  // named, so a profile can be cut to the timed loop (profile-summary.ts --under pipelineRun)
  const all = (decode: (b: Uint8Array) => SpanBatch) =>
    function pipelineRun(p: BenchPipeline): number {
      for (let i = 0; i < batches.length; i++) {
        const r = p.send(decode(batches[i]), clocks[i]);
        if (r.rejectedSpans !== 0) throw new Error(`batch ${i}: ${r.errorMessage}`);
      }
      return p.tenant.stats.spansReceived;
    };
  measure("inproc.all", spans, () => new BenchPipeline(cfg, projection), all((b) => wire.decode(b)), true);

  // inproc.steady: one pipeline kept across runs, as in a generator that has been
  // running — its label sets and series exist from the first warm-up on. Each run
  // is the corpus again, its times moved past the last run by more than the edge
  // wait (so the previous run's lone edges expire in this run's first tick, as
  // every lone edge does some time) and its trace ids XORed with the run number.
  const steadySetup = () => {
    const pipeline = new BenchPipeline(cfg, projection);
    const passMs = clocks[clocks.length - 1] - clocks[0] + 60_000;
    let pass = 0;
    return () => {
      pass++;
      const shiftMs = pass * passMs;
      const copies = batches.map((b, i) => {
        const copy = b.slice();
        patch(copy, indexes[i], BigInt(shiftMs) * 1_000_000n, pass);
        return copy;
      });
      return { pipeline, copies, shiftMs };
    };
  };
  function steadyRun(s: { pipeline: BenchPipeline; copies: Uint8Array[]; shiftMs: number }): number {
    const before = s.pipeline.tenant.stats.spansReceived;
    for (let i = 0; i < s.copies.length; i++) {
      const r = s.pipeline.send(wire.decode(s.copies[i]), clocks[i] + s.shiftMs);
      if (r.rejectedSpans !== 0) throw new Error(`batch ${i}: ${r.errorMessage}`);
    }
    // a span left out (outside the ingestion window after the move) would make the figure a lie
    const stats = s.pipeline.tenant.stats;
    if (stats.discarded.size !== 0) throw new Error(`inproc.steady: spans discarded: ${[...stats.discarded.keys()].join(", ")}`);
    return stats.spansReceived - before;
  }
  measure("inproc.steady", spans, steadySetup(), steadyRun, true);
  measure("inproc.all_generated", spans, () => new BenchPipeline(cfg, projection), all((b) => batchFromRequest(decodeProtobuf(b), projection)));
}
