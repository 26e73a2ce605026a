/**
 * @module bench/run
 * `npm run bench`: runs every benchmark, each in a process of its own (its own DynamoDB Local,
 * nothing left over from the one before), prints their `bench:` lines as they come, and ends
 * with the time each took. `npm run bench -- dispatch cost` runs some; `--quick` uses small sizes
 * (for working on the benchmarks, not for RESULTS.md); `--list` lists them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';

const BENCHMARKS = [
  { name: 'auth', file: 'bench/auth-request.ts', what: 'one authenticated request through the app, in process' },
  { name: 'first', file: 'bench/first-start.ts', what: 'a first `npm start` on a fresh data folder: seconds to /health and to demo data' },
  { name: 'cold', file: 'bench/cold-start.ts', what: 'Lambda bundle sizes and import times' },
  { name: 'logging', file: 'bench/logging-cold.ts', what: 'cold import of a logger or metrics library alone: pufa\'s logger, Powertools Logger and Metrics' },
  { name: 'cost', file: 'bench/cost.ts', what: 'AWS requests and DynamoDB capacity per SMS and per station script' },
  { name: 'tally', file: 'bench/tally-read.ts', what: 'reading a year of tallies with 10, 1,000 and 100,000 records' },
  { name: 'expansion', file: 'bench/expansion.ts', what: 'a notice to 100,000 subscribers becoming deliveries' },
  { name: 'dispatch', file: 'bench/dispatch-rate.ts', what: 'SMS dispatch rate at caps of 20 and 100 a second' },
  { name: 'shape', file: 'bench/dispatch-aws-shape.ts', what: 'SMS dispatch in the AWS shape: a run a minute, each killed at its timeout; share of the cap, pause' },
  { name: 'speech', file: 'bench/speech.ts', what: 'broadcast recordings with espeak-ng: time to record 100, 500 and 2,000 characters, and a kept one' },
  { name: 'province', file: 'bench/province.ts', what: 'a 12·4 push to 183 counties, scaled down: time to send 5 million SMS at a quota, requests and capacity per delivery, hottest key, fairness, cost in yuan' },
  { name: 'api', file: 'bench/api-load.ts', what: 'the local server under autocannon, 30 s a route' },
] as const;

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const named = args.filter((arg) => !arg.startsWith('--'));

if (args.includes('--list')) {
  for (const bench of BENCHMARKS) console.log(`${bench.name.padEnd(10)} ${bench.file.padEnd(24)} ${bench.what}`);
  process.exit(0);
}
const unknown = named.filter((name) => !BENCHMARKS.some((bench) => bench.name === name));
if (unknown.length > 0) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Known: ${BENCHMARKS.map((bench) => bench.name).join(', ')}.`);
  process.exit(2);
}
const chosen = named.length > 0 ? BENCHMARKS.filter((bench) => named.includes(bench.name)) : BENCHMARKS;

function javaVersion(): string {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  return `${result.stderr}${result.stdout}`.match(/version "([^"]+)"/)?.[1] ?? 'unknown';
}

/** Runs one benchmark file; resolves with its exit code. Its output goes through as it comes. */
function runOne(file: string): Promise<number | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...(quick ? ['--quick'] : [])], { stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

const load = () => loadavg().map((value) => value.toFixed(2)).join(' ');
console.log(
  `pufa benchmarks ${new Date().toISOString()}${quick ? ' (--quick: small sizes)' : ''}\n` +
    `  machine: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}, Java ${javaVersion()}`,
);
const started = performance.now();
const timings: string[] = [];
let failed = 0;
for (const bench of chosen) {
  console.log(`\n== ${bench.name}: ${bench.what} (load average ${load()})`);
  const benchStarted = performance.now();
  const code = await runOne(bench.file);
  const took = (performance.now() - benchStarted) / 1000;
  timings.push(`${bench.name} ${took.toFixed(0)} s${code === 0 ? '' : ` (FAILED, exit ${code})`}`);
  if (code !== 0) failed += 1;
}
console.log(`\nbench: total_time ${((performance.now() - started) / 1000).toFixed(0)} s`);
console.log(`  ${timings.join(', ')}`);
process.exit(failed > 0 ? 1 : 0);
