import { closeSync, existsSync, ftruncateSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { join } from "node:path";
import { BinReader, BinWriter, CodecError } from "../util/bin-codec.ts";
import { log } from "../util/log.ts";
import { removeTempFiles, writeAtomicSync } from "./atomic-file.ts";
import { frame, unframe } from "./frame.ts";

const RECORD_MAGIC = 0x5247574c; // "RGWL"
const CURSOR_MAGIC = 0x52474355; // "RGCU"
const MAX_RECORD = 2 ** 31;
const SEGMENT_SUFFIX = ".wal";

/** One compressed remote-write request as queued. */
export interface QueuedRequest {
  body: Uint8Array;
  samples: number;
  exemplars: number;
}

/** One collection round in the log (its requests stay on disk until sent). */
export interface LogRound {
  /** the round's sequence number (per tenant, increasing) */
  readonly seq: number;
  /** collection timestamp, ms */
  readonly ts: number;
  readonly samples: number;
  readonly exemplars: number;
  /** framed bytes on disk */
  readonly bytes: number;
  readonly segment: number;
  readonly offset: number;
  /** set when the round left the log unsent (disk budget), so a sender retrying it stops */
  dropped: boolean;
}

/** What opening a log found and repaired. */
export interface OpenReport {
  rounds: number;
  /** records cut off: torn tails and damaged records (with everything after them in their segment) */
  repairs: number;
  bytesCut: number;
}

/**
 * An append-only log of collection rounds on disk: numbered segment files of
 * framed records (frame.ts), and a cursor file naming the first record not
 * yet acknowledged. Appends are fsynced before they resolve; acknowledged
 * segments are deleted; a torn or damaged record is cut off at open with a
 * log line, never a crash. Only the index lives in memory: a round's request
 * bodies are read back when it is sent.
 */
export class SegmentLog {
  /** unacknowledged rounds, oldest first */
  readonly rounds: LogRound[] = [];
  private active = 0;
  private activeSize = 0;
  private fh: FileHandle | undefined;
  /** appends run one after another */
  private chain: Promise<unknown> = Promise.resolve();
  private sizes = new Map<number, number>();
  private cursor = { segment: 0, offset: 0 };

  private constructor(
    readonly dir: string,
    private readonly segmentBytes: number,
  ) {}

  /** Opens (creating) the log in `dir`, rebuilding its index and cutting damage. */
  static open(dir: string, segmentBytes: number): { log: SegmentLog; report: OpenReport } {
    mkdirSync(dir, { recursive: true });
    removeTempFiles(dir);
    const l = new SegmentLog(dir, segmentBytes);
    const report = l.scan();
    return { log: l, report };
  }

  /** Bytes on disk (every segment). */
  get diskBytes(): number {
    let n = 0;
    for (const s of this.sizes.values()) n += s;
    return n;
  }

  /** Appends a round and fsyncs it; resolves with its index entry. */
  append(seq: number, ts: number, requests: readonly QueuedRequest[]): Promise<LogRound> {
    const w = new BinWriter();
    w.uint(seq);
    w.f64(ts);
    w.uint(requests.length);
    let samples = 0;
    let exemplars = 0;
    for (const r of requests) {
      w.uint(r.samples);
      w.uint(r.exemplars);
      w.bytes(r.body);
      samples += r.samples;
      exemplars += r.exemplars;
    }
    const record = frame(RECORD_MAGIC, w.finish());
    const run = async (): Promise<LogRound> => {
      if (this.fh === undefined || this.activeSize >= this.segmentBytes) await this.roll();
      const fh = this.fh as FileHandle;
      const offset = this.activeSize;
      await fh.write(record, 0, record.length, offset);
      await fh.sync();
      this.activeSize += record.length;
      this.sizes.set(this.active, this.activeSize);
      const round: LogRound = { seq, ts, samples, exemplars, bytes: record.length, segment: this.active, offset, dropped: false };
      this.rounds.push(round);
      return round;
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** The requests of a round, read back and checked; throws when the record no longer reads back whole. */
  async read(round: LogRound): Promise<QueuedRequest[]> {
    const fh = await open(this.segmentPath(round.segment), "r");
    try {
      const buf = new Uint8Array(round.bytes);
      const { bytesRead } = await fh.read(buf, 0, round.bytes, round.offset);
      const f = unframe(buf.subarray(0, bytesRead), 0, RECORD_MAGIC, MAX_RECORD);
      if (!f.ok) throw new CodecError(`round ${round.seq} in ${this.segmentPath(round.segment)}: ${f.detail}`);
      return decodeRound(f.payload).requests;
    } finally {
      await fh.close();
    }
  }

  /** Acknowledges the oldest round: the cursor moves past it and segments behind the cursor are deleted. */
  ack(round: LogRound): void {
    const i = this.rounds.indexOf(round);
    if (i < 0) return;
    this.rounds.splice(0, i + 1);
    const next = this.rounds[0];
    this.moveCursor(next === undefined ? { segment: this.active, offset: this.activeSize } : { segment: next.segment, offset: next.offset });
  }

  /**
   * Drops every round of the oldest segment (the disk budget is exceeded):
   * they are marked dropped, the cursor passes them and the file is deleted.
   * The active segment is sealed first when it is the oldest.
   */
  async dropOldestSegment(): Promise<LogRound[]> {
    const first = this.rounds[0];
    if (first === undefined) return [];
    const seg = first.segment;
    if (seg === this.active) await this.chain.then(() => this.roll());
    const dropped: LogRound[] = [];
    while (this.rounds.length > 0 && this.rounds[0].segment === seg) {
      const r = this.rounds.shift() as LogRound;
      r.dropped = true;
      dropped.push(r);
    }
    const next = this.rounds[0];
    this.moveCursor(next === undefined ? { segment: this.active, offset: this.activeSize } : { segment: next.segment, offset: next.offset });
    return dropped;
  }

  /**
   * Removes rounds newer than `seq` (the last round a durable checkpoint
   * covers): written before a crash, they were never sent and the counts
   * behind them are counted again after the restore. Returns how many went.
   */
  cutAfter(seq: number): number {
    const i = this.rounds.findIndex((r) => r.seq > seq);
    if (i < 0) return 0;
    const cut = this.rounds.splice(i);
    const first = cut[0];
    const fd = openSync(this.segmentPath(first.segment), "r+");
    try {
      ftruncateSync(fd, first.offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.sizes.set(first.segment, first.offset);
    for (const seg of [...this.sizes.keys()]) if (seg > first.segment) this.deleteSegment(seg);
    return cut.length;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.fh?.close();
    this.fh = undefined;
  }

  private async roll(): Promise<void> {
    await this.fh?.close();
    this.active++;
    this.activeSize = 0;
    this.fh = await open(this.segmentPath(this.active), "w", 0o600);
    this.sizes.set(this.active, 0);
  }

  private moveCursor(to: { segment: number; offset: number }): void {
    this.cursor = to;
    const w = new BinWriter();
    w.uint(to.segment);
    w.uint(to.offset);
    // Not fsynced: a cursor that lags after power loss only resends rounds already delivered.
    writeAtomicSync(join(this.dir, "cursor"), frame(CURSOR_MAGIC, w.finish()), false);
    for (const seg of [...this.sizes.keys()]) if (seg < to.segment) this.deleteSegment(seg);
  }

  private deleteSegment(seg: number): void {
    rmSync(this.segmentPath(seg), { force: true });
    this.sizes.delete(seg);
  }

  private segmentPath(seg: number): string {
    return join(this.dir, `${String(seg).padStart(16, "0")}${SEGMENT_SUFFIX}`);
  }

  /** Reads the cursor and every segment from it, cutting torn or damaged records. */
  private scan(): OpenReport {
    const report: OpenReport = { rounds: 0, repairs: 0, bytesCut: 0 };
    this.cursor = this.readCursor();
    const segments = readdirSync(this.dir)
      .filter((f) => f.endsWith(SEGMENT_SUFFIX) && /^\d+\.wal$/.test(f))
      .map((f) => Number.parseInt(f, 10))
      .sort((a, b) => a - b);
    for (const seg of segments) {
      if (seg < this.cursor.segment) {
        rmSync(this.segmentPath(seg), { force: true });
        continue;
      }
      const path = this.segmentPath(seg);
      const buf = new Uint8Array(readFileSync(path));
      this.sizes.set(seg, buf.length);
      let pos = seg === this.cursor.segment ? this.cursor.offset : 0;
      if (pos > buf.length) pos = 0;
      while (pos < buf.length) {
        const f = unframe(buf, pos, RECORD_MAGIC, MAX_RECORD);
        let round: ReturnType<typeof decodeRound> | undefined;
        if (f.ok) {
          try {
            round = decodeRound(f.payload);
          } catch {
            round = undefined;
          }
        }
        if (!f.ok || round === undefined) {
          const detail = f.ok ? "unreadable round" : f.detail;
          this.cut(path, seg, pos, buf.length, f.ok ? "damaged" : f.reason, detail);
          report.repairs++;
          report.bytesCut += buf.length - pos;
          break;
        }
        this.rounds.push({
          seq: round.seq,
          ts: round.ts,
          samples: round.samples,
          exemplars: round.exemplars,
          bytes: f.end - pos,
          segment: seg,
          offset: pos,
          dropped: false,
        });
        pos = f.end;
      }
      this.active = Math.max(this.active, seg);
    }
    // Rounds must be in sequence order to be sent in order; a damaged log could break that.
    for (let i = 1; i < this.rounds.length; i++) {
      if (this.rounds[i].seq <= this.rounds[i - 1].seq) {
        log.error("remote-write queue: rounds out of order, keeping the ordered prefix", { dir: this.dir });
        const r = this.rounds[i];
        this.cut(this.segmentPath(r.segment), r.segment, r.offset, this.sizes.get(r.segment) ?? r.offset, "damaged", "round out of order");
        this.rounds.splice(i);
        report.repairs++;
        break;
      }
    }
    report.rounds = this.rounds.length;
    // New rounds go to a fresh segment: nothing is ever appended after a repaired tail.
    this.activeSize = this.segmentBytes;
    return report;
  }

  private cut(path: string, seg: number, at: number, size: number, reason: string, detail: string): void {
    log.warn(reason === "torn" ? "remote-write queue: torn record at the end cut off" : "remote-write queue: damaged record cut off with the rest of its segment", {
      file: path,
      at,
      bytes_cut: size - at,
      detail,
    });
    const fd = openSync(path, "r+");
    try {
      ftruncateSync(fd, at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.sizes.set(seg, at);
  }

  private readCursor(): { segment: number; offset: number } {
    const path = join(this.dir, "cursor");
    if (!existsSync(path)) return { segment: 0, offset: 0 };
    try {
      const buf = new Uint8Array(readFileSync(path));
      const f = unframe(buf, 0, CURSOR_MAGIC, 64);
      if (!f.ok) throw new CodecError(f.detail);
      const r = new BinReader(f.payload);
      return { segment: r.uint(), offset: r.uint() };
    } catch (e) {
      // Rounds may be sent twice; Prometheus takes identical samples again or refuses them as out of order.
      log.warn("remote-write queue: unreadable cursor, resending from the oldest segment", { file: path, err: e });
      return { segment: 0, offset: 0 };
    }
  }
}

function decodeRound(payload: Uint8Array): { seq: number; ts: number; samples: number; exemplars: number; requests: QueuedRequest[] } {
  const r = new BinReader(payload);
  const seq = r.uint();
  const ts = r.f64();
  const n = r.count();
  const requests: QueuedRequest[] = [];
  let samples = 0;
  let exemplars = 0;
  for (let i = 0; i < n; i++) {
    const s = r.uint();
    const e = r.uint();
    requests.push({ samples: s, exemplars: e, body: r.bytes() });
    samples += s;
    exemplars += e;
  }
  if (!r.done) throw new CodecError("trailing bytes in a round");
  return { seq, ts, samples, exemplars, requests };
}
