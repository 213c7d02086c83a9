/**
 * The benchmark corpus generator: realistic, seeded, deterministic OTLP
 * ExportTraceServiceRequest batches (same options → byte-identical output).
 *
 * What it models (see test/bench/README.md for the full description):
 * - a shop of `services` services (20 by default) with `operations` HTTP
 *   endpoints between them (200), 2–3 pods each on a pool of k8s nodes, ~13
 *   resource attributes per pod (service.*, k8s.*, host.*, telemetry.sdk.*);
 * - traces of 5–50 spans: a root HTTP server span, HTTP client → server pairs
 *   down a DAG of services, DB client spans (db.system/db.name or the newer
 *   db.system.name/db.namespace, peer.service on some), Kafka producer →
 *   consumer pairs, internal spans; ~15 attributes per span;
 * - ~2 % error spans (5xx on servers, ≥ 400 on clients, 1.5 % of DB calls),
 *   each with an exception event; log-normal durations;
 * - spans are emitted in end-time order (as SDKs export them) and cut into
 *   batches of `batchSpans` (512) spans, grouped by resource and scope inside
 *   a batch, like an OTel Collector's batch processor does.
 *
 * Times are RELATIVE: the corpus starts at 1 s after the Unix epoch and traces
 * arrive at `traceRate` per (virtual) second. In-process benches set the
 * pipeline clock to the batch's virtual time; senders patch the fixed64 time
 * fields to "now" (wire-patch.ts). Nothing here reads the wall clock.
 *
 * Cardinality knob: `nameVariants` > 0 appends one of `nameVariants` ids to
 * every HTTP server span name, round-robin per endpoint (an un-templated route,
 * the classic cardinality blow-up), so span-metrics label sets grow to about
 * endpoints × variants. The generator replays the processors' label rules for
 * the bench config (bench-config.ts) and reports the exact number of label
 * sets, edges, hosts and active series the registry must end up with.
 *
 * The pieces, in the order they run: topology.ts builds the shop,
 * trace-builder.ts grows each trace over it, timing.ts gives it times,
 * expected.ts counts what the processors must produce, encode.ts (with
 * attributes.ts) writes each batch.
 */
import { encodeBatch } from "./encode.ts";
import { Expectation } from "./expected.ts";
import type { Manifest } from "./manifest.ts";
import { type CorpusOptions, GENERATOR_VERSION } from "./options.ts";
import { Rng, cumulative } from "./rng.ts";
import type { Instance } from "./shop.ts";
import type { GSpan } from "./span.ts";
import { layOutTimes } from "./timing.ts";
import { buildShop } from "./topology.ts";
import { TraceBuilder } from "./trace-builder.ts";

/** A generated corpus, in memory: what corpus.ts writes to disk. */
export interface Corpus {
  manifest: Manifest;
  batches: Uint8Array[];
}

/** Generates the corpus in memory. Pure: the same options give the same bytes. */
export function generateCorpus(options: CorpusOptions): Corpus {
  const rng = new Rng(options.seed);
  const services = buildShop(rng, options);
  // traces enter at the two front services' endpoints, frontend's three times as often, popular ones first
  const entries = [...services[0].ops, ...(services.length > 1 ? services[1].ops : [])];
  const entryWeights = cumulative(entries.map((o, r) => (o.service.index === 0 ? 3 : 1) / (1 + r) ** 0.4));
  const all: GSpan[] = [];
  let traces = 0;
  let t = 1e9; // 1 s after the (relative) epoch: fixed64 times are never 0
  while (all.length < options.minSpans) {
    t += Math.round(rng.exponential(1e9 / options.traceRate));
    const trace = new Uint8Array(16);
    rng.fill(trace, 0, 16);
    const b = new TraceBuilder(rng, services, trace, options.nameVariants);
    b.build(entries[rng.weighted(entryWeights)], 5 + rng.int(46));
    layOutTimes(rng, b.spans[0], t);
    for (const s of b.spans) all.push(s);
    traces++;
  }
  // Exported in end order (stable); ties keep generation order.
  const order = all.map((_, i) => i);
  order.sort((x, y) => all[x].endNs - all[y].endNs || x - y);

  const expect = new Expectation();
  const batches: Uint8Array[] = [];
  let bytes = 0;
  let resources = 0;
  let errors = 0;
  let first = Number.POSITIVE_INFINITY;
  for (let i = 0; i < order.length; i += options.batchSpans) {
    const spans = order.slice(i, i + options.batchSpans).map((k) => all[k]);
    const insts = new Set<Instance>();
    for (const s of spans) {
      expect.span(s);
      insts.add(s.inst);
      if (s.error) errors++;
      if (s.startNs < first) first = s.startNs;
    }
    for (const inst of insts) expect.hosts.add(inst.node);
    resources += insts.size;
    const spread = (spans[spans.length - 1].endNs - spans[0].endNs) / 1e9;
    if (spread > 20) throw new Error(`batch ${batches.length} spans end ${spread} s apart: more than the ingestion window allows`);
    const bytesOut = encodeBatch(spans);
    bytes += bytesOut.length;
    batches.push(bytesOut);
  }
  const manifest: Manifest = {
    generator: GENERATOR_VERSION,
    options,
    batches: batches.length,
    spans: all.length,
    traces,
    bytes,
    resources,
    errorSpans: errors,
    virtualStartMs: Math.floor(first / 1e6),
    virtualEndMs: Math.ceil(all[order[order.length - 1]].endNs / 1e6),
    expected: expect.result(all.length),
  };
  return { manifest, batches };
}
