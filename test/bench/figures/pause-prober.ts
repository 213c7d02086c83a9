/**
 * The other process of pause.<variant> (pause-child.ts starts it): what
 * talks to redgen from outside while a long job runs, so none of this work
 * shares redgen's event loop. It
 *   - accepts remote write on a sink (every request answered 204),
 *   - sends a small OTLP/HTTP request (10 spans) every PROBE_EVERY_MS to
 *     redgen's receiver while asked to, and remembers when each was sent and
 *     how long its answer took,
 *   - fetches a URL of redgen's API on request (a scrape, a live-page poll).
 * Control is HTTP on its own port: `POST /probe/start?url=…`,
 * `POST /probe/stop` (answers the recorded requests), `GET /fetch?url=…`
 * (answers status, bytes and milliseconds).
 *
 *   bun test/bench/figures/pause-prober.ts     prints {"port": N}
 */
import { create, toBinary } from "@bufbuild/protobuf";
import { ExportTraceServiceRequestSchema } from "../../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { Span_SpanKind } from "../../../src/gen/opentelemetry/proto/trace/v1/trace_pb.ts";

/** A small request every 5 ms: 200 requests/s, a light but steady client. */
const PROBE_EVERY_MS = 5;
const SPANS = 10;

/** One probe request: wall-clock send time (ms since the epoch) and its latency. */
export interface ProbeRecord {
  sentAt: number;
  ms: number;
  status: number;
}

function str(key: string, value: string) {
  return { key, value: { value: { case: "stringValue" as const, value } } };
}

/** 10 server spans of one trace of the service "probe", ending now. */
function probeRequest(n: number): Uint8Array {
  const end = BigInt(Date.now()) * 1_000_000n;
  const traceId = new Uint8Array(16);
  new DataView(traceId.buffer).setUint32(0, n + 1);
  traceId[15] = 1;
  const spans = Array.from({ length: SPANS }, (_, i) => {
    const spanId = new Uint8Array(8);
    spanId[0] = i + 1;
    return {
      traceId,
      spanId,
      name: `GET /probe/${i}`,
      kind: Span_SpanKind.SERVER,
      startTimeUnixNano: end - 2_000_000n,
      endTimeUnixNano: end,
      attributes: [str("http.request.method", "GET")],
    };
  });
  const req = create(ExportTraceServiceRequestSchema, {
    resourceSpans: [{ resource: { attributes: [str("service.name", "probe")] }, scopeSpans: [{ spans }] }],
  });
  return toBinary(ExportTraceServiceRequestSchema, req);
}

let records: ProbeRecord[] = [];
let timer: ReturnType<typeof setInterval> | undefined;
/** requests sent, ever (trace ids), and answers not yet in */
let traces = 0;
let inFlight = 0;

function startProbing(url: string, tenant: string): void {
  records = [];
  timer = setInterval(() => {
    const body = probeRequest(traces++);
    const sentAt = Date.now();
    const t0 = performance.now();
    inFlight++;
    fetch(`${url}/v1/traces`, { method: "POST", body, headers: { "content-type": "application/x-protobuf", "x-scope-orgid": tenant } })
      .then(
        async (res) => {
          await res.arrayBuffer();
          records.push({ sentAt, ms: performance.now() - t0, status: res.status });
        },
        () => records.push({ sentAt, ms: performance.now() - t0, status: 0 }),
      )
      .finally(() => inFlight--);
  }, PROBE_EVERY_MS);
}

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(req) {
    const u = new URL(req.url);
    if (u.pathname === "/api/v1/write") {
      await req.arrayBuffer();
      return new Response(null, { status: 204 });
    }
    if (u.pathname === "/probe/start") {
      startProbing(u.searchParams.get("url") as string, u.searchParams.get("tenant") ?? "bench");
      return Response.json({ ok: true });
    }
    if (u.pathname === "/probe/stop") {
      clearInterval(timer);
      // answers still in flight are waited for (at most a few seconds)
      for (let i = 0; i < 500 && inFlight > 0; i++) await Bun.sleep(10);
      const out = records;
      records = [];
      return Response.json(out);
    }
    if (u.pathname === "/fetch") {
      const t0 = performance.now();
      const res = await fetch(u.searchParams.get("url") as string, { headers: JSON.parse(u.searchParams.get("headers") ?? "{}") });
      // counted as it arrives: a quarter-gigabyte scrape is never held here (this loop keeps probing meanwhile)
      let bytes = 0;
      for await (const chunk of res.body ?? []) bytes += chunk.length;
      return Response.json({ status: res.status, bytes, ms: performance.now() - t0 });
    }
    return new Response("not found", { status: 404 });
  },
});
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
