import type { LabelSource } from "./label-schema.ts";
import { Metric, type Series } from "./metric.ts";
import type { CollectMode, SeriesSink } from "./sink.ts";

interface CounterSeries extends Series {
  value: number;
}

/** A cumulative counter; new series write a zero first (spec §15.1). */
export class Counter extends Metric<CounterSeries> {
  readonly type = "counter";
  readonly cost = 1;

  /** Adds `amount`; false when the labels are not valid UTF-8 (nothing recorded). */
  add(key: string, source: LabelSource, values: readonly string[], amount: number, now: number): boolean {
    const s = this.series.get(key) ?? this.resolve(key, source, values, now);
    if (s === null) return false;
    s.value += amount;
    s.lastUpdate = now;
    return true;
  }

  protected make(labels: string[], now: number): CounterSeries {
    return { labels, lastUpdate: now, collected: false, value: 0 };
  }

  protected write(s: CounterSeries, ts: number, zeroTs: number, sink: SeriesSink, _mode: CollectMode): void {
    sink.begin(this.name, s.labels, undefined);
    if (!Number.isNaN(zeroTs)) sink.sample(zeroTs, 0);
    sink.sample(ts, s.value);
  }
}
