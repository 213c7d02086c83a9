import { join } from "node:path";
import { decodeJson } from "../../src/decode/otlp.ts";
import type { ExportTraceServiceRequest } from "../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";

const DIR = join(import.meta.dir, "..", "fixtures");

interface JsonSpan {
  startTimeUnixNano: string;
  endTimeUnixNano: string;
}
interface JsonTrace {
  resourceSpans: { scopeSpans: { spans: JsonSpan[] }[] }[];
}

/**
 * Loads an OTLP/JSON fixture through the real JSON decoder, shifting all
 * span times so the latest span ends at `endMs` (fixtures carry fixed times,
 * but the ingestion slack window wants spans near now).
 */
export async function traceFixture(path: string, endMs = Date.now()): Promise<ExportTraceServiceRequest> {
  const json = (await Bun.file(join(DIR, path)).json()) as JsonTrace;
  const spans = json.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
  const latest = spans.reduce((m, s) => (BigInt(s.endTimeUnixNano) > m ? BigInt(s.endTimeUnixNano) : m), 0n);
  const delta = BigInt(endMs) * 1_000_000n - latest;
  for (const s of spans) {
    s.startTimeUnixNano = String(BigInt(s.startTimeUnixNano) + delta);
    s.endTimeUnixNano = String(BigInt(s.endTimeUnixNano) + delta);
  }
  return decodeJson(new TextEncoder().encode(JSON.stringify(json)));
}

/** The same request with only the ResourceSpans at `indexes` (to send sides separately). */
export function onlyResources(req: ExportTraceServiceRequest, ...indexes: number[]): ExportTraceServiceRequest {
  return { ...req, resourceSpans: indexes.map((i) => req.resourceSpans[i]) };
}
