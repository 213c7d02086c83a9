/**
 * Makes a fresh machine ready for the test suite; `npm test` runs it before
 * `bun test`, and the end-to-end helpers call `ensureBinary()` too, so
 * `bun test test/e2e` works on its own. Idempotent and quick when nothing is
 * needed:
 * - installs Debian's `prometheus` (2.42) when it is not on PATH, and
 *   `iproute2` when `ip` is missing (the seed-config test brings up `lo` in a
 *   private network namespace);
 * - builds `dist/redgen` when it is missing or older than any file in src/
 *   or package.json.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

export const REPO_ROOT = resolve(import.meta.dir, "../..");
export const REDGEN_BINARY = join(REPO_ROOT, "dist", "redgen");

/**
 * Runs a command with its output on our stderr (stdout may be a fixture's
 * result channel); throws on a non-zero exit.
 */
function run(cmd: string[], cwd = REPO_ROOT): void {
  console.error(`setup: $ ${cmd.join(" ")}`);
  const r = Bun.spawnSync(cmd, { cwd, stdout: 2, stderr: "inherit", env: process.env });
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
  if (!onPath("prometheus")) missing.push("prometheus");
  if (!onPath("ip")) missing.push("iproute2");
  if (missing.length === 0) return;
  console.error(`setup: installing ${missing.join(", ")} (not on PATH)`);
  aptInstall(missing);
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

if (import.meta.main) {
  const t0 = performance.now();
  ensureSystemPackages();
  ensureBinary();
  console.error(`setup: ready (${Math.round(performance.now() - t0)} ms)`);
}
