import { readFileSync } from "node:fs";

/**
 * The process's open-file limit (soft; Bun raises it to the hard limit at
 * start, as Go does), from /proc/self/limits; undefined where that is not
 * readable. Connection caps are derived from it so that no single port can
 * take every descriptor.
 */
export function openFileLimit(): number | undefined {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === undefined || soft === "unlimited" ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

/** The default connection cap of a port: a quarter of the descriptors (at least 16), or 4096 when unknown. */
export function defaultConnectionCap(limit = openFileLimit()): number {
  return limit === undefined ? 4096 : Math.max(16, Math.floor(limit / 4));
}
