/**
 * recordPayloads: one Kafka record value → the OTLP payloads redgen pushes,
 * for Tempo's push-bytes and otlp codecs and the Collector's otlp_proto and
 * otlp_json encodings; empty and garbage values are DecodeErrors.
 */
import { describe, expect, test } from "bun:test";
import { toBinary } from "@bufbuild/protobuf";
import { DecodeError } from "../../src/decode/decode-error.ts";
import { type RecordFormat, recordPayloads } from "../../src/decode/kafka-record.ts";
import { decodeJson, decodeProtobuf } from "../../src/decode/otlp.ts";
import { ExportTraceServiceRequestSchema } from "../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import {
  clientServerTraces,
  otlpJsonValue,
  pushBytesOfEntries,
  pushBytesValue,
  tracesDataValue,
  tracesRequest,
} from "../support/kafka/tempo-records.ts";

const traces = clientServerTraces(3, "frontend", "payments");
/** the request every format carries, as canonical protobuf bytes */
const whole = toBinary(ExportTraceServiceRequestSchema, tracesRequest(traces));

function decodeError(value: Uint8Array | null | undefined, format: RecordFormat): string {
  try {
    recordPayloads(value, format);
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return `${(e as DecodeError).reason}: ${(e as Error).message}`;
  }
  throw new Error("recordPayloads accepted the value");
}

describe("push-bytes (Tempo's distributor)", () => {
  test("each trace of the PushBytesRequest is its own protobuf payload, in order", () => {
    const p = recordPayloads(pushBytesValue(traces), "push-bytes");
    expect(p.json).toBeUndefined();
    expect(p.skipMetricsGeneration).toBe(false);
    expect(p.protobuf).toHaveLength(3);
    // each payload is the trace's ResourceSpans, readable by the OTLP decoder
    expect(p.protobuf.map((b) => toBinary(ExportTraceServiceRequestSchema, decodeProtobuf(b)))).toEqual(
      traces.map((t) => toBinary(ExportTraceServiceRequestSchema, tracesRequest([t]))),
    );
  });

  test("skipMetricsGeneration (field 5) is carried", () => {
    expect(recordPayloads(pushBytesValue(traces, true), "push-bytes").skipMetricsGeneration).toBe(true);
  });

  test("trace entries are not decoded here: a bad entry is the push's problem, the others stay usable", () => {
    const p = recordPayloads(pushBytesOfEntries([new Uint8Array([0xff, 0xff, 0xff]), pushBytesValue([])]), "push-bytes");
    expect(p.protobuf).toHaveLength(2);
  });

  test("a PushBytesRequest without traces is an error", () => {
    // (with no field set at all it would be 0 bytes: an empty value)
    expect(decodeError(pushBytesOfEntries([], true), "push-bytes")).toBe("invalid: PushBytesRequest without traces");
  });

  test("TracesData (codec otlp) on a push-bytes topic has no field 2: an error, not an empty success", () => {
    expect(decodeError(tracesDataValue(traces), "push-bytes")).toBe("invalid: PushBytesRequest without traces");
  });

  test("garbage is an error", () => {
    expect(decodeError(new Uint8Array([0x12, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2]), "push-bytes")).toStartWith("invalid: invalid PushBytesRequest:");
    expect(decodeError(new TextEncoder().encode("not a protobuf at all"), "push-bytes")).toStartWith("invalid: ");
  });

  test("OTLP/JSON on a push-bytes topic is an error", () => {
    expect(decodeError(otlpJsonValue(traces), "push-bytes")).toStartWith("invalid: ");
  });
});

describe.each(["otlp", "otlp_proto"] as const)("%s (one TracesData)", (format) => {
  test("the whole value is one protobuf payload", () => {
    const p = recordPayloads(tracesDataValue(traces), format);
    expect({ n: p.protobuf.length, json: p.json, skip: p.skipMetricsGeneration }).toEqual({ n: 1, json: undefined, skip: false });
    expect(toBinary(ExportTraceServiceRequestSchema, decodeProtobuf(p.protobuf[0]))).toEqual(whole);
  });
});

describe("otlp_json (Collector)", () => {
  test("the value is one JSON payload with hex ids", () => {
    const p = recordPayloads(otlpJsonValue(traces), "otlp_json");
    expect(p.protobuf).toEqual([]);
    expect(p.skipMetricsGeneration).toBe(false);
    expect(toBinary(ExportTraceServiceRequestSchema, decodeJson(p.json!))).toEqual(whole);
  });
});

describe.each(["push-bytes", "otlp", "otlp_proto", "otlp_json"] as const)("%s: empty values", (format) => {
  test("empty, null and absent values are errors", () => {
    for (const v of [new Uint8Array(0), null, undefined]) expect(decodeError(v, format)).toBe("invalid: empty record value");
  });
});
