import { existsSync, readFileSync, renameSync } from "node:fs";
import { log } from "../util/log.ts";
import { writeAtomicSync, writeTemp } from "./atomic-file.ts";
import { frame, unframe } from "./frame.ts";

const MAGIC = 0x5247434b; // "RGCK"
const MAX_PAYLOAD = 2 ** 31;

/**
 * One tenant's checkpoint file: a framed, zstd-compressed payload replaced
 * atomically (write, fsync, rename, fsync the directory). Writes carry a
 * sequence number and never replace a newer checkpoint with an older one:
 * the round path writes off the event loop while a rebalance may write one
 * synchronously in between. A damaged file is moved aside and reported, and
 * the tenant starts without it.
 */
export class CheckpointFile {
  /** sequence of the newest checkpoint on disk */
  private durableSeq = -1;
  bytesWritten = 0;
  writes = 0;
  failures = 0;
  lastWriteMs = 0;
  lastSize = 0;

  constructor(readonly path: string) {}

  /** The payload of the checkpoint on disk, or undefined (none, or damaged: moved aside and logged). */
  load(): Uint8Array | undefined {
    if (!existsSync(this.path)) return undefined;
    let reason: string;
    try {
      const buf = new Uint8Array(readFileSync(this.path));
      const f = unframe(buf, 0, MAGIC, MAX_PAYLOAD);
      if (f.ok && f.end === buf.length) return Bun.zstdDecompressSync(f.payload);
      reason = f.ok ? "trailing bytes" : f.detail;
    } catch (e) {
      reason = (e as Error).message;
    }
    this.setAside(reason);
    return undefined;
  }

  /** Moves a damaged checkpoint out of the way (kept for inspection) and says so. */
  setAside(reason: string): void {
    const aside = `${this.path}.damaged-${Date.now()}`;
    try {
      renameSync(this.path, aside);
    } catch {
      // if it cannot be moved it is overwritten by the next checkpoint
    }
    log.error("checkpoint damaged: starting this tenant without it", { path: this.path, reason, kept_as: aside });
  }

  /** Compresses and writes off the event loop; false when not written (failed, or a newer one got there first). */
  async write(seq: number, payload: Uint8Array): Promise<boolean> {
    const t0 = performance.now();
    let tmp: Awaited<ReturnType<typeof writeTemp>> | undefined;
    try {
      const bytes = frame(MAGIC, await Bun.zstdCompress(payload, { level: 1 }));
      tmp = await writeTemp(this.path, bytes);
      if (seq <= this.durableSeq) {
        tmp.discard();
        return false;
      }
      tmp.commit();
      this.done(seq, bytes.length, t0);
      return true;
    } catch (e) {
      tmp?.discard();
      this.failures++;
      log.error("checkpoint write failed", { path: this.path, err: e });
      return false;
    }
  }

  /** The same, blocking (a rebalance must hand partitions over only once their counts are on disk). */
  writeSync(seq: number, payload: Uint8Array): boolean {
    if (seq <= this.durableSeq) return false;
    const t0 = performance.now();
    try {
      const bytes = frame(MAGIC, Bun.zstdCompressSync(payload, { level: 1 }));
      writeAtomicSync(this.path, bytes);
      this.done(seq, bytes.length, t0);
      return true;
    } catch (e) {
      this.failures++;
      log.error("checkpoint write failed", { path: this.path, err: e });
      return false;
    }
  }

  private done(seq: number, size: number, t0: number): void {
    this.durableSeq = seq;
    this.writes++;
    this.bytesWritten += size;
    this.lastSize = size;
    this.lastWriteMs = performance.now() - t0;
  }
}
