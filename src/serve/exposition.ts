import type { SeriesSink } from "../registry/sink.ts";

/**
 * Prometheus text exposition (format 0.0.4) of a registry, for scraping
 * `/metrics/generated`. Sample timestamps are left out: the scraper stamps them.
 */
export class TextExposition implements SeriesSink {
  private out = "";
  private line = "";

  family(name: string, type: "counter" | "gauge" | "histogram"): void {
    this.flush();
    this.out += `# TYPE ${name} ${type}\n`;
  }

  begin(name: string, labels: readonly string[], le: string | undefined): void {
    this.flush();
    let l = "";
    for (let i = 0; i < labels.length; i += 2) l += `${l ? "," : ""}${labels[i]}="${escapeValue(labels[i + 1])}"`;
    if (le !== undefined) l += `${l ? "," : ""}le="${le}"`;
    this.line = l ? `${name}{${l}}` : name;
  }

  sample(_timestampMs: number, value: number): void {
    this.out += `${this.line} ${formatValue(value)}\n`;
    this.line = "";
  }

  exemplar(): void {}

  text(): string {
    this.flush();
    return this.out;
  }

  private flush(): void {
    this.line = "";
  }
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
