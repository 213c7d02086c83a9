/**
 * Another process's CPU time and resident memory, read from Linux's /proc:
 * the end-to-end figures charge redgen's own CPU seconds, which no in-process
 * counter of ours can see.
 */
import { readFileSync } from "node:fs";

const CLK_TCK = 100; // Linux USER_HZ; /proc/<pid>/stat counts in these ticks

/** User + system CPU seconds the process has used so far. */
export function procCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state): utime is field 14, stime field 15
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Resident set size in bytes (NaN if /proc does not say). */
export function procRssBytes(pid: number): number {
  return procRss(pid).total;
}

/** Resident bytes as a whole and split: anonymous (heaps, malloc) and file-backed (the binary's own pages). */
export function procRss(pid: number): { total: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string): number => {
    const m = new RegExp(`${key}:\\s+(\\d+) kB`).exec(status);
    return m === null ? Number.NaN : Number(m[1]) * 1024;
  };
  return { total: kb("VmRSS"), anon: kb("RssAnon"), file: kb("RssFile") };
}
