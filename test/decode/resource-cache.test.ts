import { describe, expect, test } from "bun:test";
import { toBinary } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { batchFromRequest } from "../../src/decode/from-request.ts";
import { decodeProtobuf } from "../../src/decode/otlp.ts";
import { WireBatchDecoder } from "../../src/decode/otlp-wire.ts";
import { ResourceCache } from "../../src/decode/resource-cache.ts";
import { AttributeProjection, type ResourceBlock } from "../../src/decode/span-batch.ts";
import { ExportTraceServiceRequestSchema } from "../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { ResourceSchema } from "../../src/gen/opentelemetry/proto/resource/v1/resource_pb.ts";
import { attrs, idBytes, request, span } from "../support/otlp-builders.ts";

function projection(): AttributeProjection {
  const p = new AttributeProjection();
  for (const k of ["service.name", "k8s.pod.name", "extra"]) p.slot(k);
  return p;
}

const plainResource = (r: ResourceBlock) => ({ keys: r.keys, kinds: r.kinds, values: r.values, slotKinds: [...r.slotKinds], slotValues: [...r.slotValues] });

function emptyBlock(): ResourceBlock {
  return { keys: [], kinds: [], values: [], slotKinds: new Uint8Array(3), slotValues: new Array(3), spanStart: 0, spanEnd: 0, byteSize: 0 };
}

describe("decoded resources reused by their bytes", () => {
  test("a resource seen before gives the same attributes, from the arrays decoded the first time", () => {
    const bytes = toBinary(ExportTraceServiceRequestSchema, request({ resource: { "service.name": "cart", "k8s.pod.name": "cart-1", n: 3n }, spans: [span({ name: "a" })] }));
    const decoder = new WireBatchDecoder(projection());
    const first = decoder.decode(bytes).resources[0];
    const firstPlain = plainResource(first);
    const again = decoder.decode(bytes.slice()).resources[0];
    expect(plainResource(again)).toEqual(firstPlain);
    expect(again.keys).toBe(first.keys);
    expect(plainResource(again)).toEqual(plainResource(batchFromRequest(decodeProtobuf(bytes), projection()).resources[0]));
  });

  test("a second Resource field in a ResourceSpans adds to a copy, never to the cached arrays", () => {
    const resourceBytes = (o: Record<string, string>) => toBinary(ResourceSchema, { $typeName: "opentelemetry.proto.resource.v1.Resource", attributes: attrs(o), droppedAttributesCount: 0, entityRefs: [] });
    const one = resourceBytes({ "service.name": "cart" });
    const build = (resources: Uint8Array[]) => {
      const w = new BinaryWriter();
      w.tag(1, WireType.LengthDelimited).fork();
      for (const r of resources) w.tag(1, WireType.LengthDelimited).bytes(r);
      w.tag(2, WireType.LengthDelimited).fork().tag(2, WireType.LengthDelimited).fork();
      w.tag(1, WireType.LengthDelimited).bytes(idBytes(16, 1)).tag(2, WireType.LengthDelimited).bytes(idBytes(8, 2)).tag(5, WireType.LengthDelimited).string("a");
      return w.join().join().join().finish();
    };
    const decoder = new WireBatchDecoder(projection());
    decoder.decode(build([one]));
    const merged = decoder.decode(build([one, resourceBytes({ extra: "x" })])).resources[0];
    expect(merged.keys).toEqual(["service.name", "extra"]);
    const slow = batchFromRequest(decodeProtobuf(build([one, resourceBytes({ extra: "x" })])), projection()).resources[0];
    expect(plainResource(merged)).toEqual(plainResource(slow));
    // the cached decoding of `one` alone is untouched
    expect(decoder.decode(build([one])).resources[0].keys).toEqual(["service.name"]);
  });

  test("keeps a copy of the bytes: the request's memory can be reused (a Buffer's slice would be a view)", () => {
    const bytes = Buffer.from(toBinary(ResourceSchema, { $typeName: "opentelemetry.proto.resource.v1.Resource", attributes: attrs({ "service.name": "cart" }), droppedAttributesCount: 0, entityRefs: [] }));
    const cache = new ResourceCache(3);
    const block = emptyBlock();
    block.keys = ["service.name"];
    cache.keep(bytes, 0, bytes.length, block);
    const original = Uint8Array.from(bytes);
    bytes.fill(0);
    const into = emptyBlock();
    expect(cache.take(original, 0, original.length, into)).toBe(true);
    expect(into.keys).toEqual(["service.name"]);
    expect(cache.take(bytes, 0, bytes.length, emptyBlock())).toBe(false);
  });
});
