import type { MetricType, NativeHistogramView, SeriesSink } from "../registry/sink.ts";

/**
 * Prometheus text exposition (format 0.0.4) of a registry, for scraping
 * `/metrics/generated`. Sample timestamps are left out: the scraper stamps them.
 * The text format has no native histograms: a native-only histogram shows
 * as its count and sum with the single +Inf bucket, as client_golang writes
 * it; in `both` mode the classic series are already there.
 */
const utf8 = new TextEncoder();

export class TextExposition implements SeriesSink {
  private out = "";
  private line = "";
  private family_ = "";
  private name = "";
  private labels: readonly string[] = [];
  /** labels of the last `<family>_count` written: a native series with them is already shown classically */
  private countedLabels: readonly string[] | null = null;

  family(name: string, type: MetricType): void {
    this.out += `# TYPE ${name} ${type}\n`;
    this.family_ = name;
    this.countedLabels = null;
  }

  begin(name: string, labels: readonly string[], le: string | undefined): void {
    this.name = name;
    this.labels = labels;
    if (name === `${this.family_}_count`) this.countedLabels = labels;
    this.line = seriesText(name, labels, le);
  }

  zero(): void {}

  sample(_timestampMs: number, value: number): void {
    this.out += `${this.line} ${formatValue(value)}\n`;
  }

  zeroHistogram(): void {}

  histogram(_timestampMs: number, h: NativeHistogramView): void {
    if (this.countedLabels === this.labels) return;
    this.out += `${seriesText(`${this.name}_bucket`, this.labels, "+Inf")} ${formatValue(h.count)}\n`;
    this.out += `${seriesText(`${this.name}_sum`, this.labels, undefined)} ${formatValue(h.sum)}\n`;
    this.out += `${seriesText(`${this.name}_count`, this.labels, undefined)} ${formatValue(h.count)}\n`;
  }

  exemplar(): void {}

  text(): string {
    return this.out;
  }

  /** The lines written since the last call, as UTF-8 (a scrape streams them while the walk goes on). */
  take(): Uint8Array[] {
    const out = this.out;
    this.out = "";
    return out.length > 0 ? [utf8.encode(out)] : [];
  }
}

function seriesText(name: string, labels: readonly string[], le: string | undefined): string {
  let l = "";
  for (let i = 0; i < labels.length; i += 2) l += `${l ? "," : ""}${labels[i]}="${escapeValue(labels[i + 1])}"`;
  if (le !== undefined) l += `${l ? "," : ""}le="${le}"`;
  return l ? `${name}{${l}}` : name;
}

/** Escapes a label value for the text format: backslash, double quote, newline. */
export function escapeValue(v: string): string {
  return /[\\"\n]/.test(v) ? v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n") : v;
}

/** A sample value as the text format spells it. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}
