/**
 * memory.<variant>, collect.<variant>: bytes per active series, and what
 * collecting that registry costs. The registry is filled in a child process
 * (memory-child.ts, started as `bench.ts --child memory`) so its RSS and heap
 * growth are the registry's alone, not the leftovers of earlier figures. Its
 * active series must equal what the corpus manifest expects.
 */
import { join } from "node:path";
import { REPO_ROOT } from "../../support/setup.ts";
import { ensureCorpus } from "../corpus.ts";
import type { MemoryResult } from "./memory-child.ts";
import { reportPage } from "./page.ts";
import { type Report, log } from "./report.ts";
import { type BenchSettings, wants } from "./settings.ts";

/** The entry point that dispatches `--child memory` to memoryChild. */
const BENCH_TS = join(import.meta.dir, "..", "bench.ts");

/** One corpus's memory and collection figures. */
export async function memory(settings: BenchSettings, report: Report, variant: string): Promise<void> {
  const mem = `memory.${variant}`;
  const col = `collect.${variant}`;
  if (!wants(settings, mem) && !wants(settings, col) && !wants(settings, `page.${variant}`)) return;
  ensureCorpus(variant, settings.seed, log);
  log(`${mem}: filling a registry in a child process`);
  const cmd = [process.execPath, BENCH_TS, "--child", "memory", "--variant", variant, "--seed", String(settings.seed)];
  if (wants(settings, col) || wants(settings, `page.${variant}`)) cmd.push("--collect");
  if (settings.quick) cmd.push("--quick");
  const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "inherit", cwd: REPO_ROOT });
  const out = await new Response(proc.stdout).text();
  if ((await proc.exited) !== 0) throw new Error(`memory child for ${variant} failed: ${out}`);
  const r = JSON.parse(out.trim().split("\n").pop() as string) as MemoryResult;
  if (r.active !== r.expectedActive) report.problem(`${mem}: ${r.active} active series, the corpus manifest expects ${r.expectedActive}`);
  if (wants(settings, mem)) {
    report.add({ name: mem, unit: "active_series", value: r.active });
    report.add({ name: mem, unit: "rss_bytes/series", value: (r.rssAfter - r.rssBefore) / r.active });
    report.add({ name: mem, unit: "heap_bytes/series", value: (r.heapAfter - r.heapBefore) / r.active });
    report.add({ name: mem, unit: "rss_mb", value: r.rssAfter / 2 ** 20 });
    report.add({ name: mem, unit: "fill_spans/s", value: r.spans / (r.fillMs / 1000) });
  }
  if (r.collect !== undefined && wants(settings, col)) {
    const c = r.collect;
    report.add({ name: col, unit: "first_ms", value: c.firstMs });
    report.add({ name: col, unit: "ms", value: c.totalMs });
    report.add({ name: col, unit: "encode_ms", value: c.encodeMs });
    report.add({ name: col, unit: "snappy_ms", value: c.snappyMs });
    report.add({ name: col, unit: "samples", value: c.samples });
    report.add({ name: col, unit: "requests", value: c.requests });
    report.add({ name: col, unit: "body_mb", value: c.bodyBytes / 2 ** 20 });
    report.add({ name: col, unit: "snappy_mb", value: c.snappyBytes / 2 ** 20 });
  }
  if (r.page !== undefined && wants(settings, `page.${variant}`)) reportPage(report, variant, r.active, r.page);
  const k = r.checkpoint;
  if (k !== undefined && wants(settings, col)) {
    const ck = `checkpoint.${variant}`;
    if (k.restoredActive !== r.active) report.problem(`${ck}: restored ${k.restoredActive} active series of ${r.active}`);
    report.add({ name: ck, unit: "capture_ms", value: k.captureMs });
    report.add({ name: ck, unit: "write_ms", value: k.writeMs });
    report.add({ name: ck, unit: "payload_mb", value: k.payloadBytes / 2 ** 20 });
    report.add({ name: ck, unit: "file_mb", value: k.fileBytes / 2 ** 20 });
    report.add({ name: ck, unit: "disk_bytes/series", value: k.fileBytes / r.active });
    report.add({ name: ck, unit: "restore_ms", value: k.restoreMs });
    report.add({ name: ck, unit: "queue_append_ms", value: k.queueAppendMs });
    const sent = r.collect?.snappyBytes ?? 0;
    if (sent > 0) report.add({ name: ck, unit: "write_amplification", value: (k.fileBytes + k.queueRecordBytes) / sent });
  }
}
