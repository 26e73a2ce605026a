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
 *
 * A cold start also serves a request, and code imported on first use (the API's route groups and
 * the domain's schemas, see functions/routes/groups.ts and functions/store/domain-modules.ts) is
 * paid for then. So the bench also times the import and the first request together: the reference
 * reading an item, the API answering a staff read (`GET /campaigns`) and a station's pull
 * (`GET /stations/me/scripts`), each with its one DynamoDB call refused at once (an endpoint with
 * nothing listening, one attempt), so no network time is counted.
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

/** Where the first request's DynamoDB call goes: nothing listens there, so it is refused at once. */
const REFUSING_ENV = {
  AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
  AWS_MAX_ATTEMPTS: '1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
};

/** An API Gateway HTTP API (payload 2.0) GET, as the Lambda receives it. */
function getEvent(path: string, query = '', headers: Record<string, string> = {}) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: query,
    headers: { host: 'abc123.execute-api.ap-east-1.amazonaws.com', ...headers },
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.ap-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.10', userAgent: 'bench' },
      requestId: 'bench-request',
      routeKey: '$default',
      stage: '$default',
      time: '01/Dec/2026:00:00:00 +0000',
      timeEpoch: Date.parse('2026-12-01T00:00:00Z'),
    },
  };
}

const BEARER = { authorization: `Bearer pufa_${'b'.repeat(43)}` };

interface FirstRequest {
  totalMs: number;
  totalCpuMs: number;
  status: number;
}

/** Imports `file` and serves `event` in a fresh node process: wall and CPU time of both, and the answer's status. */
function importAndServe(file: string, event: object): FirstRequest {
  const script = `const cpu = process.cpuUsage(); const started = performance.now(); const { handler } = await import(${JSON.stringify(pathToFileURL(file).href)}); const answer = await handler(${JSON.stringify(event)}, { awsRequestId: 'bench', functionName: 'bench', getRemainingTimeInMillis: () => 29000 }); const took = performance.now() - started; const used = process.cpuUsage(cpu); process.stdout.write('\\n' + JSON.stringify([took, (used.user + used.system) / 1000, answer.statusCode]));`;
  const child = spawnSync(node, ['--input-type=module', '-e', script], { env: { PATH: process.env.PATH ?? '', ...LAMBDA_ENV, ...REFUSING_ENV }, encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`serving a first request from ${file} failed:\n${child.stderr}`);
  // The handler's own log lines come first; the figures are the last line.
  const [totalMs, totalCpuMs, status] = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '') as [number, number, number];
  return { totalMs, totalCpuMs, status };
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
  const built: { name: string; file: string; sizes: ReturnType<typeof bundleSizes> }[] = [];
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
  // Import and first request together, in turn as above.
  const file = (name: string) => built.find((bundle) => bundle.name === name)?.file ?? '';
  const firsts = [
    { name: 'reference', file: file('reference'), event: getEvent('/items/a1') },
    { name: 'api_campaigns', file: file('api'), event: getEvent('/campaigns', 'year=2031', BEARER) },
    { name: 'api_station_pull', file: file('api'), event: getEvent('/stations/me/scripts', '', BEARER) },
  ];
  const served = new Map(firsts.map(({ name }) => [name, [] as FirstRequest[]]));
  for (let round = 0; round <= RUNS; round += 1) {
    for (const first of firsts) {
      const run = importAndServe(first.file, first.event);
      if (round > 0) served.get(first.name)?.push(run);
    }
  }
  const firstMedians = new Map(
    [...served].map(([name, samples]) => [name, { totalMs: median(samples.map((run) => run.totalMs)), totalCpuMs: median(samples.map((run) => run.totalCpuMs)), statuses: [...new Set(samples.map((run) => run.status))] }]),
  );
  const referenceFirst = firstMedians.get('reference');
  for (const [name, measured] of firstMedians) {
    report(`cold_first_request_${name}_p50`, measured.totalMs, 'ms');
    report(`cold_first_request_${name}_cpu_p50`, measured.totalCpuMs, 'ms');
    note(`${name}: import and first request answered ${measured.statuses.join(', ')} (its DynamoDB call refused)`);
    if (referenceFirst && name !== 'reference') {
      report(`cold_first_request_${name}_vs_reference`, measured.totalMs / referenceFirst.totalMs, 'ratio');
      report(`cold_first_request_${name}_cpu_vs_reference`, measured.totalCpuMs / referenceFirst.totalCpuMs, 'ratio');
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
