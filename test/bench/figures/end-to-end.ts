/**
 * e2e.http, e2e.grpc: the compiled binary (dist/redgen, rebuilt when stale)
 * with the bench config, remote-writing a round every 5 s into a sink, loaded
 * by load.ts in its own process so the loader's CPU is not redgen's. A warm-up load first, then the measured one; redgen's
 * CPU comes from /proc, and every span sent must show up in
 * traces_spanmetrics_calls_total (lost spans are a problem, not a figure to
 * shrug at). RSS is taken at start (idle), every 20 ms during the measured
 * load (peak, with its anonymous and file-backed parts) and at its end.
 */
import { Redgen } from "../../support/redgen-process.ts";
import { ensureBinary } from "../../support/setup.ts";
import { benchYaml } from "../bench-config.ts";
import { corpusDir, ensureCorpus } from "../corpus.ts";
import { TENANT } from "../harness.ts";
import { E2E_MAX_ITEMS, logLoad, measureLoad, reportLoad, spansSent } from "./load-run.ts";
import { type Report, log } from "./report.ts";
import { type BenchSettings, wants } from "./settings.ts";

/**
 * --auth: the receivers' auth block and the header the loader sends. Basic
 * uses a bcrypt hash of cost 10 (htpasswd -B's default is 5); redgen
 * verifies it once and remembers it, so the figure shows the steady state.
 */
async function benchAuth(auth: BenchSettings["auth"]): Promise<{ receiverAuth?: string; authorization?: string }> {
  if (auth === "bearer") return { receiverAuth: "{bearertokenauth: {token: bench-token-0123456789}}", authorization: "Bearer bench-token-0123456789" };
  if (auth === "basic") {
    const hash = await Bun.password.hash("bench-password", { algorithm: "bcrypt", cost: 10 });
    return { receiverAuth: `{basicauth: {htpasswd: {inline: 'bench:${hash}'}}}`, authorization: `Basic ${Buffer.from("bench:bench-password").toString("base64")}` };
  }
  return {};
}

/** The sum of traces_spanmetrics_calls_total over every series in an exposition. */
function sumCalls(exposition: string): number {
  let sum = 0;
  for (const line of exposition.split("\n")) {
    if (!line.startsWith("traces_spanmetrics_calls_total{") && !line.startsWith("traces_spanmetrics_calls_total ")) continue;
    sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

/** One protocol's end-to-end figures, against a fresh redgen. */
export async function endToEnd(settings: BenchSettings, report: Report, protocol: "http" | "grpc", binary?: string): Promise<void> {
  const name = `e2e.${protocol}`;
  if (!wants(settings, name)) return;
  const { throughputCorpus, seed, e2eConcurrency } = settings;
  ensureCorpus(throughputCorpus, seed, log);
  if (binary === undefined) ensureBinary();
  // Rounds go to a sink in this process (its CPU is not redgen's): encoding, the queue on disk, the checkpoint and sending all count.
  let rwBytes = 0;
  const sink = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      rwBytes += (await req.arrayBuffer()).byteLength;
      return new Response(null, { status: 204 });
    },
  });
  const remoteWrite = { url: `http://127.0.0.1:${sink.port}/api/v1/write`, interval: "5s" };
  const { receiverAuth, authorization } = await benchAuth(settings.auth);
  // --cpu-prof: the compiled binary honours BUN_OPTIONS; the profile is written at exit
  const env = settings.cpuProfDir === undefined ? undefined : { BUN_OPTIONS: `--cpu-prof --cpu-prof-dir=${settings.cpuProfDir} --cpu-prof-name=${name}.cpuprofile` };
  const redgen = await Redgen.start({ config: benchYaml({ receivers: true, maxItems: E2E_MAX_ITEMS, remoteWrite, receiverAuth }), binary, env });
  try {
    const grpcPort = /otlp_grpc=\S+:(\d+)/.exec(redgen.process.stderr)?.[1];
    const url = protocol === "http" ? redgen.otlpHttpUrl : `http://127.0.0.1:${grpcPort}`;
    const common = { corpus: corpusDir(throughputCorpus, seed), protocol, url, tenant: TENANT, concurrency: e2eConcurrency, ...(authorization ? { authorization } : {}) };
    logLoad(settings, name, `redgen pid ${redgen.process.pid}, auth ${settings.auth}`);
    const run = await measureLoad(settings, redgen.process.pid, common);
    const calls = sumCalls(await redgen.generated(TENANT));
    const sent = spansSent(run);
    if (calls !== sent) report.problem(`${name}: ${sent} spans sent, traces_spanmetrics_calls_total sums to ${calls}`);
    reportLoad(report, name, "redgen", run);
    report.add({ name, unit: "lost_spans", value: sent - calls });
    report.add({ name, unit: "remote_write_mb", value: rwBytes / 2 ** 20 });
  } finally {
    await redgen.stop();
    sink.stop(true);
  }
}
