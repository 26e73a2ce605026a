/**
 * @module infra/bundle-handler
 * Bundles a handler with esbuild exactly as the stack's NodejsFunction does (the settings of
 * infra/bundling.ts, the AWS SDK inside), for the cold-start benchmark and the tests that run
 * the bundles on the Lambda's Node; and finds that Node.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { HANDLER_BUNDLING, LAMBDA_NODE_MAJOR } from './bundling.js';

/** HANDLER_BUNDLING as esbuild build options (what NodejsFunction passes on its command line). */
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
  banner: { js: HANDLER_BUNDLING.banner },
  logLevel: 'warning',
};

/** Bundles `entry` into `outfile` (and `outfile.map`); returns esbuild's metafile. */
export async function bundleHandler(entry: string, outfile: string): Promise<Metafile> {
  const result = await build({ ...handlerBuildOptions, entryPoints: [entry], outfile, metafile: true });
  return result.metafile;
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
