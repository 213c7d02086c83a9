import { ClassicHistogram, type Histogram } from "./classic-histogram.ts";
import { Counter } from "./counter.ts";
import { Gauge } from "./gauge.ts";
import { FixedLabelSchema } from "./fixed-label-schema.ts";
import { type LabelRules, PairLabelSchema, mergeSorted } from "./label-schema.ts";
import { type LabelSet, detach } from "./label-set.ts";
import type { Metric, MetricContext, PointInTime, Series } from "./metric.ts";
import { CardinalityControls, type SanitizeMode } from "./cardinality-controls.ts";
import { DemandWindow } from "./demand-window.ts";
import { EntityLimiter } from "./entity-limiter.ts";
import type { Limiter } from "./limiter.ts";
import { SeriesLimiter } from "./series-limiter.ts";
import { type CollectMode, type MetricMeta, NO_META, type SeriesSink } from "./sink.ts";
import { NativeHistogram } from "./native/native-histogram.ts";
import { DEFAULT_NATIVE_SETTINGS, type NativeSettings } from "./native/native-state.ts";
import { type BinReader, BinWriter } from "../util/bin-codec.ts";
import { Lane } from "../util/lane.ts";
import { type Steps, atOnce } from "../util/slices.ts";
import { type MetricKind, type RestoreReport, readRegistrySnapshot, writeRegistrySnapshot } from "./registry-snapshot.ts";

/** Settings of one tenant's registry (spec §8.6 plus the tenant's limits). */
export interface RegistryOptions {
  /** registry.external_labels plus __metrics_gen_instance and inject_tenant_id_as */
  externalLabels: Record<string, string>;
  maxLabelNameLength: number;
  maxLabelValueLength: number;
  staleDurationMs: number;
  /** The limits below are read where they apply, so changed overrides apply live (0 = unlimited). */
  maxActiveSeries: () => number;
  /** metrics_generator.limiter_type (default series) */
  limiterType?: "series" | "entity";
  maxActiveEntities?: () => number;
  maxCardinalityPerLabel?: () => number;
  /** off ("") unless given */
  spanNameSanitization?: () => SanitizeMode;
  /** exemplar label name (trace_id_label_name, default traceID) */
  traceIdLabelName: string;
  /** the tenant's native-histogram overrides, read when a native series is made and at each sweep (Tempo's defaults unless given) */
  nativeHistograms?: () => NativeSettings;
}

/** generate_native_histograms (spec §8.4). */
export type HistogramMode = "classic" | "native" | "both";

/**
 * One tenant's series: hands out metrics and label schemas, enforces the
 * active-series limit, drops stale series and writes everything to a sink.
 * It knows nothing about spans.
 */
export class Registry {
  readonly limiter: Limiter;
  readonly rules: LabelRules;
  readonly controls: CardinalityControls;
  private readonly window: DemandWindow;
  private readonly ctx: MetricContext;
  private readonly metrics = new Map<string, Metric<Series>>();
  collections = 0;
  /**
   * The walks that must not interleave — a collection round with its
   * checkpoint capture, the stale sweep — run one at a time through this
   * lane (each walk runs in slices; spans keep arriving meanwhile).
   */
  readonly walks = new Lane();
  /** checkpoint captures so far (PointInTime.gen) */
  private captures = 0;

  constructor(private readonly options: RegistryOptions) {
    this.limiter =
      options.limiterType === "entity"
        ? new EntityLimiter(options.maxActiveEntities ?? (() => 0))
        : new SeriesLimiter(options.maxActiveSeries);
    const external = Object.keys(options.externalLabels)
      .sort()
      .flatMap((k) => [k, options.externalLabels[k]]);
    this.window = new DemandWindow(options.staleDurationMs);
    this.controls = new CardinalityControls(this.window, external, {
      maxCardinalityPerLabel: options.maxCardinalityPerLabel ?? (() => 0),
      spanNameSanitization: options.spanNameSanitization ?? (() => ""),
    });
    this.rules = {
      external,
      maxNameLength: options.maxLabelNameLength,
      maxValueLength: options.maxLabelValueLength,
      byKey: new Map(),
      controls: this.controls,
    };
    const overflowUser = external.includes("metric_overflow") ? [] : ["metric_overflow", "true"];
    this.ctx = {
      limiter: this.limiter,
      window: this.window,
      overflowLabels: mergeSorted(overflowUser, external),
      release: (ls) => this.release(ls),
      births: 0,
      capture: null,
    };
  }

  counter(name: string, meta: MetricMeta = NO_META): Counter {
    return this.register(name, (slot) => new Counter(name, this.ctx, slot, meta));
  }

  gauge(name: string, meta: MetricMeta = NO_META): Gauge {
    return this.register(name, (slot) => new Gauge(name, this.ctx, slot, meta));
  }

  /**
   * The histogram `name`: classic, or native-backed in `native` and `both`
   * mode (spec §8.4). When it exists in another shape (a processor rebuilt
   * with changed histogram_buckets or generate_native_histograms) it is
   * replaced: its series go (through the limiter, as Tempo drains a replaced
   * metric, spec §8.5) and the new one starts empty in the same slot.
   */
  histogram(name: string, buckets: readonly number[], mode: HistogramMode = "classic", meta: MetricMeta = NO_META): Histogram {
    const label = this.options.traceIdLabelName;
    const settings = this.options.nativeHistograms ?? (() => DEFAULT_NATIVE_SETTINGS);
    const make = (slot: number): ClassicHistogram | NativeHistogram =>
      mode === "classic"
        ? new ClassicHistogram(name, this.ctx, slot, buckets, label, meta)
        : new NativeHistogram(name, this.ctx, slot, mode, buckets, label, settings, meta);
    const existing = this.metrics.get(name);
    if (existing instanceof ClassicHistogram || existing instanceof NativeHistogram) {
      const next = make(existing.slot);
      if (histogramShape(next) !== histogramShape(existing)) {
        next.succeed(existing, Date.now());
        this.metrics.set(name, next);
        return next;
      }
    }
    return this.register(name, make);
  }

  /**
   * Forgets a label set that holds no series: processors call it when a span's
   * set got none (every metric refused it), the stale sweep when its last
   * series went. Keeps the trie and the key index as small as the live series.
   */
  release(ls: LabelSet): void {
    if (ls.pruned || ls.live > 0) return;
    detach(ls);
    ls.pruned = true;
    if (this.rules.byKey.get(ls.key) === ls) this.rules.byKey.delete(ls.key);
  }

  /** Label sets currently known (for tests and memory figures). */
  get labelSets(): number {
    return this.rules.byKey.size;
  }

  /** A schema for label sets whose names are fixed (values vary per span). */
  /** `resourcePositions`: values constant over a ResourceSpans (FixedLabelSchema.enterResource). */
  fixedSchema(names: readonly string[], resourcePositions: readonly number[] = []): FixedLabelSchema {
    return new FixedLabelSchema(names, this.rules, false, resourcePositions);
  }

  /** A fixed schema for an info metric (host info): never sanitized nor limited per label (spec §8.1). */
  infoSchema(names: readonly string[]): FixedLabelSchema {
    return new FixedLabelSchema(names, this.rules, true);
  }

  /** A schema for label sets given as [name, value, …] pairs. */
  pairSchema(): PairLabelSchema {
    return new PairLabelSchema(this.rules);
  }

  /** Writes every live series to `sink`, stamped `timestampMs`. */
  collect(timestampMs: number, sink: SeriesSink, mode: CollectMode): void {
    atOnce(this.collectSteps(timestampMs, sink, mode));
  }

  /**
   * The same as a walk that yields every few series (Metric.collectSteps:
   * series created after `createdBy` wait for the next round). A remote
   * round must not interleave with another one or a sweep (run it through
   * `walks`); scrape-mode walks change nothing and may run alongside anything.
   */
  *collectSteps(timestampMs: number, sink: SeriesSink, mode: CollectMode, createdBy = Number.POSITIVE_INFINITY): Steps {
    for (const m of this.metrics.values()) yield* m.collectSteps(timestampMs, sink, mode, createdBy);
    if (mode === "remote") this.collections++;
  }

  /**
   * The 5-minute sweep (spec §8.3): removes series whose last update is older
   * than stale_duration, then starts the next slice of every demand estimate
   * and lets the sanitizer forget evicted clusters.
   */
  removeStale(nowMs: number): void {
    atOnce(this.removeStaleSteps(nowMs));
  }

  /** The same as a walk that yields every few series (run it through `walks`). */
  *removeStaleSteps(nowMs: number): Steps {
    const cutoff = nowMs - this.options.staleDurationMs;
    for (const m of this.metrics.values()) yield* m.removeStaleSteps(cutoff, nowMs);
    this.window.advance(nowMs);
    this.controls.sanitizer?.prune();
  }

  /** The 15-second tick: re-reads the cardinality settings and re-evaluates the per-label limits. */
  maintain(): void {
    this.controls.evaluate();
  }

  /** Series the metrics would hold without limits, over the last stale_duration (active_series_demand_estimate). */
  seriesDemand(): number {
    let n = 0;
    for (const m of this.metrics.values()) n += m.demandEstimate();
    return n;
  }

  /** Every series' state, for a checkpoint (registry-snapshot.ts). */
  snapshot(w: BinWriter): void {
    atOnce(this.snapshotSteps(w));
  }

  /**
   * The same as a walk that yields every few series, while spans keep
   * arriving: it holds every series as it was at its first step (Metric's
   * PointInTime). Run it through `walks` (a sweep must not remove series
   * meanwhile), one at a time.
   */
  *snapshotSteps(w: BinWriter): Steps {
    if (this.ctx.capture !== null) throw new Error("a checkpoint capture is already under way");
    const c: PointInTime = { gen: ++this.captures, births: this.ctx.births, kept: new Map(), scratch: new BinWriter() };
    this.ctx.capture = c;
    try {
      yield* writeRegistrySnapshot(w, this.rules, this.metrics, c);
    } finally {
      this.ctx.capture = null;
    }
  }

  /**
   * Restores a checkpoint; call after the processors registered their
   * metrics. Throws SnapshotMismatch or a CodecError when the checkpoint does
   * not fit; the registry may then hold part of it, so the caller builds the
   * tenant afresh.
   */
  restore(r: BinReader, format: number): RestoreReport {
    return readRegistrySnapshot(
      r,
      this.rules,
      this.metrics,
      format,
      (name, kind, bounds) => {
        if (kind === "counter") return this.counter(name);
        if (kind === "gauge") return this.gauge(name);
        return this.histogram(name, bounds, kind === "histogram" ? "classic" : kind) as ClassicHistogram | NativeHistogram;
      },
      (name, kind, bounds) => this.makeMetric(name, kind, bounds, -1),
    );
  }

  /** A metric of `kind` in `slot` (-1: outside the registry, for reading a skipped checkpoint section). */
  private makeMetric(name: string, kind: MetricKind, bounds: readonly number[], slot: number): Metric<Series> {
    const label = this.options.traceIdLabelName;
    if (kind === "counter") return new Counter(name, this.ctx, slot);
    if (kind === "gauge") return new Gauge(name, this.ctx, slot);
    if (kind === "histogram") return new ClassicHistogram(name, this.ctx, slot, bounds, label);
    return new NativeHistogram(name, this.ctx, slot, kind, bounds, label, this.options.nativeHistograms ?? (() => DEFAULT_NATIVE_SETTINGS));
  }

  private register<M extends Metric<Series>>(name: string, make: (slot: number) => M): M {
    const existing = this.metrics.get(name);
    if (existing !== undefined) return existing as M;
    const m = make(this.metrics.size);
    this.metrics.set(name, m);
    return m;
  }
}

/** What a histogram's shape is: its mode and classic bounds. */
function histogramShape(h: ClassicHistogram | NativeHistogram): string {
  return `${h instanceof NativeHistogram ? h.mode : "classic"}:${h.bucketBounds.join()}`;
}
