import { bucketQuantile } from "./quantile.ts";
import type { KafkaHealth, TenantHealth } from "./live-sources.ts";
import type { Snapshot } from "./snapshot-ring.ts";
import type { EdgeRow, RedRow } from "./summary-sink.ts";
import { graphNodes, type NodeView } from "./graph-nodes.ts";

/**
 * Figures over the window (latest snapshot minus the oldest baseline). With
 * no baseline yet, or no calls inside the window, the error ratio and the
 * quantiles are taken over the series' whole life instead and `sinceStart`
 * says so; the rate is then null (or 0 for a quiet window).
 */
interface Windowed {
  rate: number | null;
  errorRatio: number | null;
  sinceStart: boolean;
}

export interface RedView extends Windowed {
  service: string;
  spanName: string;
  /** calls since the series was created */
  calls: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface EdgeView extends Windowed {
  client: string;
  server: string;
  connectionType: string;
  virtualNode: string;
  requests: number;
  /** server latency quantiles, seconds */
  p50: number | null;
  p95: number | null;
}

/** The JSON document GET /live/summary answers, read by the page. */
export interface LiveView {
  version: string;
  tenant: string;
  tenants: string[];
  now: number;
  /** seconds between baseline and latest snapshot; null before there are two */
  windowSeconds: number | null;
  /** the busiest operations (at most LIMITS.red), sorted by service and span name */
  red: RedView[];
  /** operations in the registry, shown or not */
  redTotal: number;
  nodes: NodeView[];
  /** the busiest edges (at most LIMITS.edges) */
  edges: EdgeView[];
  edgesTotal: number;
  health: (TenantHealth & { spansRate: number | null }) | null;
  kafka: KafkaHealth | null;
}

/** A counter's increase, Prometheus-style: a drop means the series restarted from 0. */
function increase(cur: number, base: number | undefined): number {
  return base === undefined ? cur : cur >= base ? cur - base : cur;
}

/** Window bucket counts (reset-aware, made monotonic as histogram_quantile does). */
function bucketIncrease(cur: number[], base: number[] | undefined): number[] {
  if (base === undefined || base.length !== cur.length || cur[cur.length - 1] < base[base.length - 1]) return cur;
  const out = new Array<number>(cur.length);
  let max = 0;
  for (let i = 0; i < cur.length; i++) {
    max = Math.max(max, cur[i] - base[i]);
    out[i] = max;
  }
  return out;
}

function q(phi: number, bounds: number[], buckets: number[]): number | null {
  const v = bucketQuantile(phi, bounds, buckets);
  return Number.isFinite(v) ? v : null;
}

/** Window figures for a row with `total`/`bad` counters and cumulative `buckets`. */
function windowed(total: number, bad: number, buckets: number[], base: { total: number; bad: number; buckets: number[] } | undefined, dt: number | null) {
  const dTotal = increase(total, base?.total);
  const dBad = increase(bad, base?.bad);
  const dBuckets = bucketIncrease(buckets, base?.buckets);
  const quiet = dt === null || dTotal === 0;
  const useBuckets = quiet || (dBuckets[dBuckets.length - 1] ?? 0) === 0 ? buckets : dBuckets;
  return {
    rate: dt === null ? null : dTotal / dt,
    errorRatio: quiet ? (total > 0 ? bad / total : null) : dBad / dTotal,
    sinceStart: quiet,
    buckets: useBuckets,
  };
}

function redView(r: RedRow, base: RedRow | undefined, bounds: number[], dt: number | null): RedView {
  const w = windowed(r.calls, r.errors, r.buckets, base === undefined ? undefined : { total: base.calls, bad: base.errors, buckets: base.buckets }, dt);
  return {
    service: r.service,
    spanName: r.spanName,
    calls: r.calls,
    rate: w.rate,
    errorRatio: w.errorRatio,
    sinceStart: w.sinceStart,
    p50: q(0.5, bounds, w.buckets),
    p95: q(0.95, bounds, w.buckets),
    p99: q(0.99, bounds, w.buckets),
  };
}

function edgeView(e: EdgeRow, base: EdgeRow | undefined, bounds: number[], dt: number | null): EdgeView {
  const w = windowed(e.requests, e.failed, e.buckets, base === undefined ? undefined : { total: base.requests, bad: base.failed, buckets: base.buckets }, dt);
  return {
    client: e.client,
    server: e.server,
    connectionType: e.connectionType,
    virtualNode: e.virtualNode,
    requests: e.requests,
    rate: w.rate,
    errorRatio: w.errorRatio,
    sinceStart: w.sinceStart,
    p50: q(0.5, bounds, w.buckets),
    p95: q(0.95, bounds, w.buckets),
  };
}

/**
 * How many table rows and edges a view carries: a registry with tens of
 * thousands of span names would otherwise cost megabytes of JSON per poll and
 * a table no one reads. The busiest win: most calls in the window, or since
 * start before there is one.
 */
export const LIMITS = { red: 300, edges: 200 };

/** The `limit` entries of `rows` with the largest `count` in the window, in their map order. */
function busiest<R>(rows: Map<string, R>, base: Map<string, R> | undefined, count: (r: R) => number, limit: number): [string, R][] {
  if (rows.size <= limit) return [...rows];
  // The top `limit` by a bounded min-heap, not a sort of every row: at a million series there are ~50 k rows,
  // and sorting them all held the event loop for tens of ms per poll. Ties go to the earlier row, as a stable sort's would.
  const heap: Scored<R>[] = [];
  let i = 0;
  for (const [k, r] of rows) {
    const b = base?.get(k);
    const x: Scored<R> = { k, r, score: increase(count(r), b === undefined ? undefined : count(b)), total: count(r), i: i++ };
    if (heap.length < limit) {
      heap.push(x);
      siftUp(heap, heap.length - 1);
    } else if (worse(heap[0], x)) {
      heap[0] = x;
      siftDown(heap, 0);
    }
  }
  heap.sort((a, b) => (worse(a, b) ? 1 : -1));
  return heap.map((x): [string, R] => [x.k, x.r]);
}

interface Scored<R> {
  k: string;
  r: R;
  score: number;
  total: number;
  /** the row's place, for ties */
  i: number;
}

/** Whether `a` ranks below `b`: a lower increase, then a lower total, then a later row. */
function worse<R>(a: Scored<R>, b: Scored<R>): boolean {
  if (a.score !== b.score) return a.score < b.score;
  if (a.total !== b.total) return a.total < b.total;
  return a.i > b.i;
}

/** The heap's root is its worst row. */
function siftUp<R>(h: Scored<R>[], at: number): void {
  while (at > 0) {
    const up = (at - 1) >> 1;
    if (!worse(h[at], h[up])) return;
    [h[at], h[up]] = [h[up], h[at]];
    at = up;
  }
}

function siftDown<R>(h: Scored<R>[], at: number): void {
  for (;;) {
    const l = 2 * at + 1;
    const r = l + 1;
    let m = at;
    if (l < h.length && worse(h[l], h[m])) m = l;
    if (r < h.length && worse(h[r], h[m])) m = r;
    if (m === at) return;
    [h[at], h[m]] = [h[m], h[at]];
    at = m;
  }
}

/** The page's figures from the latest snapshot and its baseline. */
export function liveView(
  head: { version: string; tenant: string; tenants: string[] },
  current: Snapshot,
  base: Snapshot | undefined,
  health: TenantHealth | undefined,
  kafka: KafkaHealth | null,
): LiveView {
  const dt = base === undefined ? null : (current.ts - base.ts) / 1000;
  const s = current.summary;
  const red = busiest(s.red, base?.summary.red, (r) => r.calls, LIMITS.red).map(([k, r]) => redView(r, base?.summary.red.get(k), s.redBounds, dt));
  red.sort((a, b) => (a.service === b.service ? cmp(a.spanName, b.spanName) : cmp(a.service, b.service)));
  const edges = busiest(s.edges, base?.summary.edges, (e) => e.requests, LIMITS.edges).map(([k, e]) => edgeView(e, base?.summary.edges.get(k), s.edgeBounds, dt));
  edges.sort((a, b) => (a.client === b.client ? cmp(a.server, b.server) : cmp(a.client, b.client)));
  return {
    ...head,
    now: current.ts,
    windowSeconds: dt,
    red,
    redTotal: s.red.size,
    nodes: graphNodes(edges),
    edges,
    edgesTotal: s.edges.size,
    health: health === undefined ? null : { ...health, spansRate: dt === null ? null : increase(current.spansReceived, base?.spansReceived) / dt },
    kafka,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
