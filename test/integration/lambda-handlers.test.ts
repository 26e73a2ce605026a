/**
 * The Lambda entry points, imported as Lambda imports them (module scope reads the environment),
 * answering API Gateway HTTP API v2 events against a real table on DynamoDB Local.
 */
import type { APIGatewayProxyResult } from 'hono/aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { aGrant, aToken } from '../support/builders.js';
import { freshTable, TEST_PHONE_KEY_SECRET, type TestDatabase } from '../support/db.js';
import { httpApiEvent, lambdaContext } from '../support/lambda-events.js';

let db: TestDatabase;
const county = 'lambdacounty';

beforeAll(async () => {
  db = await freshTable({ county });
  vi.stubEnv('PUFA_TABLE_NAME', db.tableName);
  vi.stubEnv('PUFA_COUNTY', county);
  vi.stubEnv('PUFA_DYNAMODB_ENDPOINT', db.endpoint);
  vi.stubEnv('PUFA_LOG_LEVEL', 'silent');
  vi.stubEnv('PUFA_PHONE_KEY_SECRET', TEST_PHONE_KEY_SECRET);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await db.drop();
});

const structured = (result: APIGatewayProxyResult) => result;

describe('the API handler', () => {
  it('answers GET /health from the same app as the local server', async () => {
    const { handler } = await import('../../functions/handlers/api.js');
    const result = structured(await handler(httpApiEvent('GET', '/health'), lambdaContext));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body ?? '')).toMatchObject({ status: 'ok', county, table: { name: db.tableName, reachable: true } });
  });

  it('answers an authorized call', async () => {
    const { handler } = await import('../../functions/handlers/api.js');
    const admin = await aToken(db.store, county, aGrant({ role: 'admin' }));
    const result = structured(
      await handler(
        httpApiEvent('POST', '/tokens', {
          headers: { authorization: `Bearer ${admin.secret}`, 'content-type': 'application/json' },
          body: JSON.stringify({ role: 'reviewer', name: '法制审核员' }),
        }),
        lambdaContext,
      ),
    );
    expect(result.statusCode).toBe(201);
    expect(JSON.parse(result.body ?? '')).toMatchObject({ token: { role: 'reviewer', county } });
  });

  it('refuses an unauthorized call with 401 problem+json', async () => {
    const { handler } = await import('../../functions/handlers/api.js');
    const result = structured(await handler(httpApiEvent('GET', '/me'), lambdaContext));
    expect(result.statusCode).toBe(401);
    expect(result.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(result.body ?? '')).toMatchObject({ status: 401, requestId: expect.any(String) });
  });

  it('refuses a wrong role with 403', async () => {
    const { handler } = await import('../../functions/handlers/api.js');
    const station = await aToken(db.store, county, aGrant({ role: 'station' }));
    const result = structured(
      await handler(httpApiEvent('GET', '/tokens', { headers: { authorization: `Bearer ${station.secret}` } }), lambdaContext),
    );
    expect(result.statusCode).toBe(403);
  });
});

describe('the dispatch handler', () => {
  it('reaches the table and reports an empty run', async () => {
    const { handler } = await import('../../functions/handlers/dispatch.js');
    const summary = await handler();
    expect(summary).toMatchObject({ claimed: 0, sent: 0 });
    expect(Date.parse(summary.startedAt)).not.toBeNaN();
  });
});

describe('a cold start with bad configuration', () => {
  it('fails naming the variable', async () => {
    vi.resetModules();
    vi.stubEnv('PUFA_TABLE_NAME', '');
    await expect(import('../../functions/handlers/api.js')).rejects.toThrow(/PUFA_TABLE_NAME/);
    vi.stubEnv('PUFA_TABLE_NAME', db.tableName);
  });

  it('fails without a phone-key secret rather than keying numbers without one', async () => {
    vi.resetModules();
    vi.stubEnv('PUFA_PHONE_KEY_SECRET', undefined);
    await expect(import('../../functions/handlers/dispatch.js')).rejects.toThrow(/PUFA_PHONE_KEY_SECRET_ARN/);
    vi.resetModules();
    vi.stubEnv('PUFA_PHONE_KEY_SECRET', 'too-short');
    await expect(import('../../functions/handlers/api.js')).rejects.toThrow(/PUFA_PHONE_KEY_SECRET/);
    vi.stubEnv('PUFA_PHONE_KEY_SECRET', TEST_PHONE_KEY_SECRET);
  });
});
