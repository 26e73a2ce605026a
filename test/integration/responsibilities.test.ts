/**
 * The responsibility list (普法责任清单) through the API on DynamoDB Local: loaded with the year's
 * plan and read back; refused for a department the registry lacks; and, like the year's themes,
 * not for a township-limited token to change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { aGrant, aToken } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { sendTo, type Send } from '../support/http.js';
import { aPlan, sampleRegistry } from '../support/planning.js';

const county = 'dutycounty';
let db: TestDatabase;
let send: Send;
let admin: Record<string, string>;
let staff: Record<string, string>;
let townshipStaff: Record<string, string>;

const duties = [
  { department: 'sifa', duty: '开展宪法宣传周集中宣传', themes: ['constitution'], targets: { activities: 12, participants: 5000 } },
  { department: 'shichang', duty: '围绕 3·15 开展食品安全法律法规宣传', kinds: ['event', 'consultation'], targets: { activities: 6 }, months: [3], deadline: '2031-03-31' },
];

beforeAll(async () => {
  db = await freshTable({ county });
  send = sendTo(createApp(db.deps));
  admin = (await aToken(db.store, county, aGrant({ role: 'admin' }))).headers;
  staff = (await aToken(db.store, county, aGrant({ role: 'staff' }))).headers;
  townshipStaff = (await aToken(db.store, county, { role: 'staff', name: '城厢镇宣传员', township: 'chengxiang' })).headers;
  expect((await send('PUT', '/registry', admin, sampleRegistry())).status).toBe(200);
  expect((await send('PUT', '/sms-templates', admin, { items: aPlan().smsTemplates })).status).toBe(200);
});
afterAll(async () => db.drop());

describe('the responsibility list through the API', () => {
  it('is loaded with the plan and read back with the year', async () => {
    const loaded = await send('POST', '/plans', staff, { ...aPlan(), responsibilities: duties });
    expect(loaded.status, JSON.stringify(loaded.body)).toBe(200);
    const year = await send('GET', '/plans/2031', staff);
    expect(year.body.responsibilities).toEqual(duties);
    expect((await send('GET', '/registry', staff)).body.departments).toContainEqual(expect.objectContaining({ id: 'shichang', name: '县市场监督管理局' }));
  });

  it('refuses a department the registry lacks, naming the field, and keeps the list as it was', async () => {
    const refused = await send('POST', '/plans', staff, { ...aPlan(), responsibilities: [{ ...duties[0], department: 'nobody' }] });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toContainEqual(expect.objectContaining({ field: 'body.responsibilities.0.department' }));
    expect((await send('GET', '/plans/2031', staff)).body.responsibilities).toEqual(duties);
  });

  it('is the county’s: a township-limited token may not change it', async () => {
    const refused = await send('POST', '/plans', townshipStaff, { ...aPlan(), responsibilities: [duties[0]] });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toContain('responsibility list');
    expect((await send('GET', '/plans/2031', staff)).body.responsibilities).toEqual(duties);
  });

  it('shows each duty’s progress on a date, from the activities that name its department', async () => {
    db.setNow(new Date('2031-03-20T04:00:00Z'));
    const activity = (id: string, date: string, extra: Record<string, unknown> = {}) =>
      send('POST', '/activities', staff, { id, date, township: 'chengxiang', theme: 'consumer-rights', kind: 'event', participants: 200, materials: [], departments: ['shichang'], ...extra });
    expect((await activity('a1', '2031-03-05')).status).toBe(201);
    expect((await activity('a2', '2031-03-12', { kind: 'consultation' })).status).toBe(201);
    expect((await activity('a3', '2031-03-13', { kind: 'banner' })).status).toBe(201); // not a kind of the duty
    expect((await activity('a4', '2031-03-14', { departments: ['sifa'] })).status).toBe(201);

    const onTheFifteenth = await send('GET', '/tallies/duties?year=2031&date=2031-03-15', staff);
    expect(onTheFifteenth.status, JSON.stringify(onTheFifteenth.body)).toBe(200);
    const market = onTheFifteenth.body.duties.find((duty: { department: string }) => duty.department === 'shichang');
    expect(market).toMatchObject({ departmentName: '县市场监督管理局', from: '2031-03-01', to: '2031-03-31', state: 'on-track', stateLabel: '进度正常' });
    expect(market.measures).toEqual([{ measure: 'activities', target: 6, done: 2, percent: 33, expected: Math.floor((6 * 15) / 31) }]);
    // The day after its deadline, unmet: overdue.
    const late = await send('GET', '/tallies/duties?year=2031&date=2031-04-01', staff);
    expect(late.body.duties.find((duty: { department: string }) => duty.department === 'shichang')).toMatchObject({ state: 'overdue', stateLabel: '逾期未完成' });
    // Without a date: today in the county.
    expect((await send('GET', '/tallies/duties?year=2031', staff)).body.date).toBe('2031-03-20');
    expect((await send('GET', '/tallies/duties?year=2030', staff)).status).toBe(404);
    expect((await send('GET', '/tallies/duties?year=2031&date=2031-3-1', staff)).body.errors).toContainEqual(expect.objectContaining({ field: 'query.date' }));
  });
});

