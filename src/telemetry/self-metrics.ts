import { escapeValue, formatValue } from "../serve/exposition.ts";

/** One sample of a self-metric. */
export interface SelfSample {
  labels: Record<string, string>;
  value: number;
  /** appended to the family name (a histogram's _bucket, _sum, _count) */
  suffix?: string;
}

/** One family of redgen's own metrics. */
export interface SelfFamily {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram";
  samples: SelfSample[];
}

/**
 * redgen's own metrics at `/metrics`. Components keep plain counters; the
 * collectors registered here read them at scrape time, so nothing on the
 * span path touches a metrics library.
 */
export class SelfMetrics {
  private readonly collectors: (() => SelfFamily[])[] = [];

  register(collector: () => SelfFamily[]): void {
    this.collectors.push(collector);
  }

  render(): string {
    let out = "";
    for (const c of this.collectors) {
      for (const f of c()) {
        out += `# HELP ${f.name} ${f.help}\n# TYPE ${f.name} ${f.type}\n`;
        for (const s of f.samples) {
          const l = Object.entries(s.labels)
            .map(([k, v]) => `${k}="${escapeValue(v)}"`)
            .join(",");
          out += `${f.name}${s.suffix ?? ""}${l ? `{${l}}` : ""} ${formatValue(s.value)}\n`;
        }
      }
    }
    return out;
  }
}
