/**
 * The load generator of the end-to-end bench, run as its own process so its
 * CPU is not redgen's: replays a corpus over OTLP/HTTP protobuf (fetch) or
 * OTLP/gRPC (one node:http2 session, the pre-encoded message framed as gRPC
 * does it) with several requests in flight, each batch patched just before
 * sending so its spans end "now" and its trace ids are unique per pass.
 * Prints one JSON line with what was sent and accepted.
 *
 * Both protocols send the same bytes without re-encoding them: a gRPC
 * framework client (connect-node) spent 2 ms of CPU per 270 KB request
 * serializing and enveloping it, 0.75 of the machine's 2 cores, which made
 * every server's gRPC figure on this machine a figure of that contention.
 *
 *   bun test/bench/load.ts --corpus DIR --protocol http|grpc --url http://127.0.0.1:PORT
 *       [--tenant bench] [--duration 10] [--concurrency 8] [--pass-base 0]
 */
import http2 from "node:http2";
import { fromBinary } from "@bufbuild/protobuf";
import { ExportTraceServiceResponseSchema } from "../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { readCorpusDir } from "./corpus.ts";
import { type PatchIndex, indexBatch, patch, shiftToNow } from "./wire-patch.ts";

export interface LoadResult {
  protocol: string;
  requests: number;
  spansSent: number;
  spansAccepted: number;
  spansRejected: number;
  failedRequests: number;
  firstError: string;
  /** first send to last answer */
  elapsedMs: number;
  concurrency: number;
}

function args(): Record<string, string> {
  const out: Record<string, string> = {};
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    if (!a[i].startsWith("--")) throw new Error(`unexpected argument ${a[i]}`);
    const eq = a[i].indexOf("=");
    if (eq > 0) out[a[i].slice(2, eq)] = a[i].slice(eq + 1);
    else out[a[i].slice(2)] = a[++i];
  }
  return out;
}

type Send = (body: Uint8Array) => Promise<{ ok: boolean; rejected: number; error?: string }>;

function httpSender(url: string, tenant: string, extra: Record<string, string>): Send {
  const endpoint = `${url}/v1/traces`;
  const headers = { "content-type": "application/x-protobuf", "x-scope-orgid": tenant, ...extra };
  return async (body) => {
    const res = await fetch(endpoint, { method: "POST", body, headers });
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (res.status !== 200) return { ok: false, rejected: 0, error: `HTTP ${res.status}: ${new TextDecoder().decode(bytes).slice(0, 200)}` };
    const r = bytes.length === 0 ? undefined : fromBinary(ExportTraceServiceResponseSchema, bytes);
    return { ok: true, rejected: Number(r?.partialSuccess?.rejectedSpans ?? 0n) };
  };
}

const EXPORT_PATH = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

function grpcSender(url: string, tenant: string, extra: Record<string, string>): Send {
  const session = http2.connect(url);
  session.on("error", () => undefined);
  const headers = { ":method": "POST", ":path": EXPORT_PATH, "content-type": "application/grpc", te: "trailers", "x-scope-orgid": tenant, ...extra };
  return (body) => {
    const { promise, resolve } = Promise.withResolvers<{ ok: boolean; rejected: number; error?: string }>();
    const prefix = new Uint8Array(5);
    new DataView(prefix.buffer).setUint32(1, body.length);
    const stream = session.request(headers);
    const chunks: Buffer[] = [];
    let status: string | undefined;
    let message = "";
    const status$ = (h: http2.IncomingHttpHeaders) => {
      if (h["grpc-status"] === undefined) return;
      status = String(h["grpc-status"]);
      message = decodeURIComponent(String(h["grpc-message"] ?? ""));
    };
    stream.on("response", status$); // a trailers-only answer
    stream.on("trailers", status$);
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("error", (e) => resolve({ ok: false, rejected: 0, error: e.message }));
    stream.on("close", () => {
      if (status !== "0") return resolve({ ok: false, rejected: 0, error: `grpc-status ${status}: ${message}` });
      const frame = Buffer.concat(chunks);
      const r = frame.length > 5 ? fromBinary(ExportTraceServiceResponseSchema, frame.subarray(5)) : undefined;
      resolve({ ok: true, rejected: Number(r?.partialSuccess?.rejectedSpans ?? 0n) });
    });
    stream.write(prefix);
    stream.end(body);
    return promise;
  };
}

export async function runLoad(o: {
  batches: Uint8Array[];
  protocol: "http" | "grpc";
  url: string;
  tenant: string;
  durationMs: number;
  concurrency: number;
  passBase: number;
  /** an Authorization header value sent with every request */
  authorization?: string;
}): Promise<LoadResult> {
  const indexes: PatchIndex[] = o.batches.map(indexBatch);
  const extra: Record<string, string> = o.authorization ? { authorization: o.authorization } : {};
  const send = o.protocol === "grpc" ? grpcSender(o.url, o.tenant, extra) : httpSender(o.url, o.tenant, extra);
  const r: LoadResult = {
    protocol: o.protocol,
    requests: 0,
    spansSent: 0,
    spansAccepted: 0,
    spansRejected: 0,
    failedRequests: 0,
    firstError: "",
    elapsedMs: 0,
    concurrency: o.concurrency,
  };
  const n = o.batches.length;
  let seq = 0;
  const start = performance.now();
  const deadline = start + o.durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const k = seq++;
      const i = k % n;
      const pass = o.passBase + Math.floor(k / n);
      const body = o.batches[i].slice();
      patch(body, indexes[i], shiftToNow(indexes[i], Date.now()), pass);
      const spans = indexes[i].spans;
      r.requests++;
      r.spansSent += spans;
      const res = await send(body);
      if (res.ok) {
        r.spansAccepted += spans - res.rejected;
        r.spansRejected += res.rejected;
      } else {
        r.failedRequests++;
        if (r.firstError === "") r.firstError = res.error ?? "unknown";
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  r.elapsedMs = performance.now() - start;
  return r;
}

if (import.meta.main) {
  const a = args();
  const protocol = a.protocol === "grpc" ? "grpc" : "http";
  if (a.corpus === undefined || a.url === undefined) throw new Error("--corpus and --url are required");
  const { batches } = readCorpusDir(a.corpus);
  const result = await runLoad({
    batches,
    protocol,
    url: a.url,
    tenant: a.tenant ?? "bench",
    durationMs: Number(a.duration ?? "10") * 1000,
    concurrency: Number(a.concurrency ?? "8"),
    passBase: Number(a["pass-base"] ?? "0"),
    authorization: a.authorization,
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  // the gRPC sender keeps its HTTP/2 session open
  process.exit(0);
}
