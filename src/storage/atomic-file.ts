import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from "node:fs";
import { open } from "node:fs/promises";
import { dirname, join } from "node:path";

let tmpCounter = 0;

/** A temp name next to `path`, unique in this process. */
function tmpName(path: string): string {
  return `${path}.tmp-${process.pid}-${++tmpCounter}`;
}

/**
 * Writes `bytes` to a temp file and fsyncs it off the event loop; the caller
 * then calls `commit` to rename it over `path` (synchronously, so two writers
 * of the same file are ordered by the event loop: see checkpoint-store.ts).
 */
export async function writeTemp(path: string, bytes: Uint8Array): Promise<{ commit(): void; discard(): void }> {
  const tmp = tmpName(path);
  const fh = await open(tmp, "w", 0o600);
  try {
    await fh.write(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return {
    commit: () => {
      renameSync(tmp, path);
      syncDir(dirname(path));
    },
    discard: () => removeQuietly(tmp),
  };
}

/** Write, fsync, rename, fsync the directory: the file is the old or the new content after any crash. */
export function writeAtomicSync(path: string, bytes: Uint8Array, sync = true): void {
  const tmp = tmpName(path);
  const fd = openSync(tmp, "w", 0o600);
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  if (sync) syncDir(dirname(path));
}

/** fsync a directory so a rename or a new file in it survives power loss. */
export function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  }
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // best effort: a stray temp file is harmless and ignored at start
  }
}

/** Removes temp files a crash left in `dir` (a write that never reached its rename). */
export function removeTempFiles(dir: string): void {
  for (const f of readdirSync(dir)) if (/\.tmp-\d+-\d+$/.test(f)) removeQuietly(join(dir, f));
}
