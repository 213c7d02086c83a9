import { readFileSync, readdirSync, readlinkSync } from "node:fs";

/** What process `pid` has open, from /proc/<pid>/fd: all descriptors, and how many are sockets. */
export function openFds(pid: number): { fds: number; sockets: number } {
  let fds = 0;
  let sockets = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith("socket:")) sockets++;
      fds++;
    } catch {
      // closed between readdir and readlink
    }
  }
  return { fds, sockets };
}

/** Resident set size of `pid` in bytes (VmRSS in /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (m === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}
