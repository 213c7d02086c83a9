import type { CollectMode, SeriesSink } from "../registry/sink.ts";
import { log } from "../util/log.ts";
import { WriteRequestEncoder } from "./encode.ts";
import { LabelBytesCache } from "./label-bytes.ts";
import type { RemoteWriteQueue } from "./queue.ts";
import { snappyCompress } from "./snappy.ts";

/** What the writer collects from: a tenant's registry. */
export interface Collectable {
  collect(timestampMs: number, sink: SeriesSink, mode: CollectMode): void;
}

/** One endpoint as the writer sees it. */
export interface WriterEndpoint {
  queue: RemoteWriteQueue;
  maxSamplesPerSend: number;
  sendExemplars: boolean;
}

/**
 * Runs a tenant's collection loop (spec §8.3): every collection interval,
 * starting one interval after the tenant appears, it collects every live
 * series once, encodes and compresses the round for each endpoint and queues it.
 */
export class TenantWriter {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private lastRound = 0;
  private readonly labelBytes = new LabelBytesCache();

  constructor(
    private readonly tenant: string,
    private readonly registry: Collectable,
    private readonly endpoints: WriterEndpoint[],
    private readonly intervalMs: number,
    private readonly disabled: boolean,
  ) {}

  start(): void {
    if (this.endpoints.length === 0) return;
    this.schedule();
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.collectRound(Date.now());
      if (!this.stopped) this.schedule();
    }, this.intervalMs);
  }

  /** Collects once and queues the round on every endpoint. */
  collectRound(nowMs: number): void {
    if (this.disabled || this.endpoints.length === 0) return;
    // Two rounds in the same millisecond (final round right after a timed one) would be duplicates.
    const ts = Math.max(nowMs, this.lastRound + 1);
    this.lastRound = ts;
    const encoders = new Map<string, WriteRequestEncoder>();
    for (const e of this.endpoints) {
      const k = `${e.maxSamplesPerSend}/${e.sendExemplars}`;
      if (!encoders.has(k)) encoders.set(k, new WriteRequestEncoder(e.maxSamplesPerSend, e.sendExemplars, this.labelBytes));
    }
    try {
      this.registry.collect(ts, tee([...encoders.values()]), "remote");
    } catch (e) {
      log.error("collection failed", { tenant: this.tenant, err: e });
      return;
    }
    const rounds = new Map<string, { body: Uint8Array; samples: number; exemplars: number }[]>();
    for (const [k, enc] of encoders) {
      rounds.set(
        k,
        enc.finish().map((r) => ({ body: snappyCompress(r.body), samples: r.samples, exemplars: r.exemplars })),
      );
    }
    for (const e of this.endpoints) e.queue.enqueue(rounds.get(`${e.maxSamplesPerSend}/${e.sendExemplars}`) ?? []);
  }

  /** Final round (unlike Tempo, nothing of the last interval is lost), then flush until the deadline. */
  async stop(deadlineMs: number): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.collectRound(Date.now());
    await Promise.all(this.endpoints.map((e) => e.queue.flush(deadlineMs)));
  }
}

function tee(sinks: SeriesSink[]): SeriesSink {
  if (sinks.length === 1) return sinks[0];
  return {
    family: (n, t) => sinks.forEach((s) => s.family(n, t)),
    begin: (n, l, le) => sinks.forEach((s) => s.begin(n, l, le)),
    sample: (ts, v) => sinks.forEach((s) => s.sample(ts, v)),
    exemplar: (n, v, x, ts) => sinks.forEach((s) => s.exemplar(n, v, x, ts)),
  };
}
