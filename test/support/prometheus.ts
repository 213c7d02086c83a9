import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChildProcess } from "./child-process.ts";
import { poll } from "./poll.ts";
import { portOf } from "./ports.ts";
import { ensurePrometheus3 } from "./setup.ts";


/** One element of an instant-query vector. */
export interface Sample {
  metric: Record<string, string>;
  value: number;
}

/** One series of a /api/v1/query_exemplars answer. */
export interface ExemplarSeries {
  seriesLabels: Record<string, string>;
  exemplars: { labels: Record<string, string>; value: number; timestamp: number }[];
}

interface ApiAnswer<T> {
  status: "success" | "error";
  data: T;
  errorType?: string;
  error?: string;
}

/** Extras for `Prometheus.start`: flags, a scrape job and rule files. */
export interface PrometheusOptions {
  /** the feature flags and other arguments (default: native histograms and exemplar storage, as 2.42 needs) */
  args?: string[];
  /** YAML (flow style) for the whole scrape_configs list; `scrape` is the simple form */
  scrapeConfigs?: string;
  /** scrape these host:port targets every second as job `job` */
  scrape?: { job: string; targets: string[]; metricsPath?: string };
  /** rule files to load (evaluated every second) */
  ruleFiles?: string[];
}

/**
 * A real Prometheus (Debian's 2.42) as remote-write receiver, on a port the
 * kernel picks on 127.0.0.1, with a temporary data dir and no scrape jobs
 * unless asked (toolchain.md §8: native histograms and exemplar storage must
 * be on, or whole batches are refused or exemplars dropped).
 */
export class Prometheus implements AsyncDisposable {
  private constructor(
    private readonly process: ChildProcess,
    private readonly dir: string,
    /** e.g. http://127.0.0.1:41234 */
    readonly url: string,
  ) {}

  /**
   * Rewrites the configuration (e.g. a scrape target known only now) and
   * makes Prometheus reload it (SIGHUP), waiting until it has.
   */
  async reload(options: PrometheusOptions): Promise<void> {
    const done = () => this.process.stderr.split('msg="Completed loading of configuration file"').length - 1;
    const before = done();
    writeFileSync(join(this.dir, "prometheus.yml"), prometheusConfig(options));
    this.process.proc.kill("SIGHUP");
    await poll("Prometheus to reload its configuration", () => (done() > before ? true : undefined), { timeoutMs: 10_000, intervalMs: 50 });
    if (/msg="Error reloading config"|err="error loading config/.test(this.process.stderr)) throw new Error(`Prometheus refused the configuration:\n${this.process.tail()}`);
  }

  static async start(binary = "prometheus", options: PrometheusOptions = {}): Promise<Prometheus> {
    const dir = mkdtempSync(join(tmpdir(), "redgen-e2e-prom-"));
    const configFile = join(dir, "prometheus.yml");
    writeFileSync(configFile, prometheusConfig(options));
    const child = new ChildProcess("prometheus", [
      binary,
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      "--web.listen-address=127.0.0.1:0",
      "--web.enable-remote-write-receiver",
      ...(options.args ?? ["--enable-feature=native-histograms,exemplar-storage"]),
    ]);
    try {
      // Prometheus logs the port the kernel gave it: msg="Listening on" address=127.0.0.1:NNNNN
      const m = await child.waitForStderr(/msg="Listening on".*? address=(\S+)/, 15_000);
      const prom = new Prometheus(child, dir, `http://127.0.0.1:${portOf(m[1])}`);
      await poll("Prometheus /-/ready", async () => ((await fetch(`${prom.url}/-/ready`)).ok ? true : undefined), {
        timeoutMs: 15_000,
      });
      return prom;
    } catch (e) {
      await child.stop("SIGKILL").catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  /**
   * Prometheus 3 (built by setup): it receives remote write 1.0 and 2.0, keeps
   * exemplars, and turns start timestamps into zero samples
   * (created-timestamp-zero-ingestion), what a 2.0 sender relies on.
   */
  static start3(options: { scrapeConfigs?: string } = {}): Promise<Prometheus> {
    return Prometheus.start(ensurePrometheus3(), {
      ...options,
      args: [
        "--web.remote-write-receiver.accepted-protobuf-messages=prometheus.WriteRequest",
        "--web.remote-write-receiver.accepted-protobuf-messages=io.prometheus.write.v2.Request",
        "--enable-feature=exemplar-storage,created-timestamp-zero-ingestion",
      ],
    });
  }

  /** The remote-write receiver endpoint. */
  get remoteWriteUrl(): string {
    return `${this.url}/api/v1/write`;
  }

  /** Instant query at the current time; the answer must be a vector. */
  async query(promql: string): Promise<Sample[]> {
    const data = await this.api<{ resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] }>(
      "/api/v1/query",
      { query: promql },
    );
    if (data.resultType !== "vector") throw new Error(`query ${promql} gave a ${data.resultType}, not a vector`);
    return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  /**
   * Raw samples of a range selector such as `metric{a="b"}[10m]`, evaluated
   * now: per series, [timestamp ms, value] pairs in time order.
   */
  async querySamples(rangeSelector: string): Promise<{ metric: Record<string, string>; samples: [number, number][] }[]> {
    const data = await this.api<{ resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] }>(
      "/api/v1/query",
      { query: rangeSelector },
    );
    if (data.resultType !== "matrix") throw new Error(`query ${rangeSelector} gave a ${data.resultType}, not a matrix`);
    return data.result.map((r) => ({
      metric: r.metric,
      samples: r.values.map(([t, v]): [number, number] => [Math.round(t * 1000), Number(v)]),
    }));
  }

  /** Exemplars of the series `promql` selects, between the two unix times in seconds. */
  async queryExemplars(promql: string, startSec: number, endSec: number): Promise<ExemplarSeries[]> {
    const data = await this.api<
      { seriesLabels: Record<string, string>; exemplars: { labels: Record<string, string>; value: string; timestamp: number }[] }[]
    >("/api/v1/query_exemplars", { query: promql, start: String(startSec), end: String(endSec) });
    return data.map((s) => ({
      seriesLabels: s.seriesLabels,
      exemplars: s.exemplars.map((e) => ({ labels: e.labels, value: Number(e.value), timestamp: e.timestamp })),
    }));
  }

  /** Polls `query(promql)` until `predicate` holds, and returns that answer. */
  async waitFor(promql: string, predicate: (result: Sample[]) => boolean, timeoutMs = 15_000): Promise<Sample[]> {
    let last: Sample[] = [];
    return poll(
      `Prometheus query ${promql} to satisfy the condition`,
      async () => {
        last = await this.query(promql);
        return predicate(last) ? last : undefined;
      },
      { timeoutMs, intervalMs: 150 },
      () => `last answer ${JSON.stringify(last)}`,
    );
  }

  /**
   * Polls query_exemplars over the last and next ten minutes until the series
   * `promql` selects hold at least `count` exemplars in total.
   */
  async waitForExemplars(promql: string, count: number, timeoutMs = 15_000): Promise<ExemplarSeries[]> {
    let last: ExemplarSeries[] = [];
    return poll(
      `${count} exemplars on ${promql}`,
      async () => {
        const nowSec = Date.now() / 1000;
        last = await this.queryExemplars(promql, nowSec - 600, nowSec + 600);
        return last.reduce((n, s) => n + s.exemplars.length, 0) >= count ? last : undefined;
      },
      { timeoutMs, intervalMs: 150 },
      () => `last answer ${JSON.stringify(last)}`,
    );
  }

  /** Polls until `promql` has exactly `count` series (the usual "data has arrived"). */
  async waitForSeries(promql: string, count: number, timeoutMs = 15_000): Promise<Sample[]> {
    return this.waitFor(promql, (r) => r.length === count, timeoutMs);
  }

  /** Stderr of the Prometheus process. */
  get log(): string {
    return this.process.stderr;
  }

  async stop(): Promise<void> {
    try {
      await this.process.stop("SIGTERM", 10_000);
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** GET an /api/v1 endpoint; the answer's `data`, or an error naming Prometheus' complaint. */
  async api<T>(path: string, params: Record<string, string>): Promise<T> {
    const res = await fetch(`${this.url}${path}?${new URLSearchParams(params)}`);
    const body = (await res.json()) as ApiAnswer<T>;
    if (body.status !== "success") throw new Error(`${path} ${JSON.stringify(params)}: ${body.errorType}: ${body.error}`);
    return body.data;
  }
}

function prometheusConfig(o: PrometheusOptions): string {
  const lines = ["global:", "  scrape_interval: 15s", "  evaluation_interval: 1s"];
  if (o.ruleFiles !== undefined) lines.push("rule_files:", ...o.ruleFiles.map((f) => `  - ${JSON.stringify(f)}`));
  if (o.scrapeConfigs !== undefined) lines.push(`scrape_configs: ${o.scrapeConfigs}`);
  else if (o.scrape === undefined) lines.push("scrape_configs: []");
  else {
    lines.push(
      "scrape_configs:",
      `  - job_name: ${JSON.stringify(o.scrape.job)}`,
      "    scrape_interval: 1s",
      `    metrics_path: ${JSON.stringify(o.scrape.metricsPath ?? "/metrics")}`,
      `    static_configs: [{ targets: ${JSON.stringify(o.scrape.targets)} }]`,
    );
  }
  return `${lines.join("\n")}\n`;
}
