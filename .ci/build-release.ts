/**
 * `npm run build:release [DIR]`: the binaries for every edge node, cross-compiled
 * with Bun's compile targets into DIR (default dist/release), plus SHA256SUMS
 * (`sha256sum -c SHA256SUMS` checks them):
 *
 *   redgen-linux-x64                 glibc ≥ 2.17, x86-64 with AVX2 (Haswell 2013+, Zen)
 *   redgen-linux-x64-baseline        glibc ≥ 2.17, any x86-64 (no AVX2: older Xeons, Atom, Celeron, some VMs)
 *   redgen-linux-arm64               glibc ≥ 2.17, aarch64 (Raspberry Pi 3/4/5 with a 64-bit OS, Graviton, Ampere)
 *   redgen-linux-x64-musl            musl (Alpine), x86-64 with AVX2; needs libstdc++ and libgcc
 *   redgen-linux-x64-musl-baseline   musl (Alpine), any x86-64; needs libstdc++ and libgcc
 *   redgen-linux-arm64-musl          musl (Alpine), aarch64; needs libstdc++ and libgcc
 *
 * Each target's Bun runtime (~100 MB) comes from the npm registry
 * (@oven/bun-linux-*) the first time and is kept in $BUN_INSTALL_CACHE_DIR
 * (the npm script points it at .cache/bun-install); later builds are offline.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compile } from "./build.ts";

/** Release file name → Bun compile target. */
export const RELEASE_TARGETS: Record<string, Bun.Build.CompileTarget> = {
  "redgen-linux-x64": "bun-linux-x64",
  "redgen-linux-x64-baseline": "bun-linux-x64-baseline",
  "redgen-linux-arm64": "bun-linux-arm64",
  "redgen-linux-x64-musl": "bun-linux-x64-musl",
  "redgen-linux-x64-musl-baseline": "bun-linux-x64-baseline-musl",
  "redgen-linux-arm64-musl": "bun-linux-arm64-musl",
};

const dir = process.argv[2] ?? "dist/release";
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const sums: string[] = [];
for (const [name, target] of Object.entries(RELEASE_TARGETS)) {
  const t0 = performance.now();
  const file = join(dir, name);
  try {
    await compile(file, target);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
  const bytes = readFileSync(file);
  sums.push(`${new Bun.CryptoHasher("sha256").update(bytes).digest("hex")}  ${name}`);
  console.error(`built ${file} (${target}, ${(bytes.length / 1e6).toFixed(1)} MB, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
writeFileSync(join(dir, "SHA256SUMS"), `${sums.join("\n")}\n`);
console.error(`wrote ${join(dir, "SHA256SUMS")}`);
