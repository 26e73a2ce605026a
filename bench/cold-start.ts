/**
 * @module bench/cold-start
 * Cold start: each Lambda handler (api, dispatch) bundled with esbuild as the CDK stack bundles
 * it (infra/stack.ts: ESM, minified, source map, node22, the AWS SDK bundled in, a `require`
 * banner), and an empty handler bundled the same way. Figures: the bundle size, and the time a
 * fresh `node` process takes to import it — median of several runs — beside the empty
 * handler's, with the Lambda's `--enable-source-maps` as deployed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { median, note, quick, report } from './shared.js';

const RUNS = quick ? 3 : 9;
/** What the handlers read at import (config is validated then): values as the stack sets them. */
const LAMBDA_ENV = {
  PUFA_TABLE_NAME: 'pufa-bench',
  PUFA_COUNTY: 'tianquan',
  PUFA_TIME_ZONE: 'Asia/Shanghai',
  PUFA_STATION_TOPIC_ARN: 'arn:aws-cn:sns:cn-north-1:000000000000:pufa-stations',
  AWS_REGION: 'cn-north-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
/** The stack's NodejsFunction bundling options, as esbuild options. */
const STACK_BUNDLING: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  minify: true,
  sourcemap: true,
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  logLevel: 'error',
};

/** Imports `file` in a fresh node process; returns the import's own time and the process's wall time. */
function importOnce(file: string, sourceMaps: boolean): { importMs: number; processMs: number } {
  const script = `const started = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - started));`;
  const started = performance.now();
  const child = spawnSync(process.execPath, [...(sourceMaps ? ['--enable-source-maps'] : []), '--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...LAMBDA_ENV },
    encoding: 'utf8',
  });
  const processMs = performance.now() - started;
  if (child.status !== 0) throw new Error(`importing ${file} failed:\n${child.stderr}`);
  return { importMs: Number(child.stdout), processMs };
}

function measure(file: string, sourceMaps: boolean): { importMs: number; processMs: number } {
  importOnce(file, sourceMaps); // the first run warms the file cache, as a provisioned runtime would have it
  const runs = Array.from({ length: RUNS }, () => importOnce(file, sourceMaps));
  return { importMs: median(runs.map((run) => run.importMs)), processMs: median(runs.map((run) => run.processMs)) };
}

const dir = mkdtempSync(join(tmpdir(), 'pufa-bench-cold-'));
try {
  const emptyEntry = join(dir, 'empty-handler.ts');
  writeFileSync(emptyEntry, 'export const handler = async () => ({ statusCode: 200, body: "" });\n');
  const entries = [
    { name: 'empty', entry: emptyEntry },
    { name: 'api', entry: 'functions/handlers/api.ts' },
    { name: 'dispatch', entry: 'functions/handlers/dispatch.ts' },
  ];
  const results = new Map<string, { importMs: number; processMs: number; plainImportMs: number }>();
  for (const { name, entry } of entries) {
    const outfile = join(dir, `${name}.mjs`);
    await build({ ...STACK_BUNDLING, entryPoints: [entry], outfile });
    const measured = measure(outfile, true);
    const plain = measure(outfile, false);
    results.set(name, { ...measured, plainImportMs: plain.importMs });
    report(`cold_${name}_bundle_size`, statSync(outfile).size / 1024, 'KiB');
    report(`cold_${name}_import_p50`, measured.importMs, 'ms');
    report(`cold_${name}_process_p50`, measured.processMs, 'ms');
    note(`${name}: source map ${(statSync(`${outfile}.map`).size / 1024).toFixed(0)} KiB; import without --enable-source-maps ${plain.importMs.toFixed(1)} ms`);
  }
  const empty = results.get('empty');
  for (const name of ['api', 'dispatch']) {
    const handler = results.get(name);
    if (!empty || !handler) continue;
    report(`cold_${name}_import_vs_empty`, handler.importMs / empty.importMs, 'ratio');
    report(`cold_${name}_process_vs_empty`, handler.processMs / empty.processMs, 'ratio');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
