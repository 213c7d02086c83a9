/**
 * What identifies a corpus: its options (a named variant plus a seed) and the
 * generator version. Same options and version → byte-identical batches and
 * manifest, which is why corpus.ts may reuse files cached on disk.
 */

/** Bump when the output for the same options changes (cached corpora are regenerated). */
export const GENERATOR_VERSION = 4;

/** The generator's knobs; written into the manifest, where corpus.ts compares them to spot a stale cache. */
export interface CorpusOptions {
  seed: number;
  /** services in the shop (the first 20 have real names) */
  services: number;
  /** HTTP endpoints, spread over the services */
  operations: number;
  /** 0: span names are route templates; N: HTTP server span names carry one of N ids per endpoint */
  nameVariants: number;
  /** minimum number of spans (whole traces are generated until it is reached) */
  minSpans: number;
  /** spans per request (the last batch may be shorter) */
  batchSpans: number;
  /** traces started per virtual second */
  traceRate: number;
}

/** Named presets; `bench:corpus --variant NAME`. Active-series targets are approximate, the manifest is exact. */
export const VARIANTS: Record<string, Omit<CorpusOptions, "seed">> = {
  /** the realistic mix the throughput benches run on (~1.2k label sets, ~23k active series) */
  base: { services: 20, operations: 200, nameVariants: 0, minSpans: 200 * 512, batchSpans: 512, traceRate: 200 },
  /** a small shop: ~1k active series */
  "1k": { services: 2, operations: 2, nameVariants: 0, minSpans: 32 * 512, batchSpans: 512, traceRate: 200 },
  /** ~100k active series */
  "100k": { services: 20, operations: 200, nameVariants: 20, minSpans: 200 * 512, batchSpans: 512, traceRate: 200 },
  /** ~1M active series */
  "1m": { services: 20, operations: 200, nameVariants: 700, minSpans: 480 * 512, batchSpans: 512, traceRate: 200 },
  /** --quick stand-ins: same shapes, small sizes */
  "quick-base": { services: 20, operations: 200, nameVariants: 0, minSpans: 24 * 512, batchSpans: 512, traceRate: 200 },
  "quick-hi": { services: 20, operations: 200, nameVariants: 4, minSpans: 24 * 512, batchSpans: 512, traceRate: 200 },
};

/** The seed every cached corpus uses unless `--seed` says otherwise. */
export const DEFAULT_SEED = 20240611;
