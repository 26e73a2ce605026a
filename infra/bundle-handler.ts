/**
 * @module infra/bundle-handler
 * Bundles a handler with esbuild and the settings of infra/bundling.ts (the AWS SDK inside):
 * the stack's functions are built by this (infra/node-function.ts), and so are the bundles the
 * cold-start benchmark and the Node-24 tests import. Also finds the Lambda's Node.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { build, buildSync, type BuildOptions, type Metafile } from 'esbuild';
import { HANDLER_BUNDLING, LAMBDA_NODE_MAJOR } from './bundling.js';

/** HANDLER_BUNDLING as esbuild build options. */
export const handlerBuildOptions: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: HANDLER_BUNDLING.format,
  minify: HANDLER_BUNDLING.minify,
  sourcemap: HANDLER_BUNDLING.sourcemap,
  keepNames: HANDLER_BUNDLING.keepNames,
  target: HANDLER_BUNDLING.target,
  mainFields: [...HANDLER_BUNDLING.mainFields],
  alias: HANDLER_BUNDLING.alias,
  splitting: HANDLER_BUNDLING.splitting,
  chunkNames: HANDLER_BUNDLING.chunkNames,
  outExtension: { '.js': '.mjs' },
  banner: { js: HANDLER_BUNDLING.banner },
  logLevel: 'warning',
};

/** Bundles `entry` into `outdir`: `index.mjs` (exporting `handler`), its chunks and source maps. */
export async function bundleHandler(entry: string, outdir: string): Promise<Metafile> {
  const result = await build({ ...handlerBuildOptions, entryPoints: { index: entry }, outdir, metafile: true });
  return result.metafile;
}

/** The same, synchronously: CDK's local bundling cannot wait for a promise. */
export function bundleHandlerSync(entry: string, outdir: string): void {
  buildSync({ ...handlerBuildOptions, entryPoints: { index: entry }, outdir });
}

/** The output file `index.mjs` (the handler's entry) in a metafile. */
function entryOutput(metafile: Metafile, outdir: string): string {
  const entry = Object.keys(metafile.outputs).find((file) => file.endsWith(join(outdir, 'index.mjs')) || file.endsWith('/index.mjs'));
  if (!entry) throw new Error(`no index.mjs among the outputs written to ${outdir}`);
  return entry;
}

/**
 * The output files Node loads when it imports `index.mjs`: the entry and the chunks it imports
 * statically, transitively (code that the entry shares with a lazily imported part goes into such
 * a chunk). Everything else is reached only through `import()`.
 */
export function startupOutputs(metafile: Metafile, outdir: string): string[] {
  const loaded = new Set<string>();
  const visit = (file: string) => {
    if (loaded.has(file)) return;
    loaded.add(file);
    for (const imported of metafile.outputs[file]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
    }
  };
  visit(entryOutput(metafile, outdir));
  return [...loaded];
}

/** The source files (`node_modules/yaml/dist/index.js`, `functions/app.ts`, …) whose code a cold start loads. */
export function startupInputs(metafile: Metafile, outdir: string): string[] {
  return [...new Set(startupOutputs(metafile, outdir).flatMap((file) => Object.keys(metafile.outputs[file]?.inputs ?? {})))];
}

/**
 * Bytes of the entry file; of what a cold start loads (the entry and the chunks it imports
 * statically); of the lazy chunks (loaded by `import()` when first used); and of the source maps.
 */
export function bundleSizes(metafile: Metafile, outdir: string): { entry: number; startup: number; chunks: number; maps: number } {
  const entry = entryOutput(metafile, outdir);
  const atStartup = new Set(startupOutputs(metafile, outdir));
  const sizes = { entry: 0, startup: 0, chunks: 0, maps: 0 };
  for (const [file, output] of Object.entries(metafile.outputs)) {
    if (file.endsWith('.map')) sizes.maps += output.bytes;
    else if (atStartup.has(file)) sizes.startup += output.bytes;
    else sizes.chunks += output.bytes;
    if (file === entry) sizes.entry = output.bytes;
  }
  return sizes;
}

/** Where .ci/run (`npm install --no-save --prefix .node24 node@24`) puts the Lambda's Node. */
const PROJECT_NODE = fileURLToPath(new URL(`../.node${LAMBDA_NODE_MAJOR}/node_modules/node/bin/node`, import.meta.url));

/**
 * The `node` binary of the Lambda's major version: `PUFA_LAMBDA_NODE` if set, this process's own
 * if it is that major, else the one installed in the project's `.node24/` (git-ignored). Undefined
 * when none is at hand.
 */
export function lambdaNodeBinary(env: Record<string, string | undefined> = process.env): string | undefined {
  if (env.PUFA_LAMBDA_NODE) return env.PUFA_LAMBDA_NODE;
  if (process.versions.node.split('.')[0] === String(LAMBDA_NODE_MAJOR)) return process.execPath;
  return existsSync(PROJECT_NODE) ? PROJECT_NODE : undefined;
}
