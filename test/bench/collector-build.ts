/**
 * Builds the OpenTelemetry Collector the bench's `collector.*` figures run
 * beside redgen: the collector builder (ocb) from the Go module proxy, with
 * the OTLP receiver, the spanmetrics and servicegraph connectors and the
 * Prometheus remote-write exporter, all at one release. Cached under
 * .cache/otelcol/<version>/ and built only when missing (several minutes on
 * two cores the first time); never run by `npm test` or CI.
 *
 *   bun test/bench/collector-build.ts     builds (or finds) it and prints its path
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CACHE_DIR, REPO_ROOT } from "../support/setup.ts";

/**
 * The release every component comes from (core and contrib are tagged
 * together). The proxy here serves the servicegraph connector at only some
 * releases; this is the newest one found that serves every module below.
 */
export const COLLECTOR_VERSION = "v0.145.0";
const CONTRIB = "github.com/open-telemetry/opentelemetry-collector-contrib";

/** The builder's manifest: what goes into the binary. */
export function collectorManifest(version = COLLECTOR_VERSION): string {
  return `dist:
  name: otelcol-bench
  description: OpenTelemetry Collector for redgen's bench (OTLP in, span metrics and service graphs out over remote write)
  output_path: ./build
receivers:
  - gomod: go.opentelemetry.io/collector/receiver/otlpreceiver ${version}
connectors:
  - gomod: ${CONTRIB}/connector/spanmetricsconnector ${version}
  - gomod: ${CONTRIB}/connector/servicegraphconnector ${version}
exporters:
  - gomod: ${CONTRIB}/exporter/prometheusremotewriteexporter ${version}
`;
}

const DIR = join(CACHE_DIR, "otelcol", COLLECTOR_VERSION);
/** The built Collector. */
export const COLLECTOR_BINARY = join(DIR, "build", "otelcol-bench");

function run(cmd: string[], cwd: string, env: Record<string, string | undefined>): void {
  process.stderr.write(`collector-build: $ ${cmd.join(" ")}\n`);
  const r = Bun.spawnSync(cmd, { cwd, stdout: 2, stderr: "inherit", env });
  if (r.exitCode !== 0) throw new Error(`collector-build: "${cmd.join(" ")}" exited with ${r.exitCode}`);
}

/**
 * The Collector binary, built first when it is not there for this manifest
 * (a marker next to it records the manifest). Installs the builder of the
 * same release into the same folder.
 */
export function ensureCollector(): string {
  const manifest = collectorManifest();
  const marker = `${COLLECTOR_BINARY}.manifest`;
  if (existsSync(COLLECTOR_BINARY) && existsSync(marker) && readFileSync(marker, "utf8") === manifest) return COLLECTOR_BINARY;
  const go = Bun.which("go", { PATH: `${process.env.PATH ?? ""}:/usr/local/go/bin` });
  if (go === null) throw new Error("collector-build: the OpenTelemetry Collector is not built and there is no Go toolchain (go) to build it");
  const t0 = performance.now();
  process.stderr.write(`collector-build: building the OpenTelemetry Collector ${COLLECTOR_VERSION} into ${DIR} (several minutes the first time)\n`);
  mkdirSync(DIR, { recursive: true });
  const env = { ...process.env, GOBIN: DIR, PATH: `${process.env.PATH ?? ""}:${join(go, "..")}` };
  const builder = join(DIR, "builder");
  if (!existsSync(builder)) run([go, "install", `go.opentelemetry.io/collector/cmd/builder@${COLLECTOR_VERSION}`], REPO_ROOT, env);
  writeFileSync(join(DIR, "manifest.yaml"), manifest);
  run([builder, "--config", "manifest.yaml"], DIR, env);
  writeFileSync(marker, manifest);
  process.stderr.write(`collector-build: ready (${Math.round((performance.now() - t0) / 1000)} s): ${COLLECTOR_BINARY}\n`);
  return COLLECTOR_BINARY;
}

if (import.meta.main) {
  process.stdout.write(`${ensureCollector()}\n`);
}
