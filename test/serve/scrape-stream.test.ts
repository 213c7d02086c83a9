import { describe, expect, test } from "bun:test";
import { fromBinary } from "@bufbuild/protobuf";
import { BinaryReader } from "@bufbuild/protobuf/wire";
import { MetricFamilySchema } from "../../src/gen/io/prometheus/client/metrics_pb.ts";
import type { LabelSet } from "../../src/registry/label-set.ts";
import { Registry } from "../../src/registry/registry.ts";
import { apiApp } from "../../src/serve/api.ts";
import { TextExposition } from "../../src/serve/exposition.ts";
import { PROTOBUF_EXPOSITION } from "../../src/serve/proto-exposition.ts";
import { SelfMetrics } from "../../src/telemetry/self-metrics.ts";

const SERIES = 60_000;
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0, 0);

/** A registry with one big family (several MiB of protobuf, many slices of walk) and a small one after it. */
function bigRegistry(): Registry {
  const r = new Registry({ externalLabels: {}, maxLabelNameLength: 1024, maxLabelValueLength: 2048, staleDurationMs: 1e9, maxActiveSeries: () => 0, traceIdLabelName: "traceID" });
  const s = r.fixedSchema(["route", "service"]);
  const c = r.counter("calls_total");
  for (let i = 0; i < SERIES; i++) c.add(s.resolve([`/a/fairly/long/route/number/${i}`, "checkout-service"]) as LabelSet, i + 1, T0);
  r.gauge("info").set(s.resolve(["x", "y"]) as LabelSet, 1, T0);
  return r;
}

async function scrape(r: Registry, accept?: string): Promise<{ status: number; body: Uint8Array; chunks: number }> {
  const app = apiApp({ selfMetrics: new SelfMetrics(), registryOf: () => r, notReady: () => null, statusConfig: () => "", statusStorage: () => ({}) });
  const res = await app.request("/metrics/generated", { headers: accept ? { accept } : {} });
  const parts: Uint8Array[] = [];
  for await (const chunk of res.body ?? []) parts.push(chunk);
  return { status: res.status, body: Buffer.concat(parts), chunks: parts.length };
}

describe("/metrics/generated is streamed as the sliced walk goes on", () => {
  test("text: in many chunks, the same lines a whole collection writes", async () => {
    const r = bigRegistry();
    const got = await scrape(r);
    expect(got.status).toBe(200);
    expect(got.chunks).toBeGreaterThan(1);
    const whole = new TextExposition();
    r.collect(T0, whole, "scrape");
    expect(new TextDecoder().decode(got.body)).toBe(whole.text());
  });

  test("protobuf: a family bigger than a piece (1 MiB) arrives whole, with every series, then the next family", async () => {
    const got = await scrape(bigRegistry(), PROTOBUF_EXPOSITION);
    expect(got.status).toBe(200);
    expect(got.body.length).toBeGreaterThan(3 << 20);
    const reader = new BinaryReader(got.body);
    const fams = [];
    while (reader.pos < reader.len) fams.push(fromBinary(MetricFamilySchema, reader.bytes()));
    expect(fams.map((f) => [f.name, f.metric.length])).toEqual([
      ["calls_total", SERIES],
      ["info", 1],
    ]);
    const last = fams[0].metric[SERIES - 1];
    expect(last.label.map((l) => l.value)).toEqual([`/a/fairly/long/route/number/${SERIES - 1}`, "checkout-service"]);
    expect(last.counter?.value).toBe(SERIES);
  });
});
