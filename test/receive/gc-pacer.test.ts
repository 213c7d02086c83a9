import { describe, expect, test } from "bun:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { AttributeProjection } from "../../src/decode/span-batch.ts";
import { ExportTraceServiceRequestSchema } from "../../src/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import type { Push } from "../../src/process/push.ts";
import { GcPacer } from "../../src/receive/gc-pacer.ts";
import { TraceExport } from "../../src/receive/trace-export.ts";

/** One event-loop turn: what the pacer schedules with setImmediate has run after it. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("GcPacer", () => {
  test("collects once per threshold of bytes, on the next turn, never twice for one crossing", async () => {
    let runs = 0;
    const pacer = new GcPacer(1000, () => runs++);
    pacer.received(999);
    await nextTurn();
    expect(runs).toBe(0);
    pacer.received(1);
    // deferred: the request that crossed the line still holds its bytes now
    expect(runs).toBe(0);
    pacer.received(5000);
    await nextTurn();
    expect(runs).toBe(1);
    expect(pacer.collections).toBe(1);
    // the count starts over after a collection
    pacer.received(999);
    await nextTurn();
    expect(runs).toBe(1);
    pacer.received(1);
    await nextTurn();
    expect(runs).toBe(2);
  });

  test("the default collection is a real young collection of this process", async () => {
    const pacer = new GcPacer(1);
    pacer.received(1);
    await nextTurn();
    expect(pacer.collections).toBe(1);
  });
});

describe("TraceExport paces collections by the bytes it decodes", () => {
  const push: Push = { prepare() {}, push: () => ({ rejectedSpans: 0, errorMessage: "" }) };
  const body = toBinary(
    ExportTraceServiceRequestSchema,
    create(ExportTraceServiceRequestSchema, {
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { value: { case: "stringValue", value: "checkout" } } }] },
          scopeSpans: [{ spans: [{ traceId: new Uint8Array(16).fill(1), spanId: new Uint8Array(8).fill(2), name: "GET /cart", kind: 2 }] }],
        },
      ],
    }),
  );

  test("OTLP protobuf requests and Kafka records both count", async () => {
    let runs = 0;
    const exporter = new TraceExport(push, new AttributeProjection(), new GcPacer(body.length * 3, () => runs++));
    exporter.exportProtobuf("t", body);
    exporter.exportRecord("t", body, false);
    await nextTurn();
    expect(runs).toBe(0);
    exporter.exportProtobuf("t", body);
    await nextTurn();
    expect(runs).toBe(1);
  });
});
