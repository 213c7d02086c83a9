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
const LATENCY = "traces_spanmetrics_latency";
const REQUESTS = "traces_service_graph_request_total";
const FAILED = "traces_service_graph_request_failed_total";
const SERVER_LATENCY = "traces_service_graph_request_server_seconds";

const enum Family {
  None,
  Calls,
  Latency,
  Requests,
  Failed,
  ServerLatency,
}

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
 * the registry writes is skipped. It runs over every series of the tenant
 * on each poll, so the family is decided once per family, the row once per
 * label set (the metrics of one label set share one labels array), and a
 * bucket's position by counting (buckets come in order, +Inf last).
 */
export class SummarySink implements SeriesSink {
  readonly summary: RegistrySummary = { red: new Map(), redBounds: [], edges: new Map(), edgeBounds: [] };
  private fam = Family.None;
  private target = Target.None;
  private red: RedRow | null = null;
  private edge: EdgeRow | null = null;
  private bucket = 0;
  private lastLabels: readonly string[] | null = null;
  private bucketLabels: readonly string[] | null = null;
  private lastError = false;
  /** a label set's row, by its labels array (shared by its calls and latency series) */
  private readonly redByLabels = new Map<readonly string[], { row: RedRow; error: boolean }>();
  /** rows by service, then span name: label values are existing strings, so no key is built */
  private readonly redByName = new Map<string, Map<string, RedRow>>();
  private readonly redLe: string[] = [];
  private readonly edgeLe: string[] = [];

  family(name: string): void {
    this.lastLabels = null;
    this.bucketLabels = null;
    this.fam =
      name === CALLS
        ? Family.Calls
        : name === LATENCY
          ? Family.Latency
          : name === REQUESTS
            ? Family.Requests
            : name === FAILED
              ? Family.Failed
              : name === SERVER_LATENCY
                ? Family.ServerLatency
                : Family.None;
  }

  // The page reads scrape-mode collections (no zero samples) and the classic buckets:
  // a tenant in native-only mode shows rates and errors but no latency quantiles.
  zero(): void {}
  zeroHistogram(): void {}
  histogram(): void {}

  begin(_name: string, labels: readonly string[], le: string | undefined): void {
    switch (this.fam) {
      case Family.Calls:
        this.redRow(labels);
        this.target = this.lastError ? Target.Errors : Target.Calls;
        return;
      case Family.Latency:
        // _sum and _count carry no le: only the buckets count
        if (le === undefined) break;
        this.redRow(labels);
        this.bucket = this.bucketIndex(labels, le, this.redLe, this.summary.redBounds);
        this.target = Target.Latency;
        return;
      case Family.Requests:
        this.edgeRow(labels);
        this.target = Target.Requests;
        return;
      case Family.Failed:
        this.edgeRow(labels);
        this.target = Target.Failed;
        return;
      case Family.ServerLatency:
        if (le === undefined) break;
        this.edgeRow(labels);
        this.bucket = this.bucketIndex(labels, le, this.edgeLe, this.summary.edgeBounds);
        this.target = Target.ServerLatency;
        return;
    }
    this.target = Target.None;
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

  /**
   * The position of bucket `le`: the next one of the same series, checked
   * against the family's le list (the same string objects every series), so
   * a lookup happens only when a series' buckets differ.
   */
  private bucketIndex(labels: readonly string[], le: string, les: string[], bounds: number[]): number {
    const i = labels === this.bucketLabels ? this.bucket + 1 : 0;
    this.bucketLabels = labels;
    if (les[i] === le) return i;
    let k = les.indexOf(le);
    if (k === -1) {
      k = les.length;
      les.push(le);
      if (le !== "+Inf") bounds.push(Number(le));
    }
    return k;
  }

  private redRow(labels: readonly string[]): void {
    if (labels === this.lastLabels) return;
    this.lastLabels = labels;
    const known = this.redByLabels.get(labels);
    if (known !== undefined) {
      this.red = known.row;
      this.lastError = known.error;
      return;
    }
    this.lastError = label(labels, "status_code") === "STATUS_CODE_ERROR";
    const service = label(labels, "service");
    const spanName = label(labels, "span_name");
    let names = this.redByName.get(service);
    if (names === undefined) {
      names = new Map();
      this.redByName.set(service, names);
    }
    let row = names.get(spanName);
    if (row === undefined) {
      row = { service, spanName, calls: 0, errors: 0, buckets: [] };
      names.set(spanName, row);
      this.summary.red.set(`${service}\u0000${spanName}`, row);
    }
    this.redByLabels.set(labels, { row, error: this.lastError });
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

function addAt(a: number[], i: number, v: number): void {
  if (i < a.length) a[i] += v;
  else {
    // buckets arrive in order, so this appends; a gap (a series without some bucket) is zero-filled
    while (a.length < i) a.push(0);
    a.push(v);
  }
}
