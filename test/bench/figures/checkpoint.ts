/**
 * checkpoint.<variant>: what durability costs for a filled registry — one
 * checkpoint (capture on the event loop, zstd off it, write + fsync + rename),
 * its size per active series, a restore into a fresh pipeline (what a restart
 * after SIGKILL spends before it takes traffic), and the write amplification
 * of a round: bytes fsynced (checkpoint + queue record) per byte sent.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TenantState } from "../../../src/storage/tenant-state.ts";
import { SegmentLog } from "../../../src/storage/segment-log.ts";
import type { BenchPipeline } from "../harness.ts";
import type { CollectResult } from "./collect.ts";

export interface CheckpointResult {
  captureMs: number;
  payloadBytes: number;
  fileBytes: number;
  /** compress + write + fsync + rename, off the event loop but on the round's path */
  writeMs: number;
  restoreMs: number;
  /** active series of the restored registry (must equal the original's) */
  restoredActive: number;
  /** one round of the remote-write queue on disk */
  queueRecordBytes: number;
  queueAppendMs: number;
}

export async function measureCheckpoint(p: BenchPipeline, fresh: () => BenchPipeline, collect: CollectResult | undefined): Promise<CheckpointResult> {
  const dir = mkdtempSync(join(tmpdir(), "redgen-bench-ckpt-"));
  try {
    const state = new TenantState(dir, p.tenant.id);
    const t0 = performance.now();
    const c = state.capture(p.tenant, 1, p.clock, new Map());
    const t1 = performance.now();
    await state.checkpoint.write(c.seq, c.payload);
    const t2 = performance.now();
    const target = fresh();
    const t3 = performance.now();
    const r = new TenantState(dir, p.tenant.id).restore(target.tenant);
    const t4 = performance.now();
    if (r === undefined || "error" in r) throw new Error(`restore failed: ${r === undefined ? "no checkpoint" : r.error}`);
    // A queue record of a round as big as the collection's compressed requests.
    const { log } = SegmentLog.open(join(dir, "queue"), 64 << 20);
    const bytes = collect?.snappyBytes ?? 0;
    const requests = Math.max(1, collect?.requests ?? 1);
    const body = new Uint8Array(Math.ceil(bytes / requests));
    const t5 = performance.now();
    const round = await log.append(1, p.clock, Array.from({ length: requests }, () => ({ body, samples: 2000, exemplars: 0 })));
    const t6 = performance.now();
    await log.close();
    return {
      captureMs: t1 - t0,
      payloadBytes: c.payload.length,
      fileBytes: state.checkpoint.lastSize,
      writeMs: t2 - t1,
      restoreMs: t4 - t3,
      restoredActive: target.tenant.registry.limiter.active,
      queueRecordBytes: round.bytes,
      queueAppendMs: t6 - t5,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
