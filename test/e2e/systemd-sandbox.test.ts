/**
 * The sandbox of `redgen systemd-unit`, checked without a running systemd
 * (there is none here; systemd-analyze reads unit files offline):
 *   - `systemd-analyze security --offline` rates the unit OK;
 *   - every system call the compiled binary makes in a busy session (OTLP/HTTP
 *     and OTLP/gRPC from real SDKs, remote write to a real Prometheus,
 *     checkpoints, the live page, /metrics, shutdown), listed by strace, is
 *     one the unit's SystemCallFilter lines allow, as systemd-analyze
 *     expands them — a call outside the filter would fail with EPERM;
 *   - redgen runs with /proc mounted as ProcSubset=pid and
 *     ProtectProc=invisible mount it (no /proc/sys, no other processes).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { SpanKind } from "@opentelemetry/api";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestTracer, recordSpan } from "../support/otel-sdk.ts";
import { poll } from "../support/poll.ts";
import { Prometheus } from "../support/prometheus.ts";
import { Redgen, testConfig } from "../support/redgen-process.ts";
import { REDGEN_BINARY, ensureBinary, ensureSystemPackages } from "../support/setup.ts";
import { Topology } from "./topology.ts";

const TIMEOUT = 90_000;
let dir: string;
let unitText: string;

beforeAll(() => {
  ensureSystemPackages();
  ensureBinary();
  dir = mkdtempSync(join(tmpdir(), "redgen-e2e-systemd-"));
  const r = Bun.spawnSync([REDGEN_BINARY, "systemd-unit", "-config.file=/etc/redgen/tempo.yaml"], { stdout: "pipe", stderr: "pipe" });
  expect(r.exitCode).toBe(0);
  unitText = r.stdout.toString();
});

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

function run(cmd: string[]): string {
  const r = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")}: exit ${r.exitCode}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

/** The system calls a systemd filter expression (@group or name) stands for, groups expanded recursively. */
function syscalls(item: string, seen = new Map<string, Set<string>>()): Set<string> {
  if (!item.startsWith("@")) return new Set([item]);
  const known = seen.get(item);
  if (known !== undefined) return known;
  const out = new Set<string>();
  seen.set(item, out);
  for (const line of run(["systemd-analyze", "syscall-filter", item]).split("\n").slice(1)) {
    const t = line.trim();
    if (t === "" || t.startsWith("#")) continue;
    for (const s of syscalls(t, seen)) out.add(s);
  }
  return out;
}

/** SIGTERMs the process redgen.pid started (strace's or unshare's child), then waits for everything to end. */
async function stopWrapped(redgen: Redgen): Promise<void> {
  const children = readFileSync(`/proc/${redgen.pid}/task/${redgen.pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
  expect(children).toHaveLength(1);
  process.kill(Number(children[0]), "SIGTERM");
  expect(await redgen.process.exited(30_000)).toBe(0);
  await redgen.stop();
}

test("systemd-analyze security rates the unit OK", () => {
  const unitDir = join(dir, "unit");
  mkdirSync(unitDir);
  writeFileSync(join(unitDir, "redgen.service"), unitText);
  const r = Bun.spawnSync(["systemd-analyze", "security", "--offline=true", "--no-pager", join(unitDir, "redgen.service")], { stdout: "pipe", stderr: "pipe" });
  const m = /Overall exposure level for redgen\.service: ([\d.]+) (\w+)/.exec(r.stdout.toString());
  expect(m).not.toBeNull();
  expect(m?.[2]).toBe("OK");
  expect(Number(m?.[1])).toBeLessThanOrEqual(1.5);
});

test("every system call redgen makes in a busy session is allowed by the unit's SystemCallFilter", async () => {
  const filters = unitText
    .split("\n")
    .filter((l) => l.startsWith("SystemCallFilter="))
    .map((l) => l.slice("SystemCallFilter=".length));
  expect(filters).toEqual(["@system-service", "~@privileged @resources"]);
  const allowed = new Set<string>();
  for (const f of filters.filter((x) => !x.startsWith("~"))) for (const item of f.split(/\s+/)) for (const s of syscalls(item)) allowed.add(s);
  for (const f of filters.filter((x) => x.startsWith("~"))) for (const item of f.slice(1).split(/\s+/)) for (const s of syscalls(item)) allowed.delete(s);
  expect(allowed.has("epoll_wait")).toBe(true);
  expect(allowed.has("mount")).toBe(false);

  await using prom = await Prometheus.start();
  const trace = join(dir, "redgen.strace");
  const config = testConfig({ remoteWriteUrl: prom.remoteWriteUrl, grpc: {} }) as {
    metrics_generator: { processor: Record<string, unknown> };
    overrides: { defaults: { metrics_generator: { processors: string[] } } };
  };
  config.metrics_generator.processor.service_graphs = { wait: "1s" };
  config.metrics_generator.processor.host_info = {};
  config.overrides.defaults.metrics_generator.processors = ["span-metrics", "service-graphs", "host-info"];
  const redgen = await Redgen.start({ config, command: ["strace", "-f", "-qq", "-o", trace, REDGEN_BINARY], startTimeoutMs: 30_000 });
  try {
    await using topology = new Topology(redgen.otlpHttpUrl);
    await topology.send(3);
    const grpc = new TestTracer({ endpoint: redgen.otlpGrpcUrl, encoding: "grpc", gzip: true, resource: { "service.name": "grpc-app", "host.id": "h-1" } });
    for (let i = 0; i < 3; i++) recordSpan(grpc.tracer, { name: "tick", kind: SpanKind.SERVER, durationMs: 2 });
    expect(await grpc.flush()).toBe(3);
    await grpc.shutdown();
    await prom.waitFor("sum(traces_spanmetrics_calls_total)", (r) => r[0]?.value === 3 * 8 + 3, 30_000);
    for (const path of ["/", "/live/summary", "/metrics", "/status/storage", "/assets/"]) expect((await fetch(`${redgen.apiUrl}${path}`)).status).toBe(200);
    // a checkpoint has been written (its fsync and rename are in the trace)
    await poll("a checkpoint", async () => ((await redgen.selfMetrics()).match(/redgen_checkpoint_writes_total\{tenant="single-tenant"\} [1-9]/) ? true : undefined), { timeoutMs: 15_000 });
  } finally {
    await stopWrapped(redgen);
  }
  const used = new Set<string>();
  for (const line of readFileSync(trace, "utf8").split("\n")) {
    const m = /^\d+\s+([a-z0-9_]+)\(/.exec(line);
    if (m !== null) used.add(m[1]);
  }
  expect(used.size).toBeGreaterThan(30);
  expect([...used].filter((s) => !allowed.has(s)).sort()).toEqual([]);
}, TIMEOUT);

test("redgen runs with /proc as ProcSubset=pid and ProtectProc=invisible leave it", async () => {
  expect(unitText).toContain("ProcSubset=pid\n");
  expect(unitText).toContain("ProtectProc=invisible\n");
  const sudo = process.getuid?.() === 0 ? [] : ["sudo"];
  const remount = 'umount /proc && mount -t proc -o subset=pid,hidepid=invisible proc /proc && test ! -e /proc/sys && exec "$0" "$@"';
  const redgen = await Redgen.start({
    config: testConfig(),
    command: [...sudo, "unshare", "--mount", "--pid", "--fork", "--mount-proc", "sh", "-c", remount, REDGEN_BINARY],
    startTimeoutMs: 20_000,
  });
  try {
    const t = new TestTracer({ endpoint: redgen.otlpHttpUrl, encoding: "protobuf", gzip: false, resource: { "service.name": "boxed" } });
    recordSpan(t.tracer, { name: "GET /", kind: SpanKind.SERVER, durationMs: 4 });
    expect(await t.flush()).toBe(1);
    await t.shutdown();
    expect(await redgen.generated()).toMatch(/^traces_spanmetrics_calls_total\{[^}]*service="boxed"[^}]*\} 1$/m);
    expect(await redgen.selfMetrics()).toMatch(/^process_resident_memory_bytes\{?\}? [1-9]/m);
  } finally {
    await stopWrapped(redgen);
  }
}, TIMEOUT);
