import http2 from "node:http2";
import { hostname } from "node:os";
import pkg from "../package.json" with { type: "json" };
import { parseArgs } from "./cli/args.ts";
import { helpText } from "./cli/help.ts";
import { systemdUnit } from "./cli/systemd-unit.ts";
import { ConfigError, loadConfig, tenantConfigFor } from "./config/load.ts";
import { redactedConfig } from "./config/redact.ts";
import type { Config } from "./config/types.ts";
import { AttributeProjection } from "./decode/span-batch.ts";
import { buildProcessors } from "./process/build-processors.ts";
import { TenantStats } from "./process/processor.ts";
import { createPush } from "./process/push.ts";
import { type Tenant, Tenants } from "./process/tenants.ts";
import { KafkaReceiver, KafkaStats } from "./receive/kafka/kafka-receiver.ts";
import { LagTracker } from "./receive/kafka/kafka-lag.ts";
import type { PlatformaticSource } from "./receive/kafka/platformatic-source.ts";
import { otlpGrpcHandler } from "./receive/otlp-grpc.ts";
import { ReceiverStats, otlpHttpApp } from "./receive/otlp-http.ts";
import { TraceExport } from "./receive/trace-export.ts";
import { Registry } from "./registry/registry.ts";
import { RemoteWriteClient } from "./remote-write/client.ts";
import { EndpointStats } from "./remote-write/endpoint-stats.ts";
import { remoteWriteHeaders } from "./remote-write/headers.ts";
import { RemoteWriteQueue } from "./remote-write/queue.ts";
import { TenantWriter, type WriterEndpoint } from "./remote-write/tenant-writer.ts";
import { apiApp } from "./serve/api.ts";
import { type EndpointView, registerCollectors } from "./telemetry/collectors.ts";
import { registerKafkaCollectors } from "./telemetry/kafka-collectors.ts";
import { SelfMetrics } from "./telemetry/self-metrics.ts";
import { type LogLevel, log, setLogLevel } from "./util/log.ts";

export const VERSION: string = pkg.version;
const STALE_SWEEP_MS = 5 * 60_000;

/** A running redgen; `stop` drains receivers, runs a final collection and flushes remote write. */
export interface Running {
  stop(): Promise<void>;
  ports: { api: number; http?: number; grpc?: number };
}

/**
 * The composition root: config → projection → per-tenant registry, processors
 * and writers → push → receivers → API. The only file that knows every stage.
 */
export async function start(config: Config): Promise<Running> {
  const projection = new AttributeProjection();
  const writers = new Map<string, TenantWriter>();
  const endpoints: EndpointView[] = [];
  const gen = config.generator;
  const instance = gen.instance_id || hostname();

  const createTenant = (id: string): Tenant => {
    const cfg = tenantConfigFor(config, id);
    const external: Record<string, string> = { ...gen.registry.external_labels, __metrics_gen_instance: hostname() };
    if (gen.registry.inject_tenant_id_as !== "") external[gen.registry.inject_tenant_id_as] = id;
    const registry = new Registry({
      externalLabels: external,
      maxLabelNameLength: gen.registry.max_label_name_length,
      maxLabelValueLength: gen.registry.max_label_value_length,
      staleDurationMs: gen.registry.stale_duration_ms,
      maxActiveSeries: () => cfg.max_active_series,
      traceIdLabelName: cfg.trace_id_label_name,
    });
    const stats = new TenantStats();
    const processors = buildProcessors(cfg, registry, projection, stats);
    const writerEndpoints: WriterEndpoint[] = gen.storage.remote_write.map((rw) => {
      const headers = remoteWriteHeaders(rw.headers, cfg.remote_write_headers, id, gen.storage.remote_write_add_org_id_header);
      const epStats = new EndpointStats();
      endpoints.push({ tenant: id, name: rw.name, url: rw.url, stats: epStats });
      const client = new RemoteWriteClient(rw, headers, `redgen/${VERSION}`);
      return {
        queue: new RemoteWriteQueue(client, rw, epStats, id),
        maxSamplesPerSend: rw.queue.max_samples_per_send,
        sendExemplars: rw.send_exemplars,
      };
    });
    const interval = cfg.collection_interval_ms || gen.registry.collection_interval_ms;
    const writer = new TenantWriter(id, registry, writerEndpoints, interval, cfg.disable_collection);
    writer.start();
    writers.set(id, writer);
    log.info("tenant created", { tenant: id, processors: cfg.processors.join(",") || "none" });
    return { id, config: cfg, registry, processors, stats };
  };

  const tenants = new Tenants(createTenant);
  const exporter = new TraceExport(createPush(tenants), projection);
  const selfMetrics = new SelfMetrics();
  const httpStats = new ReceiverStats();
  const grpcStats = new ReceiverStats();
  registerCollectors(selfMetrics, {
    version: VERSION,
    tenants: () => tenants.all(),
    endpoints: () => endpoints,
    receivers: [
      { protocol: "http", stats: httpStats },
      { protocol: "grpc", stats: grpcStats },
    ],
  });

  const servers: ReturnType<typeof Bun.serve>[] = [];
  const http = config.receivers.http;
  if (http !== undefined) {
    const app = otlpHttpApp(exporter, { maxRequestBytes: http.max_request_bytes, maxInflightBytes: 4 * http.max_request_bytes }, httpStats);
    servers.push(
      Bun.serve({
        hostname: http.host,
        port: http.port,
        maxRequestBodySize: http.max_request_bytes,
        fetch: app.fetch,
        tls: http.tls ? { cert: Bun.file(http.tls.cert_file), key: Bun.file(http.tls.key_file) } : undefined,
      }),
    );
  }
  const grpc = config.receivers.grpc;
  let grpcServer: http2.Http2Server | undefined;
  let grpcPort: number | undefined;
  // SDKs keep their connection for the life of the app; stop() must end them, not wait for them.
  const grpcSessions = new Set<http2.ServerHttp2Session>();
  if (grpc !== undefined) {
    const handler = otlpGrpcHandler(exporter, { maxRequestBytes: grpc.max_request_bytes }, grpcStats);
    grpcServer = grpc.tls
      ? http2.createSecureServer({ cert: await Bun.file(grpc.tls.cert_file).text(), key: await Bun.file(grpc.tls.key_file).text() }, handler)
      : http2.createServer(handler);
    grpcPort = await listen(grpcServer, grpc.host, grpc.port);
    grpcServer.on("session", (session: http2.ServerHttp2Session) => {
      grpcSessions.add(session);
      session.once("close", () => grpcSessions.delete(session));
    });
  }
  let kafka: { receiver: KafkaReceiver; lag: LagTracker; source: PlatformaticSource } | undefined;
  if (config.kafka !== undefined) {
    // Loaded only when Kafka is configured: the client costs ~0.2 s of startup.
    const { PlatformaticSource } = await import("./receive/kafka/platformatic-source.ts");
    const source = new PlatformaticSource(config.kafka);
    kafka = { receiver: new KafkaReceiver(config.kafka, source, exporter, new KafkaStats()), lag: new LagTracker(source, config.kafka.lag_update_interval_ms), source };
    startKafka(kafka.receiver, kafka.lag);
  }
  registerKafkaCollectors(selfMetrics, config, () => kafka);
  let stopping = false;
  const api = Bun.serve({
    hostname: config.server.http_listen_address,
    port: config.server.http_listen_port,
    fetch: apiApp({
      selfMetrics,
      registryOf: (t) => tenants.find(t)?.registry,
      notReady: () => (stopping ? "shutting down" : kafka !== undefined && !kafka.receiver.ready ? "kafka consumer has not joined its group yet" : null),
      statusConfig: () => JSON.stringify(redactedConfig(config), null, 2),
    }).fetch,
  });

  // Periodic work is guarded per tenant: one tenant's failure must not stop the others or the process.
  const everyTenant = (what: string, work: (t: Tenant, now: number) => void) => () => {
    const now = Date.now();
    for (const t of tenants.all()) {
      try {
        work(t, now);
      } catch (e) {
        log.error(`${what} failed`, { tenant: t.id, err: e });
      }
    }
  };
  const sweep = setInterval(everyTenant("stale-series sweep", (t, now) => t.registry.removeStale(now)), STALE_SWEEP_MS);
  const ticker = setInterval(
    everyTenant("service-graph expiry", (t, now) => {
      for (const p of t.processors) p.tick?.(now);
    }),
    2000,
  );

  log.info("redgen started", {
    version: VERSION,
    instance,
    api: `${api.hostname}:${api.port}`,
    otlp_http: http ? `${http.host}:${servers[0].port}` : "off",
    otlp_grpc: grpc ? `${grpc.host}:${grpcPort}` : "off",
    remote_write: gen.storage.remote_write.map((r) => r.url).join(",") || "none",
  });

  return {
    ports: { api: api.port ?? 0, http: servers[0]?.port, grpc: grpcPort },
    async stop() {
      if (stopping) return;
      stopping = true;
      exporter.draining = true;
      kafka?.lag.stop();
      await kafka?.receiver.stop().catch((e: unknown) => log.error("kafka: stop failed", { err: e }));
      clearInterval(sweep);
      clearInterval(ticker);
      for (const s of servers) s.stop();
      grpcServer?.close();
      for (const session of grpcSessions) session.close();
      const hardClose = setTimeout(() => {
        for (const session of grpcSessions) session.destroy();
      }, 1000);
      const now = Date.now();
      for (const t of tenants.all()) for (const p of t.processors) p.shutdown(now);
      const deadline = Date.now() + gen.storage.remote_write_flush_deadline_ms;
      await Promise.all([...writers.values()].map((w) => w.stop(deadline)));
      clearTimeout(hardClose);
      for (const session of grpcSessions) session.destroy();
      api.stop(true);
    },
  };
}

/** Joins the consumer group, retrying with backoff while the brokers are unreachable (/ready stays false). */
function startKafka(receiver: KafkaReceiver, lag: LagTracker): void {
  let delay = 1000;
  const attempt = () => {
    receiver.start().then(
      () => lag.start(),
      (e: unknown) => {
        log.error("kafka: cannot start consuming, retrying", { err: e, retry_in_ms: delay });
        setTimeout(attempt, delay);
        delay = Math.min(delay * 2, 30_000);
      },
    );
  };
  attempt();
}

/** Starts listening and resolves with the bound port (port 0 picks a free one). */
function listen(server: http2.Http2Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const addr = server.address();
      resolve(typeof addr === "object" && addr !== null ? addr.port : port);
    });
  });
}

async function cli(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`redgen: ${(e as Error).message}\n`);
    return 2;
  }
  if (args.command === "help") return print(helpText(VERSION));
  if (args.command === "version") return print(`redgen, version ${VERSION} (bun ${Bun.version})\n`);
  if (args.command === "systemd-unit") return print(systemdUnit(process.execPath, args.configFile));
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
  const running = await start(config);
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
