/**
 * A fresh table per test file on the run's DynamoDB Local, and the app's dependencies on it.
 * Tables get random names, so files run in parallel without seeing each other's data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { localDeps, type LocalDeps } from '../../functions/local/runtime.js';
import type { Clock } from '../../functions/http/env.js';
import { createLogger } from '../../functions/http/logger.js';

/** The phone-key secret every test table's app uses (a deployment's own is random). */
export const TEST_PHONE_KEY_SECRET = 'test-phone-key-secret-0123456789-abcdefghijklmnop';

export interface TestDatabase extends LocalDeps {
  endpoint: string;
  tableName: string;
  /** Lines the app logged, parsed. */
  logs: Record<string, unknown>[];
  /** Pins the app's clock; call with a date, or undefined to return to the real one. */
  setNow(now: Date | undefined): void;
  drop(): Promise<void>;
}

/**
 * `ownRecordings`: a folder of recordings of its own, for a file that asserts what is synthesized
 * and what is found kept; the others share the run's folder (recordings are kept by content).
 */
export async function freshTable(options: { county?: string; ownRecordings?: boolean } = {}): Promise<TestDatabase> {
  const endpoint = inject('dynamoDbEndpoint');
  const tableName = `test-${Math.random().toString(36).slice(2, 10)}`;
  const audioDir = options.ownRecordings ? mkdtempSync(join(tmpdir(), 'pufa-test-audio-')) : inject('recordingsDir');
  let pinned: Date | undefined;
  const clock: Clock = () => pinned ?? new Date();
  const local = await localDeps({
    clock,
    dynamoDbEndpoint: endpoint,
    tableName,
    audioDir,
    env: { PUFA_COUNTY: options.county ?? 'testcounty' },
    phoneKeySecret: TEST_PHONE_KEY_SECRET,
  });
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>), clock });
  return {
    ...local,
    deps: { ...local.deps, clock, logger },
    logger,
    endpoint,
    tableName,
    logs,
    setNow: (now) => {
      pinned = now;
    },
    drop: async () => {
      await local.client.send(new DeleteTableCommand({ TableName: tableName }));
      local.client.destroy();
      if (options.ownRecordings) rmSync(audioDir, { recursive: true, force: true });
    },
  };
}
