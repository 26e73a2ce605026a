/**
 * Smoke test of `npm start`: the local server as a child process on DynamoDB Local, on disk.
 * The server runs its entry file with tsx, as `npm start` does; `npm run token` and the start-ups
 * that fail before serving run their entry files' bundles (test/support/cli.ts): the same code,
 * started in a fraction of tsx's time.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../functions/local/dynamodb-local.js';
import { scriptCommand } from '../support/cli.js';
import { startLocalServer, type RunningLocalServer } from '../support/local-server.js';
import { SLOW_TEST_MS, STALL_GUARD_MS, UI_WAIT_MS } from '../support/timeouts.js';

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'pufa-local-'));
let server: RunningLocalServer | undefined;
afterAll(async () => {
  await server?.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** `npm run token -- args` and `npm start -- args`, on their bundles. */
const token = (args: string[]) => run(...scriptCommand('token', args));
const start = (args: string[], options: { env?: NodeJS.ProcessEnv; timeout?: number } = {}) => run(...scriptCommand('start', args), options);

const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });

describe('npm start', () => {
  let reviewerSecret = '';
  let firstAdmin = '';

  it('starts, prints the URL and an admin token that works, and stops cleanly on Ctrl-C', async () => {
    const port = await freePort();
    server = await startLocalServer(['--port', String(port), '--data-dir', dataDir]);
    expect(server.url).toBe(`http://localhost:${port}`);
    expect(server.newToken).toBe(true);
    firstAdmin = server.adminToken;

    const health = await fetch(`${server.url}/health`);
    expect(await health.json()).toMatchObject({ status: 'ok', table: { reachable: true } });
    const me = await fetch(`${server.url}/me`, bearer(server.adminToken));
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ role: 'admin' });

    const issued = await fetch(`${server.url}/tokens`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.adminToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ role: 'reviewer', name: '审核员' }),
    });
    expect(issued.status).toBe(201);
    reviewerSecret = ((await issued.json()) as { secret: string }).secret;
    expect(existsSync(join(dataDir, 'running.json'))).toBe(true);

    expect(await server.stop('SIGINT')).toBe(0);
    server = undefined;
    expect(existsSync(join(dataDir, 'running.json'))).toBe(false);
  }, SLOW_TEST_MS);

  it('keeps its data across a restart and prints the same admin token again', async () => {
    server = await startLocalServer(['--port', String(await freePort()), '--data-dir', dataDir]);
    expect(server.newToken).toBe(false);
    expect(server.adminToken).toBe(firstAdmin);
    const me = await fetch(`${server.url}/me`, bearer(reviewerSecret));
    expect(await me.json()).toMatchObject({ role: 'reviewer', name: '审核员' });
  }, SLOW_TEST_MS);

  it('lets `npm run token` issue a token into the running server’s database', async () => {
    const running = server;
    if (!running) throw new Error('the server from the previous test is not running');
    const { stdout } = await token(['create', '--role', 'county', '--name', '依法治县办', '--data-dir', dataDir]);
    const secret = stdout.match(/pufa_\S+/)?.[0] ?? '';
    const me = await fetch(`${running.url}/me`, bearer(secret));
    expect(await me.json()).toMatchObject({ role: 'county', name: '依法治县办' });
    expect(await running.stop('SIGTERM')).toBe(0);
    server = undefined;
  }, SLOW_TEST_MS);

  it('with the server stopped, `npm run token` opens the data folder itself', async () => {
    const { stdout } = await token(['list', '--data-dir', dataDir]);
    expect(stdout).toMatch(/county\s+依法治县办/);
    expect(stdout).toMatch(/reviewer\s+审核员/);
    const unknown = await token(['create', '--role', 'station', '--name', 'x', '--station', 'nowhere', '--data-dir', dataDir]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(unknown).toMatchObject({ code: 1 });
    expect((unknown as { stderr: string }).stderr).toContain('--station: no station "nowhere" in the registry');
  }, SLOW_TEST_MS);

  it('`npm run token` refuses bad options before touching the database', async () => {
    const failure = await token(['create', '--role', 'station', '--name', 'x', '--data-dir', dataDir]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toContain('--station');
  }, SLOW_TEST_MS);

  it('runs in memory with --in-memory, writing nothing to disk', async () => {
    const emptyDir = join(dataDir, 'never-created');
    server = await startLocalServer(['--port', String(await freePort()), '--in-memory', '--data-dir', emptyDir]);
    expect(server.output()).toContain('in memory');
    expect((await fetch(`${server.url}/me`, bearer(server.adminToken))).status).toBe(200);
    expect(await server.stop('SIGINT')).toBe(0);
    server = undefined;
    expect(existsSync(emptyDir)).toBe(false);
  }, SLOW_TEST_MS);

  it('says how to install Java when it is missing', async () => {
    // A PATH with node and nothing else, wherever node and java are installed.
    const onlyNode = join(dataDir, 'only-node-bin');
    mkdirSync(onlyNode);
    symlinkSync(process.execPath, join(onlyNode, 'node'));
    const failure = await start(['--in-memory'], {
      env: { ...process.env, PATH: onlyNode },
      timeout: STALL_GUARD_MS,
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toContain('openjdk-17-jre-headless');
  }, SLOW_TEST_MS);

  it('leaves no database process behind when it is killed outright', async () => {
    const killedDir = join(dataDir, 'killed');
    server = await startLocalServer(['--port', String(await freePort()), '--data-dir', killedDir]);
    const jvms = () => run('pgrep', ['-f', '--', `-dbPath ${killedDir}`]).then(({ stdout }) => stdout.trim(), () => '');
    expect(await jvms()).not.toBe('');
    await server.stop('SIGKILL');
    server = undefined;
    await expect.poll(jvms, { timeout: UI_WAIT_MS, interval: 200 }).toBe('');
  }, SLOW_TEST_MS);

  it('says so, and stops its database, when the port is taken', async () => {
    const port = await freePort();
    const blocker = createServer().listen(port, '127.0.0.1');
    await once(blocker, 'listening');
    try {
      const portDir = join(dataDir, 'port-taken');
      const failure = await start(['--port', String(port), '--data-dir', portDir]).catch(
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure).toMatchObject({ code: 1 });
      expect((failure as { stderr: string }).stderr).toContain(`Port ${port}`);
      expect(await run('pgrep', ['-f', '--', `-dbPath ${portDir}`]).then(({ stdout }) => stdout.trim(), () => '')).toBe('');
    } finally {
      blocker.close();
    }
  }, SLOW_TEST_MS);

  it('refuses a bad option, naming it', async () => {
    const failure = await start(['--port', 'eighty']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toContain('port');
    const clock = await start(['--clock', 'tomorrow at nine']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(clock).toMatchObject({ code: 1 });
    expect((clock as { stderr: string }).stderr).toContain('--clock: a date-time with its offset');
  }, SLOW_TEST_MS);
});
