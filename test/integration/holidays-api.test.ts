/**
 * Holidays and make-up workdays through the API on DynamoDB Local: the plan's own holidays are
 * loaded and judged with, `POST /plans?dryRun=true` lists sends kept on a holiday, the preview says
 * what was moved or skipped and why, and bad holiday input is a 400 naming the field, writing nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { aGrant, aToken } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { sendTo, type Send } from '../support/http.js';
import { aPlan, plan2021Text, sampleRegistry } from '../support/planning.js';

let db: TestDatabase;
let send: Send;
const county = 'holidaycounty';
type Headers = Record<string, string>;
let admin: Headers;
let staff: Headers;

/** 2031 has no library data yet: the plan gives 清明 on Monday 7 April. */
const qingming2031 = { holidays: [{ date: '2031-04-07', name: '清明节' }], workdays: [{ date: '2031-04-12', name: '清明节' }] };

beforeAll(async () => {
  db = await freshTable({ county });
  send = sendTo(createApp(db.deps));
  admin = (await aToken(db.store, county, aGrant({ role: 'admin' }))).headers;
  staff = (await aToken(db.store, county, aGrant({ role: 'staff', name: '宣传员小王' }))).headers;
  expect((await send('PUT', '/registry', admin, sampleRegistry())).status).toBe(200);
  expect((await send('PUT', '/sms-templates', admin, { items: aPlan().smsTemplates })).status).toBe(200);
  expect((await send('POST', '/plans', staff, aPlan(qingming2031))).status).toBe(200);
  const campaign = await send('POST', '/campaigns', staff, {
    id: 'qingming',
    title: '清明文明祭扫宣传',
    theme: 'consumer-rights',
    window: { start: '2031-03-31', end: '2031-04-20' },
  });
  expect(campaign.status).toBe(201);
});
afterAll(async () => db.drop());

const mondayBroadcast = (onHoliday?: string) => ({
  channel: 'broadcast',
  audience: { townships: ['chengxiang'] },
  schedule: { kind: 'rrule', rule: 'FREQ=WEEKLY;BYDAY=MO', at: '07:30' },
  broadcast: { script: '清明时节，文明祭扫，防范山火。', airWindows: [{ from: '07:00', to: '08:00' }] },
  ...(onHoliday ? { onHoliday } : {}),
});

describe('the preview with the plan’s holidays', () => {
  it('moves a Monday broadcast off 清明 and says why', async () => {
    const preview = await send('POST', '/campaigns/qingming/notices/preview', staff, mondayBroadcast('next-workday'));
    expect(preview.status).toBe(200);
    expect(preview.body.sends.map((item: { local: string }) => item.local)).toEqual(['2031-03-31T07:30', '2031-04-08T07:30', '2031-04-14T07:30']);
    expect(preview.body.holidayNotes).toEqual(['原定 2031-04-07 07:30，移至 2031-04-08，因 清明节']);
  });

  it('skips it under skip, and warns under keep', async () => {
    const skipped = await send('POST', '/campaigns/qingming/notices/preview', staff, mondayBroadcast('skip'));
    expect(skipped.body.skipped).toEqual([{ local: '2031-04-07T07:30', kind: 'holiday', name: '清明节', reason: '跳过 2031-04-07，因 清明节' }]);
    const kept = await send('POST', '/campaigns/qingming/notices/preview', staff, mondayBroadcast());
    expect(kept.body.warnings).toContain('2031-04-07 是 清明节：这次发送照常进行（onHoliday: keep）');
  });

  it('stores the notice’s policy, and refuses an unknown one naming the field, writing nothing', async () => {
    const created = await send('POST', '/campaigns/qingming/notices', staff, mondayBroadcast('previous-workday'));
    expect(created.status).toBe(201);
    expect(created.body.notice.onHoliday).toBe('previous-workday');
    expect(created.body.evaluation.sends.map((item: { local: string }) => item.local)).toContain('2031-04-04T07:30');

    const stored = async () => (await db.store.notices.listByCampaign(county, 'qingming')).length;
    const before = await stored();
    const refused = await send('POST', '/campaigns/qingming/notices', staff, mondayBroadcast('sometimes'));
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((error: { field: string }) => error.field)).toContain('body.onHoliday');
    expect(await stored()).toBe(before);
  });
});

describe('POST /plans and holidays', () => {
  it('dry-run lists every send kept on a holiday or make-up workday, with the date and the holiday', async () => {
    const text = plan2021Text().replace('county: tianquan', `county: ${county}`);
    const response = await send('POST', '/plans?dryRun=true', admin, text, 'application/yaml');
    expect(response.status).toBe(200);
    expect(response.body.writes).toBe(0);
    const warnings = response.body.holidays.warnings.map((entry: { date: string; holiday: string }) => `${entry.date} ${entry.holiday}`);
    expect(warnings).toEqual(expect.arrayContaining(['2021-04-05 清明节', '2021-10-04 国庆节']));
    expect(response.body.holidays.unknownYears).toEqual([]);
    expect((await send('GET', '/plans/2021', staff)).status).toBe(404);
  });

  it('warns about a year with neither library nor plan data', async () => {
    const response = await send('POST', '/plans?dryRun=true', staff, aPlan({ year: 2032, campaigns: [] }));
    expect(response.status).toBe(200);
    expect(response.body.holidays.unknownYears.map((entry: { year: number }) => entry.year)).toEqual([2032]);
  });

  it('refuses a malformed holiday naming the field, and writes nothing', async () => {
    const response = await send('POST', '/plans', staff, { ...aPlan({ year: 2033 }), holidays: [{ date: '2033-02-30', name: '春节' }] });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toContain('body.holidays.0.date');
    expect((await send('GET', '/plans/2033', staff)).status).toBe(404);
  });
});

describe('GET /plans/{year}/calendar and holidays', () => {
  it('marks the library’s holidays and make-up workdays in each month', async () => {
    const response = await send('GET', '/plans/2021/calendar', staff);
    expect(response.status).toBe(200);
    expect(response.body.holidayData).toBe(true);
    const october = response.body.months[9].holidays.map((day: { date: string; kind: string; name: string }) => `${day.date} ${day.kind} ${day.name}`);
    expect(october).toContain('2021-10-01 holiday 国庆节');
    expect(october).toContain('2021-10-09 workday 国庆节');
    expect(response.body.months[3].holidays.map((day: { date: string }) => day.date)).toEqual(['2021-04-03', '2021-04-04', '2021-04-05', '2021-04-25']);
  });

  it('marks the plan’s own days for a year the library lacks, and says when a year has no data', async () => {
    const planned = await send('GET', '/plans/2031/calendar', staff);
    expect(planned.body.holidayData).toBe(true);
    expect(planned.body.months[3].holidays).toEqual([
      { date: '2031-04-07', kind: 'holiday', name: '清明节' },
      { date: '2031-04-12', kind: 'workday', name: '清明节' },
    ]);
    const unknown = await send('GET', '/plans/2040/calendar', staff);
    expect(unknown.body.holidayData).toBe(false);
    expect(unknown.body.months.every((month: { holidays: unknown[] }) => month.holidays.length === 0)).toBe(true);
  });
});
