import type { KafkaSource, PartitionLag } from "./kafka-source.ts";
import { log } from "../../util/log.ts";

/**
 * Refreshes the consumer lag every `intervalMs` (Tempo's
 * consumer_group_lag_metric_update_interval, default 1m; 0 disables), keeping
 * the last answer for /metrics. Partitions no longer owned drop out.
 */
export class LagTracker {
  last: PartitionLag[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly source: KafkaSource,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.intervalMs <= 0) return;
    this.timer = setInterval(() => void this.refresh(), this.intervalMs);
  }

  async refresh(): Promise<void> {
    try {
      this.last = await this.source.lag();
    } catch (e) {
      log.debug("kafka: lag refresh failed", { err: e });
    }
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }
}
