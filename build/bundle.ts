/**
 * `npm run build`'s second step: bundles the compiled CLI (dist/src/cli/main.js and every module
 * it loads, its commands' lazy imports as chunks) into dist/src/cli/bundle/, which bin/restsql
 * runs. Node 20 loads ES modules one file at a time (resolve, read, compile: about 0.7 ms each,
 * 150 of them for a query); one chunk per command loads in a few milliseconds. The JavaScript of
 * DuckDB's Node API (181 CommonJS files) is bundled too, through a static import that replaces
 * engine/duckdb-api.js, and commander, through one that replaces cli/commander.js; every other
 * package stays external (loaded from node_modules as usual), as does DuckDB's native binding.
 *
 * The bundle sits at the depth of dist/src/cli/commands, so paths the code builds from its own
 * URL still land where they do unbundled: the demo (dist/examples/demo/run.js) and the catalog's
 * worker, which is bundled as an entry of its own next to the chunks.
 *
 * esbuild-wasm is esbuild compiled to WebAssembly: no native binary is downloaded at install.
 */
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild-wasm';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(ROOT, 'dist', 'src', 'cli', 'bundle');

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
/** Bundled: DuckDB's API and commander (the CLI's first package). Every other runtime dependency stays external; DuckDB's native binding too. */
const BUNDLED = new Set(['@duckdb/node-api', 'commander']);
const external = [...Object.keys(manifest.dependencies).filter((d) => !BUNDLED.has(d)), '@duckdb/node-bindings'];

/** engine/duckdb-api.js loads the package with require at run time; in the bundle, a static import esbuild follows. */
const duckdbStatic: esbuild.Plugin = {
  name: 'duckdb-static',
  setup(build) {
    build.onLoad({ filter: /[\\/]dist[\\/]src[\\/]engine[\\/]duckdb-api\.js$/ }, (args) => ({
      contents: "import * as api from '@duckdb/node-api';\nexport const duckdb = api;\n",
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

/** cli/commander.js loads commander with require at run time; in the bundle, a static import esbuild follows. */
const commanderStatic: esbuild.Plugin = {
  name: 'commander-static',
  setup(build) {
    build.onLoad({ filter: /[\\/]dist[\\/]src[\\/]cli[\\/]commander\.js$/ }, (args) => ({
      contents: "export { Command, CommanderError, Option } from 'commander';\n",
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

rmSync(OUT, { recursive: true, force: true });
const started = performance.now();
const result = await esbuild.build({
  absWorkingDir: ROOT,
  entryPoints: { main: 'dist/src/cli/main.js', 'catalog-worker': 'dist/src/server/catalog/catalog-worker.js' },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  plugins: [duckdbStatic, commanderStatic],
  // Bundled CommonJS (DuckDB's API) calls require; an ES module has none of its own.
  banner: { js: "import { createRequire as __restsqlCreateRequire } from 'node:module';\nconst require = __restsqlCreateRequire(import.meta.url);" },
  // Less text to parse at every start-up; names are kept, so stack traces still read.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  metafile: true,
});
const files = Object.keys(result.metafile.outputs).length;
process.stdout.write(`bundle: ${files} files in dist/src/cli/bundle (${Math.round(performance.now() - started)} ms)\n`);
