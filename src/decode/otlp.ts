import type { JsonValue } from "@bufbuild/protobuf";
import { protobuf } from "../util/protobuf-runtime.ts";
import { configureTextEncoding, getTextEncoding } from "@bufbuild/protobuf/wire";
import type * as TraceServicePb from "../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import type { ExportTraceServiceRequest } from "../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { lazy } from "../util/lazy.ts";
import { DecodeError } from "./decode-error.ts";
import { decodeUtf8Escaped } from "./utf8.ts";
import { MAX_VALUE_DEPTH } from "./wire-fields.ts";

// The generated types load with the first request that needs them (util/lazy.ts).
const traceService = lazy(() => require("../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts") as typeof TraceServicePb);

// Strings with invalid UTF-8 must survive decoding (see utf8.ts); protobuf-es
// would otherwise reject proto3 strings or replace the bytes with U+FFFD.
const defaults = getTextEncoding();
configureTextEncoding({
  checkUtf8: defaults.checkUtf8,
  encodeUtf8: defaults.encodeUtf8,
  encodeUtf8Into: defaults.encodeUtf8Into,
  decodeUtf8: decodeUtf8Escaped,
});

// Message depth of an AnyValue at MAX_VALUE_DEPTH inside an event attribute
// (request, resource spans, scope spans, span, event, key-value: 6), each level
// a kvlist, key-value and value deeper (3): deep enough that the depth check of
// the values themselves (any-value.ts, tempo-size.ts) decides, with its message.
const binaryOptions = { readUnknownFields: false, recursionLimit: 6 + 3 * (MAX_VALUE_DEPTH + 1) };

// The JSON nesting of such a value: 10 levels to an attribute's value, 4 per level below.
const MAX_JSON_DEPTH = 10 + 4 * MAX_VALUE_DEPTH;

/** Decodes an OTLP/protobuf ExportTraceServiceRequest. */
export function decodeProtobuf(bytes: Uint8Array): ExportTraceServiceRequest {
  try {
    return protobuf().fromBinary(traceService().ExportTraceServiceRequestSchema, bytes, binaryOptions);
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
  checkJsonDepth(bytes);
  let tree: JsonValue;
  try {
    tree = JSON.parse(decodeUtf8Escaped(bytes), reviveIds) as JsonValue;
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    throw new DecodeError("invalid", `invalid JSON: ${(e as Error).message}`);
  }
  try {
    return protobuf().fromJson(traceService().ExportTraceServiceRequestSchema, tree, { ignoreUnknownFields: true, recursionLimit: binaryOptions.recursionLimit });
  } catch (e) {
    throw new DecodeError("invalid", `invalid OTLP/JSON: ${(e as Error).message}`);
  }
}

/**
 * Refuses JSON nested deeper than any OTLP request with values within
 * MAX_VALUE_DEPTH, before JSON.parse and fromJson recurse over it. One pass
 * over the bytes, counting brackets outside strings.
 */
function checkJsonDepth(bytes: Uint8Array): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === 0x5c) i++; // backslash: skip the escaped byte
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x7b || b === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) throw new DecodeError("invalid", `invalid JSON: nested deeper than ${MAX_JSON_DEPTH} levels`);
    } else if (b === 0x7d || b === 0x5d) depth--;
  }
}
