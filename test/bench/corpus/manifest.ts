/**
 * The manifest written next to a corpus's batches (manifest.json): the
 * options it was generated from, its sizes, and what the registry must hold
 * after ingesting it. corpus.test.ts and the memory bench check the registry
 * against `expected`; corpus.ts --verify compares the whole file byte for byte.
 */
import type { CorpusOptions } from "./options.ts";

/** What the generator knows the corpus must produce (bench config, every span in the ingestion window). */
export interface Expected {
  /** sum of traces_spanmetrics_calls_total = spans */
  calls: number;
  spanMetricsLabelSets: number;
  /** distinct (client, server, connection_type) after every edge completed or expired */
  serviceGraphEdges: number;
  serviceGraphFailedEdges: number;
  hosts: number;
  /** registry.limiter.active after the corpus and a processor shutdown (expiring the pending root edges) */
  activeSeries: number;
}

/** manifest.json. generate.ts builds it in this field order, which is the file's key order (--verify compares the text). */
export interface Manifest {
  generator: number;
  options: CorpusOptions;
  batches: number;
  spans: number;
  traces: number;
  bytes: number;
  resources: number;
  errorSpans: number;
  /** virtual time of the first span start and the last span end, ms since the (relative) epoch */
  virtualStartMs: number;
  virtualEndMs: number;
  expected: Expected;
}
