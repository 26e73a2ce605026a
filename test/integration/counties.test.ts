/**
 * Counties as data (issue 17): the operator creates counties and issues their first tokens; each
 * county's requests take its time zone and SMS signature from its record, never from the
 * deployment's configuration; tokens above the counties reach no county's data, and a county's
 * admin cannot make one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { callerFromToken, DEPLOYMENT_SCOPE, tokenRecordFromGrant } from '../../functions/domain/access.js';
import { depsForCaller } from '../../functions/http/county-scope.js';
import { aGrant, aToken, must } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { sendTo, type Send } from '../support/http.js';
import { aPlan, sampleRegistry } from '../support/planning.js';

let db: TestDatabase;
let send: Send;
let operator: Record<string, string>;

const bearer = (secret: string) => ({ Authorization: `Bearer ${secret}` });

beforeAll(async () => {
  // The deployment's own configuration says testcounty and Asia/Shanghai: the counties below differ from both.
  db = await freshTable({ county: 'testcounty' });
  db.setNow(new Date('2031-03-01T00:00:00Z'));
  send = sendTo(createApp(db.deps));
  operator = (await aToken(db.store, DEPLOYMENT_SCOPE, aGrant({ role: 'operator', name: '省平台' }))).headers;
});
afterAll(async () => {
  await db.drop();
});

describe('the operator', () => {
  it('creates a county, refuses its id twice, and names the field of a bad one', async () => {
    const created = await send('POST', '/counties', operator, { id: 'lushan', name: '芦山县', smsSignature: '芦山普法', monthlyBudgetYuan: 800, city: 'yaan', province: 'sichuan' });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ id: 'lushan', name: '芦山县', timeZone: 'Asia/Shanghai', smsSignature: '芦山普法', monthlyBudgetYuan: 800, city: 'yaan', province: 'sichuan', version: 1 });

    expect((await send('POST', '/counties', operator, { id: 'lushan', name: '又一个芦山' })).status).toBe(409);
    const bad = await send('POST', '/counties', operator, { id: 'Lu Shan', name: '芦山县', timeZone: 'Mars/Olympus' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['body.id', 'body.timeZone']);
    expect((await send('GET', '/counties/lushan', operator)).body.name).toBe('芦山县');
  });

  it('changes a county, takes a field off with null, and refuses a change naming nothing', async () => {
    await send('POST', '/counties', operator, { id: 'baoxing', name: '宝兴县', city: 'yaan' });
    const patched = await send('PATCH', '/counties/baoxing', operator, { name: '宝兴县（改）', city: null, monthlyBudgetYuan: 300 });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({ name: '宝兴县（改）', monthlyBudgetYuan: 300, version: 2 });
    expect(patched.body.city).toBeUndefined();
    expect((await send('PATCH', '/counties/baoxing', operator, {})).status).toBe(400);
    expect((await send('PATCH', '/counties/nowhere', operator, { name: '无' })).status).toBe(404);
  });

  it('issues a county its admin, whose requests are that county’s; only a county’s roles there', async () => {
    await send('POST', '/counties', operator, { id: 'urumqi-test', name: '时区测试县', timeZone: 'Asia/Urumqi', smsSignature: '时区普法', monthlyBudgetYuan: 500 });
    const issued = await send('POST', '/counties/urumqi-test/tokens', operator, { role: 'admin', name: '县管理员' });
    expect(issued.status, issued.text).toBe(201);
    expect(issued.body.token).toMatchObject({ county: 'urumqi-test', role: 'admin' });
    const admin = bearer(issued.body.secret);
    expect((await send('GET', '/me', admin)).body).toMatchObject({ county: 'urumqi-test', role: 'admin' });
    expect((await send('POST', '/counties/urumqi-test/tokens', operator, { role: 'city', name: '市', city: 'yaan' })).status).toBe(400);
    expect((await send('POST', '/counties/nowhere/tokens', operator, { role: 'admin', name: '无' })).status).toBe(404);

    // A plan without a time zone or a signature takes the county's, not the deployment's.
    expect((await send('PUT', '/registry', admin, sampleRegistry())).status).toBe(200);
    const loaded = await send('POST', '/plans', admin, aPlan());
    expect(loaded.status, loaded.text).toBe(200);
    const plan = await db.store.plans.getYear('urumqi-test', 2031);
    expect(plan?.timeZone).toBe('Asia/Urumqi');
    expect(plan?.settings.sms.signature).toBe('时区普法');
    // The budget given at creation is the county's own, as PUT /sms-budget would have set it.
    expect((await send('GET', '/sms-budget', admin)).body).toMatchObject({ monthlyYuan: 500, source: 'county' });

    const tokens = await send('GET', '/counties/urumqi-test/tokens', operator);
    expect(tokens.body.items.map((token: { role: string }) => token.role)).toEqual(['admin']);
    const revoked = await send('DELETE', `/counties/urumqi-test/tokens/${issued.body.token.id}`, operator);
    expect(revoked.status).toBe(200);
    expect((await send('GET', '/me', admin)).status).toBe(401);
  });

  it('changes a budget alone as a change of the county, in both logs', async () => {
    const patched = await send('PATCH', '/counties/lushan', operator, { monthlyBudgetYuan: null });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.monthlyBudgetYuan).toBeNull();
    expect((await db.store.smsBudget.get('lushan', { consistent: true })).monthlyYuan).toBeUndefined();
    const deployment = (await db.store.audit.page(DEPLOYMENT_SCOPE, '2031-03-01', { action: 'county.update', limit: 50 })).items;
    expect(deployment.some((entry) => entry.subject.id === 'lushan' && entry.before?.monthlyBudgetYuan === 800 && entry.after?.monthlyBudgetYuan === null)).toBe(true);
    const county = (await db.store.audit.page('lushan', '2031-03-01', { action: 'sms-budget.update', limit: 50 })).items;
    // Both filed at the test's one pinned moment, so in no particular order.
    expect(county.map((entry) => entry.after?.monthlyYuan).sort()).toEqual([800, null]);
  });

  it('creates a county once when two operators ask for the same id at once, and loses no change made at once', async () => {
    const both = await Promise.all([
      send('POST', '/counties', operator, { id: 'shimian', name: '石棉县', monthlyBudgetYuan: 100 }),
      send('POST', '/counties', operator, { id: 'shimian', name: '石棉县（重复）', monthlyBudgetYuan: 900 }),
    ]);
    expect(both.map((answer) => answer.status).sort()).toEqual([201, 409]);
    const winner = must(both.find((answer) => answer.status === 201));
    // The loser's transaction wrote nothing: neither its name nor its budget.
    expect((await send('GET', '/counties/shimian', operator)).body).toMatchObject({ name: winner.body.name, monthlyBudgetYuan: winner.body.monthlyBudgetYuan });

    const changes = await Promise.all([
      send('PATCH', '/counties/shimian', operator, { city: 'somecity' }),
      send('PATCH', '/counties/shimian', operator, { province: 'someprovince' }),
    ]);
    for (const answer of changes) expect([200, 409], answer.text).toContain(answer.status);
    const now = (await send('GET', '/counties/shimian', operator)).body;
    // Each change that answered 200 is in the record; none overwrote the other unseen.
    expect(now.version).toBe(1 + changes.filter((answer) => answer.status === 200).length);
    if (changes[0]?.status === 200) expect(now.city).toBe('somecity');
    if (changes[1]?.status === 200) expect(now.province).toBe('someprovince');
  });

  it('files its changes in the deployment’s audit log', async () => {
    const entries = await send('GET', '/audit?date=2031-03-01', operator);
    expect(entries.status).toBe(200);
    expect(entries.body.items.map((entry: { action: string; subject: { id: string } }) => `${entry.action} ${entry.subject.id}`)).toEqual(expect.arrayContaining(['county.create lushan', 'county.update baoxing']));
  });
});

describe('tokens above the counties', () => {
  it('open nothing when role and county disagree (a county role above the counties, or a level role in a county)', () => {
    const now = new Date('2031-03-01T00:00:00Z');
    const made = (county: string, role: 'admin' | 'operator') => tokenRecordFromGrant({ role, name: '手工令牌' }, { id: 'tok_x', county, createdBy: 'test', now });
    expect(() => callerFromToken(made(DEPLOYMENT_SCOPE, 'admin'), now)).toThrow(/unknown, revoked or expired/);
    expect(() => callerFromToken(made('testcounty', 'operator'), now)).toThrow(/unknown, revoked or expired/);
    expect(callerFromToken(made(DEPLOYMENT_SCOPE, 'operator'), now).role).toBe('operator');
  });

  it('see the home county’s WeChat account only from the home county', async () => {
    const account = async () => undefined;
    const deps = { ...db.deps, wechat: account };
    const caller = (county: string, role: 'admin' | 'city') => ({ tokenId: 'tok_x', county, role, name: 'x' });
    expect((await depsForCaller(deps, caller('testcounty', 'admin'))).wechat).toBe(account);
    expect((await depsForCaller(deps, caller('lushan', 'admin'))).wechat).toBeUndefined();
    const above = await depsForCaller(deps, caller(DEPLOYMENT_SCOPE, 'city'));
    expect([above.wechat, above.config.county]).toEqual([undefined, DEPLOYMENT_SCOPE]);
  });

  it('are issued by the operator alone; a county admin issues only a county’s roles', async () => {
    const countyAdmin = (await aToken(db.store, 'testcounty', aGrant({ role: 'admin' }))).headers;
    for (const grant of [{ role: 'operator', name: '另一个平台' }, { role: 'city', name: '雅安市', city: 'yaan' }, { role: 'province', name: '四川省', province: 'sichuan' }]) {
      expect((await send('POST', '/tokens', countyAdmin, grant)).status, grant.role).toBe(403);
    }
    expect((await send('POST', '/tokens', operator, { role: 'admin', name: '县管理员' })).status).toBe(403);
    const city = await send('POST', '/tokens', operator, { role: 'city', name: '雅安市依法治市办', city: 'yaan' });
    expect(city.status, city.text).toBe(201);
    expect(city.body.token).toMatchObject({ county: DEPLOYMENT_SCOPE, role: 'city', city: 'yaan' });
    expect((await send('GET', '/tokens', operator)).body.items.map((token: { role: string }) => token.role)).toEqual(expect.arrayContaining(['operator', 'city']));
    expect((await send('GET', '/tokens', countyAdmin)).body.items.every((token: { county: string }) => token.county === 'testcounty')).toBe(true);
  });

  it('read only their own counties, and no county’s data', async () => {
    const city = bearer((await send('POST', '/tokens', operator, { role: 'city', name: '雅安市', city: 'yaan' })).body.secret);
    const province = bearer((await send('POST', '/tokens', operator, { role: 'province', name: '四川省', province: 'sichuan' })).body.secret);
    await send('POST', '/counties', operator, { id: 'mingshan', name: '名山区', city: 'yaan', province: 'sichuan' });
    await send('POST', '/counties', operator, { id: 'jiangyou', name: '江油市', city: 'mianyang', province: 'sichuan' });
    const ids = async (headers: Record<string, string>) => (await send('GET', '/counties', headers)).body.items.map((county: { id: string }) => county.id).sort();
    expect(await ids(city)).toEqual(['lushan', 'mingshan']);
    expect(await ids(province)).toEqual(['jiangyou', 'lushan', 'mingshan']);
    expect((await send('GET', '/counties/jiangyou', city)).status).toBe(404);
    expect((await send('GET', '/counties/jiangyou', province)).status).toBe(200);
    for (const headers of [city, province, operator]) {
      for (const [method, path] of [['GET', '/campaigns?year=2031'], ['GET', '/tallies?year=2031'], ['GET', '/subscribers?township=chengxiang'], ['POST', '/activities']] as const) {
        expect((await send(method, path, headers, method === 'POST' ? {} : undefined)).status, `${method} ${path}`).toBe(403);
      }
    }
    expect((await send('POST', '/counties', city, { id: 'newone', name: '新县' })).status).toBe(403);
    expect((await send('PATCH', '/counties/lushan', province, { name: '改' })).status).toBe(403);
  });
});
