import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config/types.ts";
import { tenantFromHeader } from "../receive/tenant-id.ts";
import { DiskBudget } from "../storage/disk-budget.ts";
import { log } from "../util/log.ts";

/** The state directory of a running instance. */
export interface Storage {
  root: string;
  budget: DiskBudget;
  /** queue segment size: a sixteenth of the budget, between 16 KiB and 64 MiB */
  segmentBytes: number;
  /** tenants that left state on disk (restored at start so their queues drain and their counters go on) */
  tenantsOnDisk(): string[];
  /** Removes the lock. */
  release(): void;
}

/** Thrown when storage.path cannot be used (not writable, or in use by another live redgen). */
export class StorageError extends Error {}

/**
 * Opens metrics_generator.storage.path: creates it, takes the lock file (a
 * second redgen on the same path would interleave two queues' writes), and
 * sets up the disk budget shared by every remote-write queue.
 */
export function openStorage(config: Config): Storage {
  const root = config.generator.storage.path;
  const lock = join(root, "redgen.lock");
  try {
    mkdirSync(root, { recursive: true });
  } catch (e) {
    throw new StorageError(`metrics_generator.storage.path ${root} cannot be created: ${(e as Error).message}`);
  }
  const holder = lockHolder(lock);
  if (holder !== undefined) throw new StorageError(`metrics_generator.storage.path ${root} is in use by another redgen (pid ${holder})`);
  try {
    writeFileSync(lock, `${process.pid}\n`);
  } catch (e) {
    throw new StorageError(`metrics_generator.storage.path ${root} is not writable: ${(e as Error).message}`);
  }
  const maxBytes = config.generator.storage.max_queue_bytes;
  return {
    root,
    budget: new DiskBudget(maxBytes),
    segmentBytes: Math.min(64 << 20, Math.max(16 << 10, Math.floor(maxBytes / 16))),
    tenantsOnDisk: () =>
      readdirSync(root).filter((name) => {
        const dir = join(root, name);
        if (!statSync(dir).isDirectory() || "error" in tenantFromHeader(name)) return false;
        return readdirSync(dir).some((f) => f === "checkpoint" || f.startsWith("queue-"));
      }),
    release: () => {
      if (lockHolder(lock) === undefined) rmSync(lock, { force: true });
    },
  };
}

/**
 * The pid in a lock file if that process is a live redgen other than this one.
 * A stale lock (the holder was killed) is taken over; a pid now used by
 * another program does not count, so a reused pid never blocks a start.
 */
function lockHolder(lock: string): number | undefined {
  if (!existsSync(lock)) return undefined;
  const pid = Number.parseInt(readFileSync(lock, "utf8"), 10);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  try {
    const exe = readlinkSync(`/proc/${pid}/exe`);
    if (exe !== readlinkSync("/proc/self/exe")) {
      log.debug("storage lock held by a pid that is not redgen; taking it over", { pid, exe });
      return undefined;
    }
  } catch {
    // no /proc: trust the pid
  }
  return pid;
}
