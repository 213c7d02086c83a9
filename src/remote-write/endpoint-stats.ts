/** Counters for one remote-write endpoint of one tenant (read by /metrics). */
export class EndpointStats {
  samplesSent = 0;
  exemplarsSent = 0;
  /** samples in batches the backend refused for good (4xx) or that expired at shutdown */
  samplesFailed = 0;
  /** samples in requests that were sent again after a recoverable error */
  samplesRetried = 0;
  /** samples dropped because the queue was full */
  samplesDropped = 0;
  requestsSent = 0;
  pendingSamples = 0;
  bytesSent = 0;
  /** the last error, for logs and status */
  lastError = "";
}
