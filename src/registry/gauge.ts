import type { LabelSource } from "./label-schema.ts";
import { Metric, type Series } from "./metric.ts";
import type { CollectMode, SeriesSink } from "./sink.ts";

interface GaugeSeries extends Series {
  value: number;
}

/** A gauge; gauges never get a zero-first sample. */
export class Gauge extends Metric<GaugeSeries> {
  readonly type = "gauge";
  readonly cost = 1;

  /** Sets the value and refreshes the series; false when the labels are not valid UTF-8. */
  set(key: string, source: LabelSource, values: readonly string[], value: number, now: number): boolean {
    const s = this.series.get(key) ?? this.resolve(key, source, values, now);
    if (s === null) return false;
    s.value = value;
    s.lastUpdate = now;
    return true;
  }

  /**
   * Creates the series with `value` if it does not exist; an existing series is
   * left untouched, not even refreshed. This is Tempo's target_info behaviour
   * (spec §4.5): the series goes stale `stale_duration` after creation and is
   * then recreated by the next span.
   */
  setIfAbsent(key: string, source: LabelSource, values: readonly string[], value: number, now: number): boolean {
    if (this.series.has(key)) return true;
    const s = this.resolve(key, source, values, now);
    if (s === null) return false;
    s.value = value;
    return true;
  }

  protected make(labels: string[], now: number): GaugeSeries {
    return { labels, lastUpdate: now, collected: false, value: 0 };
  }

  protected write(s: GaugeSeries, ts: number, _zeroTs: number, sink: SeriesSink, _mode: CollectMode): void {
    sink.begin(this.name, s.labels, undefined);
    sink.sample(ts, s.value);
  }
}
