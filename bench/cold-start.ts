/**
 * @module bench/cold-start
 * Cold start: each Lambda handler (api, dispatch) bundled by infra/bundle-handler.ts, the build
 * the stack deploys (infra/bundling.ts: ESM, minified, lazily imported code split into chunks, a
 * separate source map that is not loaded, the AWS SDK bundled in), beside two yardsticks bundled the same way: an empty handler,
 * and bench/reference-handler.ts (Hono + zod + the DynamoDB document client, the least such an
 * API carries). Figures: the bundle size, and the time a fresh `node` process takes to import it —
 * median of several runs — on the Lambda's Node major when it is installed (.ci/run puts it in
 * .node24/), else on this process's Node. The API's goal: at most 1.5× the reference's import.
 * Beside the wall time, the CPU time the import took (user + system, `process.cpuUsage`): on a
 * machine shared with other work the wall time also counts waiting for a core, the CPU time not.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleHandler, bundleSizes, lambdaNodeBinary } from '../infra/bundle-handler.js';
import { median, note, quick, report } from './shared.js';

const RUNS = quick ? 3 : 9;
/** What the handlers read at import (config is validated then): values as the stack sets them. */
const LAMBDA_ENV = {
  PUFA_TABLE_NAME: 'pufa-bench',
  PUFA_COUNTY: 'tianquan',
  PUFA_TIME_ZONE: 'Asia/Shanghai',
  PUFA_STATION_TOPIC_ARN: 'arn:aws:sns:ap-east-1:000000000000:pufa-stations',
  PUFA_PHONE_KEY_SECRET: 'bench-phone-key-secret-0123456789-abcdefghijkl',
  // SNS sends no SMS from AWS China: a stack in Hong Kong sending SMS from Singapore.
  AWS_REGION: 'ap-east-1',
  PUFA_SMS_REGION: 'ap-southeast-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
const node = lambdaNodeBinary() ?? process.execPath;
const nodeVersion = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();

interface Run {
  importMs: number;
  importCpuMs: number;
  processMs: number;
}

/** Imports `file` in a fresh node process; returns the import's own wall and CPU time and the process's wall time. */
function importOnce(file: string, sourceMaps: boolean): Run {
  const script = `const cpu = process.cpuUsage(); const started = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); const took = performance.now() - started; const used = process.cpuUsage(cpu); process.stdout.write(JSON.stringify([took, (used.user + used.system) / 1000]));`;
  const started = performance.now();
  const child = spawnSync(node, [...(sourceMaps ? ['--enable-source-maps'] : []), '--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...LAMBDA_ENV },
    encoding: 'utf8',
  });
  const processMs = performance.now() - started;
  if (child.status !== 0) throw new Error(`importing ${file} failed:\n${child.stderr}`);
  const [importMs, importCpuMs] = JSON.parse(child.stdout) as [number, number];
  return { importMs, importCpuMs, processMs };
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
  const built = [];
  for (const { name, entry } of entries) {
    const outdir = join(dir, name);
    const sizes = bundleSizes(await bundleHandler(entry, outdir), outdir);
    built.push({ name, file: join(outdir, 'index.mjs'), sizes });
  }
  // Runs go round the bundles in turn, so a shared machine's changing load falls on all of them
  // alike; the first round warms the file cache, as a provisioned runtime would have it.
  const runs = new Map(built.map(({ name }) => [name, [] as Run[]]));
  for (let round = 0; round <= RUNS; round += 1) {
    for (const { name, file } of built) {
      const run = importOnce(file, false);
      if (round > 0) runs.get(name)?.push(run);
    }
  }
  const results = new Map<string, Run>();
  for (const { name, file, sizes } of built) {
    const samples = runs.get(name) ?? [];
    const measured = {
      importMs: median(samples.map((run) => run.importMs)),
      importCpuMs: median(samples.map((run) => run.importCpuMs)),
      processMs: median(samples.map((run) => run.processMs)),
    };
    results.set(name, measured);
    report(`cold_${name}_bundle_size`, sizes.entry / 1024, 'KiB');
    report(`cold_${name}_startup_size`, sizes.startup / 1024, 'KiB');
    report(`cold_${name}_chunks_size`, sizes.chunks / 1024, 'KiB');
    report(`cold_${name}_import_p50`, measured.importMs, 'ms');
    report(`cold_${name}_import_cpu_p50`, measured.importCpuMs, 'ms');
    report(`cold_${name}_process_p50`, measured.processMs, 'ms');
    note(`${name}: index.mjs ${(sizes.entry / 1024).toFixed(0)} KiB, with the chunks it imports statically ${(sizes.startup / 1024).toFixed(0)} KiB (what a cold start compiles), lazy chunks ${(sizes.chunks / 1024).toFixed(0)} KiB, source maps ${(sizes.maps / 1024).toFixed(0)} KiB (uploaded, not loaded); fastest import ${Math.min(...samples.map((run) => run.importMs)).toFixed(1)} ms`);
    if (name === 'api') {
      const withMaps = Array.from({ length: RUNS }, () => importOnce(file, true).importMs);
      note(`api: import with --enable-source-maps (no longer deployed) ${median(withMaps).toFixed(1)} ms`);
    }
  }
  const reference = results.get('reference');
  const empty = results.get('empty');
  for (const name of ['api', 'dispatch']) {
    const handler = results.get(name);
    if (!reference || !empty || !handler) continue;
    report(`cold_${name}_import_vs_reference`, handler.importMs / reference.importMs, 'ratio');
    report(`cold_${name}_import_cpu_vs_reference`, handler.importCpuMs / reference.importCpuMs, 'ratio');
    report(`cold_${name}_process_vs_reference`, handler.processMs / reference.processMs, 'ratio');
    report(`cold_${name}_process_vs_empty`, handler.processMs / empty.processMs, 'ratio');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
