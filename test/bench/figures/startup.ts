/**
 * startup.ready_ms: the compiled binary with the embedded default (no
 * config file, STATE_DIRECTORY a fresh temp dir) from spawn to GET /ready
 * answering 200, median of `runs` starts; startup.rss_mb: its RSS right
 * then. The starts run in a private network namespace (unshare, as root or
 * with --map-root-user) because the embedded default binds fixed ports.
 */
import { join } from "node:path";
import { REDGEN_BINARY, ensureBinary } from "../../support/setup.ts";
import { median } from "./measure.ts";
import { type Report, log } from "./report.ts";
import { type BenchSettings, wants } from "./settings.ts";

const CHILD = join(import.meta.dir, "startup-child.ts");

export async function startup(settings: BenchSettings, report: Report, binary?: string): Promise<void> {
  if (!wants(settings, "startup.ready_ms") && !wants(settings, "startup.rss_mb")) return;
  if (binary === undefined) ensureBinary();
  const runs = settings.quick ? 3 : 9;
  const userns = process.getuid?.() === 0 ? [] : ["--map-root-user"];
  const script = `PATH="$PATH:/usr/sbin:/sbin"; ip link set lo up && exec "$0" "$1" "$2" "$3"`;
  const cmd = ["unshare", ...userns, "--net", "--", "sh", "-c", script, process.execPath, CHILD, binary ?? REDGEN_BINARY, String(runs)];
  log(`startup: ${runs} starts of ${binary ?? REDGEN_BINARY} with the embedded default`);
  const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = [await new Response(proc.stdout).text(), await new Response(proc.stderr).text(), await proc.exited];
  if (code !== 0) {
    report.problem(`startup: the start runs failed (${code}): ${err.trim().slice(-500)}`);
    return;
  }
  const r = JSON.parse(out.trim().split("\n").pop() as string) as { readyMs: number[]; rssMb: number[] };
  report.add({ name: "startup.ready_ms", unit: "ms", value: median(r.readyMs), runs: r.readyMs });
  report.add({ name: "startup.rss_mb", unit: "MiB", value: median(r.rssMb), runs: r.rssMb });
}
