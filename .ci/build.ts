/**
 * `npm run build`: compiles src/main.ts into the single binary dist/redgen.
 *
 * The JS API instead of `bun build --compile` because of one alias:
 * @platformatic/kafka loads @platformatic/wasm-utils, whose default entry reads
 * native.wasm from disk next to itself — a file that is not inside a compiled
 * binary. Its `bundled` entry carries the same wasm inline. The binary ignores
 * .env and bunfig.toml in the directory it is started from (a service must not
 * change behaviour with its working directory).
 */
import type { BunPlugin } from "bun";

const outfile = process.argv[2] ?? "dist/redgen";

const wasmUtilsBundled: BunPlugin = {
  name: "platformatic-wasm-utils-bundled",
  setup(build) {
    build.onResolve({ filter: /^@platformatic\/wasm-utils$/ }, (args) => ({
      path: Bun.resolveSync("@platformatic/wasm-utils/bundled", args.resolveDir),
    }));
  },
};

const result = await Bun.build({
  entrypoints: ["src/main.ts"],
  compile: { outfile, autoloadDotenv: false, autoloadBunfig: false },
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
  process.exit(1);
}
console.error(`built ${outfile}`);
