/**
 * Keeps `npm run bench -- --quick` working in CI: the harness runs end to end
 * (in-process stages, the compiled binary over HTTP and gRPC, memory and
 * collection, the attack figures) and its correctness checks hold. Speed is reported, never judged.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { REPO_ROOT, ensureBinary } from "../support/setup.ts";

interface Figure {
  name: string;
  unit: string;
  value: number;
}

test("bench --quick runs every figure with no lost spans and no problems", async () => {
  ensureBinary();
  const proc = Bun.spawn([process.execPath, join(REPO_ROOT, "test/bench/bench.ts"), "--quick", "--json"], {
    cwd: REPO_ROOT,
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  expect({ code, err: code === 0 ? "" : err.slice(-2000) }).toEqual({ code: 0, err: "" });
  const result = JSON.parse(out) as { figures: Figure[]; problems: string[] };
  expect(result.problems).toEqual([]);
  const names = new Set(result.figures.map((f) => `${f.name} ${f.unit}`));
  const wanted = ["drain.miss ns/call", "drain.hit ns/call", "drain.hit_hot ns/call", "drain.memory heap_bytes", "decode.fast spans/s", "inproc.all spans/s", "inproc.steady spans/s", "controls.sanitize spans/s", "controls.entity_limiting spans/s", "controls.hll_memory bytes", "e2e.http spans/s", "e2e.grpc spans/s", "e2e.http lost_spans", "e2e.grpc lost_spans", "native.inproc_native spans/s", "native.rw_native rw2/rw1_snappy", "native.memory_native heap_bytes/label_set", "page.weight gzip_bytes", "page.quick-hi cpu_ms/poll"];
  for (const want of [...wanted, "attack.chunked rss_peak_mb", "attack.idle fds_peak", "attack.idle api_answered"]) {
    expect(names.has(want)).toBe(true);
  }
  // the Collector figures are opt-in: a default run never builds or runs it
  expect(result.figures.filter((f) => f.name.startsWith("collector."))).toEqual([]);
  for (const f of result.figures.filter((x) => x.unit === "lost_spans")) expect(f.value).toBe(0);
  for (const f of result.figures.filter((x) => x.unit === "spans/s")) expect(f.value).toBeGreaterThan(0);
}, 120_000);
