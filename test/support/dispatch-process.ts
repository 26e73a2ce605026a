/**
 * A dispatcher run in a process of its own (support/dispatch-child.ts), for tests that kill it
 * outright (kill -9) mid-send; and a readiness wait for what the test waits to see before killing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { TEST_PHONE_KEY_SECRET, type TestDatabase } from './db.js';
import { STALL_GUARD_MS } from './timeouts.js';

export interface DispatchProcess {
  child: ChildProcess;
  /** What it printed, for a failing assertion's message. */
  output(): string;
  /** Resolves with the signal it ended by. */
  exited: Promise<unknown[]>;
}

export function startDispatchProcess(options: { db: TestDatabase; snsEndpoint: string; clock: string; smsPerSecond: number; wechat?: { api: string; secrets: object } }): DispatchProcess {
  const { db, wechat } = options;
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./dispatch-child.ts', import.meta.url))], {
    env: {
      ...process.env,
      CHILD_DYNAMODB_ENDPOINT: db.endpoint,
      CHILD_TABLE_NAME: db.tableName,
      CHILD_PHONE_KEY_SECRET: TEST_PHONE_KEY_SECRET,
      CHILD_SNS_ENDPOINT: options.snsEndpoint,
      CHILD_CLOCK: options.clock,
      CHILD_SMS_PER_SECOND: String(options.smsPerSecond),
      ...(wechat ? { CHILD_WECHAT_API: wechat.api, CHILD_WECHAT_SECRETS: JSON.stringify(wechat.secrets) } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output, exited: once(child, 'exit') };
}

/** Polls `ready` until it holds (a readiness wait, not a fixed sleep); fails after the stall guard. */
export async function until(ready: () => boolean, what: string): Promise<void> {
  const giveUpAt = Date.now() + STALL_GUARD_MS;
  while (!ready()) {
    if (Date.now() > giveUpAt) throw new Error(`gave up waiting for ${what}`);
    await new Promise((wake) => setTimeout(wake, 5));
  }
}
