/**
 * @module bench/api-load
 * The API under load: `npm start`'s server (functions/local/main.ts, in memory, dispatcher off)
 * in a process of its own, driven by autocannon for 30 s per route — `GET /tallies`, a station's
 * `GET /stations/me/scripts` and `POST /activities` with a distinct, valid record each time.
 * Figures: requests a second, p50 and p99 latency, errors and non-2xx answers.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { parse } from 'yaml';
import { utcToLocal } from '../functions/domain/schedule.js';
import { TIME_ZONE } from './scene.js';
import { note, quick, report } from './shared.js';

const SECONDS = quick ? 3 : 30;
/** Ten clients at once: a county office, staff and a few stations, all busy. */
const CONNECTIONS = 10;
const STATION = 'st-xiangyang';

interface Server {
  url: string;
  adminToken: string;
  stop(): Promise<void>;
}

/** Starts the local server as a child process (no tsx wrapper, so signals reach it) and reads its banner. */
function startServer(): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'functions/local/main.ts', '--in-memory', '--no-demo', '--port', '0', '--tick', '0'], {
    // Request logs at info would put a line a request through a pipe we only drain: warn and up.
    env: { ...process.env, PUFA_LOG_LEVEL: 'warn', PUFA_TIME_ZONE: TIME_ZONE },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start in 60 s:\n${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const url = output.match(/URL:\s+(http:\/\/\S+)/)?.[1];
      const token = output.match(/Admin token(?: \(new\))?: (pufa_\S+)/)?.[1];
      if (url && token && output.includes('Ctrl-C')) {
        clearTimeout(timer);
        resolve({
          url,
          adminToken: token,
          stop: async () => {
            child.kill('SIGINT');
            await exited;
          },
        });
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    void exited.then(() => reject(new Error(`the server exited before it was ready:\n${output}`)));
  });
}

async function call(server: Server, token: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/** The local date-time `minutes` from now, and today's and tomorrow's local dates. */
function localTimes(minutes: number) {
  const at = utcToLocal(new Date(Date.now() + minutes * 60_000).toISOString(), TIME_ZONE).slice(0, 16);
  const today = utcToLocal(new Date().toISOString(), TIME_ZONE).slice(0, 10);
  return { at, today, year: Number(today.slice(0, 4)) };
}

/**
 * What the routes need to answer with data: the sample registry, this year's plan, tokens for
 * each role, a handful of activities, and a broadcast notice scheduled for the station, so its
 * scripts list is not empty.
 */
async function prepare(server: Server) {
  const admin = server.adminToken;
  const { at, today, year } = localTimes(5);
  await call(server, admin, 'PUT', '/registry', parse(readFileSync('campaigns/registry.sample.yaml', 'utf8')));
  await call(server, admin, 'POST', '/plans', {
    year,
    themes: [{ id: 'bench', name: '基准测试' }],
    months: Object.fromEntries(Array.from({ length: 12 }, (_, index) => [String(index + 1), 'bench'])),
    keyDates: [],
  });
  const issue = async (grant: Record<string, unknown>) => String((await call(server, admin, 'POST', '/tokens', grant)).secret);
  const staff = await issue({ role: 'staff', name: '宣传员' });
  const reviewer = await issue({ role: 'reviewer', name: '审核员' });
  const county = await issue({ role: 'county', name: '依法治县办' });
  const station = await issue({ role: 'station', name: '向阳村广播站', stationId: STATION });

  const campaign = await call(server, staff, 'POST', '/campaigns', { title: '基准测试', theme: 'bench', window: { start: today, end: at.slice(0, 10) } });
  const campaignId = String(campaign.id);
  await call(server, staff, 'POST', `/campaigns/${campaignId}/notices`, {
    id: 'script',
    channel: 'broadcast',
    audience: { all: true },
    schedule: { kind: 'fixed', at },
    broadcast: { script: '今天是法治宣传日，请收听普法广播。', airWindows: [{ from: '00:00', to: '23:59' }], repeats: 1 },
  });
  await call(server, staff, 'POST', `/campaigns/${campaignId}/notices/script/submit`, {});
  await call(server, reviewer, 'POST', `/campaigns/${campaignId}/notices/script/approve`, {});
  await call(server, staff, 'POST', `/campaigns/${campaignId}/notices/script/schedule`, {});
  const scripts = await call(server, station, 'GET', '/stations/me/scripts');
  note(`station ${STATION} has ${(scripts.items as unknown[] | undefined)?.length ?? 0} script(s) to air`);
  return { staff, county, station, today, year };
}

let activitiesMade = 0;
/** A distinct, valid activity record: a new id, today's date, counts that vary. */
function anActivity(today: string) {
  activitiesMade += 1;
  const n = activitiesMade;
  return {
    id: `bench-${process.pid}-${n}`,
    date: today,
    township: 'chengxiang',
    village: 'chengxiang-xiangyang',
    theme: 'bench',
    kind: 'event',
    title: `普法集市 ${n}`,
    participants: n % 300,
    materials: [{ kind: '宣传单', count: 1 + (n % 50) }],
  };
}

async function load(name: string, options: autocannon.Options): Promise<void> {
  const result = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options });
  report(`api_${name}_rate`, result.requests.average, 'req/s');
  report(`api_${name}_p50`, result.latency.p50, 'ms');
  report(`api_${name}_p99`, result.latency.p99, 'ms');
  report(`api_${name}_errors`, result.errors, 'errors');
  report(`api_${name}_non2xx`, result.non2xx, 'responses');
  note(`${name}: ${result['2xx']} answered 2xx in ${result.duration} s, ${CONNECTIONS} connections${result.timeouts > 0 ? `, ${result.timeouts} timeouts` : ''}`);
}

const server = await startServer();
try {
  const { staff, county, station, today, year } = await prepare(server);
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  // Writes first, so the tallies read afterwards have a year's worth of records behind them.
  await load('post_activities', {
    url: `${server.url}/activities`,
    method: 'POST',
    headers: { ...auth(staff), 'Content-Type': 'application/json' },
    requests: [{ setupRequest: (request) => ({ ...request, body: JSON.stringify(anActivity(today)) }) }],
  });
  await load('get_tallies', { url: `${server.url}/tallies?year=${year}`, headers: auth(county) });
  await load('get_station_scripts', { url: `${server.url}/stations/me/scripts`, headers: auth(station) });
} finally {
  await server.stop();
}
