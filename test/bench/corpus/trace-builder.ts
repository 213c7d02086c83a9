/**
 * Grows one trace over the shop: a root HTTP server span, then breadth-first
 * each server (or consumer) span gets the children its endpoint's plan calls
 * for — HTTP client → server pairs down the call graph, DB calls, a Kafka
 * producer → consumer pair, internal spans — until the trace reaches its
 * target size. Status codes and errors are decided here; times are not
 * (timing.ts lays them out once the trace is complete).
 */
import type { Rng } from "./rng.ts";
import type { Instance, Op, Service } from "./shop.ts";
import { type GSpan, Type } from "./span.ts";
import { INTERNAL_VERBS } from "./vocabulary.ts";

/** Builds one trace's spans into `spans`, drawing from the corpus Rng. */
export class TraceBuilder {
  /** every span of the trace, in creation order (the root first) */
  spans: GSpan[] = [];
  /** server and consumer spans: the ones that get children */
  private servers: GSpan[] = [];

  constructor(
    private readonly rng: Rng,
    private readonly services: Service[],
    private readonly trace: Uint8Array,
    private readonly nameVariants: number,
  ) {}

  /** A span id; an all-zero id is invalid in OTLP, so draw again. */
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
    // the cardinality knob: an un-templated route, one of `nameVariants` ids round-robin per endpoint
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
