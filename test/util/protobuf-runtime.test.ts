import { expect, test } from "bun:test";
import { join } from "node:path";
import { REPO_ROOT } from "../support/setup.ts";

/**
 * Generated protobuf modules and protobuf-es's runtime load on first use
 * (util/lazy.ts): evaluating them boots descriptor.proto, ~25 ms of the start.
 * A fresh process imports everything main.ts imports and lists what loaded.
 */
function loadedAfter(script: string): string[] {
  const r = Bun.spawnSync([process.execPath, "-e", script], { cwd: REPO_ROOT, stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  return JSON.parse(r.stdout.toString()) as string[];
}

const LIST = `console.log(JSON.stringify(Object.keys(require.cache).filter((k) => k.includes("/src/gen/") || k.includes("@bufbuild/protobuf/dist/"))));`;

test("the start loads no generated module and not protobuf-es's JSON codecs or well-known types", () => {
  const loaded = loadedAfter(`await import(${JSON.stringify(join(REPO_ROOT, "src/main.ts"))}); ${LIST}`);
  expect(loaded.filter((k) => k.includes("/src/gen/"))).toEqual([]);
  // descriptor.proto's boot is the cost; the JSON codecs import it through the well-known types
  expect(loaded.filter((k) => k.includes("/wkt/google/") || k.endsWith("to-json.js") || k.endsWith("from-json.js"))).toEqual([]);
});

test("the first use loads them, and the decoder's text encoding applies to that copy", () => {
  const script = `
    const { decodeProtobuf } = await import(${JSON.stringify(join(REPO_ROOT, "src/decode/otlp.ts"))});
    const span = [0x0a, 16, ...new Array(16).fill(1), 0x12, 8, ...new Array(8).fill(2), 0x2a, 2, 0xff, 0x61];
    const ss = [0x12, span.length, ...span];
    const rs = [0x12, ss.length, ...ss];
    const name = decodeProtobuf(new Uint8Array([0x0a, rs.length, ...rs])).resourceSpans[0].scopeSpans[0].spans[0].name;
    if (name !== "\\udcffa") throw new Error("text encoding not applied: " + JSON.stringify(name));
    ${LIST}`;
  const loaded = loadedAfter(script);
  expect(loaded.some((k) => k.includes("/src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts"))).toBe(true);
  expect(loaded.some((k) => k.includes("/wkt/google/protobuf/descriptor_pb.js"))).toBe(true);
  // one copy of protobuf-es: its ES build, never also the CommonJS one
  expect(loaded.filter((k) => k.includes("@bufbuild/protobuf/dist/cjs/"))).toEqual([]);
});
