/**
 * The traffic the end-to-end tests send, and what Tempo's span-metrics
 * processor makes of it with the seed buckets (spec §4): each group is one
 * label set; its durations are chosen to land in known buckets, two of them
 * exactly on a bucket bound (5 ms, 50 ms: `le` is inclusive).
 */
import { SpanKind, SpanStatusCode, type SpanStatus } from "@opentelemetry/api";
import type { RecordedSpan, TestTracer } from "../support/otel-sdk.ts";
import { recordSpan } from "../support/otel-sdk.ts";
import type { Sample } from "../support/prometheus.ts";

/** The `le` values of the test buckets, as Tempo spells them (FormatFloat 'f', -1), then +Inf. */
export const LE = ["0.002", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"];

export interface Group {
  spanName: string;
  kind: SpanKind;
  status?: SpanStatus;
  /** the http.method span attribute; "" is sent as an empty string (the label must then be absent) */
  httpMethod?: string;
  durationsMs: number[];
  /** the labels Tempo derives, besides `service` */
  labels: Record<string, string>;
  /** cumulative bucket counts, one per entry of LE */
  buckets: number[];
  sum: number;
  /** le → index into durationsMs of the span whose exemplar that bucket carries (the last one observed) */
  exemplars: Record<string, number>;
}

export const GROUPS: Group[] = [
  {
    spanName: "GET /users",
    kind: SpanKind.SERVER,
    httpMethod: "GET",
    durationsMs: [1, 3, 5, 20],
    labels: { span_name: "GET /users", span_kind: "SPAN_KIND_SERVER", status_code: "STATUS_CODE_UNSET", http_method: "GET" },
    buckets: [1, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4],
    sum: 0.029,
    exemplars: { "0.002": 0, "0.005": 2, "0.025": 3 },
  },
  {
    spanName: "POST /orders",
    kind: SpanKind.SERVER,
    status: { code: SpanStatusCode.ERROR, message: "payment declined" },
    httpMethod: "POST",
    durationsMs: [300, 3000],
    labels: { span_name: "POST /orders", span_kind: "SPAN_KIND_SERVER", status_code: "STATUS_CODE_ERROR", http_method: "POST" },
    buckets: [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2],
    sum: 3.3,
    exemplars: { "0.5": 0, "5": 1 },
  },
  {
    spanName: "SELECT orders",
    kind: SpanKind.CLIENT,
    status: { code: SpanStatusCode.OK },
    durationsMs: [50],
    labels: { span_name: "SELECT orders", span_kind: "SPAN_KIND_CLIENT", status_code: "STATUS_CODE_OK" },
    buckets: [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    sum: 0.05,
    exemplars: { "0.05": 0 },
  },
  {
    spanName: "publish order",
    kind: SpanKind.PRODUCER,
    httpMethod: "",
    durationsMs: [7],
    labels: { span_name: "publish order", span_kind: "SPAN_KIND_PRODUCER", status_code: "STATUS_CODE_UNSET" },
    buckets: [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    sum: 0.007,
    exemplars: { "0.01": 0 },
  },
  {
    spanName: "recompute",
    kind: SpanKind.INTERNAL,
    durationsMs: [12_000],
    labels: { span_name: "recompute", span_kind: "SPAN_KIND_INTERNAL", status_code: "STATUS_CODE_UNSET" },
    buckets: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
    sum: 12,
    exemplars: { "+Inf": 0 },
  },
];

export const SPAN_COUNT = GROUPS.reduce((n, g) => n + g.durationsMs.length, 0);
export const EXEMPLAR_COUNT = GROUPS.reduce((n, g) => n + Object.keys(g.exemplars).length, 0);

/** The spans of one group, in the order they were ended. */
export type Sent = Map<Group, RecordedSpan[]>;

/** Records every span of GROUPS (in table order) and sends them in one OTLP request. */
export async function sendScenario(t: TestTracer): Promise<Sent> {
  const sent: Sent = new Map();
  for (const g of GROUPS) {
    const spans = g.durationsMs.map((durationMs) =>
      recordSpan(t.tracer, {
        name: g.spanName,
        kind: g.kind,
        durationMs,
        status: g.status,
        attributes: g.httpMethod === undefined ? undefined : { "http.method": g.httpMethod },
      }),
    );
    sent.set(g, spans);
  }
  const exported = await t.flush();
  if (exported !== SPAN_COUNT) throw new Error(`the SDK exported ${exported} spans, expected ${SPAN_COUNT}`);
  return sent;
}

/** Labels that identify a series within one test: all but __name__, le and the instance label. */
export function seriesKey(labels: Record<string, string>): string {
  const keys = Object.keys(labels)
    .filter((k) => k !== "__name__" && k !== "le" && k !== "__metrics_gen_instance")
    .sort();
  return `{${keys.map((k) => `${k}="${labels[k]}"`).join(",")}}`;
}

/** The expected series key of a group for `service`, plus any extra labels (e.g. tenant). */
export function groupKey(g: Group, service: string, extra: Record<string, string> = {}): string {
  return seriesKey({ service, ...g.labels, ...extra });
}

/** Query answer (or parsed exposition) as seriesKey → value. */
export function byKey(samples: { metric?: Record<string, string>; labels?: Record<string, string>; value: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    const k = seriesKey(s.metric ?? s.labels ?? {});
    if (k in out) throw new Error(`two series with the labels ${k}`);
    out[k] = s.value;
  }
  return out;
}

/** Expected seriesKey → value for a per-group quantity. */
export function expectedByGroup(service: string, value: (g: Group) => number, extra: Record<string, string> = {}): Record<string, number> {
  return Object.fromEntries(GROUPS.map((g) => [groupKey(g, service, extra), value(g)]));
}

/** Expected seriesKey + le → cumulative count. */
export function expectedBuckets(service: string, extra: Record<string, string> = {}): Record<string, number> {
  const out: Record<string, number> = {};
  for (const g of GROUPS) for (let i = 0; i < LE.length; i++) out[`${groupKey(g, service, extra)} le=${LE[i]}`] = g.buckets[i];
  return out;
}

/** Bucket samples as seriesKey + le → value. */
export function bucketsByKey(samples: { metric?: Record<string, string>; labels?: Record<string, string>; value: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    const labels = s.metric ?? s.labels ?? {};
    out[`${seriesKey(labels)} le=${labels.le}`] = s.value;
  }
  return out;
}

/** Total of a query answer's values. */
export function total(samples: Sample[]): number {
  return samples.reduce((n, s) => n + s.value, 0);
}
