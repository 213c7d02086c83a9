/** The compiled binary's command line: --version, --help, check-config, systemd-unit. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { E2E_TIMEOUT_MS } from "../support/poll.ts";
import { REDGEN_BINARY, REPO_ROOT, ensureBinary } from "../support/setup.ts";

const SEED = join(REPO_ROOT, "test/fixtures/e2e/seed.yaml");
const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;

let dir: string;

beforeAll(() => {
  ensureBinary();
  dir = mkdtempSync(join(tmpdir(), "redgen-e2e-cli-"));
}, E2E_TIMEOUT_MS);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** Runs the binary (or another command) to completion. */
function run(cmd: string[]): { code: number; stdout: string; stderr: string } {
  const r = Bun.spawnSync(cmd, { cwd: dir, stdout: "pipe", stderr: "pipe", timeout: 30_000 });
  return { code: r.exitCode ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

function writeConfig(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

test("--version prints the package version", () => {
  const r = run([REDGEN_BINARY, "--version"]);
  expect(r.code).toBe(0);
  expect(r.stdout).toStartWith(`redgen, version ${VERSION} `);
  expect(run([REDGEN_BINARY, "-version"]).stdout).toBe(r.stdout);
});

test("--help prints usage and exits 0", () => {
  const r = run([REDGEN_BINARY, "--help"]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("Usage:");
  expect(r.stdout).toContain("-config.file");
  expect(r.stdout).toContain("check-config");
});

test("an unknown flag exits non-zero and says which", () => {
  const r = run([REDGEN_BINARY, "--no-such-flag"]);
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain("--no-such-flag");
});

describe("check-config", () => {
  test("accepts the seed configuration", () => {
    const r = run([REDGEN_BINARY, "check-config", `-config.file=${SEED}`]);
    expect({ code: r.code, stderr: r.code === 0 ? "" : r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(r.stdout).toContain("configuration is valid");
    // Tempo sections redgen does not use are accepted with one warning each, and the
    // processors it enables without an overrides list are named.
    const warnings = r.stderr.split("\n").filter((l) => l.startsWith("level=warn"));
    for (const section of ["compactor", "ingester", "storage"]) {
      expect(warnings.filter((l) => l.includes(`section ${section} `))).toHaveLength(1);
    }
    expect(warnings.some((l) => l.includes("span-metrics, service-graphs"))).toBe(true);
  });

  test.each([
    {
      what: "a value of the wrong type",
      yaml: "metrics_generator:\n  registry:\n    collection_interval: soon\n",
      path: "metrics_generator.registry.collection_interval",
    },
    {
      what: "an unknown key",
      yaml: "metrics_generator:\n  processor:\n    span_metrics:\n      dimensionz: [http.method]\n",
      path: "metrics_generator.processor.span_metrics.dimensionz",
    },
    {
      what: "a bucket list that is not numbers",
      yaml: "metrics_generator:\n  processor:\n    span_metrics:\n      histogram_buckets: [0.1, fast]\n",
      path: "metrics_generator.processor.span_metrics.histogram_buckets",
    },
  ])("rejects $what with exit 1, naming the key path", ({ yaml, path }) => {
    const file = writeConfig("broken.yaml", yaml);
    const r = run([REDGEN_BINARY, "check-config", `-config.file=${file}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(path);
    expect(r.stdout).not.toContain("configuration is valid");
  });

  test("checks the per-tenant runtime overrides file too (overrides.per_tenant_override_config)", () => {
    const runtime = writeConfig("runtime.yaml", "overrides:\n  team-a:\n    metrics_generator:\n      span_name_sanitization: always\n");
    const file = writeConfig("with-runtime.yaml", `overrides:\n  per_tenant_override_config: ${runtime}\n`);
    const r = run([REDGEN_BINARY, "check-config", `-config.file=${file}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`per-tenant overrides file ${runtime}`);
    expect(r.stderr).toContain("overrides.team-a.metrics_generator.span_name_sanitization");
    writeConfig("runtime.yaml", "overrides:\n  team-a:\n    metrics_generator:\n      processors: [span-metrics]\n      span_name_sanitization: enabled\n");
    expect(run([REDGEN_BINARY, "check-config", `-config.file=${file}`]).code).toBe(0);
  });
});

describe("systemd-unit", () => {
  // installed by the test setup (Debian's systemd package) when missing
  const analyze = Bun.which("systemd-analyze") ?? "systemd-analyze";

  test("prints a unit that systemd-analyze verify accepts without warnings", () => {
    const r = run([REDGEN_BINARY, "systemd-unit", `-config.file=${SEED}`]);
    expect(r.code).toBe(0);
    // systemd-analyze wants a unit file name with a unit suffix; ExecStart must point at an executable.
    const unitDir = join(dir, "unit");
    mkdirSync(unitDir, { recursive: true });
    const unit = join(unitDir, "redgen.service");
    writeFileSync(unit, r.stdout);
    expect(r.stdout).toContain(`ExecStart=${REDGEN_BINARY} -config.file=${SEED}\n`);
    const v = run([analyze, "verify", unit]);
    expect({ code: v.code, stderr: v.stderr, stdout: v.stdout }).toEqual({ code: 0, stderr: "", stdout: "" });
  });

  test("systemd-analyze verify does fail on a broken unit (the check has teeth)", () => {
    const unitDir = join(dir, "broken-unit");
    mkdirSync(unitDir, { recursive: true });
    const unit = join(unitDir, "redgen.service");
    const r = run([REDGEN_BINARY, "systemd-unit"]);
    writeFileSync(unit, r.stdout.replace(/^ExecStart=\S+/m, "ExecStart=/nonexistent/redgen"));
    const v = run([analyze, "verify", unit]);
    expect(v.code).not.toBe(0);
    expect(v.stderr).toContain("/nonexistent/redgen");
  });
});
