/**
 * Replays an oracle case (test/support/native-oracle.ts) on redgen's own
 * native histogram, through a Registry as the processors use it, and reads
 * back the same fields the oracle prints.
 */
import { Registry } from "../../../src/registry/registry.ts";
import type { OracleCase, OracleWrite } from "../../support/native-oracle.ts";
import { RecordingSink } from "../../support/recording-sink.ts";

function traceBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, "hex"));
}

export function replay(c: OracleCase): OracleWrite[] {
  const registry = new Registry({
    externalLabels: {},
    maxLabelNameLength: 1024,
    maxLabelValueLength: 2048,
    staleDurationMs: 3_600_000,
    maxActiveSeries: () => 0,
    traceIdLabelName: "traceID",
    nativeHistograms: () => ({ factor: c.factor, maxBuckets: c.maxBuckets, minResetMs: c.minResetMs }),
  });
  const h = registry.histogram("oracle", c.buckets, c.mode);
  const ls = registry.fixedSchema(["case"]).resolve(["x"]);
  if (ls === null) throw new Error("label set refused");
  const out: OracleWrite[] = [];
  for (const o of c.ops) {
    if (o.op === "observe") {
      h.observe(ls, o.v, o.m, traceBytes(o.trace), 0, o.t);
      continue;
    }
    const sink = new RecordingSink();
    registry.collect(o.t, sink, "remote");
    const native = sink.series.get('oracle{case="x"}');
    const hist = native?.histograms.find((x) => !x.zero);
    if (native === undefined || hist === undefined) throw new Error("no native histogram written");
    const classic: OracleWrite["classic"] = [];
    if (c.mode === "both") {
      for (const [key, s] of sink.series) {
        const le = /le="([^"]+)"/.exec(key)?.[1];
        if (!key.startsWith("oracle_bucket") || le === undefined) continue;
        const e = s.exemplars[0];
        classic.push({ le, count: s.samples.at(-1)?.[1] ?? Number.NaN, ...(e ? { exemplar: { value: e.v, trace: e.value } } : {}) });
      }
    }
    out.push({
      schema: hist.schema,
      zeroThreshold: hist.zeroThreshold,
      zeroCount: hist.zeroCount,
      count: hist.count,
      sum: hist.sum,
      positiveSpans: hist.positiveSpans,
      positiveDeltas: hist.positiveDeltas,
      negativeSpans: hist.negativeSpans,
      negativeDeltas: hist.negativeDeltas,
      createdMs: native.startMs,
      classic,
      exemplars: native.exemplars.map((e) => ({ value: e.v, trace: e.value })),
    });
  }
  return out;
}
