/**
 * A small microservice topology recorded by real OpenTelemetry JS SDK
 * instances — one per service, trace context handed from client to server
 * through the W3C traceparent propagator as it would cross HTTP:
 *
 *   user ──► frontend ──► checkout ──► payment (fails)
 *                            ├──► postgres (database, by server.address pg.internal)
 *                            └──► shipping (producer → consumer)
 *
 * Durations are exact (integer nanoseconds), so every latency is known:
 * frontend→checkout 75 ms client / 71 ms server, checkout→payment 30 / 26 ms,
 * the database call 4 ms, the messaging gap 7 ms.
 */
import { type Context, type HrTime, ROOT_CONTEXT, SpanKind, SpanStatusCode, defaultTextMapGetter, defaultTextMapSetter, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { TestTracer, hrNow } from "../support/otel-sdk.ts";

export const SERVICES = ["frontend", "checkout", "payment", "shipping"] as const;
const propagator = new W3CTraceContextPropagator();

/** `ms` before `end`, in exact integer nanoseconds (a double of epoch ns would round to 256 ns). */
function at([sec, ns]: HrTime, ms: number): HrTime {
  const total = BigInt(sec) * 1_000_000_000n + BigInt(ns) - BigInt(Math.round(ms * 1e6));
  return [Number(total / 1_000_000_000n), Number(total % 1_000_000_000n)];
}

/** One SDK per service, sending OTLP/HTTP protobuf to `otlpHttpUrl`. */
export class Topology implements AsyncDisposable {
  private readonly tracers: Record<string, TestTracer> = {};

  constructor(otlpHttpUrl: string) {
    for (const service of SERVICES) {
      this.tracers[service] = new TestTracer({ endpoint: otlpHttpUrl, encoding: "protobuf", gzip: false, resource: { "service.name": service } });
    }
  }

  /** Records `n` traces ending now and exports them, each service on its own, servers before clients for payment. */
  async send(n: number): Promise<void> {
    for (let i = 0; i < n; i++) this.trace(hrNow());
    for (const service of ["payment", "frontend", "checkout", "shipping"]) await this.tracers[service].flush();
  }

  private span(service: string, name: string, kind: SpanKind, parent: Record<string, string> | Context | undefined, startMs: number, endMs: number, now: HrTime, attributes = {}, error = false) {
    const ctx = parent === undefined ? ROOT_CONTEXT : "getValue" in parent ? (parent as Context) : propagator.extract(ROOT_CONTEXT, parent, defaultTextMapGetter);
    const s = this.tracers[service].tracer.startSpan(name, { kind, startTime: at(now, -startMs), attributes }, ctx as Context);
    if (error) s.setStatus({ code: SpanStatusCode.ERROR });
    s.end(at(now, -endMs));
    const carrier: Record<string, string> = {};
    propagator.inject(trace.setSpan(ROOT_CONTEXT, s), carrier, defaultTextMapSetter);
    return { ctx: trace.setSpan(ROOT_CONTEXT, s), carrier };
  }

  private trace(now: HrTime): void {
    // offsets in ms relative to a base 100 ms in the past
    const t = (ms: number) => ms - 100;
    const root = this.span("frontend", "GET /", SpanKind.SERVER, undefined, t(0), t(90), now);
    const toCheckout = this.span("frontend", "POST /checkout", SpanKind.CLIENT, root.ctx, t(5), t(80), now);
    const checkout = this.span("checkout", "POST /checkout", SpanKind.SERVER, toCheckout.carrier, t(7), t(78), now);
    const toPayment = this.span("checkout", "POST /pay", SpanKind.CLIENT, checkout.ctx, t(10), t(40), now);
    this.span("payment", "POST /pay", SpanKind.SERVER, toPayment.carrier, t(12), t(38), now, {}, true);
    this.span("checkout", "SELECT orders", SpanKind.CLIENT, checkout.ctx, t(41), t(45), now, { "db.system": "postgresql", "server.address": "pg.internal" });
    const publish = this.span("checkout", "publish order", SpanKind.PRODUCER, checkout.ctx, t(46), t(48), now);
    this.span("shipping", "consume order", SpanKind.CONSUMER, publish.carrier, t(55), t(60), now);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const t of Object.values(this.tracers)) await t.shutdown();
  }
}
