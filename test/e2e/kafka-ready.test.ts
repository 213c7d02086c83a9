/**
 * /ready and an unreachable broker: the compiled redgen starts, answers 503
 * on /ready while it cannot join its consumer group, logs that it retries,
 * and keeps running; once the broker can be reached it joins, answers 200 and
 * consumes. The broker is put out of reach by a TCP gate in front of it (the
 * bootstrap address redgen is given): first nothing listens there, then it
 * forwards to the broker, whose metadata points the client at the broker
 * itself.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type Server, type Socket, connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { ChildProcess } from "../support/child-process.ts";
import { type KafkaBroker, createTopic, startKafka } from "../support/kafka/broker.ts";
import { TestProducer } from "../support/kafka/producers.ts";
import { kafkaConfig, selfSamples } from "../support/kafka/redgen-kafka.ts";
import { clientServerTraces, pushBytesValue } from "../support/kafka/tempo-records.ts";
import { E2E_TIMEOUT_MS, poll } from "../support/poll.ts";
import { freePort, portOf } from "../support/ports.ts";
import { REDGEN_BINARY, ensureBinary } from "../support/setup.ts";

const TOPIC = "ready";

/**
 * A TCP forwarder to 127.0.0.1:`upstream`, listening only once opened. (A
 * listener that accepts and drops connections would do too, but the client
 * then needs ~16 s per failed attempt instead of ~4 s for a refused one.)
 */
class TcpGate {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly upstream: number) {
    this.server = createServer((client) => {
      const up = this.track(connect(this.upstream, "127.0.0.1"));
      this.track(client);
      client.pipe(up).pipe(client);
      client.on("error", () => up.destroy());
      up.on("error", () => client.destroy());
    });
  }

  private track(s: Socket): Socket {
    this.sockets.add(s);
    s.on("close", () => this.sockets.delete(s));
    return s;
  }

  /** Starts forwarding on `port` (written into redgen's config while nothing listened there). */
  open(port: number): Promise<void> {
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    this.server.once("error", reject);
    this.server.listen(port, "127.0.0.1", () => resolve());
    return promise;
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
    this.server.close();
  }
}

let broker: KafkaBroker;
let gate: TcpGate;
let gatePort: number;
let redgen: ChildProcess;
let dir: string;
let api: string;

beforeAll(async () => {
  ensureBinary();
  broker = await startKafka();
  await createTopic(broker.bootstrap, TOPIC, 1);
  gate = new TcpGate(broker.port);
  gatePort = await freePort();
  dir = mkdtempSync(join(tmpdir(), "redgen-e2e-"));
  const config = kafkaConfig({ bootstrap: `127.0.0.1:${gatePort}`, group: "ready", instanceId: "ready-1", topic: TOPIC, dimensions: [] }) as {
    metrics_generator: { storage: { path: string } };
  };
  config.metrics_generator.storage.path = join(dir, "wal");
  writeFileSync(join(dir, "redgen.yaml"), stringify(config));
  redgen = new ChildProcess("redgen", [REDGEN_BINARY, `-config.file=${join(dir, "redgen.yaml")}`], { cwd: dir });
  const [started] = await redgen.waitForStderr(/^.*msg="redgen started".*$/m);
  api = `http://127.0.0.1:${portOf(/ api=(\S+)/.exec(started)![1])}`;
}, E2E_TIMEOUT_MS);

afterAll(async () => {
  await redgen?.stop().catch(() => undefined);
  gate?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  await broker?.stop();
}, E2E_TIMEOUT_MS);

test("/ready is 503 while the broker cannot be reached; redgen retries and keeps running; then joins, 200, consumes", async () => {
  const ready = async () => {
    const res = await fetch(`${api}/ready`);
    return { status: res.status, body: (await res.text()).trim() };
  };
  expect(await ready()).toEqual({ status: 503, body: "kafka consumer has not joined its group yet" });
  await redgen.waitForStderr(/msg="kafka: cannot start consuming, retrying".*retry_in_ms=\d+/, 15_000);
  // still alive, still not ready, and the rest of the API answers
  expect(redgen.exitCode).toBeNull();
  expect(await ready()).toEqual({ status: 503, body: "kafka consumer has not joined its group yet" });
  expect((await fetch(`${api}/metrics`)).status).toBe(200);

  await gate.open(gatePort);
  await poll("/ready 200 after the broker became reachable", async () => ((await ready()).status === 200 ? true : undefined), {
    timeoutMs: 20_000,
    intervalMs: 50,
  });
  await redgen.waitForStderr(/msg="kafka: joined consumer group".* partitions=ready:0/);

  const producer = new TestProducer(broker.bootstrap);
  try {
    await producer.send(TOPIC, "gzip", [{ key: "team-ready", value: pushBytesValue(clientServerTraces(2, "ready-client", "ready-server")) }]);
  } finally {
    await producer.close();
  }
  const self = await poll("the record consumed", async () => {
    const text = await (await fetch(`${api}/metrics`)).text();
    return selfSamples(text, "tempo_metrics_generator_spans_received_total")["tenant=team-ready"] === 6 ? text : undefined;
  });
  expect(selfSamples(self, "redgen_kafka_records_total")).toEqual({ [`topic=${TOPIC}`]: 1 });
}, E2E_TIMEOUT_MS);
