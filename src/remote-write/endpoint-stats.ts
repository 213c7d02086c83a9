/** Counters for one remote-write endpoint of one tenant (read by /metrics and /status/storage). */
export class EndpointStats {
  samplesSent = 0;
  exemplarsSent = 0;
  /** samples in requests the backend refused for good (4xx) */
  samplesFailed = 0;
  /** samples in requests that were sent again after a recoverable error */
  samplesRetried = 0;
  /** samples in rounds dropped unsent (disk budget, sample_age_limit, damage, a full in-memory fallback) */
  samplesDropped = 0;
  /** rounds dropped unsent, by reason */
  readonly roundsDropped = new Map<string, number>();
  requestsSent = 0;
  pendingSamples = 0;
  bytesSent = 0;
  /** newest round queued / delivered, ms (Prometheus' highest_timestamp_in_seconds and queue_highest_sent_timestamp_seconds) */
  highestQueuedTs = 0;
  highestSentTs = 0;
  /** rounds the disk refused (kept in memory instead) */
  diskWriteFailures = 0;
  /** queue records cut off or dropped as damaged */
  corruptions = 0;
  /** the last error, for logs and status */
  lastError = "";
}
