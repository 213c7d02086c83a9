/**
 * The one configuration every bench runs: in-process pipelines parse the same
 * tempo.yaml the compiled binary is started with. Every processor on, span
 * metrics with two common HTTP dimensions, Tempo's default buckets.
 */
import { parseConfig } from "../../src/config/load.ts";
import type { Config, TenantConfig } from "../../src/config/types.ts";

export const SPAN_METRICS_DIMENSIONS = ["http.request.method", "http.response.status_code"];

/** Active series per label set, for the bench config (calls 1 + latency 14 buckets + +Inf, _sum, _count + size 1). */
export const SERIES_PER_SPAN_LABEL_SET = 1 + (14 + 3) + 1;
/** request_total + server and client histograms (8 buckets + +Inf, _sum, _count each) */
export const SERIES_PER_EDGE = 1 + 2 * (8 + 3);
/** request_failed_total, only for edges that saw a failure */
export const SERIES_PER_FAILED_EDGE = 1;
export const SERIES_PER_HOST = 1;

export interface BenchYamlOptions {
  /** service_graphs.max_items; in-process benches keep Tempo's 10000 (the virtual trace rate fits) */
  maxItems?: number;
  /** receivers on 127.0.0.1 port 0 (end-to-end runs) */
  receivers?: boolean;
  /** remote-write every round here (end-to-end runs write into a sink), with this collection interval */
  remoteWrite?: { url: string; interval: string };
  /** an `auth:` block for both receivers (YAML flow mapping), e.g. `{bearertokenauth: {token: t}}` */
  receiverAuth?: string;
}

export function benchYaml(o: BenchYamlOptions = {}): string {
  const receivers = o.receivers
    ? `
server:
  http_listen_address: 127.0.0.1
  http_listen_port: 0
distributor:
  receivers:
    otlp:
      protocols:
        grpc:
          endpoint: 127.0.0.1:0${o.receiverAuth ? `\n          auth: ${o.receiverAuth}` : ""}
        http:
          endpoint: 127.0.0.1:0${o.receiverAuth ? `\n          auth: ${o.receiverAuth}` : ""}
`
    : "";
  const storage = o.remoteWrite
    ? `
  registry:
    collection_interval: ${o.remoteWrite.interval}
  storage:
    remote_write:
      - url: ${o.remoteWrite.url}`
    : "";
  return `${receivers}
metrics_generator:${storage}
  processor:
    span_metrics:
      dimensions: [${SPAN_METRICS_DIMENSIONS.join(", ")}]
    service_graphs:
      max_items: ${o.maxItems ?? 10000}
    host_info: {}
overrides:
  defaults:
    metrics_generator:
      processors: [span-metrics, service-graphs, host-info]
`;
}

export function benchConfig(o: BenchYamlOptions = {}): Config {
  return parseConfig(benchYaml(o));
}

export function benchTenantConfig(o: BenchYamlOptions = {}): TenantConfig {
  return benchConfig(o).tenant_defaults;
}
