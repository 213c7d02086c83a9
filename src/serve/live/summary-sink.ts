import type { SeriesSink } from "../../registry/sink.ts";

/** Calls of one service and span name, summed over every other label (kind, status, dimensions). */
export interface RedRow {
  service: string;
  spanName: string;
  calls: number;
  errors: number;
  /** cumulative latency bucket counts, in the order of RegistrySummary.redBounds, +Inf last */
  buckets: number[];
}

/** One service-graph edge, summed over its extra dimensions. */
export interface EdgeRow {
  client: string;
  server: string;
  /** "" for an ordinary edge, else database, messaging_system or virtual_node */
  connectionType: string;
  /** "client" or "server" on virtual edges when enable_virtual_node_label is on, else "" */
  virtualNode: string;
  requests: number;
  failed: number;
  /** cumulative server-latency bucket counts, +Inf last */
  buckets: number[];
}

/** What the live page needs of a registry, taken in one pass over its series. */
export interface RegistrySummary {
  red: Map<string, RedRow>;
  redBounds: number[];
  edges: Map<string, EdgeRow>;
  edgeBounds: number[];
}

const CALLS = "traces_spanmetrics_calls_total";
const LATENCY = "traces_spanmetrics_latency_bucket";
const REQUESTS = "traces_service_graph_request_total";
const FAILED = "traces_service_graph_request_failed_total";
const SERVER_LATENCY = "traces_service_graph_request_server_seconds_bucket";

const enum Target {
  None,
  Calls,
  Errors,
  Latency,
  Requests,
  Failed,
  ServerLatency,
}

/** The value of label `name` in sorted [name, value, …] pairs, or "". */
function label(labels: readonly string[], name: string): string {
  for (let i = 0; i < labels.length; i += 2) if (labels[i] === name) return labels[i + 1];
  return "";
}

/**
 * Builds a RegistrySummary from `Registry.collect(ts, sink, "scrape")`: the
 * span-metrics calls and latency buckets per service and span name (errors
 * are calls with status_code="STATUS_CODE_ERROR"), and the service-graph
 * requests, failures and server-latency buckets per edge. Everything else
 * the registry writes is skipped. The metrics of one label set share one
 * labels array, so the row is looked up once per series, not per bucket.
 */
export class SummarySink implements SeriesSink {
  readonly summary: RegistrySummary = { red: new Map(), redBounds: [], edges: new Map(), edgeBounds: [] };
  private target = Target.None;
  private red: RedRow | null = null;
  private edge: EdgeRow | null = null;
  private bucket = 0;
  private lastLabels: readonly string[] | null = null;
  private lastError = false;
  private readonly redLe = new Map<string, number>();
  private readonly edgeLe = new Map<string, number>();

  family(): void {
    this.lastLabels = null;
  }

  begin(name: string, labels: readonly string[], le: string | undefined): void {
    if (name === CALLS) {
      this.redRow(labels);
      this.target = this.lastError ? Target.Errors : Target.Calls;
    } else if (name === LATENCY && le !== undefined) {
      this.redRow(labels);
      this.bucket = bucketIndex(this.redLe, this.summary.redBounds, le);
      this.target = Target.Latency;
    } else if (name === REQUESTS) {
      this.edgeRow(labels);
      this.target = Target.Requests;
    } else if (name === FAILED) {
      this.edgeRow(labels);
      this.target = Target.Failed;
    } else if (name === SERVER_LATENCY && le !== undefined) {
      this.edgeRow(labels);
      this.bucket = bucketIndex(this.edgeLe, this.summary.edgeBounds, le);
      this.target = Target.ServerLatency;
    } else this.target = Target.None;
  }

  sample(_timestampMs: number, value: number): void {
    switch (this.target) {
      case Target.Errors:
        // an error is a call too
        (this.red as RedRow).errors += value;
        (this.red as RedRow).calls += value;
        break;
      case Target.Calls:
        (this.red as RedRow).calls += value;
        break;
      case Target.Latency:
        addAt((this.red as RedRow).buckets, this.bucket, value);
        break;
      case Target.Requests:
        (this.edge as EdgeRow).requests += value;
        break;
      case Target.Failed:
        (this.edge as EdgeRow).failed += value;
        break;
      case Target.ServerLatency:
        addAt((this.edge as EdgeRow).buckets, this.bucket, value);
        break;
    }
  }

  exemplar(): void {}

  private redRow(labels: readonly string[]): void {
    if (labels === this.lastLabels) return;
    this.lastLabels = labels;
    this.lastError = label(labels, "status_code") === "STATUS_CODE_ERROR";
    const service = label(labels, "service");
    const spanName = label(labels, "span_name");
    const key = `${service}\u0000${spanName}`;
    let row = this.summary.red.get(key);
    if (row === undefined) {
      row = { service, spanName, calls: 0, errors: 0, buckets: [] };
      this.summary.red.set(key, row);
    }
    this.red = row;
  }

  private edgeRow(labels: readonly string[]): void {
    if (labels === this.lastLabels) return;
    this.lastLabels = labels;
    const client = label(labels, "client");
    const server = label(labels, "server");
    const connectionType = label(labels, "connection_type");
    const virtualNode = label(labels, "virtual_node");
    const key = `${client}\u0000${server}\u0000${connectionType}\u0000${virtualNode}`;
    let row = this.summary.edges.get(key);
    if (row === undefined) {
      row = { client, server, connectionType, virtualNode, requests: 0, failed: 0, buckets: [] };
      this.summary.edges.set(key, row);
    }
    this.edge = row;
  }
}

/** The position of bucket `le` in a family's bounds (+Inf last), learnt from the first series. */
function bucketIndex(index: Map<string, number>, bounds: number[], le: string): number {
  let i = index.get(le);
  if (i === undefined) {
    i = index.size;
    index.set(le, i);
    if (le !== "+Inf") bounds.push(Number(le));
  }
  return i;
}

function addAt(a: number[], i: number, v: number): void {
  while (a.length <= i) a.push(0);
  a[i] += v;
}
