/**
 * `npm run build`: compiles src/main.ts into the single binary dist/redgen
 * for this machine; `.ci/build-release.ts` calls `compile` for every release
 * target.
 *
 * The JS API instead of `bun build --compile` because of one alias:
 * @platformatic/kafka loads @platformatic/wasm-utils, whose default entry reads
 * native.wasm from disk next to itself — a file that is not inside a compiled
 * binary. Its `bundled` entry carries the same wasm inline. The binary ignores
 * .env and bunfig.toml in the directory it is started from (a service must not
 * change behaviour with its working directory).
 */
import type { BunPlugin } from "bun";

const wasmUtilsBundled: BunPlugin = {
  name: "platformatic-wasm-utils-bundled",
  setup(build) {
    build.onResolve({ filter: /^@platformatic\/wasm-utils$/ }, (args) => ({
      path: Bun.resolveSync("@platformatic/wasm-utils/bundled", args.resolveDir),
    }));
  },
};

/**
 * Compiles redgen into `outfile`, for `target` (a Bun compile target such as
 * bun-linux-arm64-musl) or this machine. A cross target's Bun runtime is
 * fetched from the npm registry into $BUN_INSTALL_CACHE_DIR the first time.
 */
export async function compile(outfile: string, target?: Bun.Build.CompileTarget): Promise<void> {
  const result = await Bun.build({
    entrypoints: ["src/main.ts"],
    // `target: undefined` is refused: the host build leaves the key out
    compile: { outfile, autoloadDotenv: false, autoloadBunfig: false, ...(target === undefined ? {} : { target }) },
    target: "bun",
    format: "esm",
    minify: true,
    sourcemap: "linked",
    bytecode: true,
    plugins: [wasmUtilsBundled],
    throw: false,
  });
  if (!result.success) {
    for (const log of result.logs) console.error(log);
    throw new Error(`building ${outfile}${target ? ` for ${target}` : ""} failed`);
  }
}

if (import.meta.main) {
  const outfile = process.argv[2] ?? "dist/redgen";
  try {
    await compile(outfile);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
  console.error(`built ${outfile}`);
}
