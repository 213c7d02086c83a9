/**
 * The load generator of the end-to-end bench, run as its own process so its
 * CPU is not redgen's: replays a corpus over OTLP/HTTP protobuf or OTLP/gRPC
 * (connect-node's gRPC transport) with several requests in flight, each batch
 * patched just before sending so its spans end "now" and its trace ids are
 * unique per pass. Prints one JSON line with what was sent and accepted.
 *
 *   bun test/bench/load.ts --corpus DIR --protocol http|grpc --url http://127.0.0.1:PORT
 *       [--tenant bench] [--duration 10] [--concurrency 8] [--pass-base 0]
 */
import { create, fromBinary } from "@bufbuild/protobuf";
import { WireType } from "@bufbuild/protobuf/wire";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import {
  ExportTraceServiceRequestSchema,
  ExportTraceServiceResponseSchema,
  TraceService,
} from "../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
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

function grpcSender(url: string, tenant: string, extra: Record<string, string>): Send {
  const client = createClient(TraceService, createGrpcTransport({ baseUrl: url }));
  const headers = { "x-scope-orgid": tenant, ...extra };
  return async (body) => {
    // The request's bytes go out as they are: one unknown field entry that
    // re-creates them exactly (tag 1/LEN of the first ResourceSpans + the rest),
    // so the sender does not pay a protobuf-es decode and encode per request.
    if (body[0] !== 0x0a) throw new Error("a request must start with field 1 (resource_spans)");
    const req = create(ExportTraceServiceRequestSchema);
    req.$unknown = [{ no: 1, wireType: WireType.LengthDelimited, data: body.subarray(1) }];
    try {
      const r = await client.export(req, { headers });
      return { ok: true, rejected: Number(r.partialSuccess?.rejectedSpans ?? 0n) };
    } catch (e) {
      return { ok: false, rejected: 0, error: (e as Error).message };
    }
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
  // the gRPC transport keeps its HTTP/2 session open
  process.exit(0);
}
