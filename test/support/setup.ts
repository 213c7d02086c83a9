/**
 * Makes a fresh machine ready for the test suite; `npm test` runs it before
 * `bun test`, and the end-to-end helpers call `ensureBinary()` too, so
 * `bun test test/e2e` works on its own. Idempotent and quick when nothing is
 * needed:
 * - installs Debian's `prometheus` (2.42, with `promtool`) when it is not on
 *   PATH, `iproute2` when `ip` is missing (the seed-config test brings up `lo`
 *   in a private network namespace), `strace` when it is missing (the
 *   systemd sandbox test lists redgen's system calls), `chromium` when it is missing (the
 *   live page is tested in a real browser), and `qemu-user-static` with
 *   `libc6-arm64-cross` when missing (the arm64 release binary runs here
 *   under emulation), and `apache2-utils` when `htpasswd` is missing (the
 *   basic-auth tests hash passwords with the real tool);
 * - builds `dist/redgen` when it is missing or older than any file in src/
 *   or package.json;
 * - builds the pdata span-size oracle (test/support/pdata-size, Go) and the
 *   SigV4 verifying server (test/support/sigv4-verify, on the AWS SDK for Go)
 *   into .cache/go-bin;
 * - builds the native-histogram oracle (test/support/native-histogram-oracle,
 *   Go, on client_golang) into .cache/go-bin;
 * - `go install`s Prometheus 3 (pinned; remote write 2.0 receiver) into
 *   .cache/prometheus3 when missing: about 10 minutes the first time;
 * - installs the OpenTelemetry Python SDK with its OTLP/gRPC exporter (pinned,
 *   from PyPI) into a venv under .cache/python-otel, and Go `telemetrygen`
 *   (pinned, `go install`) into .cache/go-bin, when missing: the gRPC
 *   end-to-end tests drive them as real clients;
 * - `go install`s h2spec (pinned; the HTTP/2 conformance suite the gRPC
 *   port's server is checked with) into .cache/go-bin when missing.
 * .cache/ is git-ignored.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ensureKafkaTestTools } from "./kafka/install.ts";

export const REPO_ROOT = resolve(import.meta.dir, "../..");
export const REDGEN_BINARY = join(REPO_ROOT, "dist", "redgen");
/** Tools the tests install for themselves (git-ignored). */
export const CACHE_DIR = join(REPO_ROOT, ".cache");

/**
 * Runs a command with its output on our stderr (stdout may be a fixture's
 * result channel); throws on a non-zero exit.
 */
function run(cmd: string[], cwd = REPO_ROOT, env: Record<string, string | undefined> = process.env): void {
  console.error(`setup: $ ${cmd.join(" ")}`);
  const r = Bun.spawnSync(cmd, { cwd, stdout: 2, stderr: "inherit", env });
  if (r.exitCode !== 0) throw new Error(`setup: "${cmd.join(" ")}" exited with ${r.exitCode}`);
}

/** Whether `command` is installed (sbin dirs included: `ip` lives there and CI's PATH may lack them). */
function onPath(command: string): boolean {
  return Bun.which(command, { PATH: `${process.env.PATH ?? ""}:/usr/local/sbin:/usr/sbin:/sbin` }) !== null;
}

let aptUpdated = false;
function aptInstall(packages: string[]): void {
  if (!onPath("apt-get")) throw new Error(`setup: ${packages.join(", ")} missing and there is no apt-get to install it`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const sudo = process.getuid?.() === 0 ? [] : ["sudo"];
  const exec = (cmd: string[]) => {
    console.error(`setup: $ ${[...sudo, ...cmd].join(" ")}`);
    const r = Bun.spawnSync([...sudo, ...cmd], { stdout: 2, stderr: "inherit", env });
    if (r.exitCode !== 0) throw new Error(`setup: "${cmd.join(" ")}" exited with ${r.exitCode}`);
  };
  if (!aptUpdated) {
    exec(["apt-get", "update"]);
    aptUpdated = true;
  }
  exec(["apt-get", "install", "-y", "--no-install-recommends", ...packages]);
}

/** Installs the Debian packages the end-to-end tests run, if missing. */
export function ensureSystemPackages(): void {
  const missing: string[] = [];
  if (!onPath("prometheus") || !onPath("promtool")) missing.push("prometheus");
  if (!onPath("ip")) missing.push("iproute2");
  // the systemd sandbox test lists redgen's system calls with strace
  if (!onPath("strace")) missing.push("strace");
  if (!onPath("htpasswd")) missing.push("apache2-utils");
  // the unit `redgen systemd-unit` prints is checked with systemd-analyze (verify, security, syscall-filter)
  if (!onPath("systemd-analyze")) missing.push("systemd");
  if (missing.length === 0) return;
  console.error(`setup: installing ${missing.join(", ")} (not on PATH)`);
  aptInstall(missing);
}

/** Debian's Chromium, installed with apt-get when missing; returns the binary. */
export function ensureChromium(): string {
  const found = Bun.which("chromium");
  if (found !== null) return found;
  console.error("setup: installing chromium (not on PATH)");
  aptInstall(["chromium"]);
  const installed = Bun.which("chromium");
  if (installed === null) throw new Error("setup: chromium is still not on PATH after apt-get install chromium");
  return installed;
}

/** The user-mode emulator and the aarch64 C library Debian ships for cross builds. */
export const QEMU_AARCH64 = "qemu-aarch64-static";
export const AARCH64_SYSROOT = "/usr/aarch64-linux-gnu";

/**
 * Installs Debian's qemu-user-static and libc6-arm64-cross when missing, so
 * the linux-arm64 release binary runs here under emulation
 * (`qemu-aarch64-static -L /usr/aarch64-linux-gnu <binary>`). Returns the
 * command prefix.
 */
export function ensureQemuAarch64(): string[] {
  const missing: string[] = [];
  if (!onPath(QEMU_AARCH64)) missing.push("qemu-user-static");
  if (!existsSync(join(AARCH64_SYSROOT, "lib", "ld-linux-aarch64.so.1"))) missing.push("libc6-arm64-cross");
  if (missing.length > 0) {
    console.error(`setup: installing ${missing.join(", ")} (to run the arm64 release binary)`);
    aptInstall(missing);
  }
  return [QEMU_AARCH64, "-L", AARCH64_SYSROOT];
}

/** Newest modification time (ms) of the files under `dir`. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    const m = entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs;
    if (m > newest) newest = m;
  }
  return newest;
}

/** Why the binary needs building, or null when it is up to date. */
export function binaryStaleness(): string | null {
  if (!existsSync(REDGEN_BINARY)) return `${REDGEN_BINARY} does not exist`;
  const built = statSync(REDGEN_BINARY).mtimeMs;
  const sources = Math.max(newestMtime(join(REPO_ROOT, "src")), statSync(join(REPO_ROOT, "package.json")).mtimeMs);
  return sources > built ? "src/ changed since dist/redgen was built" : null;
}

/** Builds dist/redgen with the project's own build script when it is missing or stale. */
export function ensureBinary(): void {
  const why = binaryStaleness();
  if (why === null) return;
  console.error(`setup: building dist/redgen (${why})`);
  // The same command as `npm run build`, run through this Bun so npm is not needed.
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { scripts: { build: string } };
  const argv = pkg.scripts.build.split(/\s+/);
  if (argv[0] !== "bun") throw new Error(`setup: unexpected build script "${pkg.scripts.build}"`);
  run([process.execPath, ...argv.slice(1)]);
}

/** The pinned OpenTelemetry Python packages (PyPI) the gRPC end-to-end tests run. */
export const PYTHON_OTEL_REQUIREMENTS = ["opentelemetry-sdk==1.45.2", "opentelemetry-exporter-otlp-proto-grpc==1.45.2"];
const PYTHON_VENV = join(CACHE_DIR, "python-otel");
/** The venv's interpreter, with the packages above. */
export const PYTHON_OTEL = join(PYTHON_VENV, "bin", "python");

/**
 * Creates .cache/python-otel (python3 -m venv) and pip-installs
 * PYTHON_OTEL_REQUIREMENTS, unless the venv already holds exactly those (a
 * marker file records what was installed). Returns the venv's python.
 */
export function ensurePythonOtel(): string {
  const marker = join(PYTHON_VENV, "redgen-requirements.txt");
  const wanted = `${PYTHON_OTEL_REQUIREMENTS.join("\n")}\n`;
  if (existsSync(PYTHON_OTEL) && existsSync(marker) && readFileSync(marker, "utf8") === wanted) return PYTHON_OTEL;
  const t0 = performance.now();
  console.error(`setup: installing ${PYTHON_OTEL_REQUIREMENTS.join(", ")} into ${PYTHON_VENV}`);
  if (!onPath("python3")) aptInstall(["python3", "python3-venv"]);
  const python = Bun.which("python3") ?? "python3";
  const venv = () => Bun.spawnSync([python, "-m", "venv", "--clear", PYTHON_VENV], { stdout: 2, stderr: "inherit" }).exitCode;
  if (venv() !== 0) {
    // Debian's python3 ships venv's ensurepip separately.
    aptInstall(["python3-venv"]);
    if (venv() !== 0) throw new Error(`setup: "${python} -m venv ${PYTHON_VENV}" failed`);
  }
  run([join(PYTHON_VENV, "bin", "pip"), "install", "--disable-pip-version-check", "--no-input", ...PYTHON_OTEL_REQUIREMENTS]);
  writeFileSync(marker, wanted);
  console.error(`setup: Python OpenTelemetry SDK ready (${Math.round((performance.now() - t0) / 1000)} s)`);
  return PYTHON_OTEL;
}

/** The pinned telemetrygen (opentelemetry-collector-contrib/cmd/telemetrygen). */
export const TELEMETRYGEN_VERSION = "v0.161.0";
const GO_BIN = join(CACHE_DIR, "go-bin");
/** The telemetrygen binary `ensureTelemetrygen` installs. */
export const TELEMETRYGEN = join(GO_BIN, "telemetrygen");

/**
 * `go install`s telemetrygen@TELEMETRYGEN_VERSION into .cache/go-bin unless
 * that version is there already (a marker file records it). The first build
 * takes about a minute. Returns the binary's path.
 */
export function ensureTelemetrygen(): string {
  return goInstall("telemetrygen", "github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen", TELEMETRYGEN_VERSION);
}

/** The pinned h2spec, the HTTP/2 conformance suite (RFC 7540/7541) the gRPC port's server is checked with. */
export const H2SPEC_VERSION = "v2.2.1+incompatible";

/** `go install`s h2spec@H2SPEC_VERSION into .cache/go-bin unless it is there already. */
export function ensureH2spec(): string {
  return goInstall("h2spec", "github.com/summerwind/h2spec/cmd/h2spec", H2SPEC_VERSION);
}

/** `go install`s `module@version` into .cache/go-bin unless that version is there (a marker file records it). */
function goInstall(name: string, module: string, version: string): string {
  const bin = join(GO_BIN, name);
  const marker = join(GO_BIN, `${name}.version`);
  if (existsSync(bin) && existsSync(marker) && readFileSync(marker, "utf8").trim() === version) return bin;
  const go = Bun.which("go", { PATH: `${process.env.PATH ?? ""}:/usr/local/go/bin` });
  if (go === null) throw new Error(`setup: ${name} is missing and there is no Go toolchain (go) to build it`);
  const t0 = performance.now();
  console.error(`setup: building ${name} ${version} into ${GO_BIN} (takes a minute the first time)`);
  run([go, "install", `${module}@${version}`], REPO_ROOT, { ...process.env, GOBIN: GO_BIN });
  writeFileSync(marker, `${version}\n`);
  console.error(`setup: ${name} ready (${Math.round((performance.now() - t0) / 1000)} s)`);
  return bin;
}

const PDATA_SIZE_SRC = join(REPO_ROOT, "test", "support", "pdata-size");
/** The pdata span-size oracle `ensurePdataSize` builds (test/support/pdata-size). */
export const PDATA_SIZE = join(GO_BIN, "pdatasize");

/**
 * Builds test/support/pdata-size (a small Go program on the Collector's pdata,
 * the module Tempo's distributor uses) into .cache/go-bin unless the build of
 * the current sources is there. The first build downloads pdata and gRPC from
 * the Go module proxy: about a minute.
 */
export function ensurePdataSize(): string {
  return ensureGoProgram("the pdata size oracle", PDATA_SIZE_SRC, PDATA_SIZE);
}

/** The AWS SigV4 verifying server `ensureSigv4Verify` builds (test/support/sigv4-verify, on aws-sdk-go-v2). */
export const SIGV4_VERIFY = join(GO_BIN, "sigv4verify");

/** Builds test/support/sigv4-verify into .cache/go-bin (aws-sdk-go-v2 from the Go module proxy the first time). */
export function ensureSigv4Verify(): string {
  return ensureGoProgram("the SigV4 verifier", join(REPO_ROOT, "test", "support", "sigv4-verify"), SIGV4_VERIFY);
}

/** The native-histogram oracle `ensureNativeHistogramOracle` builds (test/support/native-histogram-oracle). */
export const NATIVE_HISTOGRAM_ORACLE = join(GO_BIN, "nativehistogram");

/**
 * Builds test/support/native-histogram-oracle (client_golang's histogram,
 * the version Tempo vendors, driven as Tempo drives it) into .cache/go-bin,
 * like the pdata oracle: only when its sources changed.
 */
export function ensureNativeHistogramOracle(): string {
  return ensureGoProgram("the native-histogram oracle", join(REPO_ROOT, "test", "support", "native-histogram-oracle"), NATIVE_HISTOGRAM_ORACLE);
}

/**
 * `go build`s the module in `src` into `binary` unless the build of its
 * current sources is there (a marker next to the binary records their hash).
 */
function ensureGoProgram(what: string, src: string, binary: string): string {
  const marker = `${binary}.sources`;
  const hasher = new Bun.CryptoHasher("sha256");
  for (const f of ["go.mod", "go.sum", "main.go"]) hasher.update(readFileSync(join(src, f)));
  const digest = hasher.digest("hex");
  if (existsSync(binary) && existsSync(marker) && readFileSync(marker, "utf8").trim() === digest) return binary;
  const go = Bun.which("go", { PATH: `${process.env.PATH ?? ""}:/usr/local/go/bin` });
  if (go === null) throw new Error(`setup: ${what} is missing and there is no Go toolchain (go) to build it`);
  const t0 = performance.now();
  console.error(`setup: building ${what} into ${GO_BIN} (takes a minute the first time)`);
  mkdirSync(GO_BIN, { recursive: true });
  run([go, "build", "-o", binary, "."], src, { ...process.env, GOFLAGS: "-mod=mod" });
  writeFileSync(marker, `${digest}\n`);
  console.error(`setup: ${what} ready (${Math.round((performance.now() - t0) / 1000)} s)`);
  return binary;
}

/** The pinned Prometheus 3 (the Go module version of v3.x) the remote write 2.0 tests run. */
export const PROMETHEUS3_VERSION = "v0.316.0";
const PROMETHEUS3_DIR = join(CACHE_DIR, "prometheus3");
/** The binary `ensurePrometheus3` installs. */
export const PROMETHEUS3 = join(PROMETHEUS3_DIR, "prometheus");

/**
 * `go install`s github.com/prometheus/prometheus/cmd/prometheus at
 * PROMETHEUS3_VERSION into .cache/prometheus3 unless that version is there
 * (a marker records it). Debian's Prometheus 2.42 cannot receive remote
 * write 2.0. The first build takes about five minutes on two cores; the
 * binary has no web UI assets, which the API and the receiver do not need.
 */
export function ensurePrometheus3(): string {
  const marker = join(PROMETHEUS3_DIR, "prometheus.version");
  if (existsSync(PROMETHEUS3) && existsSync(marker) && readFileSync(marker, "utf8").trim() === PROMETHEUS3_VERSION) return PROMETHEUS3;
  const go = Bun.which("go", { PATH: `${process.env.PATH ?? ""}:/usr/local/go/bin` });
  if (go === null) throw new Error("setup: Prometheus 3 is missing and there is no Go toolchain (go) to build it");
  const t0 = performance.now();
  console.error(`setup: building Prometheus ${PROMETHEUS3_VERSION} into ${PROMETHEUS3_DIR} (about five minutes the first time)`);
  mkdirSync(PROMETHEUS3_DIR, { recursive: true });
  // remove_all_sd leaves out the service-discovery plugins (cloud SDKs): half the build, none needed here.
  run([go, "install", "-tags", "remove_all_sd", `github.com/prometheus/prometheus/cmd/prometheus@${PROMETHEUS3_VERSION}`], REPO_ROOT, {
    ...process.env,
    GOBIN: PROMETHEUS3_DIR,
  });
  writeFileSync(marker, `${PROMETHEUS3_VERSION}\n`);
  console.error(`setup: Prometheus 3 ready (${Math.round((performance.now() - t0) / 1000)} s)`);
  return PROMETHEUS3;
}

if (import.meta.main) {
  const t0 = performance.now();
  ensureSystemPackages();
  ensureChromium();
  ensureQemuAarch64();
  ensureBinary();
  ensurePythonOtel();
  ensureTelemetrygen();
  ensureH2spec();
  ensurePdataSize();
  ensureSigv4Verify();
  ensureNativeHistogramOracle();
  ensurePrometheus3();
  ensureKafkaTestTools();
  console.error(`setup: ready (${Math.round(performance.now() - t0)} ms)`);
}
