/**
 * controls.*: what each cardinality control costs on the hot path, as the
 * whole in-process push path (fast decoder, every processor) over the
 * throughput corpus with one control turned on, next to inproc.all (all
 * off). `…_limiting` variants set a limit the corpus exceeds, so the
 * replacement path runs too; the others set one it never reaches, which is
 * the steady state of a tenant that is under its limits.
 */
import type { TenantConfig } from "../../../src/config/types.ts";
import { WireBatchDecoder } from "../../../src/decode/otlp-wire.ts";
import { benchTenantConfig } from "../bench-config.ts";
import { readCorpus } from "../corpus.ts";
import { BenchPipeline, batchClockMs, benchProjection } from "../harness.ts";
import { indexBatch } from "../wire-patch.ts";
import { Cardinality } from "../../../src/registry/cardinality.ts";
import { hashHalves } from "../../../src/registry/hll-sketch.ts";
import { rateMeasurer } from "./measure.ts";
import { type Report, log } from "./report.ts";
import { type BenchSettings, wantsSection } from "./settings.ts";

export function controls(settings: BenchSettings, report: Report): void {
  if (!wantsSection(settings, "controls")) return;
  hllMemory(report);
  const measure = rateMeasurer(settings, report);
  const corpus = readCorpus(settings.throughputCorpus, settings.seed, log);
  const spans = corpus.manifest.spans;
  const batches = corpus.batches;
  const clocks = batches.map((b) => batchClockMs(indexBatch(b)));
  const base = benchTenantConfig();
  const projection = benchProjection(base);
  const wire = new WireBatchDecoder(projection);
  const variants: [string, Partial<TenantConfig>, ("series" | "entity")?][] = [
    ["controls.off", {}],
    ["controls.sanitize", { span_name_sanitization: "enabled" }],
    ["controls.sanitize_dry_run", { span_name_sanitization: "dry_run" }],
    ["controls.label_limit", { max_cardinality_per_label: 1_000_000 }],
    ["controls.label_limit_limiting", { max_cardinality_per_label: 50 }],
    ["controls.entity", { max_active_entities: 1_000_000 }, "entity"],
    ["controls.entity_limiting", { max_active_entities: 500 }, "entity"],
    ["controls.all", { span_name_sanitization: "enabled", max_cardinality_per_label: 1_000_000, max_active_entities: 1_000_000 }, "entity"],
  ];
  for (const [name, over, limiter] of variants) {
    const cfg = { ...base, ...over };
    measure(
      name,
      spans,
      () => new BenchPipeline(cfg, projection, undefined, limiter),
      (p) => {
        for (let i = 0; i < batches.length; i++) {
          const r = p.send(wire.decode(batches[i]), clocks[i]);
          if (r.rejectedSpans !== 0) throw new Error(`${name} batch ${i}: ${r.errorMessage}`);
        }
        return p.tenant.stats.spansReceived;
      },
    );
  }
}

/**
 * controls.hll_memory: what one label's windowed estimate holds (per label
 * name under max_cardinality_per_label, and per demand estimate) after
 * 100,000 distinct values spread over its four 5-minute slices: dense
 * registers past ~340 values, so the figure is the registers' bytes (the
 * heap delta of a few KiB is below what JSC's heap counter resolves).
 */
function hllMemory(report: Report): void {
  const c = new Cardinality(15 * 60_000, 5 * 60_000, 0);
  for (let slice = 0; slice < 4; slice++) {
    for (let i = slice; i < 100_000; i += 4) c.insertHash(...hashHalves(`value-${i}`));
    if (slice < 3) c.advance((slice + 1) * 5 * 60_000);
  }
  if (Math.abs(c.estimate() - 100_000) > 10_000) throw new Error(`controls.hll_memory: estimate ${c.estimate()} is off by more than 10 %`);
  report.add({ name: "controls.hll_memory", unit: "bytes", value: c.bytes });
}
