/**
 * @module bench/auth-request
 * `npm run bench -- auth`: the cost of one authenticated request through the whole app (token lookup
 * by hash = one GetItem) on DynamoDB Local, in process. Prints `bench: <name> <value> <unit>`.
 * Figures describe this machine and DynamoDB Local, not AWS; they are for comparing changes.
 */
import '../functions/local/quiet-sdk-warning.js';
import { createApp } from '../functions/app.js';
import { hashTokenSecret, newId, newTokenSecret, tokenRecordFromGrant } from '../functions/domain/access.js';
import { startDynamoDbLocal } from '../functions/local/dynamodb-local.js';
import { localDeps } from '../functions/local/runtime.js';
import { newPhoneKeySecret } from '../functions/local/phone-secret.js';

const WARMUP = 200;
const REQUESTS = 2_000;

const database = await startDynamoDbLocal();
try {
  const local = await localDeps({ dynamoDbEndpoint: database.endpoint, tableName: 'bench-auth', logLevel: 'silent', phoneKeySecret: newPhoneKeySecret() });
  const app = createApp(local.deps);
  const now = new Date();
  const secret = newTokenSecret();
  const record = tokenRecordFromGrant({ role: 'staff', name: 'bench' }, { id: newId('tok', now), county: local.config.county, createdBy: 'bench', now });
  await local.store.tokens.create(record, await hashTokenSecret(secret));
  const headers = { Authorization: `Bearer ${secret}` };

  const timeOne = async (path: string, init?: RequestInit) => {
    const started = performance.now();
    const response = await app.request(path, init);
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
    await response.arrayBuffer();
    return performance.now() - started;
  };

  for (const [name, path, init] of [
    ['health', '/health', undefined],
    ['authenticated_me', '/me', { headers }],
  ] as const) {
    for (let i = 0; i < WARMUP; i += 1) await timeOne(path, init);
    const samples: number[] = [];
    const started = performance.now();
    for (let i = 0; i < REQUESTS; i += 1) samples.push(await timeOne(path, init));
    const seconds = (performance.now() - started) / 1000;
    samples.sort((a, b) => a - b);
    const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? NaN;
    console.log(`bench: ${name}_rate ${(REQUESTS / seconds).toFixed(0)} req/s`);
    console.log(`bench: ${name}_p50 ${at(0.5).toFixed(2)} ms`);
    console.log(`bench: ${name}_p99 ${at(0.99).toFixed(2)} ms`);
  }
  local.client.destroy();
} finally {
  await database.stop();
}
