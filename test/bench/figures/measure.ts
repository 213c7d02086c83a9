/**
 * How a timed figure is taken: fresh state per run, a full GC before each so
 * one run's garbage is not collected on the next one's clock, warm-up runs
 * that are not counted (JIT tiers, lazily built tables), then the median of
 * the measured runs (robust to one run hit by a background hiccup).
 */
import type { Report } from "./report.ts";
import { type BenchSettings, wants } from "./settings.ts";

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Several synchronous full collections, so the heap (and what RSS can give back) has settled before it is read. */
export function fullGc(): void {
  for (let k = 0; k < 3; k++) Bun.gc(true);
}

/**
 * Measures a span rate: `measure(name, spans, setup, run, cpu)` runs `run`
 * (fresh state from `setup` each time) warm-ups + runs times and reports the
 * median rate of the measured runs; with `cpu`, also the process CPU time per
 * wall time over them (above 1: GC or other helper threads worked alongside
 * the JS thread). Skipped unless `name` was asked for.
 */
export function rateMeasurer(settings: BenchSettings, report: Report) {
  return function measure<S>(name: string, spans: number, setup: () => S, run: (s: S) => number, cpu = false): void {
    if (!wants(settings, name)) return;
    const rates: number[] = [];
    let cpuMs = 0;
    let wallMs = 0;
    for (let r = 0; r < settings.warmups + settings.runs; r++) {
      const state = setup();
      Bun.gc(true);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const n = run(state);
      const dt = performance.now() - t0;
      const c = process.cpuUsage(c0);
      if (n !== spans) throw new Error(`${name}: processed ${n} spans, expected ${spans}`);
      if (r >= settings.warmups) {
        rates.push(n / (dt / 1000));
        cpuMs += (c.user + c.system) / 1000;
        wallMs += dt;
      }
    }
    report.add({ name, unit: "spans/s", value: median(rates), runs: rates.map(Math.round) });
    if (cpu) report.add({ name, unit: "cpu/wall", value: cpuMs / wallMs });
  };
}
