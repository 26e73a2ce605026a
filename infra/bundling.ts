/**
 * @module infra/bundling
 * How a handler is bundled, in one place: the stack (infra/node-function.ts, through
 * infra/bundle-handler.ts) and the cold-start benchmark (bench/cold-start.ts) both read these settings, so the bench
 * measures what deploys. Plain data and esbuild's own option names; no CDK import.
 */

/** The Node major the functions run on in AWS (Runtime.NODEJS_24_X); the tests run the bundles on it too. */
export const LAMBDA_NODE_MAJOR = 24;

export const HANDLER_BUNDLING = {
  format: 'esm',
  minify: true,
  /**
   * A separate `index.mjs.map` goes up with the code, to read a minified stack trace afterwards
   * (`node --enable-source-maps` on a copy of the asset). The function does not load it: with
   * `--enable-source-maps` Node parses the whole map at import, which more than doubled the API's
   * cold import (470 against 214 ms, bench/RESULTS.md).
   */
  sourcemap: true,
  /**
   * Code reached only through `import()` (the pages, the YAML and CSV parsers, the CSV and xlsx
   * writers, the Secrets Manager client, the AWS SDK's own credential providers) goes into chunks
   * beside `index.mjs`, read only when first used: Node compiles every byte it loads at start.
   * Code shared between the entry and such a part goes into a chunk `index.mjs` imports
   * statically, which a cold start does load (`startupOutputs` in infra/bundle-handler.ts).
   */
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  /** Function and class names survive minification, so stack traces in the log stay readable without the map. */
  keepNames: true,
  target: `node${LAMBDA_NODE_MAJOR}`,
  mainFields: ['module', 'main'],
  /**
   * rrule's `module` build has named exports only, while Node (tests, local server) loads its UMD
   * `main`, whose one export is the default: the bundle takes the UMD too, so one default import
   * works in both (functions/domain/schedule.ts).
   */
  alias: { rrule: 'rrule/dist/es5/rrule.js' } as Record<string, string>,
  /** Some dependencies still call require(); give the ESM bundle one. */
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
} as const;
