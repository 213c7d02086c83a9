/**
 * A quick local loop, not a test: OTLP/gRPC vs OTLP/HTTP throughput of the
 * compiled binary with span metrics on.
 *
 *   bun test/bench/grpc-vs-http.ts [requests=200] [spansPerRequest=500] [inFlight=8]
 *
 * Starts dist/redgen (loopback, port 0, no remote write), then for each
 * client sends `requests` ExportTraceServiceRequests of `spansPerRequest`
 * spans (50 span names × 2 kinds, an http.method dimension), keeping
 * `inFlight` requests outstanding, after a warm-up of 20 requests. Prints
 * accepted spans/s per client, redgen's own CPU seconds per million spans
 * (/proc/<pid>/stat), and checks redgen received every span.
 * Clients: connect-node gRPC (encodes each message), @grpc/grpc-js with
 * pre-encoded bytes, and fetch with pre-encoded OTLP/HTTP protobuf. Client
 * and server share the machine's cores.
 */
import { readFileSync } from "node:fs";
import { toBinary } from "@bufbuild/protobuf";
import {
  type ExportTraceServiceRequest,
  ExportTraceServiceRequestSchema,
} from "../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { parseExposition } from "../support/exposition.ts";
import { GrpcJsClient, GrpcTraceClient } from "../support/grpc-client.ts";
import { request, span } from "../support/otlp-builders.ts";
import { Redgen, testConfig } from "../support/redgen-process.ts";

const [REQUESTS, SPANS, IN_FLIGHT] = [200, 500, 8].map((d, i) => Number(process.argv[2 + i] ?? d));
const WARMUP = 20;

function batch(): ExportTraceServiceRequest {
  const spans = Array.from({ length: SPANS }, (_, i) =>
    span({ name: `op-${i % 50}`, kind: i % 2 === 0 ? 2 : 3, duration: 0.001 * (1 + (i % 40)), attributes: { "http.method": i % 3 === 0 ? "POST" : "GET" } }),
  );
  return request({ resource: { "service.name": "bench", "host.id": "bench-host" }, spans });
}

/** Runs `count` sends with `IN_FLIGHT` outstanding; resolves with the elapsed seconds. */
async function loop(count: number, send: () => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < count) {
      next++;
      await send();
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return (performance.now() - t0) / 1000;
}

/** CPU seconds (user + system) the process has used so far, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

async function spansReceived(redgen: Redgen): Promise<number> {
  return parseExposition(await redgen.selfMetrics())
    .filter((s) => s.name === "tempo_metrics_generator_spans_received_total")
    .reduce((n, s) => n + s.value, 0);
}

await using redgen = await Redgen.start({ config: testConfig({ grpc: {}, collectionInterval: "15s" }) });
const clients: { name: string; send: () => Promise<void>; close(): void }[] = [];
{
  const req = batch();
  const connect = new GrpcTraceClient(redgen.otlpGrpcUrl);
  clients.push({ name: "gRPC (connect-node client)", send: async () => void (await connect.export(req)), close: () => connect.close() });
}
{
  const bytes = toBinary(ExportTraceServiceRequestSchema, batch());
  const grpcJs = new GrpcJsClient(redgen.otlpGrpcEndpoint);
  clients.push({
    name: "gRPC (grpc-js, pre-encoded)",
    send: async () => {
      const r = await grpcJs.call(bytes);
      if (r.code !== 0) throw new Error(`gRPC ${r.code}: ${r.details}`);
    },
    close: () => grpcJs.close(),
  });
}
{
  const bytes = toBinary(ExportTraceServiceRequestSchema, batch());
  const url = `${redgen.otlpHttpUrl}/v1/traces`;
  clients.push({
    name: "HTTP protobuf (fetch, pre-encoded)",
    send: async () => {
      const res = await fetch(url, { method: "POST", headers: { "Content-Type": "application/x-protobuf" }, body: bytes });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    },
    close: () => undefined,
  });
}

console.log(`redgen ${redgen.otlpGrpcEndpoint}: ${REQUESTS} requests × ${SPANS} spans, ${IN_FLIGHT} in flight, span metrics on`);
for (const c of clients) {
  const before = await spansReceived(redgen);
  await loop(WARMUP, c.send);
  const cpu0 = cpuSeconds(redgen.pid);
  const seconds = await loop(REQUESTS, c.send);
  const cpuPerMillion = ((cpuSeconds(redgen.pid) - cpu0) / (REQUESTS * SPANS)) * 1e6;
  const received = (await spansReceived(redgen)) - before;
  const expected = (WARMUP + REQUESTS) * SPANS;
  const rate = Math.round((REQUESTS * SPANS) / seconds);
  console.log(
    `${c.name.padEnd(36)} ${String(rate).padStart(9)} spans/s  (${(REQUESTS / seconds).toFixed(0)} req/s, ${seconds.toFixed(2)} s; redgen ${cpuPerMillion.toFixed(1)} CPU-s per million spans)` +
      (received === expected ? "" : `  MISMATCH: redgen received ${received} spans, sent ${expected}`),
  );
  c.close();
}
