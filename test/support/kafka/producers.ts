/**
 * Three independent producers for the Kafka tests, each writing records with
 * a chosen compression codec:
 * - `TestProducer`: the project's own client (@platformatic/kafka Producer);
 *   its snappy is a raw block, lz4 the frame format;
 * - `kcatProduce`: Debian's kcat (librdkafka), one message per file, key and
 *   headers from the command line;
 * - `javaProduceAsync`: the official Java client (JavaProducer.java), the only
 *   one that writes xerial-framed snappy, as a child process that does not
 *   block the event loop.
 * `segmentBatches` reads the broker's log segment back, so a test can show
 * which codecs and framings really reached the broker.
 * Always create topics with broker.ts' `createTopic` first (see there).
 */
import { Producer, type ProduceResult } from "@platformatic/kafka";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureKafkaJars } from "./install.ts";

export const CODECS = ["none", "gzip", "snappy", "lz4", "zstd"] as const;
export type Codec = (typeof CODECS)[number];

/** One record to produce. */
export interface OutRecord {
  value: Uint8Array;
  /** tenant id for Tempo's formats; absent = null key */
  key?: string | Uint8Array;
  headers?: Record<string, string>;
  /** default 0 */
  partition?: number;
}

/** The project's client as a producer: acks=all, one send = as few batches as the client makes. */
export class TestProducer {
  private readonly producer: Producer;

  constructor(bootstrap: string) {
    this.producer = new Producer({ clientId: "redgen-test-producer", bootstrapBrokers: [bootstrap], retryDelay: 50 });
  }

  send(topic: string, codec: Codec, records: OutRecord[]): Promise<ProduceResult> {
    return this.producer.send({
      acks: -1,
      compression: codec,
      messages: records.map((r) => ({
        topic,
        partition: r.partition ?? 0,
        key: r.key === undefined ? undefined : Buffer.from(r.key),
        value: Buffer.from(r.value),
        headers: r.headers === undefined ? undefined : new Map(Object.entries(r.headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
      })),
    });
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}

/**
 * Produces `records` with kcat: every value is written to a file and each
 * file becomes one message (`kcat -P file…`). Records are grouped by key,
 * headers and partition, one kcat run per group, since `-k`/`-H`/`-p` apply
 * to a whole run.
 */
export async function kcatProduce(
  bootstrap: string,
  topic: string,
  codec: Codec,
  records: OutRecord[],
  /** librdkafka properties, e.g. security.protocol, sasl.* and ssl.* for a SASL_SSL listener */
  config: Record<string, string> = {},
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "redgen-kcat-"));
  try {
    const groups = new Map<string, { args: string[]; files: string[] }>();
    records.forEach((r, i) => {
      const args = ["-p", String(r.partition ?? 0)];
      if (r.key !== undefined) args.push("-k", Buffer.from(r.key).toString("utf8"));
      for (const [k, v] of Object.entries(r.headers ?? {})) args.push("-H", `${k}=${v}`);
      const id = JSON.stringify(args);
      let g = groups.get(id);
      if (g === undefined) groups.set(id, (g = { args, files: [] }));
      const file = join(dir, `value-${i}.bin`);
      writeFileSync(file, r.value);
      g.files.push(file);
    });
    for (const g of groups.values()) {
      // big messages: librdkafka's default message.max.bytes is 1 MB
      const props = Object.entries(config).flatMap(([k, v]) => ["-X", `${k}=${v}`]);
      const cmd = ["kcat", "-P", "-b", bootstrap, "-t", topic, "-z", codec, "-X", "message.max.bytes=16000000", "-X", "linger.ms=20", ...props, ...g.args, ...g.files];
      const p = Bun.spawn(cmd, { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
      const [code, err] = await Promise.all([p.exited, new Response(p.stderr).text()]);
      if (code !== 0) throw new Error(`kcat exited with ${code}: ${err}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Produces with the official Java client (JavaProducer.java run from the broker's jars), as a child process the caller awaits. */
export async function javaProduceAsync(bootstrap: string, topic: string, codec: Codec, records: OutRecord[]): Promise<void> {
  if (records.some((r) => r.headers !== undefined)) throw new Error("JavaProducer.java writes no headers");
  const b64 = (b: Uint8Array | string) => Buffer.from(b).toString("base64");
  const input = records.map((r) => `${r.partition ?? 0}\t${r.key === undefined ? "" : b64(r.key)}\t${b64(r.value)}\n`).join("");
  const p = Bun.spawn(
    [
      "java",
      "-XX:TieredStopAtLevel=1",
      "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
      "-cp",
      `${ensureKafkaJars()}/*`,
      join(import.meta.dir, "JavaProducer.java"),
      bootstrap,
      topic,
      codec,
    ],
    { stdin: new Blob([input]), stdout: "pipe", stderr: "pipe" },
  );
  const [code, out, err] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()]);
  if (code !== 0 || out.trim() !== String(records.length)) {
    throw new Error(`JavaProducer exited with ${code} (printed "${out.trim()}"):\n${err.slice(-3000)}`);
  }
}

/** One record batch of a log segment: its compression, snappy/lz4 framing and record count. */
export interface SegmentBatch {
  baseOffset: number;
  codec: Codec;
  /** "raw" | "xerial" for snappy, "frame" for lz4, "" otherwise */
  framing: string;
  records: number;
}

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0]);

/**
 * The record batches the broker stored for one partition, read from its log
 * segment files under the broker's data dir (Kafka's v2 RecordBatch layout:
 * baseOffset i64, batchLength i32, …, attributes i16 at byte 21, record count
 * i32 at byte 57, records from byte 61).
 */
export function segmentBatches(brokerDir: string, topic: string, partition: number): SegmentBatch[] {
  const dir = join(brokerDir, "data", `${topic}-${partition}`);
  const out: SegmentBatch[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".log")).sort()) {
    const seg = readFileSync(join(dir, file));
    for (let off = 0; off + 61 <= seg.length; ) {
      const len = seg.readInt32BE(off + 8);
      const codec = CODECS[seg.readInt16BE(off + 21) & 7];
      const body = seg.subarray(off + 61, off + 12 + len);
      let framing = "";
      if (codec === "snappy") framing = body.subarray(0, 8).equals(XERIAL_MAGIC) ? "xerial" : "raw";
      if (codec === "lz4") framing = body.readUInt32LE(0) === 0x184d2204 ? "frame" : "unknown";
      out.push({ baseOffset: Number(seg.readBigInt64BE(off)), codec, framing, records: seg.readInt32BE(off + 57) });
      off += 12 + len;
    }
  }
  return out;
}
