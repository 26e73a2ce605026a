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
});
