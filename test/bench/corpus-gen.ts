/**
 * The benchmark corpus generator: realistic, seeded, deterministic OTLP
 * ExportTraceServiceRequest batches (same options → byte-identical output).
 *
 * What it models (see test/bench/README.md for the full description):
 * - a shop of `services` services (20 by default) with `operations` HTTP
 *   endpoints between them (200), 2–3 pods each on a pool of k8s nodes, ~13
 *   resource attributes per pod (service.*, k8s.*, host.*, telemetry.sdk.*);
 * - traces of 5–50 spans: a root HTTP server span, HTTP client → server pairs
 *   down a DAG of services, DB client spans (db.system/db.name or the newer
 *   db.system.name/db.namespace, peer.service on some), Kafka producer →
 *   consumer pairs, internal spans; ~15 attributes per span;
 * - ~2.5 % error spans (5xx on servers, ≥ 400 on clients, 1 % of DB calls),
 *   each with an exception event; log-normal durations;
 * - spans are emitted in end-time order (as SDKs export them) and cut into
 *   batches of `batchSpans` (512) spans, grouped by resource and scope inside
 *   a batch, like an OTel Collector's batch processor does.
 *
 * Times are RELATIVE: the corpus starts at 1 s after the Unix epoch and traces
 * arrive at `traceRate` per (virtual) second. In-process benches set the
 * pipeline clock to the batch's virtual time; senders patch the fixed64 time
 * fields to "now" (wire-patch.ts). Nothing here reads the wall clock.
 *
 * Cardinality knob: `nameVariants` > 0 appends one of `nameVariants` ids to
 * every HTTP server span name, round-robin per endpoint (an un-templated route,
 * the classic cardinality blow-up), so span-metrics label sets grow to about
 * endpoints × variants. The generator replays the processors' label rules for
 * the bench config (bench-config.ts) and reports the exact number of label
 * sets, edges, hosts and active series the registry must end up with.
 */
import { type MessageInitShape, create, toBinary } from "@bufbuild/protobuf";
import { ExportTraceServiceRequestSchema } from "../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import type { KeyValueSchema } from "../../src/gen/opentelemetry/proto/common/v1/common_pb.ts";
import type { ResourceSpansSchema, ScopeSpansSchema, SpanSchema, Span_SpanKind } from "../../src/gen/opentelemetry/proto/trace/v1/trace_pb.ts";
import { SERIES_PER_EDGE, SERIES_PER_FAILED_EDGE, SERIES_PER_HOST, SERIES_PER_SPAN_LABEL_SET } from "./bench-config.ts";

/** Bump when the output for the same options changes (cached corpora are regenerated). */
export const GENERATOR_VERSION = 4;

export interface CorpusOptions {
  seed: number;
  services: number;
  operations: number;
  /** 0: span names are route templates; N: HTTP server span names carry one of N ids per endpoint */
  nameVariants: number;
  /** minimum number of spans (whole traces are generated until it is reached) */
  minSpans: number;
  /** spans per request (the last batch may be shorter) */
  batchSpans: number;
  /** traces started per virtual second */
  traceRate: number;
}

/** Named presets; `bench:corpus --variant NAME`. Active-series targets are approximate, the manifest is exact. */
export const VARIANTS: Record<string, Omit<CorpusOptions, "seed">> = {
  /** the realistic mix the throughput benches run on (~1.2k label sets, ~23k active series) */
  base: { services: 20, operations: 200, nameVariants: 0, minSpans: 200 * 512, batchSpans: 512, traceRate: 200 },
  /** a small shop: ~1k active series */
  "1k": { services: 2, operations: 2, nameVariants: 0, minSpans: 32 * 512, batchSpans: 512, traceRate: 200 },
  /** ~100k active series */
  "100k": { services: 20, operations: 200, nameVariants: 20, minSpans: 200 * 512, batchSpans: 512, traceRate: 200 },
  /** ~1M active series */
  "1m": { services: 20, operations: 200, nameVariants: 700, minSpans: 480 * 512, batchSpans: 512, traceRate: 200 },
  /** --quick stand-ins: same shapes, small sizes */
  "quick-base": { services: 20, operations: 200, nameVariants: 0, minSpans: 24 * 512, batchSpans: 512, traceRate: 200 },
  "quick-hi": { services: 20, operations: 200, nameVariants: 4, minSpans: 24 * 512, batchSpans: 512, traceRate: 200 },
};

export const DEFAULT_SEED = 20240611;

/** What the generator knows the corpus must produce (bench config, every span in the ingestion window). */
export interface Expected {
  /** sum of traces_spanmetrics_calls_total = spans */
  calls: number;
  spanMetricsLabelSets: number;
  /** distinct (client, server, connection_type) after every edge completed or expired */
  serviceGraphEdges: number;
  serviceGraphFailedEdges: number;
  hosts: number;
  /** registry.limiter.active after the corpus and a processor shutdown (expiring the pending root edges) */
  activeSeries: number;
}

export interface Manifest {
  generator: number;
  options: CorpusOptions;
  batches: number;
  spans: number;
  traces: number;
  bytes: number;
  resources: number;
  errorSpans: number;
  /** virtual time of the first span start and the last span end, ms since the (relative) epoch */
  virtualStartMs: number;
  virtualEndMs: number;
  expected: Expected;
}

export interface Corpus {
  manifest: Manifest;
  batches: Uint8Array[];
}

// ---------------------------------------------------------------------------
// Deterministic randomness

/** sfc32 seeded through splitmix32: fast, good enough, reproducible everywhere. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  float(): number {
    return this.u32() / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }

  /** index into `cumulative` weights (ascending, last = total) */
  weighted(cumulative: readonly number[]): number {
    const x = this.float() * cumulative[cumulative.length - 1];
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  normal(): number {
    const u = 1 - this.float();
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** log-normal with the given median, in ns, clamped to [minNs, maxNs] */
  lognormalNs(medianMs: number, sigma: number, maxMs: number): number {
    const ms = Math.min(maxMs, medianMs * Math.exp(sigma * this.normal()));
    return Math.max(1000, Math.round(ms * 1e6));
  }

  exponential(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }

  fill(out: Uint8Array, offset: number, n: number): void {
    for (let i = 0; i < n; i += 4) {
      const x = this.u32();
      for (let k = 0; k < 4 && i + k < n; k++) out[offset + i + k] = (x >>> (8 * k)) & 0xff;
    }
  }
}

// ---------------------------------------------------------------------------
// The shop

const SERVICE_NAMES = [
  "frontend",
  "api-gateway",
  "auth",
  "user",
  "catalog",
  "search",
  "recommendation",
  "cart",
  "checkout",
  "payment",
  "shipping",
  "inventory",
  "pricing",
  "notification",
  "email",
  "review",
  "ad",
  "currency",
  "fraud-detection",
  "accounting",
];

const NOUNS = [
  "orders", "users", "items", "products", "carts", "payments", "shipments", "invoices", "reviews", "ads",
  "prices", "rates", "sessions", "tokens", "accounts", "addresses", "stock", "warehouses", "notifications", "emails",
  "recommendations", "categories", "coupons", "wishlists", "profiles", "suggestions", "images", "settings", "events", "quotes",
];
const SUBS = ["items", "status", "history", "details", "summary", "lines", "refunds", "labels", "tracking", "preferences"];
const LANGS = [
  { lang: "java", version: "1.44.1", oldDb: false, peerService: true },
  { lang: "nodejs", version: "1.30.1", oldDb: true, peerService: false },
  { lang: "go", version: "1.35.0", oldDb: false, peerService: false },
  { lang: "python", version: "1.33.0", oldDb: true, peerService: true },
  { lang: "dotnet", version: "1.11.2", oldDb: false, peerService: false },
];
const DBS = [
  { system: "postgresql", port: 5432 },
  { system: "mysql", port: 3306 },
  { system: "redis", port: 6379 },
  { system: "mongodb", port: 27017 },
];
const TOPICS = ["orders", "payments", "notifications", "inventory-events", "audit-log"];
const USER_AGENTS = [
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
  "okhttp/4.12.0",
  "Go-http-client/1.1",
  "python-requests/2.32.3",
];
const INTERNAL_VERBS = ["validate", "serialize", "render", "cache.lookup", "compute", "authorize", "map", "enrich"];

interface Instance {
  service: Service;
  index: number;
  podName: string;
  podIp: string;
  node: string;
  resource: MessageInitShape<typeof KeyValueSchema>[];
}

interface Db {
  system: string;
  port: number;
  name: string;
  host: string;
  ip: string;
  tables: string[];
}

interface Service {
  index: number;
  name: string;
  namespace: string;
  lang: (typeof LANGS)[number];
  ops: Op[];
  opWeights: number[];
  instances: Instance[];
  /** services this one calls over HTTP */
  downstream: number[];
  db: Db | null;
  produces: string | null;
  consumerOps: Op[];
}

interface Op {
  service: Service;
  /** index among all HTTP endpoints (the variant counter) */
  id: number;
  method: string;
  route: string;
  name: string;
  /** consumer ops process a topic instead of serving HTTP */
  topic: string | null;
  calls: number;
  dbCalls: number;
  internal: number;
  produce: boolean;
  variantCounter: number;
}

function cumulative(weights: number[]): number[] {
  let s = 0;
  return weights.map((w) => (s += w));
}

function buildShop(rng: Rng, o: CorpusOptions): Service[] {
  const services: Service[] = [];
  const nodes = Array.from({ length: Math.max(2, Math.ceil(o.services / 2.5)) }, (_, k) => `ip-10-0-${1 + (k % 3)}-${20 + k * 7}.ec2.internal`);
  let opId = 0;
  for (let i = 0; i < o.services; i++) {
    const name = i < SERVICE_NAMES.length ? SERVICE_NAMES[i] : `service-${i}`;
    const namespace = i < 2 ? "edge" : i % 3 === 0 ? "payments" : "shop";
    const lang = LANGS[i % LANGS.length];
    const s: Service = {
      index: i,
      name,
      namespace,
      lang,
      ops: [],
      opWeights: [],
      instances: [],
      downstream: [],
      db: null,
      produces: null,
      consumerOps: [],
    };
    if (i % 3 === 1 || i === o.services - 1) {
      const db = DBS[i % DBS.length];
      const dbName = `${name.replace(/-/g, "_")}_db`;
      s.db = {
        system: db.system,
        port: db.port,
        name: dbName,
        host: `${name}-${db.system}.${namespace}.svc.cluster.local`,
        ip: `10.43.${i}.${10 + (i % 7)}`,
        tables: [NOUNS[(i * 3) % NOUNS.length], NOUNS[(i * 3 + 1) % NOUNS.length], NOUNS[(i * 3 + 2) % NOUNS.length]],
      };
    }
    const pods = 2 + (i % 2);
    for (let k = 0; k < pods; k++) {
      const hash = (((i + 1) * 2654435761 + k * 40503) >>> 0).toString(36).slice(0, 5);
      const podName = `${name}-7d9f${(i * 31 + 17).toString(16)}c-${hash}`;
      const node = nodes[(i * 3 + k * 5) % nodes.length];
      const podIp = `10.42.${i}.${11 + k}`;
      s.instances.push({ service: s, index: k, podName, podIp, node, resource: [] });
    }
    services.push(s);
  }
  // HTTP endpoints: spread `operations` over the services, front ones first.
  for (let k = 0; k < Math.max(o.operations, o.services); k++) {
    const s = services[k % o.services];
    const taken = new Set(s.ops.map((x) => x.name));
    let method: string;
    let route: string;
    let name: string;
    let tries = 0;
    do {
      const r = rng.float();
      method = r < 0.6 ? "GET" : r < 0.85 ? "POST" : r < 0.95 ? "PUT" : "DELETE";
      const noun = rng.pick(NOUNS);
      const shape = rng.int(4);
      route =
        shape === 0
          ? `/api/v1/${noun}`
          : shape === 1
            ? `/api/v1/${noun}/{id}`
            : shape === 2
              ? `/api/v1/${noun}/{id}/${rng.pick(SUBS)}`
              : `/api/v2/${s.name}/${noun}`;
      if (tries++ > 8) route += `/${tries}`;
      name = `${method} ${route}`;
    } while (taken.has(name));
    s.ops.push({ service: s, id: opId++, method, route, name, topic: null, calls: 0, dbCalls: 0, internal: 0, produce: false, variantCounter: 0 });
  }
  // Call graph: a DAG by index (no cycles), 1–4 downstream services each.
  for (const s of services) {
    const later = services.filter((t) => t.index > s.index).map((t) => t.index);
    const n = Math.min(later.length, 1 + rng.int(4));
    while (s.downstream.length < n) {
      // prefer near services: a front service fans out, leaves stay leaves
      const j = later[Math.min(later.length - 1, Math.floor(rng.exponential(later.length / 3)))];
      if (!s.downstream.includes(j)) s.downstream.push(j);
    }
  }
  // Kafka: a few services publish a topic, a later service consumes it.
  const named = (n: string) => services.find((x) => x.name === n);
  const pairs: [Service | undefined, Service | undefined][] =
    o.services >= SERVICE_NAMES.length
      ? [
          [named("checkout"), named("accounting")],
          [named("payment"), named("fraud-detection")],
          [named("notification"), named("email")],
          [named("inventory"), named("accounting")],
          [named("api-gateway"), named("review")],
        ]
      : [[services[1], services[o.services - 1]]];
  for (let t = 0; t < pairs.length; t++) {
    const [producer, consumer] = pairs[t];
    if (producer === undefined || consumer === undefined || producer === consumer) continue;
    producer.produces = TOPICS[t];
    consumer.consumerOps.push({
      service: consumer,
      id: -1,
      method: "",
      route: "",
      name: `process ${TOPICS[t]}`,
      topic: TOPICS[t],
      calls: consumer.downstream.length > 0 ? 1 : 0,
      dbCalls: consumer.db !== null ? 2 : 0,
      internal: 1,
      produce: false,
      variantCounter: 0,
    });
  }
  for (const s of services) {
    for (const op of s.ops) {
      op.calls = s.downstream.length === 0 ? 0 : rng.int(3);
      op.dbCalls = s.db === null ? 0 : 1 + rng.int(3);
      op.internal = rng.int(3);
      op.produce = s.produces !== null && op.method !== "GET" && rng.chance(0.7);
    }
    // mild Zipf popularity among a service's endpoints
    s.opWeights = cumulative(s.ops.map((_, r) => 1 / (1 + r) ** 0.6));
    for (const inst of s.instances) inst.resource = resourceAttributes(s, inst);
  }
  return services;
}

function resourceAttributes(s: Service, inst: Instance): MessageInitShape<typeof KeyValueSchema>[] {
  return [
    str("service.name", s.name),
    str("service.namespace", s.namespace),
    str("service.version", `1.${s.index % 7}.${(s.index * 13) % 10}`),
    str("service.instance.id", `${inst.podName}-${s.index * 1000 + inst.index}`),
    str("deployment.environment.name", "production"),
    str("k8s.cluster.name", "prod-eu-west-1"),
    str("k8s.namespace.name", s.namespace),
    str("k8s.deployment.name", s.name),
    str("k8s.pod.name", inst.podName),
    str("k8s.node.name", inst.node),
    str("host.name", inst.podName),
    str("host.arch", "amd64"),
    str("telemetry.sdk.language", s.lang.lang),
    str("telemetry.sdk.name", "opentelemetry"),
    str("telemetry.sdk.version", s.lang.version),
  ].slice(0, s.index % 2 === 0 ? 13 : 15);
}

function str(key: string, value: string): MessageInitShape<typeof KeyValueSchema> {
  return { key, value: { value: { case: "stringValue", value } } };
}

function int(key: string, value: number): MessageInitShape<typeof KeyValueSchema> {
  return { key, value: { value: { case: "intValue", value: BigInt(value) } } };
}

// ---------------------------------------------------------------------------
// Traces

const enum Kind {
  Internal = 1,
  Server = 2,
  Client = 3,
  Producer = 4,
  Consumer = 5,
}

const enum Type {
  HttpServer,
  HttpClient,
  Db,
  Producer,
  Consumer,
  Internal,
}

/** One generated span, compact: attributes are built when its batch is encoded. */
interface GSpan {
  trace: Uint8Array;
  spanId: Uint8Array;
  parent: Uint8Array | null;
  type: Type;
  inst: Instance;
  op: Op | null;
  name: string;
  startNs: number;
  endNs: number;
  /** HTTP status code (HTTP spans), 0 otherwise */
  code: number;
  error: boolean;
  /** seed for the attribute values that vary per span */
  seed: number;
  /** the other side: target instance (HTTP client), db (Db), topic (messaging) */
  peer: Instance | null;
  db: Db | null;
  dbOp: string;
  table: string;
  topic: string;
  children: GSpan[];
  /** set while laying out times */
  selfNs: number;
}

class TraceBuilder {
  spans: GSpan[] = [];
  private servers: GSpan[] = [];

  constructor(
    private readonly rng: Rng,
    private readonly services: Service[],
    private readonly trace: Uint8Array,
    private readonly nameVariants: number,
  ) {}

  private id(): Uint8Array {
    const b = new Uint8Array(8);
    do this.rng.fill(b, 0, 8);
    while (b.every((x) => x === 0));
    return b;
  }

  private span(type: Type, inst: Instance, parent: GSpan | null, name: string): GSpan {
    const s: GSpan = {
      trace: this.trace,
      spanId: this.id(),
      parent: parent?.spanId ?? null,
      type,
      inst,
      op: null,
      name,
      startNs: 0,
      endNs: 0,
      code: 0,
      error: false,
      seed: this.rng.u32(),
      peer: null,
      db: null,
      dbOp: "",
      table: "",
      topic: "",
      children: [],
      selfNs: 0,
    };
    this.spans.push(s);
    parent?.children.push(s);
    return s;
  }

  private pickOp(s: Service): Op {
    return s.ops[this.rng.weighted(s.opWeights)];
  }

  private instanceOf(s: Service): Instance {
    return this.rng.pick(s.instances);
  }

  /** An HTTP server span for `op` (its status code decided here). */
  server(op: Op, parent: GSpan | null): GSpan {
    let name = op.name;
    if (this.nameVariants > 0 && op.id >= 0) {
      name = `${op.method} ${op.route.replace("{id}", "x")}/${op.variantCounter % this.nameVariants}`;
      op.variantCounter++;
    }
    const s = this.span(Type.HttpServer, this.instanceOf(op.service), parent, name);
    s.op = op;
    const r = this.rng.float();
    s.code = r < 0.02 ? 500 : r < 0.03 ? 503 : r < 0.045 ? 404 : r < 0.05 ? 400 : op.method === "POST" ? 201 : op.method === "DELETE" ? 204 : 200;
    s.error = s.code >= 500;
    this.servers.push(s);
    return s;
  }

  consumer(op: Op, parent: GSpan): GSpan {
    const s = this.span(Type.Consumer, this.instanceOf(op.service), parent, op.name);
    s.op = op;
    s.topic = op.topic as string;
    s.error = this.rng.chance(0.01);
    this.servers.push(s);
    return s;
  }

  /** Adds one child of `parent` of the given kind; returns how many spans it made. */
  private child(parent: GSpan, what: "call" | "db" | "produce" | "internal"): number {
    const op = parent.op as Op;
    const svc = op.service;
    if (what === "call" && svc.downstream.length > 0) {
      const target = this.services[this.rng.pick(svc.downstream)];
      const tOp = this.pickOp(target);
      const client = this.span(Type.HttpClient, parent.inst, parent, tOp.method);
      const server = this.server(tOp, client);
      client.op = tOp;
      client.peer = server.inst;
      client.code = server.code;
      client.error = server.code >= 400;
      return 2;
    }
    if (what === "db" && svc.db !== null) {
      const table = this.rng.pick(svc.db.tables);
      const dbOp = svc.db.system === "redis" ? this.rng.pick(["GET", "SET", "HGETALL", "EXPIRE"]) : this.rng.pick(["SELECT", "SELECT", "SELECT", "INSERT", "UPDATE", "DELETE"]);
      const s = this.span(Type.Db, parent.inst, parent, svc.db.system === "redis" ? dbOp : `${dbOp} ${svc.db.name}.${table}`);
      s.db = svc.db;
      s.dbOp = dbOp;
      s.table = table;
      s.error = this.rng.chance(0.015);
      return 1;
    }
    if (what === "produce" && svc.produces !== null) {
      const topic = svc.produces;
      const consumerOp = this.services.flatMap((x) => x.consumerOps).find((c) => c.topic === topic);
      if (consumerOp === undefined) return 0;
      const p = this.span(Type.Producer, parent.inst, parent, `send ${topic}`);
      p.topic = topic;
      p.error = this.rng.chance(0.005);
      this.consumer(consumerOp, p);
      return 2;
    }
    this.span(Type.Internal, parent.inst, parent, `${svc.name}.${this.rng.pick(INTERNAL_VERBS)}`);
    return 1;
  }

  /** Expands the trace breadth-first until about `target` spans. */
  build(root: Op, target: number): void {
    this.server(root, null);
    let next = 0;
    while (next < this.servers.length && this.spans.length < target) {
      const p = this.servers[next++];
      const op = p.op as Op;
      const plan: ("call" | "db" | "produce" | "internal")[] = [];
      for (let k = 0; k < op.calls; k++) plan.push("call");
      for (let k = 0; k < op.dbCalls; k++) plan.push("db");
      for (let k = 0; k < op.internal; k++) plan.push("internal");
      if (op.produce) plan.push("produce");
      for (const what of plan) {
        if (this.spans.length + 2 > target) break;
        if (this.rng.chance(0.85)) this.child(p, what);
      }
    }
    // Too small: more work on random servers (N+1 queries, retries, fan-out).
    let guard = 0;
    while (this.spans.length < target - 1 && guard++ < 200) {
      const p = this.rng.pick(this.servers);
      const r = this.rng.float();
      this.child(p, r < 0.4 ? "db" : r < 0.7 ? "call" : "internal");
    }
  }
}

/** Lays out times: children run one after another inside their parent. Returns the span's end. */
function layout(rng: Rng, s: GSpan, start: number): number {
  s.startNs = start;
  if (s.type === Type.Db) return (s.endNs = start + rng.lognormalNs(s.db?.system === "redis" ? 0.4 : 2.5, 1.0, 800));
  if (s.type === Type.Internal) return (s.endNs = start + rng.lognormalNs(0.3, 1.2, 200));
  if (s.type === Type.Producer) {
    s.endNs = start + rng.lognormalNs(1.2, 0.7, 300);
    // the consumer runs later, outside the producer (queue lag)
    for (const c of s.children) layout(rng, c, s.endNs + rng.lognormalNs(15, 1.0, 1500));
    return s.endNs;
  }
  if (s.type === Type.HttpClient) {
    const server = s.children[0];
    const net = rng.lognormalNs(0.25, 0.5, 20);
    const serverEnd = layout(rng, server, start + net);
    return (s.endNs = serverEnd + rng.lognormalNs(0.25, 0.5, 20));
  }
  // server or consumer: some own time, then children in order, then some more
  let cursor = start + rng.lognormalNs(1.5, 0.8, 400);
  for (const c of s.children) {
    const end = layout(rng, c, cursor);
    cursor = c.type === Type.Producer ? c.endNs : end;
    cursor += rng.lognormalNs(0.05, 0.8, 20);
  }
  return (s.endNs = cursor + rng.lognormalNs(0.8, 0.8, 400));
}

// ---------------------------------------------------------------------------
// Encoding

const SCOPES: Record<Type, string> = {
  [Type.HttpServer]: "io.opentelemetry.http-server",
  [Type.HttpClient]: "io.opentelemetry.http-client",
  [Type.Db]: "io.opentelemetry.db",
  [Type.Producer]: "io.opentelemetry.kafka",
  [Type.Consumer]: "io.opentelemetry.kafka",
  [Type.Internal]: "app",
};

const KINDS: Record<Type, Kind> = {
  [Type.HttpServer]: Kind.Server,
  [Type.HttpClient]: Kind.Client,
  [Type.Db]: Kind.Client,
  [Type.Producer]: Kind.Producer,
  [Type.Consumer]: Kind.Consumer,
  [Type.Internal]: Kind.Internal,
};

/** ~15 semconv attributes per span, values partly drawn from the span's own seed. */
function spanAttributes(s: GSpan): MessageInitShape<typeof KeyValueSchema>[] {
  const r = new Rng(s.seed);
  const svc = s.inst.service;
  const thread = [int("thread.id", 20 + r.int(200)), str("thread.name", `worker-${r.int(64)}`)];
  switch (s.type) {
    case Type.HttpServer: {
      const op = s.op as Op;
      return [
        str("http.request.method", op.method),
        str("http.route", op.route),
        str("url.path", op.route.replace("{id}", String(100000 + r.int(900000)))),
        str("url.scheme", "http"),
        int("http.response.status_code", s.code),
        str("server.address", `${svc.name}.${svc.namespace}.svc.cluster.local`),
        int("server.port", 8080),
        str("network.protocol.version", "1.1"),
        str("network.peer.address", `10.42.${r.int(20)}.${11 + r.int(3)}`),
        int("network.peer.port", 30000 + r.int(30000)),
        str("client.address", `10.42.${r.int(20)}.${11 + r.int(3)}`),
        str("user_agent.original", r.pick(USER_AGENTS)),
        int("http.request.body.size", op.method === "GET" ? 0 : 200 + r.int(4000)),
        int("http.response.body.size", 100 + r.int(20000)),
        ...thread,
      ];
    }
    case Type.HttpClient: {
      const op = s.op as Op;
      const peer = s.peer as Instance;
      const host = `${peer.service.name}.${peer.service.namespace}.svc.cluster.local`;
      const out = [
        str("http.request.method", op.method),
        str("url.full", `http://${host}:8080${op.route.replace("{id}", String(100000 + r.int(900000)))}`),
        str("url.scheme", "http"),
        str("server.address", host),
        int("server.port", 8080),
        int("http.response.status_code", s.code),
        str("network.peer.address", peer.podIp),
        int("network.peer.port", 8080),
        str("network.protocol.version", "1.1"),
        int("http.request.resend_count", 0),
        int("http.response.body.size", 100 + r.int(20000)),
        str("user_agent.original", `${svc.lang.lang}-http-client`),
        ...thread,
      ];
      if (svc.lang.peerService) out.push(str("peer.service", peer.service.name));
      return out;
    }
    case Type.Db: {
      const db = s.db as Db;
      const stmt = db.system === "redis" ? `${s.dbOp} ${s.table}:${r.int(100000)}` : `${s.dbOp} * FROM ${s.table} WHERE id = ?`;
      const out = svc.lang.oldDb
        ? [str("db.system", db.system), str("db.name", db.name), str("db.operation", s.dbOp), str("db.statement", stmt), str("db.sql.table", s.table)]
        : [str("db.system.name", db.system), str("db.namespace", db.name), str("db.operation.name", s.dbOp), str("db.query.text", stmt), str("db.collection.name", s.table)];
      out.push(
        str("server.address", db.host),
        int("server.port", db.port),
        str("network.peer.address", db.ip),
        int("network.peer.port", db.port),
        str("db.user", `${svc.name}_rw`),
        str("db.client.connection.pool.name", `${svc.name}-pool`),
        ...thread,
      );
      if (svc.lang.peerService) out.push(str("peer.service", `${db.system}-${svc.name}`));
      return out;
    }
    case Type.Producer:
    case Type.Consumer: {
      const out = [
        str("messaging.system", "kafka"),
        str("messaging.destination.name", s.topic),
        str("messaging.operation.type", s.type === Type.Producer ? "send" : "process"),
        str("messaging.operation.name", s.type === Type.Producer ? "send" : "process"),
        int("messaging.destination.partition.id", r.int(12)),
        str("messaging.message.id", `${r.u32().toString(16)}-${r.u32().toString(16)}`),
        str("messaging.client.id", `${svc.name}-${s.inst.index}`),
        str("messaging.kafka.message.key", String(r.int(1e6))),
        int("messaging.message.body.size", 200 + r.int(3000)),
        str("server.address", "kafka-0.kafka.svc.cluster.local"),
        int("server.port", 9092),
        str("network.peer.address", "10.44.0.5"),
        ...thread,
      ];
      if (s.type === Type.Consumer) out.push(str("messaging.consumer.group.name", svc.name), int("messaging.kafka.offset", r.int(1e9)));
      return out;
    }
    default:
      return [
        str("code.function.name", `${svc.name}.${s.name.slice(svc.name.length + 1)}`),
        str("code.file.path", `/app/src/${svc.name}/handler.${svc.lang.lang === "java" ? "java" : "ts"}`),
        int("code.line.number", 10 + r.int(900)),
        str("app.tenant", `t${r.int(50)}`),
        ...thread,
      ];
  }
}

function spanInit(s: GSpan): MessageInitShape<typeof SpanSchema> {
  const kind = KINDS[s.type];
  const msg = s.error ? (s.code > 0 ? `HTTP ${s.code}` : s.type === Type.Db ? "connection reset by peer" : "processing failed") : "";
  return {
    traceId: s.trace,
    spanId: s.spanId,
    parentSpanId: s.parent ?? new Uint8Array(0),
    flags: s.parent !== null && (kind === Kind.Server || kind === Kind.Consumer) ? 0x300 : 0x100,
    name: s.name,
    kind: kind as number as Span_SpanKind,
    startTimeUnixNano: BigInt(s.startNs),
    endTimeUnixNano: BigInt(s.endNs),
    attributes: spanAttributes(s),
    events: s.error
      ? [
          {
            timeUnixNano: BigInt(s.endNs - 1000),
            name: "exception",
            attributes: [
              str("exception.type", s.code > 0 ? "HttpError" : "IOException"),
              str("exception.message", msg),
              str("exception.stacktrace", `Error: ${msg}\n    at handler (/app/src/${s.inst.service.name}/handler.ts:42:13)\n    at process (node:internal/process:83:21)`),
            ],
          },
        ]
      : [],
    status: { code: s.error ? 2 : 0, message: msg },
  };
}

function encodeBatch(spans: GSpan[]): Uint8Array {
  const byInst = new Map<Instance, Map<string, GSpan[]>>();
  for (const s of spans) {
    let scopes = byInst.get(s.inst);
    if (scopes === undefined) byInst.set(s.inst, (scopes = new Map()));
    const scope = SCOPES[s.type];
    let list = scopes.get(scope);
    if (list === undefined) scopes.set(scope, (list = []));
    list.push(s);
  }
  const resourceSpans: MessageInitShape<typeof ResourceSpansSchema>[] = [];
  for (const [inst, scopes] of byInst) {
    const scopeSpans: MessageInitShape<typeof ScopeSpansSchema>[] = [];
    for (const [scope, list] of scopes) {
      scopeSpans.push({ scope: { name: scope, version: inst.service.lang.version }, spans: list.map(spanInit) });
    }
    resourceSpans.push({ resource: { attributes: inst.resource }, scopeSpans, schemaUrl: "https://opentelemetry.io/schemas/1.26.0" });
  }
  return toBinary(ExportTraceServiceRequestSchema, create(ExportTraceServiceRequestSchema, { resourceSpans }));
}

// ---------------------------------------------------------------------------
// What the processors must produce (bench config: bench-config.ts)

class Expectation {
  readonly labelSets = new Set<string>();
  readonly edges = new Map<string, boolean>();
  readonly hosts = new Set<string>();

  span(s: GSpan): void {
    const http = s.type === Type.HttpServer || s.type === Type.HttpClient;
    const method = http ? (s.op as Op).method : "";
    const code = http ? String(s.code) : "";
    this.labelSets.add(`${s.inst.service.name}\0${s.name}\0${KINDS[s.type]}\0${s.error ? 2 : 0}\0${method}\0${code}`);
    const svc = s.inst.service;
    if (s.type === Type.HttpServer && s.parent === null) this.edge(`user\0${svc.name}\0virtual_node`, s.error);
    if (s.type === Type.HttpClient) {
      const server = s.children[0];
      this.edge(`${svc.name}\0${server.inst.service.name}\0`, s.error || server.error);
    }
    if (s.type === Type.Db) {
      const db = s.db as Db;
      // databaseName(): peer.service, then server.address
      const server = svc.lang.peerService ? `${db.system}-${svc.name}` : db.host;
      this.edge(`${svc.name}\0${server}\0database`, s.error);
    }
    if (s.type === Type.Producer) {
      const c = s.children[0];
      this.edge(`${svc.name}\0${c.inst.service.name}\0messaging_system`, s.error || c.error);
    }
  }

  private edge(key: string, failed: boolean): void {
    this.edges.set(key, (this.edges.get(key) ?? false) || failed);
  }

  result(calls: number): Expected {
    let failed = 0;
    for (const f of this.edges.values()) if (f) failed++;
    return {
      calls,
      spanMetricsLabelSets: this.labelSets.size,
      serviceGraphEdges: this.edges.size,
      serviceGraphFailedEdges: failed,
      hosts: this.hosts.size,
      activeSeries:
        this.labelSets.size * SERIES_PER_SPAN_LABEL_SET +
        this.edges.size * SERIES_PER_EDGE +
        failed * SERIES_PER_FAILED_EDGE +
        this.hosts.size * SERIES_PER_HOST,
    };
  }
}

// ---------------------------------------------------------------------------

/** Generates the corpus in memory. Pure: the same options give the same bytes. */
export function generateCorpus(options: CorpusOptions): Corpus {
  const rng = new Rng(options.seed);
  const services = buildShop(rng, options);
  const entries = [...services[0].ops, ...(services.length > 1 ? services[1].ops : [])];
  const entryWeights = cumulative(entries.map((o, r) => (o.service.index === 0 ? 3 : 1) / (1 + r) ** 0.4));
  const all: GSpan[] = [];
  let traces = 0;
  let t = 1e9; // 1 s after the (relative) epoch: fixed64 times are never 0
  while (all.length < options.minSpans) {
    t += Math.round(rng.exponential(1e9 / options.traceRate));
    const trace = new Uint8Array(16);
    rng.fill(trace, 0, 16);
    const b = new TraceBuilder(rng, services, trace, options.nameVariants);
    b.build(entries[rng.weighted(entryWeights)], 5 + rng.int(46));
    layout(rng, b.spans[0], t);
    for (const s of b.spans) all.push(s);
    traces++;
  }
  // Exported in end order (stable); ties keep generation order.
  const order = all.map((_, i) => i);
  order.sort((x, y) => all[x].endNs - all[y].endNs || x - y);

  const expect = new Expectation();
  const batches: Uint8Array[] = [];
  let bytes = 0;
  let resources = 0;
  let errors = 0;
  let first = Number.POSITIVE_INFINITY;
  for (let i = 0; i < order.length; i += options.batchSpans) {
    const spans = order.slice(i, i + options.batchSpans).map((k) => all[k]);
    const insts = new Set<Instance>();
    for (const s of spans) {
      expect.span(s);
      insts.add(s.inst);
      if (s.error) errors++;
      if (s.startNs < first) first = s.startNs;
    }
    for (const inst of insts) expect.hosts.add(inst.node);
    resources += insts.size;
    const spread = (spans[spans.length - 1].endNs - spans[0].endNs) / 1e9;
    if (spread > 20) throw new Error(`batch ${batches.length} spans end ${spread} s apart: more than the ingestion window allows`);
    const bytesOut = encodeBatch(spans);
    bytes += bytesOut.length;
    batches.push(bytesOut);
  }
  const manifest: Manifest = {
    generator: GENERATOR_VERSION,
    options,
    batches: batches.length,
    spans: all.length,
    traces,
    bytes,
    resources,
    errorSpans: errors,
    virtualStartMs: Math.floor(first / 1e6),
    virtualEndMs: Math.ceil(all[order[order.length - 1]].endNs / 1e6),
    expected: expect.result(all.length),
  };
  return { manifest, batches };
}
