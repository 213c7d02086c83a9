/**
 * The child of `startup.ready_ms`, run inside a private network namespace
 * (the embedded default listens on the fixed ports 3200/4317/4318): starts
 * the binary with no configuration and STATE_DIRECTORY set to a fresh temp
 * dir, polls GET http://127.0.0.1:3200/ready every millisecond until it
 * answers 200, stops it; `runs` times. Prints one JSON line: the ms from
 * spawn to ready of every run, and the RSS right after ready.
 *
 *   bun test/bench/figures/startup-child.ts BINARY RUNS
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { procRssBytes } from "./proc-stat.ts";

const [binary, runs] = [process.argv[2], Number(process.argv[3] ?? 7)];
const readyMs: number[] = [];
const rssMb: number[] = [];
for (let i = 0; i < runs; i++) {
  const dir = mkdtempSync(join(tmpdir(), "redgen-startup-"));
  const t0 = performance.now();
  const proc = Bun.spawn([binary], { env: { ...process.env, STATE_DIRECTORY: dir }, stdout: "ignore", stderr: "pipe" });
  const deadline = t0 + 10_000;
  for (;;) {
    const status = await fetch("http://127.0.0.1:3200/ready").then((r) => r.status, () => 0);
    if (status === 200) break;
    if (performance.now() > deadline || proc.exitCode !== null) {
      proc.kill("SIGKILL");
      throw new Error(`redgen was not ready within 10 s (exit ${proc.exitCode}): ${await new Response(proc.stderr).text()}`);
    }
    await Bun.sleep(1);
  }
  readyMs.push(performance.now() - t0);
  rssMb.push(procRssBytes(proc.pid) / 2 ** 20);
  proc.kill("SIGTERM");
  await proc.exited;
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify({ readyMs, rssMb })}\n`);
