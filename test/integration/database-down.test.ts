/**
 * When DynamoDB does not answer, every route says so — 503 problem+json with Retry-After, and a
 * Chinese page under /app — instead of a 500, and works again once the database is back. The
 * outage is real: a DynamoDB Local of this file's own is stopped, then started again on the same
 * port with the same data folder. WeChat's signed result event meets the outage too, and its retry
 * is taken afterwards.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../functions/local/dynamodb-local.js';
import { localDeps, type LocalDeps } from '../../functions/local/runtime.js';
import { inventedWeChatSecrets } from '../../functions/local/wechat-secrets.js';
import { DEPLOYMENT_SCOPE } from '../../functions/domain/access.js';
import { aGrant, aToken } from '../support/builders.js';
import { TEST_PHONE_KEY_SECRET } from '../support/db.js';
import { aSession } from '../support/sessions.js';

const dataDir = mkdtempSync(join(tmpdir(), 'pufa-outage-'));
let database: DynamoDbLocal | undefined;
let local: LocalDeps;
let app: ReturnType<typeof createApp>;
let admin: { secret: string; headers: Record<string, string> };
let county: { headers: Record<string, string> };
let operator: { headers: Record<string, string> };
let city: { headers: Record<string, string> };
let adminPages: string;

beforeAll(async () => {
  database = await startDynamoDbLocal({ dataDir, readyTimeoutMs: 60_000 });
  // WeChat's callbacks are checked with the account's Token; its API is never called here.
  local = await localDeps({ dynamoDbEndpoint: database.endpoint, tableName: 'outage-test', env: { PUFA_COUNTY: 'testcounty' }, logLevel: 'silent', phoneKeySecret: TEST_PHONE_KEY_SECRET, wechat: { secrets: wechatSecrets, apiBase: 'http://127.0.0.1:9' } });
  app = createApp(local.deps);
  admin = await aToken(local.store, 'testcounty', aGrant({ role: 'admin' }));
  county = await aToken(local.store, 'testcounty', aGrant({ role: 'county' }));
  operator = await aToken(local.store, DEPLOYMENT_SCOPE, aGrant({ role: 'operator' }));
  city = await aToken(local.store, DEPLOYMENT_SCOPE, aGrant({ role: 'city', city: 'yaan' }));
  adminPages = (await aSession(local.store, admin.secret, new Date())).cookie;
}, 90_000);

afterAll(async () => {
  local?.client.destroy();
  await database?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const wechatSecrets = inventedWeChatSecrets();
/** WeChat's signed result event for a mass send, as WeChat would post it now, with this nonce. */
async function wechatEvent(nonce: string): Promise<Response> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHash('sha1').update([wechatSecrets.callbackToken, timestamp, nonce].sort().join('')).digest('hex');
  const xml = `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[mphelper]]></FromUserName><CreateTime>${timestamp}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[MASSSENDJOBFINISH]]></Event><MsgID>${nonce}</MsgID><Status><![CDATA[send success]]></Status><TotalCount>3</TotalCount><FilterCount>3</FilterCount><SentCount>3</SentCount><ErrorCount>0</ErrorCount></xml>`;
  return await app.request(`/wechat/callback?signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: xml });
}

const requests = () => ({
  tokens: app.request('/tokens', { headers: admin.headers }),
  tallies: app.request('/tallies?year=2026', { headers: county.headers }),
  activity: app.request('/activities', {
    method: 'POST',
    headers: { ...county.headers, 'Content-Type': 'application/json' },
    body: JSON.stringify({ date: '2026-03-15', township: 'x', theme: 'y', kind: 'event', participants: 1, materials: [] }),
  }),
  dashboard: app.request('/app/dashboard', { headers: { Cookie: adminPages } }),
  rollup: app.request('/rollup/tallies?year=2026', { headers: city.headers }),
  newCounty: app.request('/counties', {
    method: 'POST',
    headers: { ...operator.headers, 'Content-Type': 'application/json' },
    body: JSON.stringify({ id: 'outage-county', name: '停机县', city: 'yaan', monthlyBudgetYuan: 100 }),
  }),
});

describe('the database goes away and comes back', () => {
  it('answers 503 with Retry-After (a Chinese page under /app) while it is down, and 200 again after', async () => {
    const before = requests();
    expect((await before.tokens).status).toBe(200);
    expect((await before.tallies).status).toBe(200);
    expect((await before.dashboard).status).toBe(200);
    expect((await before.rollup).status).toBe(200);
    // Before the outage the county is made; the outage's attempt (a new id below) must write nothing.
    expect((await before.newCounty).status).toBe(201);

    const port = database?.port;
    await database?.stop();
    database = undefined;

    const down = requests();
    const wechatDown = wechatEvent('7001');
    const downCounty = app.request('/counties', {
      method: 'POST',
      headers: { ...operator.headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: 'made-in-outage', name: '停机中县', city: 'yaan', monthlyBudgetYuan: 100 }),
    });
    for (const response of [await down.tokens, await down.tallies, await down.activity, await down.rollup, await downCounty, await wechatDown]) {
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      const problem = (await response.json()) as { type: string; status: number; detail: string };
      expect(problem).toMatchObject({ type: '/docs#problem-unavailable', status: 503 });
      expect(problem.detail).toMatch(/database did not answer/);
    }
    const page = await down.dashboard;
    expect(page.status).toBe(503);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(Number(page.headers.get('retry-after'))).toBeGreaterThan(0);
    const html = await page.text();
    expect(html).toContain('lang="zh-CN"');
    expect(html).toContain('数据库暂时无法连接');
    const health = await app.request('/health');
    expect(health.status).toBe(503);
    expect(Number(health.headers.get('retry-after'))).toBeGreaterThan(0);

    database = await startDynamoDbLocal({ dataDir, port, readyTimeoutMs: 60_000 });
    const after = requests();
    expect((await after.tokens).status).toBe(200);
    expect((await after.tallies).status).toBe(200);
    expect((await after.dashboard).status).toBe(200);
    expect((await app.request('/health')).status).toBe(200);
    // The city reads its county again; the county asked for during the outage is not there, nor its budget.
    const rollup = (await (await after.rollup).json()) as { counties: { id: string }[] };
    expect(rollup.counties.map((row) => row.id)).toEqual(['outage-county']);
    expect((await local.store.smsBudget.get('made-in-outage', { consistent: true })).monthlyYuan).toBeUndefined();
    expect((await after.newCounty).status).toBe(409);
    // WeChat's retry of the event it could not deliver is taken: the outage spent no nonce.
    const retried = await wechatEvent('7001');
    expect(retried.status).toBe(200);
    expect(await retried.text()).toBe('success');
  }, 120_000);
});
