/**
 * Two counties in one system (issue 17): one table, one app, one dispatcher. The operator creates
 * both counties and issues their tokens through the API. Each county has its own registry, plan,
 * tokens, subscribers, activities and tallies — the same ids in both — and nothing of one is
 * visible or changeable with the other's tokens. One dispatcher run sends both counties' SMS, each
 * counted in its own county.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { DEPLOYMENT_SCOPE } from '../../functions/domain/access.js';
import { aGrant, aToken } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { aBench, testPhone, type Bench } from '../support/dispatch.js';
import { sendTo, type Send } from '../support/http.js';
import { aPlan, sampleRegistry } from '../support/planning.js';

const counties = ['yucheng', 'mingshan'] as const;
type County = (typeof counties)[number];
type Role = 'admin' | 'staff' | 'reviewer' | 'county';

let db: TestDatabase;
let bench: Bench;
let send: Send;
let operator: Record<string, string>;
const tokens = {} as Record<County, Record<Role, Record<string, string>>>;

beforeAll(async () => {
  db = await freshTable({ county: 'yucheng' });
  bench = await aBench(db);
  db.setNow(bench.clock.read());
  send = sendTo(createApp(db.deps));
  operator = (await aToken(db.store, DEPLOYMENT_SCOPE, aGrant({ role: 'operator' }))).headers;
  const names: Record<County, string> = { yucheng: '雨城区', mingshan: '名山区' };
  for (const county of counties) {
    const created = await send('POST', '/counties', operator, { id: county, name: names[county], city: 'yaan', province: 'sichuan' });
    expect(created.status, created.text).toBe(201);
    tokens[county] = {} as Record<Role, Record<string, string>>;
    for (const role of ['admin', 'staff', 'reviewer', 'county'] as const) {
      const issued = await send('POST', `/counties/${county}/tokens`, operator, aGrant({ role }));
      expect(issued.status, issued.text).toBe(201);
      tokens[county][role] = { Authorization: `Bearer ${issued.body.secret as string}` };
    }
    expect((await send('PUT', '/registry', tokens[county].admin, sampleRegistry())).status).toBe(200);
    // The same plan file, the same ids, in each county.
    const loaded = await send('POST', '/plans', tokens[county].admin, aPlan());
    expect(loaded.status, JSON.stringify(loaded.body)).toBe(200);
  }
});
afterAll(async () => {
  await bench.sink.stop();
  await db.drop();
});

describe('two counties in one system', () => {
  it('keep their own records under the same ids; a change in one leaves the other as it was', async () => {
    const patched = await send('PATCH', '/campaigns/c-0315', tokens.yucheng.staff, { title: '雨城区 3·15' });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect((await send('GET', '/campaigns/c-0315', tokens.yucheng.staff)).body.campaign.title).toBe('雨城区 3·15');
    expect((await send('GET', '/campaigns/c-0315', tokens.mingshan.staff)).body.campaign.title).toBe('3·15 集中宣传');

    const activity = { date: '2031-02-27', township: 'chengxiang', theme: 'consumer-rights', kind: 'event', participants: 40, materials: [] };
    expect((await send('POST', '/activities', tokens.yucheng.staff, { ...activity, id: 'only-yucheng' })).status).toBe(201);
    expect((await send('GET', '/activities/only-yucheng', tokens.mingshan.staff)).status).toBe(404);
    expect((await send('PUT', '/activities/only-yucheng', tokens.mingshan.staff, { ...activity, id: 'only-yucheng' })).status).toBe(404);
    expect((await send('DELETE', '/activities/only-yucheng', tokens.mingshan.staff)).status).toBe(404);
    expect((await send('GET', '/activities?year=2031', tokens.mingshan.staff)).body.items).toEqual([]);

    const yucheng = await send('GET', '/tallies?year=2031', tokens.yucheng.county);
    const mingshan = await send('GET', '/tallies?year=2031', tokens.mingshan.county);
    expect(yucheng.body.current.totals).toMatchObject({ activities: 1, participants: 40 });
    expect(mingshan.body.current.totals).toMatchObject({ activities: 0, participants: 0 });
  });

  it('keep their own subscribers and tokens', async () => {
    const added = await send('POST', '/subscribers', tokens.yucheng.admin, { phone: testPhone(9001), township: 'chengxiang', village: 'chengxiang-xiangyang', groups: [] });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body.result).toBe('created');
    expect((await send('GET', '/subscribers?township=chengxiang', tokens.yucheng.admin)).body.items).toHaveLength(1);
    expect((await send('GET', '/subscribers?township=chengxiang', tokens.mingshan.admin)).body.items).toHaveLength(0);
    const listed = await send('GET', '/tokens', tokens.mingshan.admin);
    expect(listed.body.items.every((token: { county: string }) => token.county === 'mingshan')).toBe(true);
    const theirs = (await send('GET', '/tokens', tokens.yucheng.admin)).body.items[0].id as string;
    expect((await send('DELETE', `/tokens/${theirs}`, tokens.mingshan.admin)).status).toBe(404);
  });

  it('are served by one dispatcher run, each county’s SMS counted in its own tallies', async () => {
    const notice = { id: 'both', channel: 'sms', audience: { villages: ['chengxiang-xiangyang'] }, schedule: { kind: 'fixed', at: '2031-03-10T10:00' }, sms: { body: '3·15 消费维权咨询在广场举行。' } };
    for (const county of counties) {
      expect((await send('POST', '/subscribers', tokens[county].admin, { phone: testPhone(county === 'yucheng' ? 9002 : 9003), township: 'chengxiang', village: 'chengxiang-xiangyang', groups: [] })).status).toBeLessThan(300);
      expect((await send('POST', '/campaigns/c-0315/notices', tokens[county].staff, notice)).status).toBe(201);
      expect((await send('POST', '/campaigns/c-0315/notices/both/submit', tokens[county].staff)).status).toBe(200);
      expect((await send('POST', '/campaigns/c-0315/notices/both/approve', tokens[county].reviewer, {})).status).toBe(200);
      expect((await send('POST', '/campaigns/c-0315/notices/both/schedule', tokens[county].staff)).status).toBe(200);
    }
    bench.clock.set('2031-03-10T02:00:30Z');
    db.setNow(bench.clock.read());
    await bench.dispatch();
    // Yucheng has two subscribers in the village, Mingshan one.
    for (const [county, expected] of [['yucheng', 2], ['mingshan', 1]] as const) {
      const deliveries = await send('GET', '/campaigns/c-0315/notices/both/deliveries?state=sent', tokens[county].staff);
      expect(deliveries.body.counts.sent, county).toBe(expected);
      expect((await send('GET', '/tallies?year=2031', tokens[county].county)).body.current.totals.smsSent, county).toBe(expected);
    }
    const sentTo = bench.sink.outbox.list().flatMap((message) => (message.kind === 'sms' && message.phoneNumber ? [message.phoneNumber] : []));
    expect(sentTo.sort()).toEqual([testPhone(9001), testPhone(9002), testPhone(9003)].sort());
  });

  it('are read side by side by their city, each with its own figures', async () => {
    const issued = await send('POST', '/tokens', operator, { role: 'city', city: 'yaan', regionName: '雅安市', name: '雅安市依法治市办' });
    expect(issued.status, issued.text).toBe(201);
    const city = { Authorization: `Bearer ${issued.body.secret as string}` };
    const rollup = await send('GET', '/rollup/tallies?year=2031', city);
    expect(rollup.status, rollup.text).toBe(200);
    const rows = rollup.body.counties as { id: string; name: string; figures: { activities: number; smsSent: number } }[];
    expect(rows.map((row) => [row.id, row.name]).sort()).toEqual([['mingshan', '名山区'], ['yucheng', '雨城区']]);
    const byId = Object.fromEntries(rows.map((row) => [row.id, row.figures]));
    expect(byId.yucheng).toMatchObject({ activities: 1, smsSent: 2 });
    expect(byId.mingshan).toMatchObject({ activities: 0, smsSent: 1 });
    expect(rollup.body.totals).toMatchObject({ activities: 1, smsSent: 3 });
    expect((await send('GET', '/rollup/report?year=2031', city)).body.paragraph).toMatch(/^2031年,雅安市2个县\(区\)共开展普法宣传活动1场次/);
    // A county's token reads no roll-up; the city's reads no county's own routes.
    expect((await send('GET', '/rollup/tallies?year=2031', tokens.yucheng.county)).status).toBe(403);
    expect((await send('GET', '/tallies?year=2031', city)).status).toBe(403);
  });
});
