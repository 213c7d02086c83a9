import type { Cardinality } from "./cardinality.ts";
import type { DemandWindow } from "./demand-window.ts";
import { hashHalves } from "./hll-sketch.ts";

/** The value a label takes while its cardinality is over the limit (spec §8.1). */
export const OVERFLOW_VALUE = "__cardinality_overflow__";

/** One label name's estimate and state. */
export class LabelState {
  /** true while the estimate is over the limit: values are replaced */
  overLimit = false;
  /** the estimate at the last evaluation */
  estimate = 0;
  /** values replaced so far (label_values_limited_total) */
  limited = 0;

  constructor(
    readonly name: string,
    private readonly sketch: Cardinality,
  ) {}

  /** Counts a value into the estimate (the original value, also while limited, so the estimate never drops by limiting). */
  feed(value: string): void {
    const [hi, lo] = hashHalves(value);
    this.sketch.insertHash(hi, lo);
  }

  evaluate(max: number): boolean {
    this.estimate = this.sketch.estimate();
    const over = this.estimate > max;
    const changed = over !== this.overLimit;
    this.overLimit = over;
    return changed;
  }
}

/**
 * `max_cardinality_per_label` (spec §8.1): per label name a HyperLogLog
 * estimate of its distinct values over stale_duration, re-evaluated every
 * 15 s; while a label is over the limit its value becomes
 * `__cardinality_overflow__`. It applies with either limiter type and never
 * to info metrics. Schemas cache which of their positions are limited and
 * re-read them when `version` moves.
 */
export class PerLabelLimiter {
  /** moves whenever a label's over-limit state or the limiter's on/off state changes */
  version = 0;
  /** the limit is set (> 0): values feed the estimates and may be replaced */
  active = false;
  private readonly states = new Map<string, LabelState>();

  constructor(
    private readonly max: () => number,
    private readonly window: DemandWindow,
  ) {}

  /** The state of a label name, made on first use. */
  state(name: string): LabelState {
    let s = this.states.get(name);
    if (s === undefined) {
      s = new LabelState(name, this.window.cardinality());
      this.states.set(name, s);
    }
    return s;
  }

  /** Reads the limit and re-evaluates every label (every 15 s, and when the overrides change). */
  evaluate(): void {
    const max = this.max();
    const active = max > 0;
    if (active !== this.active) {
      this.active = active;
      this.version++;
    }
    if (!active) return;
    for (const s of this.states.values()) if (s.evaluate(max)) this.version++;
  }

  /** Every label state (for the self-metrics). */
  labels(): IterableIterator<LabelState> {
    return this.states.values();
  }
}
