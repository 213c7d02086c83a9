/** A metric family's type as the sinks spell it. */
export type MetricType = "counter" | "gauge" | "histogram";

/** What a metric says about itself besides its name (remote write 2.0 metadata, the protobuf exposition). */
export interface MetricMeta {
  help: string;
  /** e.g. "seconds", "bytes"; "" when none */
  unit: string;
}

export const NO_META: MetricMeta = { help: "", unit: "" };

/**
 * One native histogram at collection time, in the exchange format (spans and
 * bucket deltas, as client_golang writes it). Spans are flat [offset,
 * length, …] pairs. A sink reads it during the `histogram` call only: the
 * registry reuses it for the next series.
 */
export interface NativeHistogramView {
  schema: number;
  zeroThreshold: number;
  zeroCount: number;
  count: number;
  sum: number;
  positiveSpans: number[];
  positiveDeltas: number[];
  negativeSpans: number[];
  negativeDeltas: number[];
}

/**
 * Where a registry writes its series: the remote-write encoders and the
 * expositions implement this, so the registry never knows a format.
 * Calls come in order: family, then for each series begin + its samples
 * (+ exemplars). The series of one label set share one `labels` array, so a
 * sink can tell which `_bucket`, `_sum`, `_count` and native series belong
 * together.
 */
export interface SeriesSink {
  /** Starts a metric family (all its series follow). */
  family(name: string, type: MetricType, meta: MetricMeta): void;
  /**
   * Starts one series. `labels` are flat sorted [name, value, …] pairs without
   * `__name__`; `le` is set for histogram buckets. Neither array is owned by
   * the sink. `startMs` is when the series started counting (its created
   * timestamp; 0 when unknown, and for gauges).
   */
  begin(name: string, labels: readonly string[], le: string | undefined, startMs: number): void;
  /** The zero-first sample of a new counter or classic histogram series (spec §8.3). */
  zero(timestampMs: number): void;
  sample(timestampMs: number, value: number): void;
  /** The empty histogram a new native series writes first (spec §8.4). */
  zeroHistogram(timestampMs: number, schema: number): void;
  histogram(timestampMs: number, h: NativeHistogramView): void;
  exemplar(labelName: string, labelValue: string, value: number, timestampMs: number): void;
}

/**
 * `remote`: a collection round for remote write: zero-first samples for new
 * counters and histograms, exemplars emitted (classic ones then cleared).
 * `scrape`: current values only, no side effects.
 */
export type CollectMode = "remote" | "scrape";

/** The zero sample goes at the end of the previous UTC minute (spec §8.3). */
export function zeroTimestamp(collectionMs: number): number {
  return Math.floor(collectionMs / 60_000) * 60_000 - 1000;
}
