import { protobuf } from "../util/protobuf-runtime.ts";
import type * as TempoPb from "../gen/tempopb/tempo_pb.ts";
import { lazy } from "../util/lazy.ts";
import { DecodeError } from "./decode-error.ts";

/**
 * How a Kafka record value is encoded:
 * - `push-bytes`: Tempo's distributor (tempopb.PushBytesRequest; each trace is OTLP TracesData)
 * - `otlp`: Tempo's `metrics_generator.codec: otlp` (the value is one TracesData)
 * - `otlp_proto` / `otlp_json`: the OpenTelemetry Collector kafka exporter
 */
export type RecordFormat = "push-bytes" | "otlp" | "otlp_proto" | "otlp_json";

/** The OTLP payloads of one record: protobuf TracesData messages, or one OTLP/JSON document. */
export interface RecordPayloads {
  protobuf: Uint8Array[];
  json: Uint8Array | undefined;
  /** Tempo's skipMetricsGeneration flag: count the spans, run no processor */
  skipMetricsGeneration: boolean;
}

/**
 * Splits a record value into OTLP payloads. For push-bytes each trace stays
 * its own payload, as Tempo pushes each trace separately (spec §15.18).
 * TracesData and ExportTraceServiceRequest share field 1, so the protobuf
 * payloads go straight to the OTLP decoder.
 */
export function recordPayloads(value: Uint8Array | null | undefined, format: RecordFormat): RecordPayloads {
  if (value === null || value === undefined || value.length === 0) {
    throw new DecodeError("invalid", "empty record value");
  }
  switch (format) {
    case "push-bytes":
      return pushBytes(value);
    case "otlp":
    case "otlp_proto":
      return { protobuf: [value], json: undefined, skipMetricsGeneration: false };
    case "otlp_json":
      return { protobuf: [], json: value, skipMetricsGeneration: false };
  }
}

// loaded with the first record (util/lazy.ts: generated modules cost the start ~25 ms)
const tempoPb = lazy(() => require("../gen/tempopb/tempo_pb.ts") as typeof TempoPb);

function pushBytes(value: Uint8Array): RecordPayloads {
  let req: TempoPb.PushBytesRequest;
  try {
    req = protobuf().fromBinary(tempoPb().PushBytesRequestSchema, value, { readUnknownFields: false });
  } catch (e) {
    throw new DecodeError("invalid", `invalid PushBytesRequest: ${(e as Error).message}`);
  }
  if (req.traces.length === 0) throw new DecodeError("invalid", "PushBytesRequest without traces");
  return { protobuf: req.traces, json: undefined, skipMetricsGeneration: req.skipMetricsGeneration };
}
