/**
 * A city's and a province's roll-up through the API on DynamoDB Local (issue 17): the operator
 * creates four counties — two of the city of Ya'an, one of Chengdu (all of Sichuan) and one of
 * another province — and issues their tokens; each county records its activities; the city's
 * token reads its two counties side by side with their totals and never the others, the
 * province's every Sichuan county; county tokens are refused; the exports download, and the page
 * a city signs in to shows the same figures.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { DEPLOYMENT_SCOPE } from '../../functions/domain/access.js';
import { deliveryDelta } from '../../functions/domain/tally.js';
import { aGrant, aToken } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { sendTo, type Send } from '../support/http.js';
import { aPlan, sampleRegistry } from '../support/planning.js';

const ORIGIN = 'http://localhost';
const counties = [
  { id: 'tianquan', name: '天全县', city: 'yaan', province: 'sichuan', timeZone: 'Asia/Shanghai' },
  { id: 'lushan', name: '芦山县', city: 'yaan', province: 'sichuan', timeZone: 'Asia/Shanghai' },
  { id: 'jinniu', name: '金牛区', city: 'chengdu', province: 'sichuan', timeZone: 'Asia/Shanghai' },
  { id: 'wuhua', name: '五华区', city: 'kunming', province: 'yunnan', timeZone: 'Asia/Shanghai' },
] as const;
type CountyId = (typeof counties)[number]['id'];
/** Activities each county records: [participants, materials handed out] each. */
const recorded: Record<CountyId, [number, number][]> = {
  tianquan: [
    [100, 300],
    [50, 0],
    [40, 60],
  ],
  lushan: [[200, 500]],
  jinniu: [[7, 7]],
  wuhua: [[9, 9]],
};

let db: TestDatabase;
let app: ReturnType<typeof createApp>;
let send: Send;
let operator: Record<string, string>;
let city: Record<string, string>;
let citySecret: string;
let province: Record<string, string>;
const countyTokens = {} as Record<CountyId, { admin: Record<string, string>; staff: Record<string, string>; county: Record<string, string> }>;

type Row = { id: string; name: string; figures: Record<string, number>; share: Record<string, number>; target: { state: string; measures: { done: number; target: number; text: string }[] } | null };

beforeAll(async () => {
  db = await freshTable({ county: 'tianquan' });
  app = createApp(db.deps);
  send = sendTo(app);
  db.setNow(new Date('2031-06-30T04:00:00Z'));
  operator = (await aToken(db.store, DEPLOYMENT_SCOPE, aGrant({ role: 'operator' }))).headers;
  // The four counties are set up side by side (each one's steps in order), as four offices would.
  const setUp = async (county: (typeof counties)[number]) => {
    const created = await send('POST', '/counties', operator, county);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const issue = async (role: 'admin' | 'staff' | 'county') => {
      const issued = await send('POST', `/counties/${county.id}/tokens`, operator, { role, name: `${county.name}${role}` });
      expect(issued.status, JSON.stringify(issued.body)).toBe(201);
      return { Authorization: `Bearer ${issued.body.secret as string}` };
    };
    countyTokens[county.id] = { admin: await issue('admin'), staff: await issue('staff'), county: await issue('county') };
    const own = countyTokens[county.id];
    expect((await send('PUT', '/registry', own.admin, sampleRegistry())).status).toBe(200);
    // Tianquan's plan sets a yearly target for the county; the others set none.
    const plan = county.id === 'tianquan' ? { ...aPlan(), targets: { county: { activities: 6, participants: 100 } } } : aPlan();
    const loaded = await send('POST', '/plans', own.admin, plan);
    expect(loaded.status, JSON.stringify(loaded.body)).toBe(200);
    for (const [index, [participants, materials]] of recorded[county.id].entries()) {
      const activity = {
        id: `a${index}`,
        date: `2031-0${3 + index}-10`,
        township: 'chengxiang',
        theme: 'consumer-rights',
        kind: 'event',
        participants,
        materials: materials > 0 ? [{ kind: '宣传册', count: materials }] : [],
      };
      const added = await send('POST', '/activities', own.staff, activity);
      expect(added.status, JSON.stringify(added.body)).toBe(201);
    }
  };
  await Promise.all(counties.map(setUp));
  const cityToken = await send('POST', '/tokens', operator, { role: 'city', city: 'yaan', regionName: '雅安市', name: '雅安市依法治市办' });
  expect(cityToken.status, JSON.stringify(cityToken.body)).toBe(201);
  citySecret = cityToken.body.secret as string;
  city = { Authorization: `Bearer ${citySecret}` };
  const provinceToken = await send('POST', '/tokens', operator, { role: 'province', province: 'sichuan', name: '四川省依法治省办' });
  expect(provinceToken.status, JSON.stringify(provinceToken.body)).toBe(201);
  province = { Authorization: `Bearer ${provinceToken.body.secret as string}` };
});
afterAll(async () => db.drop());

describe('a city’s roll-up', () => {
  it('puts the city’s two counties side by side with their totals, and no other county', async () => {
    const answer = await send('GET', '/rollup/tallies?year=2031&name=雅安市', city);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const rows = answer.body.counties as Row[];
    expect(rows.map((row) => row.name)).toEqual(['芦山县', '天全县']);
    const byId = Object.fromEntries(rows.map((row) => [row.id, row]));
    expect(byId.tianquan?.figures).toMatchObject({ activities: 3, participants: 190, materials: 360 });
    expect(byId.lushan?.figures).toMatchObject({ activities: 1, participants: 200, materials: 500 });
    expect(answer.body.totals).toMatchObject({ activities: 4, participants: 390, materials: 860 });
    expect(byId.tianquan?.share.activities).toBe(75);
    expect(answer.body.level).toBe('city');
    expect(answer.text).not.toContain('金牛区');
    expect(answer.text).not.toContain('五华区');
  });

  it('shows a county’s yearly target where its plan sets one, judged today in the county', async () => {
    const rows = (await send('GET', '/rollup/tallies?year=2031', city)).body.counties as Row[];
    const tianquan = rows.find((row) => row.id === 'tianquan');
    expect(tianquan?.target?.measures.map((measure) => [measure.done, measure.target])).toEqual([
      [3, 6],
      [190, 100],
    ]);
    expect(tianquan?.target?.state).toBe('on-track');
    expect(rows.find((row) => row.id === 'lushan')?.target).toBeNull();
  });

  it('reads one month', async () => {
    const answer = await send('GET', '/rollup/tallies?year=2031&month=4', city);
    expect(answer.body.period).toBe('2031年4月');
    expect(answer.body.totals).toMatchObject({ activities: 1, participants: 50 });
  });

  it('writes the roll-up paragraph naming the city (as its token was issued) and its counties', async () => {
    const report = await send('GET', '/rollup/report?year=2031', city);
    expect(report.status, JSON.stringify(report.body)).toBe(200);
    expect(report.body.paragraph).toMatch(/^2031年,雅安市2个县\(区\)共开展普法宣传活动4场次,参与群众390人次,发放宣传资料860份;其中芦山县开展普法宣传活动1场次.*;天全县开展普法宣传活动3场次/);
    expect(report.body.paragraph).toContain('设定年度目标的1个县(区)中,进度正常1个');
    expect(report.body.table.rows.map((row: unknown[]) => row[0])).toEqual(['芦山县', '天全县', '合计']);
  });

  it('refuses a query it cannot read, naming the field', async () => {
    const everywhere = [
      ['year=31', 'query.year'],
      ['year=2031&date=2031-6-1', 'query.date'],
      [`year=2031&name=${encodeURIComponent('名'.repeat(21))}`, 'query.name'],
      [`year=2031&name=${encodeURIComponent('   ')}`, 'query.name'],
    ] as const;
    for (const path of ['/rollup/tallies', '/rollup/tallies.csv', '/rollup/tallies.xlsx', '/rollup/report']) {
      const cases = path === '/rollup/report' ? everywhere : [...everywhere, ['year=2031&month=13', 'query.month'] as const];
      for (const [query, field] of cases) {
        const answer = await send('GET', `${path}?${query}`, city);
        expect(answer.status, `${path}?${query}`).toBe(400);
        expect(answer.body.errors, `${path}?${query}`).toContainEqual(expect.objectContaining({ field }));
      }
    }
  });

  it('downloads as CSV and Excel', async () => {
    const csv = await app.request('/rollup/tallies.csv?year=2031', { headers: city });
    expect(csv.status).toBe(200);
    const bytes = new Uint8Array(await csv.arrayBuffer());
    // UTF-8 with its byte-order mark, so Excel shows the Chinese.
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    expect(text.startsWith('县(区),活动次数')).toBe(true);
    expect(text).toContain('天全县,3,190,360');
    expect(text).toContain('合计,4,390,860');
    expect(text).not.toContain('金牛区');
    // A county's name is the operator's free text: one that starts like a formula is written as text.
    expect((await send('PATCH', '/counties/lushan', operator, { name: '=HYPERLINK("http://x","芦山")' })).status).toBe(200);
    const injected = await (await app.request('/rollup/tallies.csv?year=2031', { headers: city })).text();
    expect(injected).toContain(`"'=HYPERLINK(""http://x"",""芦山"")",1,200,500`);
    expect((await send('PATCH', '/counties/lushan', operator, { name: '芦山县' })).status).toBe(200);
    const xlsx = await app.request('/rollup/tallies.xlsx?year=2031', { headers: city });
    expect(xlsx.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await xlsx.arrayBuffer());
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['各县区汇总', '目标完成情况', '报告用语']);
    expect(workbook.getWorksheet('目标完成情况')?.getRow(3).values).toEqual([undefined, '天全县', '活动(场次)', 6, 3, 50, 2, '进度正常']);
  });
});

describe('a province’s roll-up', () => {
  it('reads every county of the province, of both its cities, and none of another province', async () => {
    const answer = await send('GET', '/rollup/tallies?year=2031', province);
    expect((answer.body.counties as Row[]).map((row) => row.id)).toEqual(['jinniu', 'lushan', 'tianquan']);
    expect(answer.body.totals).toMatchObject({ activities: 5, participants: 397 });
    expect(answer.body.paragraph.startsWith('2031年,全省3个县(区)共开展普法宣传活动5场次')).toBe(true);
  });

  it('follows the county records: a county moved to another city leaves the city’s roll-up', async () => {
    expect((await send('PATCH', '/counties/lushan', operator, { city: 'chengdu' })).status).toBe(200);
    expect(((await send('GET', '/rollup/tallies?year=2031', city)).body.counties as Row[]).map((row) => row.id)).toEqual(['tianquan']);
    expect((await send('PATCH', '/counties/lushan', operator, { city: 'yaan' })).status).toBe(200);
  });

  it('lets the operator read every county', async () => {
    const answer = await send('GET', '/rollup/tallies?year=2031', operator);
    expect((answer.body.counties as Row[]).map((row) => row.id)).toEqual(['jinniu', 'lushan', 'tianquan', 'wuhua']);
  });
});

describe('an empty scope', () => {
  it('answers a city without counties with none, and says so', async () => {
    const issued = await send('POST', '/tokens', operator, { role: 'city', city: 'nowhere', name: '无县之市' });
    const answer = await send('GET', '/rollup/tallies?year=2031', { Authorization: `Bearer ${issued.body.secret as string}` });
    expect(answer.status).toBe(200);
    expect(answer.body.counties).toEqual([]);
    expect(answer.body.paragraph).toBe('2031年,全市暂无县(区)数据。');
  });
});

describe('the month totals of many counties', () => {
  it('are read eight counties to a BatchGet, each county’s own, in month order', async () => {
    const many = Array.from({ length: 19 }, (_, index) => `many-${String(index).padStart(2, '0')}`);
    for (const [index, county] of many.entries()) {
      await db.store.tallies.add(county, deliveryDelta({ smsSent: index + 1 }, { year: 2031, month: 5 }));
      await db.store.tallies.add(county, deliveryDelta({ smsSent: 1 }, { year: 2031, month: 2 }));
    }
    const asked = [...many, 'never-counted'];
    // The store reads eight to a BatchGet and no more; the roll-up runs the batches.
    await expect(db.store.tallyTotals.monthTotals(asked.slice(0, 9), 2031)).rejects.toThrow(RangeError);
    const batches = [asked.slice(0, 8), asked.slice(8, 16), asked.slice(16)];
    const totals = new Map((await Promise.all(batches.map((batch) => db.store.tallyTotals.monthTotals(batch, 2031)))).flatMap((found) => [...found]));
    expect(totals.size).toBe(20);
    for (const [index, county] of many.entries()) {
      expect(totals.get(county)?.map((cell) => [cell.month, cell.counts.smsSent]), county).toEqual([
        [2, 1],
        [5, index + 1],
      ]);
    }
    expect(totals.get('never-counted')).toEqual([]);
  });
});

describe('county tokens', () => {
  it('are refused every roll-up route', async () => {
    for (const role of ['admin', 'staff', 'county'] as const) {
      for (const path of ['/rollup/tallies?year=2031', '/rollup/tallies.csv?year=2031', '/rollup/tallies.xlsx?year=2031', '/rollup/report?year=2031']) {
        expect((await send('GET', path, countyTokens.tianquan[role])).status, `${role} ${path}`).toBe(403);
      }
    }
  });
});

describe('the roll-up page', () => {
  it('is where a city token signs in to, with the counties side by side, the paragraph and working downloads', async () => {
    const signIn = await app.request(`${ORIGIN}/app/login`, {
      method: 'POST',
      headers: { Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: citySecret, next: '' }).toString(),
    });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get('location')).toBe('/app/rollup');
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const page = await app.request(`${ORIGIN}/app/rollup?year=2031&name=雅安市`, { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('雅安市2031年法治宣传汇总');
    expect(html).toContain('<caption');
    expect(html).toMatch(/<tr data-county="tianquan"><th scope="row"[^>]*>天全县<\/th><td data-measure="activities">3<\/td>/);
    expect(html).toMatch(/<tr id="rollup-totals"><th scope="row">合计<\/th><td data-measure="activities"><strong>4<\/strong>/);
    expect(html).toContain('2031年,雅安市2个县(区)共开展普法宣传活动4场次');
    expect(html).toContain('3/6 场次 50% 进度正常');
    expect(html).not.toContain('金牛区');
    const csv = await app.request(`${ORIGIN}/app/rollup/export.csv?year=2031&name=${encodeURIComponent('雅安市')}`, { headers: { Cookie: cookie } });
    expect(csv.status).toBe(200);
    expect(await csv.text()).toContain('合计,4,390,860');
    const xlsx = await app.request(`${ORIGIN}/app/rollup/export.xlsx?year=2031`, { headers: { Cookie: cookie } });
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-type')).toContain('spreadsheetml');
    const bad = await app.request(`${ORIGIN}/app/rollup/export.csv?year=2031&month=0`, { headers: { Cookie: cookie } });
    expect(bad.status).toBe(400);
  });
});
