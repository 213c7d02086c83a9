import type * as ProtobufEs from "./protobuf-es.ts";
import { lazy } from "./lazy.ts";

/**
 * protobuf-es's runtime (create, toBinary, fromBinary, the JSON codecs,
 * anyPack), loaded on first use: its JSON codecs import the well-known
 * types, which boot descriptor.proto — most of the ~25 ms generated code
 * would add to the start (util/lazy.ts). The OTLP/protobuf hot path never
 * needs it.
 */
export const protobuf = lazy(() => require("./protobuf-es.ts") as typeof ProtobufEs);
