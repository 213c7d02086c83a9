/**
 * Where a registry writes its series: the remote-write encoder and the text
 * exposition both implement this, so the registry never knows either format.
 * Calls come in order: family, then for each series begin + samples (+ exemplar).
 */
export interface SeriesSink {
  /** Starts a metric family (all its series follow). */
  family(name: string, type: "counter" | "gauge" | "histogram"): void;
  /**
   * Starts one series. `labels` are flat sorted [name, value, …] pairs without
   * `__name__`; `le` is set for histogram buckets. Neither array is owned by the sink.
   */
  begin(name: string, labels: readonly string[], le: string | undefined): void;
  sample(timestampMs: number, value: number): void;
  exemplar(labelName: string, labelValue: string, value: number, timestampMs: number): void;
}

/**
 * `remote`: a collection round for remote write: zero-first samples for new
 * counters and histograms, exemplars emitted and cleared.
 * `scrape`: current values only, no side effects.
 */
export type CollectMode = "remote" | "scrape";

/** The zero sample goes at the end of the previous UTC minute (spec §8.3). */
export function zeroTimestamp(collectionMs: number): number {
  return Math.floor(collectionMs / 60_000) * 60_000 - 1000;
}
