/**
 * `npm run build:release`: every edge-node binary is built (Bun's compile
 * targets; the runtimes come from the npm registry once and stay in
 * .cache/bun-install), SHA256SUMS checks out with coreutils' sha256sum, and:
 *   - the glibc x86-64 binaries (AVX2 and baseline) run here: --version and a
 *     short ingest (real OpenTelemetry SDK → span metrics on the scrape endpoint);
 *   - the glibc arm64 binary runs here too, under qemu-user with Debian's
 *     aarch64 C library: the same --version and ingest;
 *   - every binary is an ELF of its kind: machine, loader (glibc or musl) and
 *     the libraries it needs (musl builds: libstdc++, which Alpine has and
 *     Debian's musl cannot provide).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SpanKind } from "@opentelemetry/api";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readElf } from "../support/elf.ts";
import { TestTracer, recordSpan } from "../support/otel-sdk.ts";
import { poll } from "../support/poll.ts";
import { Redgen, testConfig } from "../support/redgen-process.ts";
import { CACHE_DIR, REPO_ROOT, ensureQemuAarch64 } from "../support/setup.ts";

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;
/** The first build downloads five Bun runtimes (~40 MB each, compressed); later builds take ~20 s. */
const BUILD_TIMEOUT = 15 * 60_000;
const RUN_TIMEOUT = 90_000;

/** What each release binary must be. */
const KINDS: Record<string, { machine: string; interpreter: string; needed: string[] }> = {
  "redgen-linux-x64": { machine: "x86-64", interpreter: "/lib64/ld-linux-x86-64.so.2", needed: ["libc.so.6", "ld-linux-x86-64.so.2", "libpthread.so.0", "libdl.so.2", "libm.so.6"] },
  "redgen-linux-x64-baseline": { machine: "x86-64", interpreter: "/lib64/ld-linux-x86-64.so.2", needed: ["libc.so.6", "ld-linux-x86-64.so.2", "libpthread.so.0", "libdl.so.2", "libm.so.6"] },
  "redgen-linux-arm64": { machine: "aarch64", interpreter: "/lib/ld-linux-aarch64.so.1", needed: ["libc.so.6", "ld-linux-aarch64.so.1", "libpthread.so.0", "libdl.so.2", "libm.so.6"] },
  "redgen-linux-x64-musl": { machine: "x86-64", interpreter: "/lib/ld-musl-x86_64.so.1", needed: ["libstdc++.so.6", "libc.musl-x86_64.so.1"] },
  "redgen-linux-x64-musl-baseline": { machine: "x86-64", interpreter: "/lib/ld-musl-x86_64.so.1", needed: ["libstdc++.so.6", "libc.musl-x86_64.so.1"] },
  "redgen-linux-arm64-musl": { machine: "aarch64", interpreter: "/lib/ld-musl-aarch64.so.1", needed: ["libstdc++.so.6", "libc.musl-aarch64.so.1"] },
};

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "redgen-release-"));
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
  expect(pkg.scripts["build:release"]).toContain("bun .ci/build-release.ts");
  // The npm script's command, run through this Bun so the test does not need npm.
  const r = Bun.spawnSync([process.execPath, ".ci/build-release.ts", dir], {
    cwd: REPO_ROOT,
    env: { ...process.env, BUN_INSTALL_CACHE_DIR: process.env.BUN_INSTALL_CACHE_DIR ?? join(CACHE_DIR, "bun-install") },
    stdout: "pipe",
    stderr: "pipe",
  });
  const log = `${r.stdout.toString()}${r.stderr.toString()}`;
  console.error(log.split("\n").filter((l) => l.startsWith("built ")).join("\n"));
  if (r.exitCode !== 0) throw new Error(`build:release failed (${r.exitCode}):\n${log}`);
}, BUILD_TIMEOUT);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

test("every target is built, and sha256sum -c SHA256SUMS checks every one", () => {
  const binaries = readdirSync(dir).filter((f) => !f.includes("."));
  expect(binaries.filter((f) => f !== "SHA256SUMS").sort()).toEqual(Object.keys(KINDS).sort());
  const sums = readFileSync(join(dir, "SHA256SUMS"), "utf8").trim().split("\n");
  expect(sums.map((l) => l.split(/\s+/)[1]).sort()).toEqual(Object.keys(KINDS).sort());
  const check = Bun.spawnSync(["sha256sum", "-c", "SHA256SUMS"], { cwd: dir, stdout: "pipe", stderr: "pipe" });
  expect({ code: check.exitCode, out: check.stdout.toString().trim().split("\n").sort() }).toEqual({
    code: 0,
    out: Object.keys(KINDS)
      .map((b) => `${b}: OK`)
      .sort(),
  });
}, 60_000); // hashing ~700 MB takes seconds on a busy machine

describe.each(Object.keys(KINDS))("%s", (name) => {
  test("is an ELF of its kind: 64-bit little-endian, its machine, its loader, the libraries it needs", () => {
    const elf = readElf(join(dir, name));
    const want = KINDS[name];
    expect(elf).toEqual({ bits: 64, littleEndian: true, type: "executable", machine: want.machine, interpreter: want.interpreter, needed: want.needed });
  });
});

/** `--version`, then a short ingest: real SDK spans in, span metrics on /metrics/generated. */
async function runsHere(command: string[], startTimeoutMs: number): Promise<void> {
  const v = Bun.spawnSync([...command, "--version"], { stdout: "pipe", stderr: "pipe", timeout: startTimeoutMs });
  expect({ code: v.exitCode, out: v.stdout.toString() }).toEqual({ code: 0, out: `redgen, version ${VERSION} (bun ${Bun.version})\n` });
  await using redgen = await Redgen.start({ config: testConfig(), command, startTimeoutMs });
  const t = new TestTracer({ endpoint: redgen.otlpHttpUrl, encoding: "protobuf", gzip: true, resource: { "service.name": "edge-app" } });
  for (let i = 0; i < 5; i++) recordSpan(t.tracer, { name: "GET /sensor", kind: SpanKind.SERVER, durationMs: 3 });
  expect(await t.flush()).toBe(5);
  await t.shutdown();
  const text = await poll("the span metrics", async () => {
    const g = await redgen.generated();
    return g.includes('span_name="GET /sensor"') ? g : undefined;
  });
  expect(text).toMatch(/^traces_spanmetrics_calls_total\{[^}]*service="edge-app"[^}]*\} 5$/m);
  expect(text).toMatch(/^traces_spanmetrics_latency_bucket\{[^}]*service="edge-app"[^}]*le="0\.005"\} 5$/m);
}

test.each(["redgen-linux-x64", "redgen-linux-x64-baseline"])("%s runs here: --version and a short ingest", async (name) => {
  await runsHere([join(dir, name)], 10_000);
}, RUN_TIMEOUT);

test("redgen-linux-arm64 runs here under qemu-user (Debian's aarch64 C library): --version and a short ingest", async () => {
  await runsHere([...ensureQemuAarch64(), join(dir, "redgen-linux-arm64")], 60_000);
}, RUN_TIMEOUT);
