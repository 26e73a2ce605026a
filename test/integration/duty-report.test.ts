/**
 * The year-end duty report (履职情况) through the app on DynamoDB Local: a registry, a plan with a
 * responsibility list and activities recorded through the API; the report as JSON, as a workbook
 * (read back with exceljs) and as the printable page; 400 naming the field for a bad year, date or
 * department; and only for the county office and admin.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { aGrant, aToken } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { sendTo, type Send } from '../support/http.js';
import { aPlan, sampleRegistry } from '../support/planning.js';
import { aSession } from '../support/sessions.js';

const county = 'reportcounty';
let db: TestDatabase;
let app: ReturnType<typeof createApp>;
let send: Send;
const headers: Record<'admin' | 'staff' | 'county' | 'station', Record<string, string>> = { admin: {}, staff: {}, county: {}, station: {} };
let countyCookie: string;
let stationCookie: string;

const POLICE = '县公安局全年牵头开展普法宣传活动2场次,参与群众1200人次,发放宣传资料1500份;承担的1项普法责任尚无一项完成,1项逾期未完成(“开展禁毒宣传”:活动2/3场次、资料1500/2000份)。';
const MARKET = '县市场监督管理局全年牵头开展普法宣传活动1场次,参与群众600人次,发放宣传资料800份;承担的1项普法责任已全部完成。';
const COUNTY =
  '全年,全县2个普法责任单位承担普法责任2项,已完成1项,逾期未完成1项;逾期未完成的责任涉及县公安局;各责任单位牵头开展普法宣传活动4场次,参与群众2100人次,发放宣传资料2500份;未列入责任清单的县卫生健康局也开展普法宣传活动1场次。';

beforeAll(async () => {
  db = await freshTable({ county });
  app = createApp(db.deps);
  send = sendTo(app);
  for (const role of ['admin', 'staff', 'county'] as const) headers[role] = (await aToken(db.store, county, aGrant({ role }))).headers;
  const station = await aToken(db.store, county, aGrant({ role: 'station', stationId: 'st-xiangyang' }));
  headers.station = station.headers;

  expect((await send('PUT', '/registry', headers.admin, sampleRegistry())).status).toBe(200);
  expect((await send('PUT', '/sms-templates', headers.admin, { items: aPlan().smsTemplates })).status).toBe(200);
  const responsibilities = [
    { department: 'gongan', duty: '开展禁毒宣传', targets: { activities: 3, materials: 2000 }, months: [6] },
    { department: 'shichang', duty: '3·15 宣传', targets: { activities: 1, participants: 500 }, months: [3] },
  ];
  const targets = { county: { activities: 5 }, townships: { chengxiang: { participants: 1000 } }, departments: { gongan: { activities: 4, materials: 1000 } } };
  const loaded = await send('POST', '/plans', headers.staff, { ...aPlan(), responsibilities, targets });
  expect(loaded.status, JSON.stringify(loaded.body)).toBe(200);

  db.setNow(new Date('2031-12-20T04:00:00Z'));
  const activity = (id: string, date: string, township: string, departments: string[], extra: Record<string, unknown>) =>
    send('POST', '/activities', headers.staff, { id, date, township, theme: 'consumer-rights', kind: 'event', participants: 0, materials: [], departments, ...extra });
  for (const created of [
    await activity('b1', '2031-03-15', 'chengxiang', ['shichang'], { participants: 600, materials: [{ kind: '宣传单', count: 800 }] }),
    await activity('b2', '2031-06-10', 'shiyang', ['gongan'], { participants: 1200, materials: [{ kind: '宣传单', count: 1500 }], title: '禁毒宣传进村' }),
    await activity('b3', '2031-06-26', 'chengxiang', ['gongan'], { kind: 'banner', title: '=1+1' }),
    await activity('b4', '2031-05-04', 'chengxiang', ['weijian'], { participants: 300, materials: [{ kind: '宣传单', count: 200 }] }),
  ]) {
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }
  // The year is over: the report is judged on its last day.
  const now = new Date('2032-01-10T04:00:00Z');
  db.setNow(now);
  const countyToken = await aToken(db.store, county, aGrant({ role: 'county' }));
  countyCookie = (await aSession(db.store, countyToken.secret, now)).cookie;
  stationCookie = (await aSession(db.store, station.secret, now)).cookie;
});
afterAll(async () => db.drop());

async function workbookOf(response: Response) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(await response.arrayBuffer());
  return workbook;
}
function rowStarting(workbook: ExcelJS.Workbook, sheet: string, first: string): unknown[] | undefined {
  let found: unknown[] | undefined;
  workbook.getWorksheet(sheet)?.eachRow((row) => {
    const values = (row.values as unknown[]).slice(1);
    if (values[0] === first) found ??= values;
  });
  return found;
}
const pageOf = (path: string, cookie: string) => app.request(path, { headers: { Cookie: cookie } });

describe('the year-end duty report', () => {
  it('answers the figures and paragraphs of every department and the county, judged on the year’s last day', async () => {
    const report = await send('GET', '/reports/duties?year=2031', headers.county);
    expect(report.status, JSON.stringify(report.body)).toBe(200);
    expect(report.body).toMatchObject({ year: 2031, on: '2031-12-31', period: '全年' });
    const byId = new Map(report.body.departments.map((department: { id: string }) => [department.id, department]));
    expect(byId.get('gongan')).toMatchObject({ name: '县公安局', paragraph: POLICE, figures: { activities: 2, participants: 1200, materials: 1500 } });
    expect(byId.get('shichang')).toMatchObject({ paragraph: MARKET });
    expect(report.body.county.paragraph).toBe(COUNTY);
    // The plan's targets: the county's and its townships' in the summary, a department's in its part.
    expect(report.body.county.targets).toEqual([
      { label: '全县', measure: 'activities', target: 5, done: 4, percent: 80 },
      { label: '城厢镇', measure: 'participants', target: 1000, done: 900, percent: 90 },
    ]);
    expect(byId.get('gongan')).toMatchObject({
      targets: [
        { label: '县公安局', measure: 'activities', target: 4, done: 2, percent: 50 },
        { label: '县公安局', measure: 'materials', target: 1000, done: 1500, percent: 150 },
      ],
    });
    expect(byId.get('shichang')).toMatchObject({ targets: [] });
    // Part-way through the year, on a date asked for.
    const june = await send('GET', '/reports/duties?year=2031&date=2031-06-15&department=gongan', headers.admin);
    expect(june.body.county).toBeUndefined();
    expect(june.body.departments[0].paragraph).toBe('县公安局截至6月15日牵头开展普法宣传活动1场次,参与群众1200人次,发放宣传资料1500份;承担的1项普法责任尚无一项完成,1项进度正常。');
  });

  it('gives the workbook: the 总表 with a row per department, and each department’s sheet', async () => {
    const response = await app.request('/reports/duties.xlsx?year=2031', { headers: headers.county });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toContain('pufa-2031-duty-report.xlsx');
    const workbook = await workbookOf(response);
    // The registry's order (the store keeps departments by id).
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['总表', '县公安局', '县教育局', '县市场监督管理局', '县司法局', '县卫生健康局', '县自然资源局']);
    expect(rowStarting(workbook, '总表', '县公安局')?.slice(0, 10)).toEqual(['县公安局', 1, 0, 0, 0, 1, 0, 2, 1200, 1500]);
    expect(rowStarting(workbook, '总表', '县卫生健康局')?.slice(7)).toEqual([1, 300, 200, '未列入责任清单']);
    expect(rowStarting(workbook, '总表', '合计')?.slice(0, 10)).toEqual(['合计', 2, 1, 0, 0, 1, 0, 4, 2100, 2500]);
    expect(rowStarting(workbook, '总表', COUNTY)).toBeDefined();
    expect(rowStarting(workbook, '县公安局', POLICE)).toBeDefined();
    expect(rowStarting(workbook, '县公安局', '2031-06-26')).toEqual(['2031-06-26', '城厢镇', '标语', '消费者权益保护', "'=1+1", 0, 0]);

    const one = await app.request('/reports/duties.xlsx?year=2031&department=shichang', { headers: headers.admin });
    expect(one.headers.get('content-disposition')).toContain('pufa-2031-duty-report-shichang.xlsx');
    expect((await workbookOf(one)).worksheets.map((sheet) => sheet.name)).toEqual(['县市场监督管理局']);
  });

  it('prints: an A4 page in Chinese fonts, the county first, each department on its own page, a print button', async () => {
    const response = await pageOf('/app/reports/duties?year=2031&countyName=天全县', countyCookie);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('@page{size:A4;margin:');
    expect(html).toContain('"Noto Serif CJK SC","Source Han Serif SC","SimSun","WenQuanYi Micro Hei",serif');
    // In print: the site's header, the form and the 打印 button go.
    expect(html.slice(html.indexOf('@media print'))).toContain('body>header,.no-print,main>h1{display:none!important}');
    expect(html).toMatch(/<form[^>]*class="no-print"[^>]*>[\s\S]*id="print"[\s\S]*<\/form>/);
    expect(html).toContain('break-before:page');
    expect(html).toContain('天全县');
    expect(html).toContain('2031年度“谁执法谁普法”普法责任制履职情况');
    expect(html).toContain(COUNTY);
    expect(html).toContain(POLICE);
    expect(html).toContain(MARKET);
    // One section per department, every one after the county's starting a new page.
    expect(html.match(/<section class="dept break"/g)).toHaveLength(6);
    expect(html).toContain('id="print"');
    expect(html).toContain('<a href="/app/reports/duties" aria-current="page">履职情况</a>');
    expect(html).toContain('href="/app/reports/duties.xlsx?year=2031"');
    // The workbook the page links to opens with the session.
    const workbook = await pageOf('/app/reports/duties.xlsx?year=2031', countyCookie);
    expect(workbook.status).toBe(200);
    expect((await workbookOf(workbook)).worksheets[0]?.name).toBe('总表');

    const police = await (await pageOf('/app/reports/duties?year=2031&department=gongan', countyCookie)).text();
    expect(police).toContain(POLICE);
    expect(police).not.toContain(COUNTY);
    expect(police).toContain('<section class="dept" id="dept-gongan"');
  });

  it('refuses a bad year, date or department with 400 naming the field, and a year without a plan with 404', async () => {
    const field = async (path: string) => {
      const answer = await send('GET', path, headers.county);
      return [answer.status, answer.body.errors?.[0]?.field];
    };
    expect(await field('/reports/duties?year=abc')).toEqual([400, 'query.year']);
    expect(await field('/reports/duties?year=1999')).toEqual([400, 'query.year']);
    expect(await field('/reports/duties?year=2031&department=nobody')).toEqual([400, 'query.department']);
    expect(await field('/reports/duties.xlsx?year=2031&department=nobody')).toEqual([400, 'query.department']);
    expect(await field('/reports/duties?year=2031&date=2030-05-01')).toEqual([400, 'query.date']);
    expect(await field('/reports/duties?year=2031&date=2031-02-30')).toEqual([400, 'query.date']);
    expect((await send('GET', '/reports/duties?year=2030', headers.county)).status).toBe(404);

    const page = await pageOf('/app/reports/duties?year=2031&department=nobody', countyCookie);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('责任单位有误');
    expect((await pageOf('/app/reports/duties?year=20x1', countyCookie)).status).toBe(400);
    expect((await pageOf('/app/reports/duties?year=2030', countyCookie)).status).toBe(404);
  });

  it('is the county office’s and admin’s: a station or staff token gets 403', async () => {
    for (const path of ['/reports/duties?year=2031', '/reports/duties.xlsx?year=2031']) {
      expect((await send('GET', path, headers.station)).status).toBe(403);
      expect((await send('GET', path, headers.staff)).status).toBe(403);
    }
    expect((await pageOf('/app/reports/duties?year=2031', stationCookie)).status).toBe(403);
    expect((await pageOf('/app/reports/duties.xlsx?year=2031', stationCookie)).status).toBe(403);
  });
});

describe('the dashboard’s downloads', () => {
  it('come with the page’s session (the API’s export routes take a token only), checked as the API checks them', async () => {
    const dashboard = await (await pageOf('/app/dashboard?year=2031', countyCookie)).text();
    expect(dashboard).toContain('href="/app/dashboard/export.xlsx?year=2031"');
    expect(dashboard).toContain('href="/app/reports/duties?year=2031"');
    // Four activities, none with evidence yet.
    expect(dashboard).toMatch(/有佐证材料<strong>0<\/strong>次<span class="muted">（占 0%）<\/span>/);
    const csv = await pageOf('/app/dashboard/export.csv?year=2031&breakdown=department', countyCookie);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(await csv.text()).toContain('县公安局');
    const workbook = await workbookOf(await pageOf('/app/dashboard/export.xlsx?year=2031&date=2031-12-31', countyCookie));
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(expect.arrayContaining(['目标完成情况', '责任清单进度']));
    const bad = await pageOf('/app/dashboard/export.csv?year=2031&breakdown=nothing', countyCookie);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: unknown[] }).errors).toContainEqual(expect.objectContaining({ field: 'query.breakdown' }));
    expect((await pageOf('/app/dashboard/export.csv?year=2031', stationCookie)).status).toBe(403);
  });
});
