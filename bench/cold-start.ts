/**
 * @module bench/cold-start
 * Cold start: each Lambda handler (api, dispatch) bundled by infra/bundle-handler.ts with the
 * stack's own settings (infra/bundling.ts: ESM, minified, a separate source map that is not
 * loaded, the AWS SDK bundled in), beside two yardsticks bundled the same way: an empty handler,
 * and bench/reference-handler.ts (Hono + zod + the DynamoDB document client, the least such an
 * API carries). Figures: the bundle size, and the time a fresh `node` process takes to import it —
 * median of several runs — on the Lambda's Node major when it is installed (.ci/run puts it in
 * .node24/), else on this process's Node. The API's goal: at most 1.5× the reference's import.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleHandler, lambdaNodeBinary } from '../infra/bundle-handler.js';
import { median, note, quick, report } from './shared.js';

const RUNS = quick ? 3 : 9;
/** What the handlers read at import (config is validated then): values as the stack sets them. */
const LAMBDA_ENV = {
  PUFA_TABLE_NAME: 'pufa-bench',
  PUFA_COUNTY: 'tianquan',
  PUFA_TIME_ZONE: 'Asia/Shanghai',
  PUFA_STATION_TOPIC_ARN: 'arn:aws-cn:sns:cn-north-1:000000000000:pufa-stations',
  PUFA_PHONE_KEY_SECRET: 'bench-phone-key-secret-0123456789-abcdefghijkl',
  AWS_REGION: 'cn-north-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
const node = lambdaNodeBinary() ?? process.execPath;
const nodeVersion = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();

/** Imports `file` in a fresh node process; returns the import's own time and the process's wall time. */
function importOnce(file: string, sourceMaps: boolean): { importMs: number; processMs: number } {
  const script = `const started = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - started));`;
  const started = performance.now();
  const child = spawnSync(node, [...(sourceMaps ? ['--enable-source-maps'] : []), '--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...LAMBDA_ENV },
    encoding: 'utf8',
  });
  const processMs = performance.now() - started;
  if (child.status !== 0) throw new Error(`importing ${file} failed:\n${child.stderr}`);
  return { importMs: Number(child.stdout), processMs };
}

function measure(file: string, sourceMaps = false): { importMs: number; processMs: number } {
  importOnce(file, sourceMaps); // the first run warms the file cache, as a provisioned runtime would have it
  const runs = Array.from({ length: RUNS }, () => importOnce(file, sourceMaps));
  return { importMs: median(runs.map((run) => run.importMs)), processMs: median(runs.map((run) => run.processMs)) };
}

note(`node for the imports: ${node} (${nodeVersion})${lambdaNodeBinary() ? '' : ' — not the Lambda major: run .ci/run or set PUFA_LAMBDA_NODE'}`);
const dir = mkdtempSync(join(tmpdir(), 'pufa-bench-cold-'));
try {
  const emptyEntry = join(dir, 'empty-handler.ts');
  writeFileSync(emptyEntry, 'export const handler = async () => ({ statusCode: 200, body: "" });\n');
  const entries = [
    { name: 'empty', entry: emptyEntry },
    { name: 'reference', entry: 'bench/reference-handler.ts' },
    { name: 'api', entry: 'functions/handlers/api.ts' },
    { name: 'dispatch', entry: 'functions/handlers/dispatch.ts' },
  ];
  const results = new Map<string, { importMs: number; processMs: number }>();
  for (const { name, entry } of entries) {
    const outfile = join(dir, `${name}.mjs`);
    await bundleHandler(entry, outfile);
    const measured = measure(outfile);
    results.set(name, measured);
    report(`cold_${name}_bundle_size`, statSync(outfile).size / 1024, 'KiB');
    report(`cold_${name}_import_p50`, measured.importMs, 'ms');
    report(`cold_${name}_process_p50`, measured.processMs, 'ms');
    note(`${name}: source map ${(statSync(`${outfile}.map`).size / 1024).toFixed(0)} KiB (uploaded, not loaded)`);
    if (name === 'api') note(`api: import with --enable-source-maps (no longer deployed) ${measure(outfile, true).importMs.toFixed(1)} ms`);
  }
  const reference = results.get('reference');
  const empty = results.get('empty');
  for (const name of ['api', 'dispatch']) {
    const handler = results.get(name);
    if (!reference || !empty || !handler) continue;
    report(`cold_${name}_import_vs_reference`, handler.importMs / reference.importMs, 'ratio');
    report(`cold_${name}_process_vs_reference`, handler.processMs / reference.processMs, 'ratio');
    report(`cold_${name}_process_vs_empty`, handler.processMs / empty.processMs, 'ratio');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
