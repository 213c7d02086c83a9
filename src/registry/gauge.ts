import type { BinReader, BinWriter } from "../util/bin-codec.ts";
import type { LabelSet } from "./label-set.ts";
import { Metric, type Series } from "./metric.ts";
import type { CollectMode, SeriesSink } from "./sink.ts";

interface GaugeSeries extends Series {
  value: number;
}

/** A gauge; gauges never get a zero-first sample. */
export class Gauge extends Metric<GaugeSeries> {
  readonly type = "gauge";
  readonly cost = 1;

  /** Sets the value and refreshes the series. */
  set(ls: LabelSet, value: number, now: number): void {
    const s = this.seriesFor(ls, now);
    s.value = value;
    s.lastUpdate = now;
  }

  /**
   * Creates the series with `value` if it does not exist; an existing series is
   * left untouched, not even refreshed. This is Tempo's target_info behaviour
   * (spec §4.5): the series goes stale `stale_duration` after creation and is
   * then recreated by the next span.
   */
  setIfAbsent(ls: LabelSet, value: number, now: number): void {
    if (this.has(ls)) return;
    this.seriesFor(ls, now).value = value;
  }

  protected make(labels: string[], ls: LabelSet | null, now: number): GaugeSeries {
    return { ls, labels, lastUpdate: now, created: now, collected: false, epoch: 0, born: 0, snap: 0, value: 0 };
  }

  protected writeState(s: GaugeSeries, w: BinWriter): void {
    w.f64(s.value);
  }

  protected readState(s: GaugeSeries, r: BinReader): void {
    s.value = r.f64();
  }

  protected write(s: GaugeSeries, ts: number, _zeroTs: number, sink: SeriesSink, _mode: CollectMode): void {
    sink.begin(this.name, s.labels, undefined, 0);
    sink.sample(ts, s.value);
  }
}
