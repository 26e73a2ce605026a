/**
 * The CLIs reach the running server, whatever it is: here an `--in-memory` server on a `--clock`
 * in March 2021 with its own `--data-dir`. A token the CLI issues works on it, numbers the CLI
 * imports are keyed as the server keys them, `npm run dispatch` sends on the server's clock (and
 * its outbox stamps and shows the server's local time), and a running file the CLI cannot trust
 * is refused in one line. The CLIs run their entry files' bundles (test/support/cli.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../functions/local/dynamodb-local.js';
import { runScript } from '../support/cli.js';
import { startLocalServer, type RunningLocalServer } from '../support/local-server.js';
import { SLOW_TEST_MS, UI_WAIT_MS } from '../support/timeouts.js';

const work = mkdtempSync(join(tmpdir(), 'pufa-cli-target-'));
/** Not there yet: the in-memory server makes it for its running file, and removes it on stop. */
const dataDir = join(work, 'memory');
/** Half a minute in: on a quick start the first whole minute ahead comes soon (sends are whole minutes). */
const CLOCK = '2021-03-10T09:00:30+08:00';
const PHONE = '13800138000';

let server: RunningLocalServer | undefined;
let clockOffsetMs = 0;
/** The notice's one send, local (UTC+8) and UTC. */
let dueLocal = '';
let dueAt = 0;
const tokens = { staff: '', reviewer: '' };

/** `npm run <script> -- args`. */
const cli = (script: string, args: string[]) => runScript(script, args, { timeout: UI_WAIT_MS });

function running(): RunningLocalServer {
  if (!server) throw new Error('the server did not start');
  return server;
}

async function api(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${running().url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.json() };
}

async function issue(role: string, name: string): Promise<string> {
  const issued = await api('POST', '/tokens', running().adminToken, { role, name });
  expect(issued.status).toBe(201);
  return issued.body.secret as string;
}

/** The server's time now: the real time plus the offset its running file records. */
const serverNow = () => Date.now() + clockOffsetMs;
const local = (at: number) => new Date(at + 8 * 3600_000).toISOString().slice(0, 16);

beforeAll(async () => {
  server = await startLocalServer(['--port', String(await freePort()), '--in-memory', '--clock', CLOCK, '--tick', '0', '--data-dir', dataDir]);
  const file = join(dataDir, 'running.json');
  expect(statSync(file).mode & 0o777).toBe(0o600);
  clockOffsetMs = (JSON.parse(readFileSync(file, 'utf8')) as { clockOffsetMs: number }).clockOffsetMs;
  tokens.staff = await issue('staff', '宣传员');
  tokens.reviewer = await issue('reviewer', '审核员');

  // Subscribers through the CLI, keyed with the in-memory server's own secret.
  const csv = join(work, 'subscribers.csv');
  writeFileSync(csv, `手机号,乡镇,村,群体,同意,姓名\n${PHONE},城厢镇,向阳村,,是,命令行导入\n`);
  const imported = await cli('import', ['subscribers', csv, '--data-dir', dataDir]);
  expect(imported.stderr).not.toMatch(/error/);
  expect(imported.stdout).toMatch(/Imported subscribers .* 1 new/);

  // One SMS to that village at the next minute on the server's clock (far enough ahead to schedule it).
  dueAt = Math.ceil((serverNow() + 5_000) / 60_000) * 60_000;
  dueLocal = local(dueAt);
  const day = dueLocal.slice(0, 10);
  expect((await api('POST', '/campaigns', tokens.staff, { id: 'edge', title: '边界测试', theme: 'consumer-rights', window: { start: day, end: '2021-03-20' } })).status).toBe(201);
  const notice = { id: 'sms-now', channel: 'sms', audience: { villages: ['chengxiang-xiangyang'] }, schedule: { kind: 'fixed', at: dueLocal }, sms: { body: '消费维权，请拨打12315。' } };
  expect((await api('POST', '/campaigns/edge/notices', tokens.staff, notice)).status).toBe(201);
  expect((await api('POST', '/campaigns/edge/notices/sms-now/submit', tokens.staff, {})).status).toBe(200);
  expect((await api('POST', '/campaigns/edge/notices/sms-now/approve', tokens.reviewer, {})).status).toBe(200);
  const scheduled = await api('POST', '/campaigns/edge/notices/sms-now/schedule', tokens.staff, {});
  expect(scheduled.status, JSON.stringify(scheduled.body)).toBe(200);
}, SLOW_TEST_MS);

afterAll(async () => {
  await server?.stop('SIGINT');
  rmSync(work, { recursive: true, force: true });
}, SLOW_TEST_MS);

describe('the CLIs against an in-memory server on a --clock', () => {
  it('import keys numbers as the server does: the same number through the API is the same subscriber', async () => {
    const again = await api('POST', '/subscribers', running().adminToken, { phone: PHONE, township: 'chengxiang', village: 'chengxiang-xiangyang', name: '命令行导入' });
    expect(again.status).toBe(200);
    expect(again.body.result).not.toBe('created');
  });

  it('token create issues a token that works on that server', async () => {
    const created = await cli('token', ['create', '--role', 'county', '--name', '依法治县办', '--data-dir', dataDir]);
    expect(created.code, created.stderr).toBe(0);
    const secret = created.stdout.match(/pufa_\S+/)?.[0] ?? '';
    const me = await api('GET', '/me', secret);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ role: 'county', name: '依法治县办' });
  }, SLOW_TEST_MS);

  it('token feed-create makes a calendar feed link that opens on that server, feed-list lists it and feed-revoke closes it', async () => {
    const created = await cli('token', ['feed-create', '--label', '城厢镇司法所手机日历', '--data-dir', dataDir]);
    expect(created.code, created.stderr).toBe(0);
    const path = created.stdout.match(/\/plans\/\d{4}\/calendar\.ics\?key=pufa_feed_\S+/)?.[0] ?? '';
    const opened = await fetch(`${running().url}${path}`);
    expect(opened.status).toBe(200);
    expect(await opened.text()).toMatch(/^BEGIN:VCALENDAR/);
    const listed = await cli('token', ['feed-list', '--data-dir', dataDir]);
    const id = listed.stdout.match(/^(feed_\S+) {2}城厢镇司法所手机日历 {2}\(active\)$/m)?.[1] ?? '';
    expect(id).not.toBe('');
    const revoked = await cli('token', ['feed-revoke', id, '--data-dir', dataDir]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect((await fetch(`${running().url}${path}`)).status).toBe(401);
  }, SLOW_TEST_MS);

  it('refuses, in one line, a running file whose server answers but whose database does not', async () => {
    const folder = join(work, 'half-up');
    mkdirSync(folder);
    const closed = await freePort();
    writeFileSync(join(folder, 'running.json'), JSON.stringify({ dynamoDbEndpoint: `http://127.0.0.1:${closed}`, pid: running().process.pid, url: running().url }));
    const result = await cli('token', ['list', '--data-dir', folder]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: the server in \S+running\.json \(pid \d+, http:\S+\) is running but its database at \S+ does not answer/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(folder, 'dynamodb'))).toBe(false);
  }, SLOW_TEST_MS);

  it('dispatch sends what is due on the server’s clock, through its sink; nothing expires', async () => {
    // The server's clock moves on in real time: wait for the send's minute to come on it.
    await expect.poll(serverNow, { timeout: UI_WAIT_MS, interval: 500 }).toBeGreaterThanOrEqual(dueAt);
    const dispatched = await cli('dispatch', ['--data-dir', dataDir]);
    expect(dispatched.code, dispatched.stderr).toBe(0);
    expect(dispatched.stdout).toMatch(/Dispatched: .*sent \d+/);
    expect(dispatched.stdout).not.toMatch(/expired/);
    // The village's demo subscribers and the one imported above.
    const { counts } = (await api('GET', '/campaigns/edge/notices/sms-now/deliveries', tokens.staff)).body;
    expect(counts).toMatchObject({ expired: 0, pending: 0 });
    expect(counts.sent).toBe(counts.total);
    expect(counts.sent).toBeGreaterThanOrEqual(1);
  }, SLOW_TEST_MS);

  it('the outbox stamps the message on the server’s clock and the page shows the county’s local time', async () => {
    const outbox = await api('GET', '/outbox?kind=sms', running().adminToken);
    const mine = (outbox.body.items as { phoneNumber: string; receivedAt: string }[]).find((entry) => entry.phoneNumber.endsWith(PHONE.slice(-4)));
    const receivedAt = mine?.receivedAt ?? '';
    expect(receivedAt.slice(0, 10)).toBe(dueLocal.slice(0, 10));
    expect(Date.parse(receivedAt)).toBeGreaterThanOrEqual(dueAt);

    const login = await fetch(`${running().url}/app/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Site': 'same-origin' },
      body: new URLSearchParams({ token: running().adminToken }).toString(),
    });
    expect(login.status).toBe(303);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const page = await fetch(`${running().url}/app/outbox`, { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    // The county's wall time (UTC+8) of the message, as people read it: 2021年3月10日 09:01:…
    const [date, time] = local(Date.parse(receivedAt)).split('T');
    const [year, month, dayOfMonth] = (date ?? '').split('-').map(Number);
    expect(html).toContain(`${year}年${month}月${dayOfMonth}日 ${time}`);
  }, SLOW_TEST_MS);
});
