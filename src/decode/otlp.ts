import { fromBinary, fromJson, type JsonValue } from "@bufbuild/protobuf";
import { configureTextEncoding, getTextEncoding } from "@bufbuild/protobuf/wire";
import {
  type ExportTraceServiceRequest,
  ExportTraceServiceRequestSchema,
} from "../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { DecodeError } from "./decode-error.ts";
import { decodeUtf8Escaped } from "./utf8.ts";

// Strings with invalid UTF-8 must survive decoding (see utf8.ts); protobuf-es
// would otherwise reject proto3 strings or replace the bytes with U+FFFD.
const defaults = getTextEncoding();
configureTextEncoding({
  checkUtf8: defaults.checkUtf8,
  encodeUtf8: defaults.encodeUtf8,
  encodeUtf8Into: defaults.encodeUtf8Into,
  decodeUtf8: decodeUtf8Escaped,
});

const binaryOptions = { readUnknownFields: false, recursionLimit: 64 };

/** Decodes an OTLP/protobuf ExportTraceServiceRequest. */
export function decodeProtobuf(bytes: Uint8Array): ExportTraceServiceRequest {
  try {
    return fromBinary(ExportTraceServiceRequestSchema, bytes, binaryOptions);
  } catch (e) {
    throw new DecodeError("invalid", `invalid protobuf: ${(e as Error).message}`);
  }
}

const ID_KEYS = new Set(["traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id"]);
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/**
 * OTLP/JSON ids are hex, not proto3 JSON's base64. A 32-char hex id is also
 * valid base64, so protobuf-es alone would silently decode a 24-byte id;
 * the reviver converts ids to base64 before fromJson sees them.
 */
function reviveIds(this: unknown, key: string, value: unknown): unknown {
  if (typeof value !== "string" || !ID_KEYS.has(key)) return value;
  if (!HEX.test(value)) throw new DecodeError("invalid", `invalid ${key} "${value.slice(0, 64)}": not an even-length hex string`);
  return Buffer.from(value, "hex").toString("base64");
}

/** Decodes an OTLP/JSON ExportTraceServiceRequest (UTF-8 bytes). */
export function decodeJson(bytes: Uint8Array): ExportTraceServiceRequest {
  let tree: JsonValue;
  try {
    tree = JSON.parse(decodeUtf8Escaped(bytes), reviveIds) as JsonValue;
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    throw new DecodeError("invalid", `invalid JSON: ${(e as Error).message}`);
  }
  try {
    return fromJson(ExportTraceServiceRequestSchema, tree, { ignoreUnknownFields: true });
  } catch (e) {
    throw new DecodeError("invalid", `invalid OTLP/JSON: ${(e as Error).message}`);
  }
}
