/**
 * Helpers for consumer-group tests on a multi-partition topic:
 * - `SteadyProducer` writes one push-bytes record to every partition per tick
 *   at a fixed rate, traces partitioned by trace id (every span of a trace in
 *   one record), and keeps a ledger of what went where and when: offsets,
 *   spans per record, the time each record was acknowledged. The services of a
 *   partition's traces are named after the partition (`servicesOf`), so the
 *   metrics tell which partition each count came from.
 * - `committedOffsets` / `endOffsets`: the group's committed offsets and the
 *   log end offsets, from the broker.
 */
import { Admin } from "@platformatic/kafka";
import { randomBytes } from "node:crypto";
import { TestProducer } from "./producers.ts";
import { type TestTrace, clientServerTrace, partitionOf, pushBytesValue, spanCount } from "./tempo-records.ts";

/** The client and server service of the traces produced to `partition`. */
export function servicesOf(partition: number): { client: string; server: string } {
  return { client: `scale-p${partition}`, server: `scale-p${partition}-db` };
}

/** The partition a service name belongs to, or -1. */
export function partitionOfService(service: string): number {
  const m = /^scale-p(\d+)(-db)?$/.exec(service);
  return m === null ? -1 : Number(m[1]);
}

/** One produced record. */
export interface LedgerEntry {
  partition: number;
  offset: number;
  spans: number;
  traces: number;
  /** when the broker acknowledged it (ms) */
  ackedAt: number;
}

/** A trace id whose spans go to `partition` (Tempo's token over tenant and trace id). */
function traceIdFor(tenant: string, partition: number, partitions: number): Uint8Array {
  for (;;) {
    const id = new Uint8Array(randomBytes(16));
    if (partitionOf(tenant, id, partitions) === partition) return id;
  }
}

export interface SteadyProducerOptions {
  bootstrap: string;
  topic: string;
  partitions: number;
  tenant: string;
  /** traces per record (default 2) */
  tracesPerRecord?: number;
  /** ms between ticks (default 100) */
  tickMs?: number;
}

/**
 * Produces `partitions` records per tick until `stop()`; each tick is one
 * send (acks=all) and the next tick starts `tickMs` after the previous one
 * started (or at once when a send took longer).
 */
export class SteadyProducer {
  readonly ledger: LedgerEntry[] = [];
  private readonly producer: TestProducer;
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly tracesPerRecord: number;
  private readonly tickMs: number;

  constructor(private readonly o: SteadyProducerOptions) {
    this.producer = new TestProducer(o.bootstrap);
    this.tracesPerRecord = o.tracesPerRecord ?? 2;
    this.tickMs = o.tickMs ?? 100;
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const began = Date.now();
      await this.tick();
      const wait = this.tickMs - (Date.now() - began);
      if (wait > 0 && this.running) await Bun.sleep(wait); // the production rate itself, not a wait for a condition
    }
  }

  private async tick(): Promise<void> {
    const records = [];
    const counts: { traces: number; spans: number }[] = [];
    for (let p = 0; p < this.o.partitions; p++) {
      const { client, server } = servicesOf(p);
      const traces: TestTrace[] = [];
      for (let i = 0; i < this.tracesPerRecord; i++) {
        traces.push(clientServerTrace({ client, server, traceId: traceIdFor(this.o.tenant, p, this.o.partitions), error: i % 3 === 0 }));
      }
      counts.push({ traces: traces.length, spans: spanCount(traces) });
      records.push({ key: this.o.tenant, partition: p, value: pushBytesValue(traces) });
    }
    const result = await this.producer.send(this.o.topic, "snappy", records);
    const ackedAt = Date.now();
    const offsets = new Map((result.offsets ?? []).map((o) => [o.partition, Number(o.offset)]));
    for (let p = 0; p < this.o.partitions; p++) {
      const offset = offsets.get(p);
      if (offset === undefined) throw new Error(`no offset for partition ${p} in the produce answer ${JSON.stringify(result, (_k, v) => (typeof v === "bigint" ? Number(v) : v))}`);
      this.ledger.push({ partition: p, offset, ackedAt, ...counts[p] });
    }
  }

  /** Stops after the tick in progress; resolves when it is acknowledged. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.producer.close();
  }

  /** Spans produced to `partition` with offsets in [from, to). */
  spans(partition: number, from = 0, to = Number.POSITIVE_INFINITY): number {
    return this.ledger.filter((e) => e.partition === partition && e.offset >= from && e.offset < to).reduce((n, e) => n + e.spans, 0);
  }

  /** Spans acknowledged on `partitions` in the time window [fromMs, toMs]. */
  spansBetween(partitions: number[], fromMs: number, toMs: number): number {
    return this.ledger.filter((e) => partitions.includes(e.partition) && e.ackedAt >= fromMs && e.ackedAt <= toMs).reduce((n, e) => n + e.spans, 0);
  }

  /** Records per partition so far. */
  records(partition: number): number {
    return this.ledger.filter((e) => e.partition === partition).length;
  }
}

async function withAdmin<T>(bootstrap: string, f: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin({ clientId: "redgen-test-admin", bootstrapBrokers: [bootstrap] });
  try {
    return await f(admin);
  } finally {
    await admin.close().catch(() => undefined);
  }
}

/** The group's committed offset per partition of `topic` (-1 when none). */
export function committedOffsets(bootstrap: string, group: string, topic: string, partitions: number): Promise<number[]> {
  return withAdmin(bootstrap, async (admin) => {
    const [g] = await admin.listConsumerGroupOffsets({ groups: [{ groupId: group, topics: [{ name: topic, partitionIndexes: Array.from({ length: partitions }, (_, p) => p) }] }] });
    const out = Array.from({ length: partitions }, () => -1);
    for (const t of g?.topics ?? []) {
      if (t.name !== topic) continue;
      for (const p of t.partitions) out[p.partitionIndex] = Number(p.committedOffset);
    }
    return out;
  });
}

/** The log end offset per partition of `topic`. */
export function endOffsets(bootstrap: string, topic: string, partitions: number): Promise<number[]> {
  return withAdmin(bootstrap, async (admin) => {
    const [listed] = await admin.listOffsets({
      topics: [{ name: topic, partitions: Array.from({ length: partitions }, (_, p) => ({ partitionIndex: p, timestamp: -1n })) }],
    });
    const out = Array.from({ length: partitions }, () => -1);
    for (const p of listed?.partitions ?? []) out[p.partitionIndex] = Number(p.offset);
    return out;
  });
}
