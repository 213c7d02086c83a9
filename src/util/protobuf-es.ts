/**
 * The parts of protobuf-es's runtime redgen uses, for protobuf-runtime.ts to
 * load on first use. Re-exported from an ES module (not `require`d by package
 * name, which resolves its CommonJS build: a second copy that would not see
 * the text encoding decode/otlp.ts configures).
 */
export { create, fromBinary, fromJson, toBinary, toJsonString } from "@bufbuild/protobuf";
export { anyPack } from "@bufbuild/protobuf/wkt";
