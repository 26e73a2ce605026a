/**
 * @module bench/logging-cold
 * What a logger and a metrics library add to a cold start, measured alone: four one-line handlers
 * bundled with the deployed settings (infra/bundling.ts, without chunks or source maps), imported
 * by turns in fresh processes on the Lambda's Node: an empty handler, pufa's own JSON logger
 * (functions/http/logger.ts), Powertools Logger and Powertools Metrics. The full API bundle's
 * import varies by more than these differences on a shared machine (bench/cold-start.ts), so
 * this is how the choice in the README's dependency list was measured.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { lambdaNodeBinary } from '../infra/bundle-handler.js';
import { HANDLER_BUNDLING } from '../infra/bundling.js';
import { median, note, quick, report } from './shared.js';

const ROUNDS = quick ? 5 : 31;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LOGGER = fileURLToPath(new URL('../functions/http/logger.ts', import.meta.url));

const HANDLERS = {
  empty: `export const handler = async () => ({});`,
  pufa_logger: `import { createLogger } from ${JSON.stringify(LOGGER)}; const logger = createLogger({ level: 'silent' }); export const handler = async () => { logger.info('x'); return {}; };`,
  powertools_logger: `import { Logger } from '@aws-lambda-powertools/logger'; const logger = new Logger({ serviceName: 'pufa', logLevel: 'SILENT' }); export const handler = async () => { logger.info('x'); return {}; };`,
  powertools_metrics: `import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics'; const metrics = new Metrics({ namespace: 'Pufa/Bench', serviceName: 'bench' }); export const handler = async () => { metrics.addMetric('x', MetricUnit.Count, 1); metrics.publishStoredMetrics(); return {}; };`,
} as const;
type Name = keyof typeof HANDLERS;

const node = lambdaNodeBinary() ?? process.execPath;
// The build must resolve packages from the project, so the entries are written inside it (and removed).
const dir = mkdtempSync(join(ROOT, '.bench-logging-'));
try {
  const { banner, splitting: _splitting, chunkNames: _chunkNames, sourcemap: _sourcemap, ...settings } = HANDLER_BUNDLING;
  const files = {} as Record<Name, string>;
  for (const [name, code] of Object.entries(HANDLERS) as [Name, string][]) {
    const entry = join(dir, `${name}.ts`);
    writeFileSync(entry, code);
    files[name] = join(dir, name, 'index.mjs');
    await build({ ...settings, mainFields: [...settings.mainFields], banner: { js: banner }, entryPoints: { index: entry }, bundle: true, platform: 'node', outdir: join(dir, name), outExtension: { '.js': '.mjs' }, absWorkingDir: ROOT, logLevel: 'error' });
  }
  const wall: Record<string, number[]> = {};
  const cpu: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const name of Object.keys(HANDLERS) as Name[]) {
      const script = `const used = process.cpuUsage(); const started = performance.now(); await import(${JSON.stringify(pathToFileURL(files[name]).href)}); const took = performance.now() - started; const cpu = process.cpuUsage(used); process.stdout.write(JSON.stringify([took, (cpu.user + cpu.system) / 1000]));`;
      const child = spawnSync(node, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
      if (child.status !== 0) throw new Error(`importing ${name} failed:\n${child.stderr}`);
      const [took, used] = JSON.parse(child.stdout) as [number, number];
      (wall[name] ??= []).push(took);
      (cpu[name] ??= []).push(used);
    }
  }
  note(`node ${spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()}, ${ROUNDS} imports each, by turns`);
  for (const name of Object.keys(HANDLERS) as Name[]) {
    report(`logging_${name}_bundle_size`, statSync(files[name]).size / 1024, 'KiB');
    report(`logging_${name}_import_p50`, median(wall[name] ?? []), 'ms');
    report(`logging_${name}_import_cpu_p50`, median(cpu[name] ?? []), 'ms');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
