import type { CollectMode, SeriesSink } from "../registry/sink.ts";
import { log } from "../util/log.ts";
import { type RoundEncoder, WriteRequestEncoder } from "./encode.ts";
import { WriteV2Encoder } from "./encode-v2.ts";
import { SymbolCache } from "./symbol-cache.ts";
import { LabelBytesCache } from "./label-bytes.ts";
import type { OutgoingRequest, RemoteWriteQueue } from "./queue.ts";
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
  /** protobuf_message: remote write 1.0 or 2.0 */
  protocol: "v1" | "v2";
  /** send_native_histograms, derived from the tenant's current generate_native_histograms (spec §9) */
  sendNative: () => boolean;
}

/**
 * The tenant's checkpoint, which main injects (storage/): a round becomes
 * sendable only once the state it was collected from is on disk, so a restart
 * never restores counts lower than what the backend already has.
 */
export interface RoundCheckpointer<C> {
  /** Captures the tenant's state (synchronously, in the same tick as the collection). */
  capture(roundSeq: number, roundTs: number): C;
  /** Writes a capture off the event loop; false when it was not written (failed, or a newer capture was written first). */
  write(capture: C): Promise<boolean>;
  /** Writes a capture before returning (a Kafka rebalance hands partitions over only after this). */
  writeSync(capture: C): boolean;
  /** The capture is on disk (called in capture order). */
  durable(capture: C): void;
}

/** Where a tenant's rounds resume after a restart. */
export interface RoundResume {
  roundSeq: number;
  /** timestamp of the last round written before the restart, ms (0: none) */
  roundTs: number;
}

/**
 * Runs a tenant's collection loop (spec §8.3): every collection interval it
 * collects every live series once, encodes and compresses the round for each
 * endpoint, captures the tenant's state, and then, off the event loop, appends
 * the round to each endpoint's queue and writes the checkpoint. Only when both
 * are on disk are the queues allowed to send the round. The first round comes
 * one interval after the tenant appears, or, after a restart, one interval
 * after the last round written before it (at once when that is past), so a
 * quick restart leaves no gap longer than one interval.
 */
export class TenantWriter<C> {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private roundSeq: number;
  private lastRound: number;
  /** durable steps run one after another, in round order */
  private serial: Promise<void> = Promise.resolve();
  private readonly labelBytes = new LabelBytesCache();
  /** remote write 2.0: one symbol cache per endpoint shape (an encoder uses its cache alone) */
  private readonly symbolCaches = new Map<string, SymbolCache>();

  constructor(
    private readonly tenant: string,
    private readonly registry: Collectable,
    private readonly endpoints: WriterEndpoint[],
    private intervalMs: number,
    private disabled: boolean,
    private readonly checkpoints: RoundCheckpointer<C>,
    resume: RoundResume = { roundSeq: 0, roundTs: 0 },
  ) {
    this.roundSeq = resume.roundSeq;
    this.lastRound = resume.roundTs;
    // Rounds left on disk by the previous run are covered by its checkpoint.
    for (const e of endpoints) e.queue.release(resume.roundSeq);
  }

  start(nowMs = Date.now()): void {
    const first = this.lastRound > 0 ? Math.max(0, this.lastRound + this.intervalMs - nowMs) : this.intervalMs;
    this.schedule(first);
  }

  /**
   * Applies a changed collection_interval or disable_collection override
   * (spec §10: read live). A new interval counts from the last round, so a
   * shorter one takes effect at once and no round is skipped or doubled.
   */
  reconfigure(intervalMs: number, disabled: boolean, nowMs = Date.now()): void {
    this.disabled = disabled;
    if (intervalMs === this.intervalMs) return;
    this.intervalMs = intervalMs;
    if (this.stopped || this.timer === null) return;
    clearTimeout(this.timer);
    const from = this.lastRound > 0 ? this.lastRound : nowMs;
    this.schedule(Math.max(0, from + intervalMs - nowMs));
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      void this.collectRound(Date.now());
      if (!this.stopped) this.schedule(this.intervalMs);
    }, delayMs);
  }

  /** Collects once, queues the round and checkpoints; resolves when the round is on disk and released. */
  collectRound(nowMs: number): Promise<void> {
    // Two rounds in the same millisecond (final round right after a timed one) would be duplicates.
    const ts = Math.max(nowMs, this.lastRound + 1);
    const rounds = this.disabled || this.endpoints.length === 0 ? undefined : this.encode(ts);
    if (rounds === null) return this.serial;
    // Each endpoint's requests, taken now: its shape (send_native_histograms) may change before the step runs.
    const requests = this.endpoints.map((e) => rounds?.get(keyOf(e)) ?? []);
    const seq = ++this.roundSeq;
    this.lastRound = ts;
    const capture = this.checkpoints.capture(seq, ts);
    const step = async () => {
      const [written] = await Promise.all([
        this.checkpoints.write(capture),
        ...this.endpoints.map((e, i) => e.queue.append(seq, ts, requests[i])),
      ]);
      // Sent even when the checkpoint could not be written: delivering is worth more than durability.
      for (const e of this.endpoints) e.queue.release(seq);
      if (written) this.checkpoints.durable(capture);
    };
    this.serial = this.serial.then(step, step).catch((e: unknown) => log.error("round failed", { tenant: this.tenant, err: e }));
    return this.serial;
  }

  /** A checkpoint now, written before returning (no new round). */
  checkpointSync(): boolean {
    const capture = this.checkpoints.capture(this.roundSeq, this.lastRound);
    if (!this.checkpoints.writeSync(capture)) return false;
    this.checkpoints.durable(capture);
    return true;
  }

  /** Encodes a round for each distinct endpoint shape; null when the collection failed. */
  private encode(ts: number): Map<string, OutgoingRequest[]> | null {
    const encoders = new Map<string, RoundEncoder>();
    for (const e of this.endpoints) {
      const k = keyOf(e);
      if (encoders.has(k)) continue;
      const native = e.sendNative();
      encoders.set(
        k,
        e.protocol === "v2"
          ? new WriteV2Encoder(e.maxSamplesPerSend, e.sendExemplars, native, this.symbolCache(k))
          : new WriteRequestEncoder(e.maxSamplesPerSend, e.sendExemplars, this.labelBytes, native),
      );
    }
    try {
      this.registry.collect(ts, tee([...encoders.values()]), "remote");
    } catch (e) {
      log.error("collection failed", { tenant: this.tenant, err: e });
      return null;
    }
    const rounds = new Map<string, OutgoingRequest[]>();
    for (const [k, enc] of encoders) {
      rounds.set(k, enc.finish().map((r) => ({ body: snappyCompress(r.body), samples: r.samples, exemplars: r.exemplars })));
    }
    return rounds;
  }

  private symbolCache(key: string): SymbolCache {
    let c = this.symbolCaches.get(key);
    if (c === undefined) this.symbolCaches.set(key, (c = new SymbolCache()));
    return c;
  }

  /** Stops the loop with a final round (unlike Tempo, nothing of the last interval is lost); resolves when it is on disk. */
  finish(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    return this.collectRound(Date.now());
  }

  /** Sends what is queued until the deadline; the rest stays on disk for the next start. */
  async flush(deadlineMs: number): Promise<void> {
    await Promise.all(this.endpoints.map((e) => e.queue.flush(deadlineMs)));
  }
}

/** Endpoints of one shape get the same encoded round. */
function keyOf(e: WriterEndpoint): string {
  return `${e.protocol}/${e.maxSamplesPerSend}/${e.sendExemplars}/${e.sendNative()}`;
}

function tee(sinks: SeriesSink[]): SeriesSink {
  if (sinks.length === 1) return sinks[0];
  return {
    family: (n, t, m) => sinks.forEach((s) => s.family(n, t, m)),
    begin: (n, l, le, st) => sinks.forEach((s) => s.begin(n, l, le, st)),
    zero: (ts) => sinks.forEach((s) => s.zero(ts)),
    sample: (ts, v) => sinks.forEach((s) => s.sample(ts, v)),
    zeroHistogram: (ts, schema) => sinks.forEach((s) => s.zeroHistogram(ts, schema)),
    histogram: (ts, h) => sinks.forEach((s) => s.histogram(ts, h)),
    exemplar: (n, v, x, ts) => sinks.forEach((s) => s.exemplar(n, v, x, ts)),
  };
}
