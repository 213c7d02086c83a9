import type { CollectMode, SeriesSink } from "../registry/sink.ts";
import { log } from "../util/log.ts";
import { type EncodedRequest, type RoundEncoder, WriteRequestEncoder } from "./encode.ts";
import { WriteV2Encoder } from "./encode-v2.ts";
import { SymbolCache } from "./symbol-cache.ts";
import { LabelBytesCache } from "./label-bytes.ts";
import type { OutgoingRequest, RemoteWriteQueue } from "./queue.ts";
import { snappyCompress } from "./snappy.ts";
import type { Lane } from "../util/lane.ts";
import { SlicedJob, type Steps, atOnce } from "../util/slices.ts";

/** What the writer collects from: a tenant's registry. */
export interface Collectable {
  collectSteps(timestampMs: number, sink: SeriesSink, mode: CollectMode, createdBy?: number): Steps;
  /** the lane a round takes, so it never interleaves with another walk (the stale sweep) */
  readonly walks: Lane;
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
  /**
   * Captures the tenant's state as a walk, run in slices right after the
   * round's collection (its counts are then at least those the round wrote)
   * or at once. The capture is the state at its first step, however long
   * the walk takes (TenantState.captureSteps).
   */
  capture(roundSeq: number, roundTs: number): Steps<C>;
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

/** A collected and captured round, ready for its durable step. */
interface Round<C> {
  seq: number;
  ts: number;
  /** per endpoint, in endpoint order */
  requests: OutgoingRequest[][];
  capture: C;
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
 *
 * Collection, compression and capture run in slices (util/slices.ts), so a
 * million series never hold the event loop for long. Rounds never overlap:
 * one that falls due while the previous is still running starts as soon as
 * it ends, and further ones that fall due meanwhile are skipped (Tempo's
 * collection ticker does the same).
 */
export class TenantWriter<C> {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private roundSeq: number;
  private lastRound: number;
  /** durable steps run one after another, in round order */
  private serial: Promise<void> = Promise.resolve();
  /** the round being collected and captured, which checkpointSync finishes at once */
  private current: SlicedJob<Round<C> | null> | null = null;
  /** a timed round is running or waiting for the lane */
  private timedRound = false;
  /** a timed round fell due while one was running */
  private due = false;
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
      if (!this.stopped) this.schedule(this.intervalMs);
      this.timed();
    }, delayMs);
  }

  /** A timed round: at most one waits behind a running one. */
  private timed(): void {
    if (this.timedRound) {
      this.due = true;
      return;
    }
    this.timedRound = true;
    void this.collectRound().finally(() => {
      this.timedRound = false;
      if (this.due && !this.stopped) {
        this.due = false;
        this.timed();
      }
    });
  }

  /**
   * Collects once (at `nowMs`, or when the round starts: it waits for a
   * running round or sweep), queues the round and checkpoints; resolves when
   * the round is on disk and released.
   */
  async collectRound(nowMs?: number): Promise<void> {
    await this.registry.walks.run(async () => {
      const job = new SlicedJob(this.roundSteps(nowMs ?? Date.now()));
      this.current = job;
      try {
        const round = await job.run();
        if (round !== null) this.queueDurableStep(round);
      } catch (e) {
        log.error("round failed", { tenant: this.tenant, err: e });
      } finally {
        this.current = null;
      }
    });
    return this.serial;
  }

  /** A checkpoint now, written before returning (no new round); a round being collected is finished first. */
  checkpointSync(): boolean {
    // Its series are marked as written: the checkpoint must cover that round (a failure is the round's to report).
    try {
      this.current?.now();
    } catch {}
    const capture = atOnce(this.checkpoints.capture(this.roundSeq, this.lastRound));
    if (!this.checkpoints.writeSync(capture)) return false;
    this.checkpoints.durable(capture);
    return true;
  }

  /** Collection, compression and capture of one round; null when the collection failed (nothing is written then). */
  private *roundSteps(nowMs: number): Steps<Round<C> | null> {
    // Two rounds in the same millisecond (final round right after a timed one) would be duplicates.
    const ts = Math.max(nowMs, this.lastRound + 1);
    let requests: OutgoingRequest[][] = this.endpoints.map(() => []);
    if (!this.disabled && this.endpoints.length > 0) {
      // Each endpoint's shape, taken now: send_native_histograms may change while the round runs.
      const keys = this.endpoints.map(keyOf);
      const rounds = yield* this.encodeSteps(ts, nowMs, keys);
      if (rounds === null) return null;
      requests = keys.map((k) => rounds.get(k) ?? []);
    }
    const seq = ++this.roundSeq;
    this.lastRound = ts;
    const capture = yield* this.checkpoints.capture(seq, ts);
    return { seq, ts, requests, capture };
  }

  private queueDurableStep(round: Round<C>): void {
    const { seq, ts, requests, capture } = round;
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
  }

  /**
   * Encodes a round for each distinct endpoint shape, compressing each
   * request as soon as the encoder completes it (the uncompressed round is
   * never held whole); null when the collection failed. Series created
   * after `createdBy` (the round's start) wait for the next round.
   */
  private *encodeSteps(ts: number, createdBy: number, keys: string[]): Steps<Map<string, OutgoingRequest[]> | null> {
    const encoders = new Map<string, RoundEncoder>();
    const out = new Map<string, OutgoingRequest[]>();
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if (encoders.has(k)) continue;
      const e = this.endpoints[i];
      const native = e.sendNative();
      encoders.set(
        k,
        e.protocol === "v2"
          ? new WriteV2Encoder(e.maxSamplesPerSend, e.sendExemplars, native, this.symbolCache(k))
          : new WriteRequestEncoder(e.maxSamplesPerSend, e.sendExemplars, this.labelBytes, native),
      );
      out.set(k, []);
    }
    const compress = function* (k: string, done: EncodedRequest[]): Steps {
      const into = out.get(k) as OutgoingRequest[];
      for (const r of done) {
        into.push({ body: snappyCompress(r.body), samples: r.samples, exemplars: r.exemplars });
        yield;
      }
    };
    try {
      const walk = this.registry.collectSteps(ts, tee([...encoders.values()]), "remote", createdBy);
      while (!walk.next().done) {
        for (const [k, enc] of encoders) yield* compress(k, enc.take());
        yield;
      }
    } catch (e) {
      log.error("collection failed", { tenant: this.tenant, err: e });
      return null;
    }
    for (const [k, enc] of encoders) yield* compress(k, enc.finish());
    return out;
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
    return this.collectRound();
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
