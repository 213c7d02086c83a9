import type { KafkaConfig } from "../config/types.ts";
import { KafkaProgress } from "../receive/kafka/kafka-progress.ts";
import { KafkaReceiver, KafkaStats } from "../receive/kafka/kafka-receiver.ts";
import { LagTracker } from "../receive/kafka/kafka-lag.ts";
import type { KafkaSource } from "../receive/kafka/kafka-source.ts";
import type { TraceExport } from "../receive/trace-export.ts";
import { log } from "../util/log.ts";

/** The Kafka client and its offset bookkeeping (tenants register with `progress` as they are restored). */
export interface KafkaClient {
  source: KafkaSource;
  progress: KafkaProgress;
  lag: LagTracker;
}

/** Kafka ingest of a running instance. */
export interface KafkaIngest extends KafkaClient {
  receiver: KafkaReceiver;
  /** Stops taking records (first step of shutdown). */
  pause(): void;
  /** Commits what the final checkpoints cover, then leaves the group if configured. */
  close(): Promise<void>;
}

/** The client, loaded only when Kafka is configured (it costs ~0.2 s of startup). */
export async function kafkaClient(cfg: KafkaConfig): Promise<KafkaClient> {
  const { PlatformaticSource } = await import("../receive/kafka/platformatic-source.ts");
  const source = new PlatformaticSource(cfg);
  return { source, progress: new KafkaProgress(source), lag: new LagTracker(source, cfg.lag_update_interval_ms) };
}

/**
 * Starts consuming into `exporter`: joins the group, retrying with backoff
 * while the brokers are unreachable (/ready stays false). When a rebalance
 * starts, `checkpointAll` writes every tenant's state before the offsets are
 * committed.
 */
export function startKafka(cfg: KafkaConfig, client: KafkaClient, exporter: TraceExport, checkpointAll: () => boolean): KafkaIngest {
  const { source, progress, lag } = client;
  const receiver = new KafkaReceiver(cfg, source, exporter, new KafkaStats(), (t, topic, p, o) => progress.alreadyCounted(t, topic, p, o));
  source.onRebalance(checkpointAll);
  let delay = 1000;
  const attempt = () => {
    receiver.start().then(
      () => lag.start(),
      (e: unknown) => {
        log.error("kafka: cannot start consuming, retrying", { err: e, retry_in_ms: delay });
        setTimeout(attempt, delay);
        delay = Math.min(delay * 2, 30_000);
      },
    );
  };
  attempt();
  return {
    ...client,
    receiver,
    pause() {
      lag.stop();
      receiver.pause();
    },
    async close() {
      await progress.commit();
      await source.close().catch((e: unknown) => log.error("kafka: close failed", { err: e }));
    },
  };
}
