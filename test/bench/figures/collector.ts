/**
 * collector.http, collector.grpc (opt-in: `--collector`, or `collector` named
 * in --only): the OpenTelemetry Collector (collector-build.ts: OTLP receiver,
 * spanmetrics and servicegraph connectors, prometheusremotewrite exporter)
 * configured from the same tenant config as e2e.* (collector-config.ts),
 * under the same load, measured the same way (load-run.ts), remote-writing
 * every 5 s into a sink in this process. When e2e.<protocol> ran in the same
 * invocation, the ratios of the Collector's CPU per span and peak RSS to
 * redgen's are figures too.
 *
 * Correctness: every span the loader sent must be accepted (a problem
 * otherwise). The Collector's own accepted-spans counter and the sum of its
 * traces_spanmetrics_calls_total (decoded from the sink) are reported, and a
 * difference is logged, not failed: the Collector's semantics are not redgen's
 * to judge.
 */
import { fromBinary } from "@bufbuild/protobuf";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { snappyDecompress } from "../../../src/remote-write/snappy.ts";
import { WriteRequestSchema } from "../../../src/gen/prometheus/remote_pb.ts";
import { ChildProcess } from "../../support/child-process.ts";
import { poll } from "../../support/poll.ts";
import { freePort } from "../../support/ports.ts";
import { benchTenantConfig } from "../bench-config.ts";
import { COLLECTOR_VERSION, ensureCollector } from "../collector-build.ts";
import { collectorYaml } from "../collector-config.ts";
import { corpusDir, ensureCorpus } from "../corpus.ts";
import { TENANT } from "../harness.ts";
import { E2E_MAX_ITEMS, logLoad, measureLoad, reportLoad, spansSent } from "./load-run.ts";
import { type Report, log } from "./report.ts";
import { type BenchSettings, wantsCollector } from "./settings.ts";

const FLUSH_MS = 5000;

/**
 * From remote-write 1.0 bodies: the latest value of every
 * traces_spanmetrics_calls_total series (their sum, their number) and the
 * edges of traces_service_graph_request_total (client, server, connection
 * type; the Collector also splits an edge by a `failed` label, Tempo does not).
 */
export class CallsTally {
  private readonly latest = new Map<string, { ts: bigint; v: number }>();
  readonly edges = new Set<string>();

  add(body: Uint8Array): void {
    for (const ts of fromBinary(WriteRequestSchema, snappyDecompress(body)).timeseries) {
      const name = ts.labels.find((l) => l.name === "__name__")?.value;
      if (name === "traces_service_graph_request_total") this.edges.add(ts.labels.filter((l) => l.name !== "failed").map((l) => `${l.name}=${l.value}`).sort().join(","));
      if (name !== "traces_spanmetrics_calls_total") continue;
      const key = ts.labels.map((l) => `${l.name}=${l.value}`).sort().join(",");
      for (const s of ts.samples) {
        const prev = this.latest.get(key);
        if (prev === undefined || s.timestamp >= prev.ts) this.latest.set(key, { ts: s.timestamp, v: s.value });
      }
    }
  }

  get labelSets(): number {
    return this.latest.size;
  }

  sum(): number {
    let sum = 0;
    for (const { v } of this.latest.values()) sum += v;
    return sum;
  }
}

/** The Collector's own count of spans its OTLP receiver accepted (otelcol_receiver_accepted_spans, every transport). */
async function acceptedByCollector(telemetryPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${telemetryPort}/metrics`)).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("otelcol_receiver_accepted_spans")) sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

/** One protocol's figures against a fresh Collector. */
export async function collectorFigures(settings: BenchSettings, report: Report, protocol: "http" | "grpc"): Promise<void> {
  const name = `collector.${protocol}`;
  if (!wantsCollector(settings, name)) return;
  const { throughputCorpus, seed, e2eConcurrency } = settings;
  const { expected } = ensureCorpus(throughputCorpus, seed, log);
  const binary = ensureCollector();
  // bodies are kept and decoded after the load, so the sink's CPU stays off the measured seconds
  const bodies: Uint8Array[] = [];
  let rwBytes = 0;
  const sink = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const body = new Uint8Array(await req.arrayBuffer());
      rwBytes += body.byteLength;
      bodies.push(body);
      return new Response(null, { status: 204 });
    },
  });
  const [grpcPort, httpPort, telemetryPort] = [await freePort(), await freePort(), await freePort()];
  // the e2e config's settings (what redgen would be started with for this sink)
  const remoteWrite = { url: `http://127.0.0.1:${sink.port}/api/v1/write`, interval: `${FLUSH_MS / 1000}s` };
  const tenant = benchTenantConfig({ receivers: true, maxItems: E2E_MAX_ITEMS, remoteWrite });
  const yaml = collectorYaml(tenant, { grpc: `127.0.0.1:${grpcPort}`, http: `127.0.0.1:${httpPort}`, remoteWriteUrl: remoteWrite.url, telemetryPort });
  const dir = mkdtempSync(join(tmpdir(), "redgen-bench-otelcol-"));
  writeFileSync(join(dir, "config.yaml"), yaml);
  const otelcol = new ChildProcess("otelcol", [binary, "--config", join(dir, "config.yaml")], { cwd: dir });
  try {
    await otelcol.waitForStderr(/Everything is ready/, 30_000);
    if (settings.auth !== "none") log(`${name}: --auth ${settings.auth} is not applied to the Collector (no auth extension built in)`);
    const url = protocol === "http" ? `http://127.0.0.1:${httpPort}` : `http://127.0.0.1:${grpcPort}`;
    const target = { corpus: corpusDir(throughputCorpus, seed), protocol, url, tenant: TENANT, concurrency: e2eConcurrency };
    logLoad(settings, name, `OpenTelemetry Collector ${COLLECTOR_VERSION} pid ${otelcol.pid}`);
    const run = await measureLoad(settings, otelcol.pid, target);
    const sent = spansSent(run);
    reportLoad(report, name, "collector", run);
    const accepted = await acceptedByCollector(telemetryPort);
    // the connectors flush every 5 s: wait for a flush that carries every span, or two flushes, whichever is first
    const tally = new CallsTally();
    await poll(
      "the Collector's span metrics to count every span",
      () => {
        for (const body of bodies.splice(0)) tally.add(body);
        return tally.sum() === sent ? true : undefined;
      },
      { timeoutMs: 2 * FLUSH_MS + 2000, intervalMs: 500 },
    ).catch(() => undefined);
    const calls = tally.sum();
    if (accepted !== sent) log(`${name}: ${sent} spans sent, the Collector counted ${accepted} accepted (otelcol_receiver_accepted_spans)`);
    if (calls !== sent) log(`${name}: ${sent} spans sent, the Collector's traces_spanmetrics_calls_total sums to ${calls}`);
    if (tally.labelSets !== expected.spanMetricsLabelSets) log(`${name}: the Collector wrote ${tally.labelSets} span-metrics label sets, redgen and Tempo ${expected.spanMetricsLabelSets}`);
    if (tally.edges.size !== expected.serviceGraphEdges) log(`${name}: the Collector wrote ${tally.edges.size} service-graph edges, redgen and Tempo ${expected.serviceGraphEdges}`);
    report.add({ name, unit: "spans_accepted", value: accepted });
    report.add({ name, unit: "lost_spans", value: sent - calls });
    report.add({ name, unit: "span_metrics_label_sets", value: tally.labelSets });
    report.add({ name, unit: "service_graph_edges", value: tally.edges.size });
    report.add({ name, unit: "remote_write_mb", value: rwBytes / 2 ** 20 });
    ratios(report, name, `e2e.${protocol}`);
  } finally {
    await otelcol.stop();
    sink.stop(true);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** collector/redgen for CPU per span and peak RSS, when e2e.<protocol> ran in this invocation. */
function ratios(report: Report, name: string, redgenName: string): void {
  const value = (n: string, unit: string) => report.figures.find((f) => f.name === n && f.unit === unit)?.value;
  for (const [unit, ratioUnit] of [
    ["cpu_s/Mspans", "ratio_cpu_vs_redgen"],
    ["rss_peak_mb", "ratio_rss_peak_vs_redgen"],
  ]) {
    const redgen = value(redgenName, unit);
    const collector = value(name, unit);
    if (redgen !== undefined && collector !== undefined) report.add({ name, unit: ratioUnit, value: collector / redgen });
  }
}
