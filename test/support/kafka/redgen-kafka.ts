/**
 * The compiled redgen as a Kafka consumer in end-to-end tests: a config in
 * Tempo's spelling (`ingest.kafka.*`, `metrics_generator.{codec,instance_id,…}`)
 * on top of `testConfig`, and readers for what such an instance reports —
 * its "kafka: joined consumer group" log lines and its Kafka self-metrics.
 */
import { parseExposition } from "../exposition.ts";
import { type Redgen, type TestConfigOptions, testConfig } from "../redgen-process.ts";

export interface KafkaRedgenOptions extends TestConfigOptions {
  bootstrap: string;
  /** ingest.kafka.consumer_group */
  group: string;
  /** metrics_generator.instance_id (static membership) */
  instanceId: string;
  /** ingest.kafka.topic (Tempo's format) */
  topic?: string;
  /** metrics_generator.codec (default push-bytes) */
  codec?: "push-bytes" | "otlp";
  /** ingest.kafka.otlp_topics */
  otlpTopics?: { topic: string; encoding: "otlp_proto" | "otlp_json"; tenant_header?: string; tenant?: string }[];
  /** ingest.kafka.session_timeout (default 6s, the broker's minimum) */
  sessionTimeout?: string;
  leaveOnShutdown?: boolean;
  /** metrics_generator.skip_stale_backlog_on_startup */
  skipStaleBacklog?: boolean;
  /** metrics_generator.registry.external_labels */
  externalLabels?: Record<string, string>;
  /** overrides.defaults.metrics_generator.processors (default [span-metrics]) */
  processors?: string[];
  /** metrics_generator.processor.service_graphs */
  serviceGraphs?: Record<string, unknown>;
}

/** A redgen config consuming from Kafka (plus OTLP/HTTP on a free port, which Redgen.start expects). */
export function kafkaConfig(o: KafkaRedgenOptions): Record<string, unknown> {
  const c = testConfig(o) as {
    metrics_generator: Record<string, unknown> & { registry: Record<string, unknown>; processor: Record<string, unknown> };
    overrides: { defaults: { metrics_generator: { processors: string[] } } };
    ingest?: unknown;
  };
  const kafka: Record<string, unknown> = {
    address: o.bootstrap,
    consumer_group: o.group,
    session_timeout: o.sessionTimeout ?? "6s",
  };
  if (o.topic !== undefined) kafka.topic = o.topic;
  if (o.otlpTopics !== undefined) kafka.otlp_topics = o.otlpTopics;
  c.ingest = { kafka };
  c.metrics_generator.instance_id = o.instanceId;
  c.metrics_generator.codec = o.codec ?? "push-bytes";
  c.metrics_generator.leave_consumer_group_on_shutdown = o.leaveOnShutdown ?? false;
  if (o.skipStaleBacklog !== undefined) c.metrics_generator.skip_stale_backlog_on_startup = o.skipStaleBacklog;
  if (o.externalLabels !== undefined) c.metrics_generator.registry.external_labels = o.externalLabels;
  if (o.serviceGraphs !== undefined) c.metrics_generator.processor.service_graphs = o.serviceGraphs;
  c.overrides.defaults.metrics_generator.processors = o.processors ?? ["span-metrics"];
  return c;
}

/** One "kafka: joined consumer group" line. */
export interface GroupJoin {
  generation: number;
  /** partitions of `topic` owned after the join, ascending */
  partitions: number[];
}

/** Every "kafka: joined consumer group" line `stderr` holds so far, in order, for `topic`. */
export function groupJoins(stderr: string, topic: string): GroupJoin[] {
  const out: GroupJoin[] = [];
  for (const line of stderr.split("\n")) {
    if (!line.includes('msg="kafka: joined consumer group"')) continue;
    const generation = Number(/ generation=(\S+)/.exec(line)?.[1]);
    const parts = / partitions=(\S+)/.exec(line)?.[1] ?? "none";
    const mine = parts === "none" ? undefined : parts.split(",").find((p) => p.startsWith(`${topic}:`));
    const partitions = mine === undefined ? [] : mine.slice(topic.length + 1).split("/").map(Number).sort((a, b) => a - b);
    out.push({ generation, partitions });
  }
  return out;
}

/** The latest join of a running instance, or undefined before its first. */
export function lastJoin(r: Redgen, topic: string): GroupJoin | undefined {
  return groupJoins(r.process.stderr, topic).at(-1);
}

/** Samples of one self-metric family as "label=value,…" → value (labels in exposition order). */
export function selfSamples(text: string, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of parseExposition(text)) {
    if (s.name !== name) continue;
    const k = Object.entries(s.labels)
      .map(([l, v]) => `${l}=${v}`)
      .join(",");
    out[k] = s.value;
  }
  return out;
}

/** Sum of one self-metric family over all its samples. */
export function selfTotal(text: string, name: string): number {
  return Object.values(selfSamples(text, name)).reduce((a, b) => a + b, 0);
}
