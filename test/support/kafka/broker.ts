/**
 * A real Apache Kafka broker for tests: single node, KRaft (broker and
 * controller in one JVM), on free 127.0.0.1 ports, in a temp dir removed on
 * stop. No Docker and no mock.
 *
 * - The jars come from `ensureKafkaJars()` (install.ts; setup.ts runs it
 *   before `bun test`, and `startKafka()` calls it too).
 * - `startKafka()` copies a log dir formatted once by kafka.tools.StorageTool
 *   into a temp dir, starts `kafka.Kafka` with Java 17 and waits until a
 *   metadata request through @platformatic/kafka answers with the broker in
 *   it (~1.5-2.5 s on 2 cores; the first start also formats, ~1 s more).
 * - `createTopic()` creates a topic and waits until every partition is led,
 *   so a first produce is not retried (and duplicated) by the client.
 * - `sharedKafka()` is one broker per test process, started on first use and
 *   killed when the process exits, for test files that only need topics of
 *   their own.
 * - With `security`, the broker also listens with SASL_SSL (PLAIN and
 *   SCRAM-SHA-256/512, a PKCS#12 keystore made from the given PEM files by
 *   openssl); SCRAM users are created by `kafka-storage format --add-scram`,
 *   so such a broker formats its own log dir. The PLAINTEXT listener stays
 *   for the test's own admin work.
 */
import { Admin } from "@platformatic/kafka";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../ports.ts";
import { ensureKafkaJars } from "./install.ts";

export { ensureKafkaJars, ensureKafkaTestTools, ensureKcat, KAFKA_VERSION, kafkaLibsDir } from "./install.ts";

export interface KafkaOptions {
  /** `num.partitions` for auto-created topics (default 1). */
  partitions?: number;
  /** Extra broker properties, e.g. `{ "log.retention.ms": "60000" }`; they override the defaults. */
  properties?: Record<string, string | number | boolean>;
  /** JVM max heap (default "512m"). */
  heap?: string;
  /** slf4j-simple level for the broker's log file: error|warn|info|debug (default warn). */
  logLevel?: string;
  /** Deadline for format + start + first metadata answer (default 60 s). */
  timeoutMs?: number;
  /** Extra JVM flags, after the defaults (e.g. ["-XX:TieredStopAtLevel=4"] for full JIT in a throughput test). */
  jvmFlags?: string[];
  /** A SASL_SSL listener next to PLAINTEXT. */
  security?: BrokerSecurity;
}

/** Users and the server certificate of a SASL_SSL listener. */
export interface BrokerSecurity {
  /** PEM files of the broker's certificate (for 127.0.0.1) and its key */
  certFile: string;
  keyFile: string;
  /** SASL/PLAIN users: name → password */
  plainUsers: Record<string, string>;
  /** SCRAM users, with credentials for both SHA-256 and SHA-512: name → password */
  scramUsers: Record<string, string>;
}

export interface KafkaBroker {
  /** "127.0.0.1:PORT", for a client's bootstrap list. */
  readonly bootstrap: string;
  /** "127.0.0.1:PORT" of the SASL_SSL listener (with `security`) */
  readonly saslSslBootstrap?: string;
  readonly port: number;
  readonly controllerPort: number;
  readonly pid: number;
  /** Temp dir with server.properties, data/ and broker.log. */
  readonly dir: string;
  /** Milliseconds from format to the first successful metadata request. */
  readonly startMs: number;
  /** The last lines of the broker's log. */
  logTail(lines?: number): string;
  /** SIGTERM (controlled shutdown), SIGKILL after `timeoutMs`; then removes the temp dir. Idempotent. */
  stop(timeoutMs?: number): Promise<void>;
  /** SIGKILL at once, then removes the temp dir (a crash, or fast cleanup). Idempotent. */
  kill(): Promise<void>;
}

function serverProperties(
  dataDir: string,
  port: number,
  controllerPort: number,
  partitions: number,
  extra: Record<string, string | number | boolean>,
): string {
  const props: Record<string, string | number | boolean> = {
    "process.roles": "broker,controller",
    "node.id": 1,
    "controller.quorum.voters": `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    "advertised.listeners": `PLAINTEXT://127.0.0.1:${port}`,
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "log.dirs": dataDir,
    // one node: every internal topic with one replica
    "offsets.topic.replication.factor": 1,
    "offsets.topic.num.partitions": 1,
    "transaction.state.log.replication.factor": 1,
    "transaction.state.log.min.isr": 1,
    "share.coordinator.state.topic.replication.factor": 1,
    "share.coordinator.state.topic.min.isr": 1,
    "default.replication.factor": 1,
    "min.insync.replicas": 1,
    // fast tests: no delay before the first rebalance
    "group.initial.rebalance.delay.ms": 0,
    "auto.create.topics.enable": true,
    "num.partitions": partitions,
    // Tempo-sized records (16 MB batches)
    "message.max.bytes": 16_000_000,
    "replica.fetch.max.bytes": 16_000_000,
    "log.retention.hours": 1,
    // fewer background threads on a 2-core machine
    "num.network.threads": 2,
    "num.io.threads": 2,
    "num.recovery.threads.per.data.dir": 1,
    "log.cleaner.enable": false,
    ...extra,
  };
  return `${Object.entries(props)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join("\n")}\n`;
}

/**
 * 16 random bytes as unpadded base64url: the 22-character form of a Kafka Uuid
 * (what `random-uuid` prints). Like Uuid.randomUuid, never one that starts
 * with "-": the storage tool would read it as an option (1 format in 64 failed).
 */
function randomClusterId(): string {
  for (;;) {
    const b = randomBytes(16);
    b[6] = (b[6]! & 0x0f) | 0x40; // version 4, as Uuid.randomUuid
    b[8] = (b[8]! & 0x3f) | 0x80;
    const id = b.toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

function javaArgs(libs: string, heap: string, logLevel: string, extra: string[] = []): string[] {
  return [
    "java",
    `-Xmx${heap}`,
    "-Xms128m",
    // quick start on 2 cores: C1 only and the serial collector start ~1 s faster than the defaults
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-Xshare:auto",
    "-Djava.awt.headless=true",
    `-Dorg.slf4j.simpleLogger.defaultLogLevel=${logLevel}`,
    "-Dorg.slf4j.simpleLogger.showDateTime=true",
    ...extra,
    "-cp",
    `${libs}/*`,
  ];
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolveOpen) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolveOpen(true);
    });
    socket.once("error", () => {
      socket.destroy();
      resolveOpen(false);
    });
  });
}

function tail(path: string, lines = 40): string {
  try {
    return readFileSync(path, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Thrown when the JVM exits before it is ready; `portClash` tells whether picking new ports may help. */
class BrokerExited extends Error {
  constructor(
    message: string,
    readonly portClash: boolean,
  ) {
    super(message);
  }
}

/**
 * A log dir formatted by kafka.tools.StorageTool, made once per cache and
 * copied into each broker's temp dir: formatting costs a JVM start (~1 s).
 * What it writes (meta.properties: cluster id, node id 1, directory id;
 * bootstrap.checkpoint: the metadata version) names no port or path, so every
 * broker can start from a copy.
 */
function formattedTemplate(libs: string, jvm: string[], timeoutMs: number): string {
  const template = join(libs, "..", "formatted-node-1");
  if (existsSync(join(template, "meta.properties"))) return template;
  // next to the template, so the rename below stays on one file system
  const scratch = mkdtempSync(join(libs, "..", "formatting-"));
  try {
    const props = join(scratch, "format.properties");
    const data = join(scratch, "data");
    writeFileSync(props, serverProperties(data, 1, 2, 1, {}));
    const format = Bun.spawnSync(
      [...jvm, "kafka.tools.StorageTool", "format", "-t", randomClusterId(), "-c", props, "--ignore-formatted"],
      { stdout: "pipe", stderr: "pipe", timeout: timeoutMs },
    );
    if (format.exitCode !== 0 || !existsSync(join(data, "meta.properties"))) {
      throw new Error(
        `kafka storage format exited with ${format.exitCode}:\n${format.stdout.toString()}${format.stderr.toString()}`,
      );
    }
    try {
      renameSync(data, template);
    } catch (e) {
      // another process made the template meanwhile
      if (!existsSync(join(template, "meta.properties"))) throw e;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return template;
}

/** Listener, SASL and keystore properties of a broker with a SASL_SSL listener; writes the keystore into `dir`. */
function securityProperties(dir: string, port: number, saslPort: number, controllerPort: number, sec: BrokerSecurity): Record<string, string> {
  const keystore = join(dir, "broker.p12");
  const r = Bun.spawnSync(["openssl", "pkcs12", "-export", "-in", sec.certFile, "-inkey", sec.keyFile, "-out", keystore, "-passout", "pass:redgen-test", "-name", "broker"], {
    stdout: "pipe",
    stderr: "pipe",
  });
  if (r.exitCode !== 0) throw new Error(`openssl pkcs12 failed: ${r.stderr.toString()}`);
  const plainUsers = Object.entries(sec.plainUsers)
    .map(([u, pw]) => `user_${u}="${pw}"`)
    .join(" ");
  return {
    listeners: `PLAINTEXT://127.0.0.1:${port},SASL_SSL://127.0.0.1:${saslPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    "advertised.listeners": `PLAINTEXT://127.0.0.1:${port},SASL_SSL://127.0.0.1:${saslPort}`,
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT",
    "sasl.enabled.mechanisms": "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
    "listener.name.sasl_ssl.plain.sasl.jaas.config": `org.apache.kafka.common.security.plain.PlainLoginModule required ${plainUsers};`,
    "listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config": "org.apache.kafka.common.security.scram.ScramLoginModule required;",
    "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": "org.apache.kafka.common.security.scram.ScramLoginModule required;",
    "ssl.keystore.type": "PKCS12",
    "ssl.keystore.location": keystore,
    "ssl.keystore.password": "redgen-test",
    "ssl.client.auth": "none",
  };
}

/** Formats the broker's own log dir, creating the SCRAM users (both hash sizes) with it. */
function formatWithScram(jvm: string[], propsPath: string, sec: BrokerSecurity, timeoutMs: number): void {
  const scram = Object.entries(sec.scramUsers).flatMap(([u, pw]) =>
    ["SCRAM-SHA-256", "SCRAM-SHA-512"].flatMap((m) => ["--add-scram", `${m}=[name=${u},password=${pw}]`]),
  );
  const format = Bun.spawnSync([...jvm, "kafka.tools.StorageTool", "format", "-t", randomClusterId(), "-c", propsPath, ...scram], {
    stdout: "pipe",
    stderr: "pipe",
    timeout: timeoutMs,
  });
  if (format.exitCode !== 0) throw new Error(`kafka storage format --add-scram exited with ${format.exitCode}:\n${format.stdout.toString()}${format.stderr.toString()}`);
}

/**
 * Starts a single-node KRaft broker on free loopback ports and resolves once
 * it answers a metadata request. Retries with new ports when the ones picked
 * were taken in between. Call `stop()` (or `kill()`) when done.
 */
export async function startKafka(options: KafkaOptions = {}): Promise<KafkaBroker> {
  const libs = ensureKafkaJars();
  let lastError: unknown;
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      return await startOnce(libs, options);
    } catch (e) {
      lastError = e;
      if (!(e instanceof BrokerExited && e.portClash)) throw e;
    }
  }
  throw lastError;
}

async function startOnce(libs: string, options: KafkaOptions): Promise<KafkaBroker> {
  const t0 = performance.now();
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  const port = await freePort();
  let controllerPort = await freePort();
  while (controllerPort === port) controllerPort = await freePort();

  const dir = mkdtempSync(join(tmpdir(), "redgen-kafka-"));
  const propsPath = join(dir, "server.properties");
  const logPath = join(dir, "broker.log");
  const sec = options.security;
  let saslPort = 0;
  while (sec !== undefined && (saslPort === 0 || saslPort === port || saslPort === controllerPort)) saslPort = await freePort();
  const extra = sec === undefined ? {} : securityProperties(dir, port, saslPort, controllerPort, sec);
  writeFileSync(propsPath, serverProperties(join(dir, "data"), port, controllerPort, options.partitions ?? 1, { ...extra, ...options.properties }));
  const jvm = javaArgs(libs, options.heap ?? "512m", options.logLevel ?? "warn", options.jvmFlags);

  try {
    if (sec === undefined) cpSync(formattedTemplate(libs, jvm, timeoutMs), join(dir, "data"), { recursive: true });
    else formatWithScram(jvm, propsPath, sec, timeoutMs);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  const log = Bun.file(logPath);
  const proc = Bun.spawn([...jvm, "kafka.Kafka", propsPath], { stdin: "ignore", stdout: log, stderr: log });
  let stopped: Promise<void> | null = null;
  const exitHook = () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", exitHook);

  const finish = async (signal: "SIGTERM" | "SIGKILL", graceMs: number): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
    await proc.exited;
    clearTimeout(timer);
    process.removeListener("exit", exitHook);
    rmSync(dir, { recursive: true, force: true });
  };
  const broker: KafkaBroker = {
    bootstrap: `127.0.0.1:${port}`,
    saslSslBootstrap: sec === undefined ? undefined : `127.0.0.1:${saslPort}`,
    port,
    controllerPort,
    pid: proc.pid,
    dir,
    startMs: 0,
    logTail: (lines?: number) => tail(logPath, lines),
    stop(timeoutMs = 10_000) {
      stopped ??= finish("SIGTERM", timeoutMs);
      return stopped;
    },
    kill() {
      stopped ??= finish("SIGKILL", 0);
      return stopped;
    },
  };

  try {
    await waitReady(proc, port, logPath, deadline);
  } catch (e) {
    const text = tail(logPath, 400);
    await broker.kill();
    if (e instanceof BrokerExited) {
      throw new BrokerExited(e.message, /BindException|Address already in use/.test(text));
    }
    throw new Error(`${(e as Error).message}\nbroker log:\n${text.split("\n").slice(-40).join("\n")}`);
  }
  return { ...broker, startMs: Math.round(performance.now() - t0) };
}

async function waitReady(
  proc: Bun.Subprocess,
  port: number,
  logPath: string,
  deadline: number,
): Promise<void> {
  const exited = () => proc.exitCode !== null || proc.signalCode !== null;
  const fail = () => new BrokerExited(`kafka broker exited (${proc.exitCode ?? proc.signalCode}) before it was ready:\n${tail(logPath)}`, false);
  // 1. the PLAINTEXT listener accepts connections
  while (!(await tcpOpen(port))) {
    if (exited()) throw fail();
    if (Date.now() > deadline) throw new Error(`timed out waiting for kafka to listen on 127.0.0.1:${port}`);
    await Bun.sleep(50);
  }
  // 2. a metadata request answers with this broker (it is registered and unfenced)
  const admin = new Admin({
    clientId: "redgen-test-ready",
    bootstrapBrokers: [`127.0.0.1:${port}`],
    retries: 0,
    connectTimeout: 2_000,
    requestTimeout: 2_000,
  });
  try {
    let last: unknown;
    for (;;) {
      if (exited()) throw fail();
      try {
        const md = await admin.metadata({ topics: [], forceUpdate: true });
        if (md.brokers.size > 0) return;
        last = "metadata lists no broker yet";
      } catch (e) {
        last = e;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for a kafka metadata answer on 127.0.0.1:${port}: ${String((last as Error)?.message ?? last)}`);
      }
      await Bun.sleep(50);
    }
  } finally {
    await admin.close().catch(() => undefined);
  }
}

/**
 * Creates a topic and resolves once the broker leads every partition (a
 * ListOffsets for all of them answers without error). Producing earlier is
 * unsafe: right after CreateTopics some partitions answer
 * NOT_LEADER_OR_FOLLOWER, and @platformatic/kafka (2.12.1, non-idempotent)
 * then resends the whole request, duplicating the records of the partitions
 * that had succeeded.
 */
export async function createTopic(
  bootstrap: string,
  topic: string,
  partitions: number,
  configs: Record<string, string> = {},
  timeoutMs = 15_000,
): Promise<void> {
  const admin = new Admin({ clientId: "redgen-test-admin", bootstrapBrokers: [bootstrap], retryDelay: 20 });
  try {
    await admin.createTopics({
      topics: [topic],
      partitions,
      replicas: 1,
      configs: Object.entries(configs).map(([name, value]) => ({ name, value })),
    });
    const deadline = Date.now() + timeoutMs;
    const request = {
      topics: [{ name: topic, partitions: Array.from({ length: partitions }, (_, p) => ({ partitionIndex: p, timestamp: -1n })) }],
    };
    for (;;) {
      try {
        const [listed] = await admin.listOffsets(request);
        if (listed?.partitions.length === partitions) return;
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`topic ${topic}: partitions not led after ${timeoutMs} ms: ${(e as Error).message}`);
      }
      await Bun.sleep(20);
    }
  } finally {
    await admin.close().catch(() => undefined);
  }
}
