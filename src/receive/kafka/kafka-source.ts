import type { KafkaConfig } from "../../config/types.ts";

/** One record as the receiver sees it. */
export interface KafkaRecordView {
  topic: string;
  partition: number;
  offset: bigint;
  key: Uint8Array | undefined;
  value: Uint8Array | undefined;
  headers: Map<Buffer, Buffer>;
  /** producer timestamp, ms */
  timestampMs: number;
}

/** Consumer lag of one partition, in records. */
export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

/**
 * The narrow seam between redgen and a Kafka client library: records are
 * handed over one at a time and processed synchronously, so by the time the
 * handler returns the record's spans are in the registry. The owner decides
 * when offsets are committed (after checkpoints, kafka-progress.ts).
 * Everything client-specific stays behind this interface.
 */
export interface KafkaSource {
  /** Joins the group and starts delivering records to `onRecord`. */
  start(onRecord: (r: KafkaRecordView) => void): Promise<void>;
  /** Next offset after the records processed so far, per owned "topic/partition". */
  processed(): ReadonlyMap<string, bigint>;
  /** Commits offsets of owned partitions (never below where consumption started); resolves with what was committed. */
  commit(offsets: ReadonlyMap<string, bigint>): Promise<ReadonlyMap<string, bigint>>;
  /** Called synchronously when a rebalance starts, before the processed offsets are committed; false: do not commit. */
  onRebalance(checkpoint: () => boolean): void;
  /** Stops fetching and processing records. */
  pause(): void;
  /** Leaves the group if configured. */
  close(): Promise<void>;
  /** true once the group was joined and partitions are being consumed */
  readonly ready: boolean;
  /** partitions owned right now */
  assigned(): { topic: string; partition: number }[];
  /** lag per owned partition (latest offset − committed) */
  lag(): Promise<PartitionLag[]>;
  /** records passed over by skip_stale_backlog_on_startup */
  readonly skippedStale: number;
}

/** Creates the source for a config (main injects this, tests may inject another). */
export type KafkaSourceFactory = (cfg: KafkaConfig) => KafkaSource;
