import type { Cardinality } from "./cardinality.ts";
import type { DemandWindow } from "./demand-window.ts";
import { hashHalves } from "./hll-sketch.ts";
import { OVERFLOW_VALUE, PerLabelLimiter } from "./label-limiter.ts";
import type { LabelSet } from "./label-set.ts";
import { SpanNameSanitizer } from "./span-name-sanitizer.ts";

/** `span_name_sanitization` (spec §8.1). */
export type SanitizeMode = "" | "dry_run" | "enabled";

/**
 * What a registry's label schemas share to keep cardinality in check: the
 * span-name sanitizer, the per-label limiter and the demand estimates that
 * count label sets rather than series. Settings are read from the tenant's
 * overrides on every evaluation (every 15 s and when the overrides change),
 * as Tempo reads them on its 15-second tick, so the hot path only reads
 * fields.
 */
export class CardinalityControls {
  readonly labelLimiter: PerLabelLimiter;
  /** distinct label sets over stale_duration, limited or not (entity_demand_estimate) */
  readonly entityDemand: Cardinality;
  /** distinct label sets after sanitizing span names (post_sanitization_demand_estimate) */
  readonly sanitizedDemand: Cardinality;
  sanitizeMode: SanitizeMode = "";
  /** made when sanitizing is first turned on, kept afterwards (its clusters are what it learned) */
  sanitizer: SpanNameSanitizer | null = null;
  private readonly external: Set<string>;

  constructor(
    readonly window: DemandWindow,
    externalLabels: readonly string[],
    private readonly settings: { maxCardinalityPerLabel: () => number; spanNameSanitization: () => SanitizeMode },
  ) {
    this.labelLimiter = new PerLabelLimiter(settings.maxCardinalityPerLabel, window);
    this.entityDemand = window.cardinality();
    this.sanitizedDemand = window.cardinality();
    this.external = new Set(externalLabels.filter((_, i) => i % 2 === 0));
    this.evaluate();
  }

  /** Re-reads the settings and re-evaluates the per-label limits. */
  evaluate(): void {
    this.sanitizeMode = this.settings.spanNameSanitization();
    if (this.sanitizeMode !== "" && this.sanitizer === null) this.sanitizer = new SpanNameSanitizer();
    this.labelLimiter.evaluate();
  }

  /**
   * Feeds a label set into the estimates, once per slice (the caller checks
   * `ls.epoch`). `info` sets (target_info, host info) only count as
   * entities. `dryRunName` is the template dry_run would have put in place
   * of the span name (undefined when it would change nothing): the set holds
   * the raw name, so the post-sanitization demand counts the would-be set.
   */
  touch(ls: LabelSet, info: boolean, dryRunName: string | undefined): void {
    ls.epoch = this.window.epoch;
    this.entityDemand.insertHash(ls.hashHi, ls.hashLo);
    if (info) return;
    if (this.sanitizeMode !== "") {
      if (dryRunName === undefined) this.sanitizedDemand.insertHash(ls.hashHi, ls.hashLo);
      else {
        const [hi, lo] = hashHalves(this.keyWithSpanName(ls, dryRunName));
        this.sanitizedDemand.insertHash(hi, lo);
      }
    }
    if (!this.labelLimiter.active) return;
    const labels = ls.labels;
    for (let i = 0; i < labels.length; i += 2) {
      // Limited values were fed as they came (the set holds the overflow value instead).
      if (this.external.has(labels[i]) || labels[i + 1] === OVERFLOW_VALUE) continue;
      this.labelLimiter.state(labels[i]).feed(labels[i + 1]);
    }
  }

  /** The key `ls` would have with span_name replaced (the same text keyOf makes). */
  private keyWithSpanName(ls: LabelSet, spanName: string): string {
    let k = "";
    const labels = ls.labels;
    for (let i = 0; i < labels.length; i += 2) {
      if (this.external.has(labels[i])) continue;
      const v = labels[i] === "span_name" ? spanName : labels[i + 1];
      k += `${labels[i].length}:${labels[i]}${v.length}:${v}`;
    }
    return k;
  }
}
