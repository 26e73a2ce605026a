/**
 * A WeChat token refresher killed outright (kill -9, a real process) while it holds the refresh
 * lease: its lease lapses by itself, and the next caller takes it and refreshes once.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTable, TEST_PHONE_KEY_SECRET, type TestDatabase } from '../support/db.js';
import { STALL_GUARD_MS } from '../support/timeouts.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await freshTable();
});
afterAll(async () => db.drop());

/** Polls `ready` until it holds (a readiness wait, not a fixed sleep); fails after the stall guard. */
async function until(ready: () => boolean, what: string): Promise<void> {
  const giveUpAt = Date.now() + STALL_GUARD_MS;
  while (!ready()) {
    if (Date.now() > giveUpAt) throw new Error(`gave up waiting for ${what}`);
    await new Promise((wake) => setTimeout(wake, 5));
  }
}

describe('a WeChat token refresher killed outright (kill -9)', () => {
  it('leaves a lease that lapses after its time, and the next caller refreshes', async () => {
    const county = 'wx-crash';
    // Short, so the test does not wait the production 30 s; long enough for the child to be killed holding it.
    const leaseMs = 3_000;
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../support/wechat-token-child.ts', import.meta.url))], {
      env: {
        ...process.env,
        CHILD_DYNAMODB_ENDPOINT: db.endpoint,
        CHILD_TABLE_NAME: db.tableName,
        CHILD_COUNTY: county,
        CHILD_PHONE_KEY_SECRET: TEST_PHONE_KEY_SECRET,
        CHILD_LEASE_MS: String(leaseMs),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, 'exit');
    await until(() => output.includes('lease taken') || child.exitCode !== null, 'the child to take the lease');
    expect(child.exitCode, output).toBeNull();
    child.kill('SIGKILL');
    const [, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    expect(signal).toBe('SIGKILL');

    const left = await db.store.wechatToken.state(county);
    expect(left.hasToken).toBe(false);
    expect(left.leaseUntil).toBeDefined(); // the dead holder's lease is still there

    let refreshes = 0;
    const token = await db.store.wechatToken.getOrRefresh(county, new Date(), async () => {
      refreshes += 1;
      return { token: 'after-the-crash', expiresInSeconds: 7200 };
    }, { leaseMs });
    expect(token).toBe('after-the-crash');
    expect(refreshes).toBe(1);
    expect(await db.store.wechatToken.state(county)).toEqual({ hasToken: true, expiresAt: expect.any(String) as string });
    expect(output).not.toContain('refreshed');
  });
});
