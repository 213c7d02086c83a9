import { hostname } from "node:os";
import pkg from "../package.json" with { type: "json" };
import { parseArgs } from "./cli/args.ts";
import { helpText } from "./cli/help.ts";
import { systemdUnit } from "./cli/systemd-unit.ts";
import { ConfigError, loadConfig } from "./config/load.ts";
import { redactUrl } from "./config/redact.ts";
import type { Config } from "./config/types.ts";
import { AttributeProjection } from "./decode/span-batch.ts";
import { createPush } from "./process/push.ts";
import { Tenants } from "./process/tenants.ts";
import { TraceExport } from "./receive/trace-export.ts";
import { registerAccessCollectors } from "./telemetry/access-collectors.ts";
import { registerCollectors } from "./telemetry/collectors.ts";
import { registerKafkaCollectors } from "./telemetry/kafka-collectors.ts";
import { SelfMetrics } from "./telemetry/self-metrics.ts";
import { registerStorageCollectors } from "./telemetry/storage-collectors.ts";
import { type LogLevel, log, setLogLevel } from "./util/log.ts";
import { startApi } from "./wiring/api.ts";
import { kafkaClient, startKafka } from "./wiring/kafka.ts";
import { startOverridesReload } from "./wiring/overrides-reload.ts";
import { startPeriodic } from "./wiring/periodic.ts";
import { startReceivers } from "./wiring/receivers.ts";
import { StorageError, openStorage } from "./wiring/storage.ts";
import { TenantFactory } from "./wiring/tenant-factory.ts";

export const VERSION: string = pkg.version;
const STALE_SWEEP_MS = 5 * 60_000;

/** A running redgen; `stop` drains receivers, runs a final round per tenant and flushes remote write. */
export interface Running {
  stop(): Promise<void>;
  ports: { api: number; http?: number; grpc?: number };
}

/**
 * The composition root, in data-flow order: storage → per-tenant registry,
 * processors, state and writers (restored from disk) → push → receivers and
 * Kafka → API. Each stage's wiring lives in src/wiring/.
 */
export async function start(config: Config): Promise<Running> {
  const storage = openStorage(config);
  const projection = new AttributeProjection();
  const kafkaState = config.kafka === undefined ? undefined : await kafkaClient(config.kafka);
  const factory = new TenantFactory(config, storage, projection, `redgen/${VERSION}`, () => kafkaState?.progress);
  const tenants = new Tenants((id) => factory.create(id));
  // Tenants with state on disk come back now: their counters go on, their queues drain.
  for (const id of storage.tenantsOnDisk()) tenants.get(id);
  const exporter = new TraceExport(createPush(tenants), projection);
  const receivers = await startReceivers(config, exporter);
  const kafka = config.kafka && kafkaState ? startKafka(config.kafka, kafkaState, exporter, () => factory.checkpointAllSync()) : undefined;

  const selfMetrics = new SelfMetrics();
  registerCollectors(selfMetrics, { version: VERSION, tenants: () => tenants.all(), endpoints: () => factory.endpoints, receivers: receivers.stats });
  registerStorageCollectors(selfMetrics, storage, factory);
  registerKafkaCollectors(selfMetrics, config, () => kafka);
  let stopping = false;
  const notReady = () => (stopping ? "shutting down" : kafka !== undefined && !kafka.receiver.ready ? "kafka consumer has not joined its group yet" : null);
  const { server: api, authStats: apiAuth } = await startApi(config, { version: VERSION, selfMetrics, tenants, factory, storage, kafka: () => kafka, notReady });
  registerAccessCollectors(selfMetrics, { authStats: [...receivers.authStats, ...(config.server.auth ? [apiAuth] : [])], grpcConnections: receivers.grpcConnections });
  const periodic = startPeriodic(tenants, STALE_SWEEP_MS);
  const overrides = startOverridesReload(config, factory, projection, selfMetrics);

  log.info("redgen started", {
    version: VERSION,
    instance: config.generator.instance_id || hostname(),
    api: `${api.hostname}:${api.port}`,
    otlp_http: config.receivers.http ? `${config.receivers.http.host}:${receivers.ports.http}` : "off",
    otlp_grpc: config.receivers.grpc ? `${config.receivers.grpc.host}:${receivers.ports.grpc}` : "off",
    storage: storage.root,
    remote_write: config.generator.storage.remote_write.map((r) => redactUrl(r.url)).join(",") || "none",
  });

  return {
    ports: { api: api.port ?? 0, ...receivers.ports },
    async stop() {
      if (stopping) return;
      stopping = true;
      exporter.draining = true;
      receivers.stop(1000);
      kafka?.pause();
      periodic.stop();
      overrides.stop();
      // Final rounds: every tenant's counts are on disk before Kafka offsets are committed.
      await Promise.all([...factory.wired.values()].map((w) => w.writer.finish()));
      await kafka?.close();
      const deadline = Date.now() + config.generator.storage.remote_write_flush_deadline_ms;
      await Promise.all([...factory.wired.values()].map((w) => w.writer.flush(deadline)));
      receivers.destroy();
      api.stop(true);
      storage.release();
    },
  };
}

async function cli(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`redgen: ${(e as Error).message}\n`);
    return 2;
  }
  if (args.command === "help") return print(helpText(VERSION, args.helpTopic));
  if (args.command === "version") return print(`redgen, version ${VERSION} (bun ${Bun.version})\n`);
  if (args.command === "systemd-unit") return print(systemdUnit(process.execPath, args));
  let config: Config;
  try {
    config = loadConfig(args.configFile, { expandEnv: args.expandEnv });
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`redgen: invalid configuration${args.configFile ? ` in ${args.configFile}` : ""}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  setLogLevel((args.logLevel as LogLevel | undefined) ?? config.server.log_level);
  for (const w of config.warnings) log.warn(w);
  if (args.command === "check-config") return print(`${args.configFile ?? "embedded default"}: configuration is valid\n`);

  // A bug in one async path must cost that request or round, not the spans other tenants sent.
  process.on("unhandledRejection", (e) => log.error("unhandled promise rejection", { err: e }));
  let running: Running;
  try {
    running = await start(config);
  } catch (e) {
    if (!(e instanceof StorageError)) throw e;
    process.stderr.write(`redgen: ${e.message}\n`);
    return 1;
  }
  const done = Promise.withResolvers<void>();
  const onSignal = (signal: string) => {
    log.info("shutting down", { signal });
    running.stop().then(done.resolve, done.reject);
  };
  process.once("SIGTERM", () => onSignal("SIGTERM"));
  process.once("SIGINT", () => onSignal("SIGINT"));
  await done.promise;
  log.info("stopped");
  // Everything accepted is flushed; do not let a lingering client socket keep the process up.
  process.exit(0);
}

function print(text: string): number {
  process.stdout.write(text);
  return 0;
}

if (import.meta.main) {
  process.exitCode = await cli(process.argv.slice(2));
}
