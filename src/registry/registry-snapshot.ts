import { type BinReader, type BinWriter, CodecError } from "../util/bin-codec.ts";
import type { Steps } from "../util/slices.ts";
import { ClassicHistogram } from "./classic-histogram.ts";
import { NativeHistogram } from "./native/native-histogram.ts";
import { type LabelRules, keyOf, mergeSorted } from "./label-schema.ts";
import { LabelSet } from "./label-set.ts";
import type { Metric, PointInTime, Series } from "./metric.ts";

/** What a restore did, for the log line at start. */
export interface RestoreReport {
  series: number;
  labelSets: number;
  /** metrics left out because their kind or buckets changed since the checkpoint */
  skippedMetrics: string[];
}

/** Metric kinds in a checkpoint: a histogram's kind is its mode (native ones since format 2). */
const KIND = { counter: 0, gauge: 1, histogram: 2, native: 3, both: 4 } as const;
type Kind = keyof typeof KIND;
const KINDS: Kind[] = ["counter", "gauge", "histogram", "native", "both"];

function kindOf(m: Metric<Series>): Kind {
  return m instanceof NativeHistogram ? m.mode : m.type;
}

function boundsOf(m: Metric<Series>): readonly number[] {
  return m instanceof ClassicHistogram || m instanceof NativeHistogram ? m.bucketBounds : [];
}

/** The checkpoint no longer fits this registry (its external labels changed): its series are other series now. */
export class SnapshotMismatch extends Error {}

/** Label sets or series handled between two yields of a capture. */
const STEP = 64;

/**
 * A registry's series as checkpoint bytes: the external labels (a changed
 * set makes every series a different one), a table of label sets by their
 * user labels, then per metric its kind, buckets and series. A walk that
 * yields every few series, for capture `c`: the metrics, their overflow
 * series and which series are in it are fixed at its first step (before
 * the first yield), the series' states by the capture (Metric.keep).
 */
export function* writeRegistrySnapshot(w: BinWriter, rules: LabelRules, metrics: ReadonlyMap<string, Metric<Series>>, c: PointInTime): Steps {
  const members: { name: string; m: Metric<Series>; overflow: Uint8Array | null; series: Series[] }[] = [];
  for (const [name, m] of metrics) members.push({ name, m, overflow: m.overflowNow(c), series: [] });
  w.uint(rules.external.length);
  for (const s of rules.external) w.str(s);
  // each set's place in the table is kept on the set: a Map of a quarter million sets held the loop ~50 ms when it grew
  const sets: LabelSet[] = [];
  let n = 0;
  for (const { m, series } of members) {
    for (const s of m.series) {
      if (++n % STEP === 0) yield;
      if (!m.inCapture(s, c)) continue;
      series.push(s);
      const ls = s.ls as LabelSet;
      if (ls.snapGen !== c.gen) {
        ls.snapGen = c.gen;
        ls.snapIndex = sets.length;
        sets.push(ls);
      }
    }
  }
  const external = new Set<string>();
  for (let i = 0; i < rules.external.length; i += 2) external.add(rules.external[i]);
  w.uint(sets.length);
  for (let i = 0; i < sets.length; i++) {
    const user = userLabels(sets[i].labels, external);
    w.uint(user.length);
    for (const s of user) w.str(s);
    if (i % STEP === STEP - 1) yield;
  }
  w.uint(members.length);
  for (const { name, m, overflow, series } of members) {
    w.str(name);
    w.uint(KIND[kindOf(m)]);
    const bounds = boundsOf(m);
    w.uint(bounds.length);
    for (const b of bounds) w.f64(b);
    yield* m.writeSnapshotSteps(w, c, overflow, series, (ls) => ls.snapIndex);
  }
}

/**
 * Restores a registry from checkpoint bytes. A metric the processors already
 * registered takes its series if kind (with the histogram mode) and buckets match (else it starts empty
 * and is reported); one they no longer register (a removed processor) is
 * registered again and keeps exporting its frozen series until they go stale,
 * as Tempo keeps a removed processor's series.
 */
export type { Kind as MetricKind };

export function readRegistrySnapshot(
  r: BinReader,
  rules: LabelRules,
  metrics: ReadonlyMap<string, Metric<Series>>,
  format: number,
  register: (name: string, kind: Kind, bounds: number[]) => Metric<Series>,
  /** a metric of that shape outside the registry: what a skipped metric's series are read (and dropped) with */
  detached: (name: string, kind: Kind, bounds: number[]) => Metric<Series>,
): RestoreReport {
  const nExt = r.count();
  const external: string[] = [];
  for (let i = 0; i < nExt; i++) external.push(r.str());
  if (external.join("\u0000") !== rules.external.join("\u0000")) {
    throw new SnapshotMismatch("the external labels (registry.external_labels, __metrics_gen_instance, inject_tenant_id_as) changed");
  }
  const nSets = r.count();
  const sets: LabelSet[] = [];
  for (let i = 0; i < nSets; i++) {
    const n = r.count();
    const user: string[] = [];
    for (let k = 0; k < n; k++) user.push(r.str());
    const key = keyOf(user);
    let ls = rules.byKey.get(key);
    if (ls === undefined) {
      ls = new LabelSet(key, mergeSorted(user, rules.external));
      rules.byKey.set(key, ls);
    }
    sets.push(ls);
  }
  const report: RestoreReport = { series: 0, labelSets: 0, skippedMetrics: [] };
  const nMetrics = r.count();
  for (let i = 0; i < nMetrics; i++) {
    const name = r.str();
    const kind = KINDS[r.uint()];
    if (kind === undefined) throw new CodecError("unknown metric kind");
    const nb = r.count();
    const bounds: number[] = [];
    for (let k = 0; k < nb; k++) bounds.push(r.f64());
    const m = metrics.get(name) ?? register(name, kind, bounds);
    const fits = kindOf(m) === kind && sameBounds(boundsOf(m), bounds);
    if (fits) report.series += m.readSnapshot(r, sets, true, format);
    else {
      // The series are laid out as the checkpointed shape wrote them: read them with that shape.
      report.skippedMetrics.push(name);
      detached(name, kind, bounds).readSnapshot(r, sets, false, format);
    }
  }
  // Label sets no metric took (skipped metrics) must not linger.
  for (const ls of sets) {
    if (ls.live > 0) report.labelSets++;
    else if (rules.byKey.get(ls.key) === ls) rules.byKey.delete(ls.key);
  }
  return report;
}

function userLabels(labels: readonly string[], external: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < labels.length; i += 2) if (!external.has(labels[i])) out.push(labels[i], labels[i + 1]);
  return out;
}

function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
