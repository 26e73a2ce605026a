/**
 * The plan's targets through the API on DynamoDB Local: loaded with the year's plan (and, like
 * the themes, not for a township-limited token to change), judged on a date at GET
 * /tallies/targets, and written as the export's sheets 目标完成情况 and 责任清单进度.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { aGrant, aToken } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { sendTo, type Send } from '../support/http.js';
import { aPlan, sampleRegistry } from '../support/planning.js';

const county = 'targetcounty';
let db: TestDatabase;
let app: ReturnType<typeof createApp>;
let send: Send;
let staff: Record<string, string>;

const targets = {
  county: { activities: 4, participants: 400, months: { 3: { activities: 2 } } },
  townships: { chengxiang: { activities: 2 }, shiyang: { activities: 2 } },
  departments: { shichang: { activities: 2 } },
};
const responsibilities = [{ department: 'shichang', duty: '围绕 3·15 开展食品安全法律法规宣传', targets: { activities: 3 }, months: [3] }];

type Target = { id: string; name: string; state: string; stateLabel: string; measures: { measure: string; text: string; percent: number; expected: number }[]; months: { month: number; state: string }[] };

beforeAll(async () => {
  db = await freshTable({ county });
  app = createApp(db.deps);
  send = sendTo(app);
  const admin = (await aToken(db.store, county, aGrant({ role: 'admin' }))).headers;
  staff = (await aToken(db.store, county, aGrant({ role: 'staff' }))).headers;
  expect((await send('PUT', '/registry', admin, sampleRegistry())).status).toBe(200);
  expect((await send('PUT', '/sms-templates', admin, { items: aPlan().smsTemplates })).status).toBe(200);
  const loaded = await send('POST', '/plans', staff, { ...aPlan(), targets, responsibilities });
  expect(loaded.status, JSON.stringify(loaded.body)).toBe(200);
  db.setNow(new Date('2031-07-02T04:00:00Z'));
  const activity = (id: string, date: string, township: string, departments: string[]) =>
    send('POST', '/activities', staff, { id, date, township, theme: 'consumer-rights', kind: 'event', participants: 100, materials: [], departments });
  expect((await activity('a1', '2031-03-05', 'chengxiang', ['shichang'])).status).toBe(201);
  expect((await activity('a2', '2031-03-15', 'chengxiang', ['shichang'])).status).toBe(201);
  expect((await activity('a3', '2031-05-10', 'shiyang', [])).status).toBe(201);
});
afterAll(async () => db.drop());

describe('targets through the API', () => {
  it('are kept with the year plan, refused for an unknown township naming the field, and the county’s to change', async () => {
    expect((await send('GET', '/plans/2031', staff)).body.targets).toEqual(targets);
    const unknown = await send('POST', '/plans', staff, { ...aPlan(), targets: { townships: { atlantis: { activities: 1 } } } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toContainEqual(expect.objectContaining({ field: 'body.targets.townships.atlantis' }));
    // Only the targets differ from the stored plan: still a change of the year plan.
    const townshipStaff = (await aToken(db.store, county, { role: 'staff', name: '城厢镇宣传员', township: 'chengxiang' })).headers;
    const refused = await send('POST', '/plans', townshipStaff, { ...aPlan(), responsibilities, targets: { ...targets, county: { activities: 5 } } });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toContain('targets');
    expect((await send('GET', '/plans/2031', staff)).body.targets).toEqual(targets);
  });

  it('judges each target on a date, with names, for the year and its months', async () => {
    const onTheSecond = await send('GET', '/tallies/targets?year=2031&date=2031-07-02', staff);
    expect(onTheSecond.status, JSON.stringify(onTheSecond.body)).toBe(200);
    const county_: Target = onTheSecond.body.county;
    // 3 of 4 activities and 300 of 400 people by day 183 of 365 (half expected): on track; March's 2 done.
    expect(county_).toMatchObject({ id: county, name: '全县', state: 'on-track', stateLabel: '进度正常' });
    expect(county_.measures.map((measure) => measure.text)).toEqual(['3/4 场次 75% 进度正常', '300/400 人次 75% 进度正常']);
    expect(county_.months).toEqual([expect.objectContaining({ month: 3, state: 'done', stateLabel: '已完成' })]);
    expect(onTheSecond.body.townships.map((target: Target) => [target.name, target.measures[0]?.text])).toEqual([
      ['城厢镇', '2/2 场次 100% 已完成'],
      ['始阳镇', '1/2 场次 50% 进度正常'],
    ]);
    expect(onTheSecond.body.departments).toEqual([expect.objectContaining({ id: 'shichang', name: '县市场监督管理局', state: 'done' })]);

    const onTheLastDay = await send('GET', '/tallies/targets?year=2031&date=2031-12-31', staff);
    expect(onTheLastDay.body.townships[1]).toMatchObject({ name: '始阳镇', state: 'behind', stateLabel: '进度滞后' });
    const afterTheYear = await send('GET', '/tallies/targets?year=2031&date=2032-01-01', staff);
    expect(afterTheYear.body.county).toMatchObject({ state: 'overdue', stateLabel: '逾期未完成' });
    expect((await send('GET', '/tallies/targets?year=2031', staff)).body.date).toBe('2031-07-02');
    expect((await send('GET', '/tallies/targets?year=2030', staff)).status).toBe(404);
    expect((await send('GET', '/tallies/targets?year=2031&date=2031-7-2', staff)).body.errors).toContainEqual(expect.objectContaining({ field: 'query.date' }));
  });

  it('adds the sheets 目标完成情况 and 责任清单进度 to the Excel export, and offers each as CSV', async () => {
    const response = await app.request('/tallies/export.xlsx?year=2031&date=2031-07-02', { headers: staff });
    expect(response.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await response.arrayBuffer());
    const rows = (name: string) => {
      const sheet = workbook.getWorksheet(name);
      expect(sheet, name).toBeDefined();
      const values: unknown[][] = [];
      sheet?.eachRow((row) => values.push((row.values as unknown[]).slice(1)));
      return values;
    };
    const targetRows = rows('目标完成情况');
    expect(targetRows[0]).toEqual(['2031年目标完成情况（截至 2031-07-02）']);
    expect(targetRows[1]).toEqual(['范围', '名称', '时段', '指标', '目标', '已完成', '完成率（%）', '按进度应完成', '状态']);
    expect(targetRows.slice(2)).toEqual([
      ['全县', '全县', '全年', '活动（场次）', 4, 3, 75, 2, '进度正常'],
      ['全县', '全县', '全年', '受众（人次）', 400, 300, 75, 200, '进度正常'],
      ['全县', '全县', '3月', '活动（场次）', 2, 2, 100, 2, '已完成'],
      ['乡镇', '城厢镇', '全年', '活动（场次）', 2, 2, 100, 1, '已完成'],
      ['乡镇', '始阳镇', '全年', '活动（场次）', 2, 1, 50, 1, '进度正常'],
      ['部门', '县市场监督管理局', '全年', '活动（场次）', 2, 2, 100, 1, '已完成'],
    ]);
    expect(rows('责任清单进度').slice(2)).toEqual([['县市场监督管理局', '围绕 3·15 开展食品安全法律法规宣传', '2031-03-01 至 2031-03-31', '活动（场次）', 3, 2, 66, 3, '逾期未完成']]);

    const csv = await app.request('/tallies/export.csv?year=2031&breakdown=targets&date=2031-07-02', { headers: staff });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('Content-Disposition')).toContain('pufa-2031-targets.csv');
    const lines = (await csv.text()).replace(/^\ufeff/, '').split('\r\n');
    expect(lines[0]).toBe('范围,名称,时段,指标,目标,已完成,完成率（%）,按进度应完成,状态');
    expect(lines[1]).toBe('全县,全县,全年,活动（场次）,4,3,75,2,进度正常');
    const duties = await app.request('/tallies/export.csv?year=2031&breakdown=duties&date=2031-03-20', { headers: staff });
    expect((await duties.text()).split('\r\n')[1]).toBe('县市场监督管理局,围绕 3·15 开展食品安全法律法规宣传,2031-03-01 至 2031-03-31,活动（场次）,3,2,66,1,进度正常');
  });
});
