/**
 * @module bench/first-start
 * A newcomer's first `npm start`: `npm start`'s entry (`tsx functions/local/main.ts`, the same
 * command `npm start` runs, without npm's own start-up) on a fresh data folder, with the demo
 * data. Figures: seconds from spawning to the first `/health` 200, and to the demo data being
 * loaded (the "demo data ready" line; before demo loading moved behind the server, the banner).
 * Every line the server prints is shown with the second it came at, so the phases can be read.
 * Runs it `RUNS` times (a fresh folder each time) and reports the median.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { freePort } from '../functions/local/dynamodb-local.js';
import { median, note, quick, report } from './shared.js';

const RUNS = quick ? 1 : 3;
/** A hang guard, not a measurement: a first start that takes this long has failed. */
const GIVE_UP_MS = 10 * 60_000;

interface Run {
  health: number;
  demo: number;
}

async function once(index: number): Promise<Run> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pufa-first-start-'));
  const port = await freePort();
  const started = performance.now();
  const at = () => ((performance.now() - started) / 1000).toFixed(1).padStart(5);
  const child = spawn(join(process.cwd(), 'node_modules', '.bin', 'tsx'), ['functions/local/main.ts', '--port', String(port), '--data-dir', dataDir, '--tick', '0'], {
    env: { ...process.env, PUFA_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let health: number | undefined;
  let demo: number | undefined;
  let exited = false;
  child.once('exit', () => (exited = true));
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    output += text;
    for (const line of text.split('\n')) if (line.trim() !== '' && index === 0) note(`${at()} s | ${line}`);
    // Newer builds print "demo data ready" once the demo is in; older ones loaded it before the banner.
    if (demo === undefined && (/demo data ready/.test(output) || (!/demo data loading/.test(output) && /Ctrl-C/.test(output)))) {
      demo = (performance.now() - started) / 1000;
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  try {
    while (health === undefined || demo === undefined) {
      if (exited) throw new Error(`npm start exited before it was ready:\n${output}`);
      if (performance.now() - started > GIVE_UP_MS) throw new Error(`npm start was not ready after ${GIVE_UP_MS / 1000} s:\n${output}`);
      if (health === undefined) {
        const status = await fetch(`http://127.0.0.1:${port}/health`).then((response) => response.status, () => 0);
        if (status === 200) health = (performance.now() - started) / 1000;
      }
      await new Promise((wake) => setTimeout(wake, 50));
    }
    return { health, demo };
  } finally {
    if (!exited) {
      const gone = new Promise((done) => child.once('exit', done));
      child.kill('SIGINT');
      await gone;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const runs: Run[] = [];
for (let index = 0; index < RUNS; index += 1) {
  const run = await once(index);
  note(`run ${index + 1}: /health 200 after ${run.health.toFixed(1)} s, demo ready after ${run.demo.toFixed(1)} s (load average ${loadavg()[0]?.toFixed(1)})`);
  runs.push(run);
}
report('first_start_health', median(runs.map((run) => run.health)), 's');
report('first_start_demo_ready', median(runs.map((run) => run.demo)), 's');
