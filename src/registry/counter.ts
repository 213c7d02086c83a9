import type { BinReader, BinWriter } from "../util/bin-codec.ts";
import type { LabelSet } from "./label-set.ts";
import { Metric, type Series } from "./metric.ts";
import type { CollectMode, SeriesSink } from "./sink.ts";

interface CounterSeries extends Series {
  value: number;
}

/** A cumulative counter; new series write a zero first (spec §15.1). */
export class Counter extends Metric<CounterSeries> {
  readonly type = "counter";
  readonly cost = 1;

  add(ls: LabelSet, amount: number, now: number): void {
    const s = this.seriesFor(ls, now);
    s.value += amount;
    s.lastUpdate = now;
  }

  protected make(labels: string[], ls: LabelSet | null, now: number): CounterSeries {
    return { ls, labels, lastUpdate: now, created: now, collected: false, epoch: 0, born: 0, snap: 0, value: 0 };
  }

  protected writeState(s: CounterSeries, w: BinWriter): void {
    w.f64(s.value);
  }

  protected readState(s: CounterSeries, r: BinReader): void {
    s.value = r.f64();
  }

  protected write(s: CounterSeries, ts: number, zeroTs: number, sink: SeriesSink, _mode: CollectMode): void {
    sink.begin(this.name, s.labels, undefined, s.created);
    if (!Number.isNaN(zeroTs)) sink.zero(zeroTs);
    sink.sample(ts, s.value);
  }
}
