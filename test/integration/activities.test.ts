/**
 * Activity records and the tallies they move, on the real database: exact under retries,
 * concurrent edits and deletes — checked against a recount of the records.
 */
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { activityKinds } from '../../functions/domain/activity.js';
import { differences, plannedCells, recount } from '../../functions/domain/tally.js';
import { loadPlan } from '../../functions/workflows/plans.js';
import { aGrant, aToken } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { sendTo, type Send } from '../support/http.js';
import { load2021, plan2021, sampleRegistry } from '../support/planning.js';

let db: TestDatabase;
let app: ReturnType<typeof createApp>;
let send: Send;
const county = 'testcounty';
type Headers = Record<string, string>;
let staff: Headers;
let countyOffice: Headers;
let station: Headers;

beforeAll(async () => {
  db = await freshTable({ county });
  db.setNow(new Date('2021-12-20T04:00:00Z'));
  app = createApp(db.deps);
  send = sendTo(app);
  const loaded = await load2021(db, county);
  expect(loaded.ok).toBe(true);
  staff = (await aToken(db.store, county, aGrant({ role: 'staff' }))).headers;
  countyOffice = (await aToken(db.store, county, aGrant({ role: 'county' }))).headers;
  station = (await aToken(db.store, county, aGrant({ role: 'station' }))).headers;
});
afterAll(async () => db.drop());

const anActivity = (overrides: Record<string, unknown> = {}) => ({
  date: '2021-03-15',
  township: 'chengxiang',
  village: 'chengxiang-xiangyang',
  theme: 'consumer-rights',
  kind: 'event',
  title: '3·15 广场咨询',
  participants: 120,
  materials: [
    { kind: '宣传单', count: 800 },
    { kind: '宣传手册', count: 200 },
  ],
  ...overrides,
});

async function storedMatchesRecount(year: number) {
  const [cells, activities] = await Promise.all([db.store.tallies.year(county, year), db.store.activities.allOfYear(county, year)]);
  return differences(cells, recount(activities));
}

describe('activity records', () => {
  it('are created, listed, changed and deleted, the tallies following exactly', async () => {
    const created = await send('POST', '/activities', staff, anActivity({ id: 'act-315' }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'act-315', year: 2021, month: 3, version: 1 });

    let tallies = await send('GET', '/tallies?year=2021', countyOffice);
    expect(tallies.body.current.totals).toMatchObject({ activities: 1, participants: 120, materials: 1000 });
    expect(tallies.body.current.byMonth[2].counts.activities).toBe(1);
    expect(tallies.body.current.byMaterial).toEqual([
      expect.objectContaining({ value: '宣传单', counts: expect.objectContaining({ materials: 800 }) }),
      expect.objectContaining({ value: '宣传手册', counts: expect.objectContaining({ materials: 200 }) }),
    ]);

    // Moving it to another month, theme and township moves every figure with it.
    const changed = await send('PUT', '/activities/act-315', staff, anActivity({ date: '2021-04-15', theme: 'national-security', township: 'shiyang', village: 'shiyang-qiaotou', participants: 50, materials: [{ kind: '宣传单', count: 300 }] }));
    expect(changed.status).toBe(200);
    tallies = await send('GET', '/tallies?year=2021', countyOffice);
    expect(tallies.body.current.totals).toMatchObject({ activities: 1, participants: 50, materials: 300 });
    expect(tallies.body.current.byMonth[2].counts.activities).toBe(0);
    expect(tallies.body.current.byTownship.find((row: { value: string }) => row.value === 'chengxiang').counts.activities).toBe(0);
    expect(await storedMatchesRecount(2021)).toEqual([]);

    const listed = await send('GET', '/activities?year=2021&month=4&township=shiyang', countyOffice);
    expect(listed.body.items.map((item: { id: string }) => item.id)).toEqual(['act-315']);
    expect((await send('GET', '/activities?year=2021&month=3', countyOffice)).body.items).toEqual([]);

    expect((await send('DELETE', '/activities/act-315', staff)).status).toBe(200);
    tallies = await send('GET', '/tallies?year=2021', countyOffice);
    expect(tallies.body.current.totals).toMatchObject({ activities: 0, participants: 0, materials: 0 });
    expect((await send('GET', '/activities/act-315', staff)).status).toBe(404);
  });

  it('count a retried create once', async () => {
    const body = anActivity({ id: 'retry-me', date: '2021-06-26', theme: 'anti-drug-aids' });
    const results = await Promise.all([send('POST', '/activities', staff, body), send('POST', '/activities', staff, body)]);
    expect(results.map((result) => result.status).sort()).toEqual(expect.arrayContaining([201]));
    const again = await send('POST', '/activities', staff, body);
    expect(again.status).toBe(200);
    const clash = await send('POST', '/activities', staff, { ...body, participants: 1 });
    expect(clash.status).toBe(409);
    const tallies = await send('GET', '/tallies?year=2021&period=month&month=6', countyOffice);
    expect(tallies.body.current.totals.activities).toBe(1);
    expect(await storedMatchesRecount(2021)).toEqual([]);
  });

  it('stay exact when the same edits race: losers get 409 (or 404 after a delete), the tallies match a recount', async () => {
    const ids = Array.from({ length: 6 }, (_, index) => `race-${index}`);
    await Promise.all(ids.map((id) => send('POST', '/activities', staff, anActivity({ id, date: '2021-05-10', theme: 'pollution-prevention' }))));
    const edits = ids.flatMap((id) => [
      send('PUT', `/activities/${id}`, staff, anActivity({ date: '2021-05-11', theme: 'pollution-prevention', participants: 7 })),
      send('PUT', `/activities/${id}`, staff, anActivity({ date: '2021-07-01', theme: 'rural-revitalisation', participants: 9 })),
      send('DELETE', `/activities/${id}`, staff),
    ]);
    const statuses = (await Promise.all(edits)).map((result) => result.status);
    expect(statuses.filter((status) => ![200, 404, 409].includes(status))).toEqual([]);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(ids.length);
    expect(await storedMatchesRecount(2021)).toEqual([]);
  });

  it.each([
    [{ date: '2031-01-01' }, 'body.date'],
    [{ participants: -1 }, 'body.participants'],
    [{ materials: [{ kind: '宣传单', count: -5 }] }, 'body.materials.0.count'],
    [{ materials: [{ kind: '宣传单', count: 100_001 }] }, 'body.materials.0.count'],
    [{ township: 'atlantis', village: undefined }, 'body.township'],
    [{ theme: 'astrology' }, 'body.theme'],
    [{ village: 'shiyang-qiaotou' }, 'body.village'],
    [{ kind: 'other' }, 'body.kindName'],
    [{ date: '2021-02-30' }, 'body.date'],
  ])('refuse %j naming %s, writing nothing', async (overrides, field) => {
    const before = await db.store.tallies.year(county, 2021);
    const response = await send('POST', '/activities', staff, anActivity(overrides));
    expect(response.status).toBe(400);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    expect(await db.store.tallies.year(county, 2021)).toEqual(before);
  });

  it('are written by staff and read by the county office; stations see neither', async () => {
    expect((await send('POST', '/activities', countyOffice, anActivity())).status).toBe(403);
    expect((await send('GET', '/tallies?year=2021', station)).status).toBe(403);
    expect((await send('GET', '/activities?year=2021', station)).status).toBe(403);
  });
});

describe('departments on activities (谁执法谁普法)', () => {
  type Row = { value: string; counts: { activities: number; participants: number; materials: number } };
  const departmentRow = (body: Awaited<ReturnType<Send>>['body'], id: string): Row['counts'] | undefined => (body.current.byDepartment as Row[]).find((row) => row.value === id)?.counts;

  it.each([
    [{ departments: ['gongan', 'shuiwu'] }, 'body.departments.1'],
    [{ departments: ['gongan', 'sifa', 'gongan'] }, 'body.departments.2'],
    [{ departments: ['a b'] }, 'body.departments.0'],
    [{ departments: Array.from({ length: 11 }, (_, index) => `d${index}`) }, 'body.departments'],
  ])('refuse %j naming %s, writing neither record nor counter', async (overrides, field) => {
    const before = await db.store.tallies.year(county, 2021);
    const response = await send('POST', '/activities', staff, anActivity({ id: 'dept-refused', ...overrides }));
    expect(response.status).toBe(400);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    expect(await db.store.activities.get(county, 'dept-refused')).toBeUndefined();
    expect(await db.store.tallies.year(county, 2021)).toEqual(before);
  });

  it('refuse an unknown department on a change too, leaving the record as it was', async () => {
    expect((await send('POST', '/activities', staff, anActivity({ id: 'dept-kept', date: '2021-09-01', theme: 'rural-revitalisation', departments: ['gongan'] }))).status).toBe(201);
    const refused = await send('PUT', '/activities/dept-kept', staff, anActivity({ date: '2021-09-01', theme: 'rural-revitalisation', departments: ['shuiwu'] }));
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((error: { field: string }) => error.field)).toContain('body.departments.0');
    expect((await db.store.activities.require(county, 'dept-kept')).departments).toEqual(['gongan']);
    expect((await send('DELETE', '/activities/dept-kept', staff)).status).toBe(200);
  });

  it('are stored, counted per department with their names, moved by a change, and reconcile finds nothing to repair', async () => {
    const september = '/tallies?year=2021&period=month&month=9';
    const start = (await send('GET', september, countyOffice)).body;
    const before = { gongan: departmentRow(start, 'gongan')?.activities ?? 0, sifa: departmentRow(start, 'sifa')?.activities ?? 0, jiaoyu: departmentRow(start, 'jiaoyu')?.activities ?? 0 };
    const at = { date: '2021-09-10', theme: 'rural-revitalisation' };
    const created = await send('POST', '/activities', staff, anActivity({ id: 'dept-1', ...at, departments: ['gongan', 'sifa'] }));
    expect(created.status).toBe(201);
    expect(created.body.departments).toEqual(['gongan', 'sifa']);
    expect((await send('POST', '/activities', staff, anActivity({ id: 'dept-2', ...at, departments: ['gongan'], participants: 30 }))).status).toBe(201);
    expect((await send('POST', '/activities', staff, anActivity({ id: 'dept-none', ...at }))).status).toBe(201);
    expect((await send('GET', '/activities/dept-1', countyOffice)).body.departments).toEqual(['gongan', 'sifa']);
    expect((await send('GET', '/activities/dept-none', countyOffice)).body.departments).toBeUndefined();

    let tallies = (await send('GET', september, countyOffice)).body;
    expect(departmentRow(tallies, 'gongan')?.activities).toBe(before.gongan + 2);
    expect(departmentRow(tallies, 'sifa')).toMatchObject({ activities: before.sifa + 1 });
    expect(tallies.names.department).toMatchObject({ gongan: '县公安局', sifa: '县司法局' });
    // Every department of the registry has its row, at zero until counted (its cells made at the plan load).
    expect(tallies.current.byDepartment.map((row: Row) => row.value).sort()).toEqual(sampleRegistry().departments.map((department) => department.id).sort());

    // A change of departments moves the counts from the one dropped to the one added.
    expect((await send('PUT', '/activities/dept-1', staff, anActivity({ ...at, departments: ['sifa', 'jiaoyu'] }))).status).toBe(200);
    tallies = (await send('GET', september, countyOffice)).body;
    expect(departmentRow(tallies, 'gongan')?.activities).toBe(before.gongan + 1);
    expect(departmentRow(tallies, 'sifa')?.activities).toBe(before.sifa + 1);
    expect(departmentRow(tallies, 'jiaoyu')?.activities).toBe(before.jiaoyu + 1);
    expect(await storedMatchesRecount(2021)).toEqual([]);

    const csv = await app.request('/tallies/export.csv?year=2021&period=month&month=9&breakdown=department', { headers: countyOffice });
    expect(csv.status).toBe(200);
    const rows = parse(new TextDecoder().decode(new Uint8Array(await csv.arrayBuffer())), { bom: true }) as string[][];
    expect(rows[0]?.slice(0, 2)).toEqual(['责任部门', '活动次数']);
    expect(Number(rows.find((row) => row[0] === '县教育局')?.[1])).toBe(before.jiaoyu + 1);

    const admin = (await aToken(db.store, county, aGrant({ role: 'admin' }))).headers;
    const reconciled = await send('POST', '/tallies/reconcile?year=2021', admin);
    expect(reconciled.status).toBe(200);
    expect(reconciled.body.differences).toEqual([]);

    // Deleting takes the departments' counts back.
    expect((await send('DELETE', '/activities/dept-2', staff)).status).toBe(200);
    tallies = (await send('GET', september, countyOffice)).body;
    expect(departmentRow(tallies, 'gongan')?.activities).toBe(before.gongan);
    expect(await storedMatchesRecount(2021)).toEqual([]);
  });
});

describe('placements of banners, bulletin boards and LED displays', () => {
  const led = (id: string, extra: Record<string, unknown> = {}) => ({ id, date: '2021-12-01', township: 'chengxiang', theme: 'constitution', kind: 'led', participants: 0, materials: [], ...extra });

  it('say where an activity was shown, checked against the registry, and are kept while named', async () => {
    const admin = (await aToken(db.store, county, aGrant({ role: 'admin' }))).headers;
    const shown = await send('POST', '/activities', staff, led('led-dec', { placements: ['pl-cx-square-led'] }));
    expect(shown.status, JSON.stringify(shown.body)).toBe(201);
    expect((await send('GET', '/activities/led-dec', staff)).body.placements).toEqual(['pl-cx-square-led']);

    const wrongKind = await send('POST', '/activities', staff, led('led-x', { placements: ['pl-cx-bridge-banner'] }));
    expect(wrongKind.status).toBe(400);
    expect(wrongKind.body.errors).toContainEqual({ field: 'body.placements.0', message: '"pl-cx-bridge-banner" is a banner placement, not led' });
    const elsewhere = await send('POST', '/activities', staff, led('led-y', { kind: 'bulletin', placements: ['pl-sy-market-board'] }));
    expect(elsewhere.body.errors).toContainEqual(expect.objectContaining({ field: 'body.placements.0', message: expect.stringContaining('shiyang') }));
    expect((await send('GET', '/activities/led-x', staff)).status).toBe(404);

    const removal = await send('DELETE', '/registry/placements/pl-cx-square-led', admin);
    expect(removal.status).toBe(409);
    expect(removal.body.detail).toContain('activity led-dec');
    expect((await send('DELETE', '/activities/led-dec', staff)).status).toBe(200);
    expect((await send('DELETE', '/registry/placements/pl-cx-square-led', admin)).status).toBe(200);
    expect((await send('GET', '/registry', staff)).body.placements.map((placement: { id: string }) => placement.id)).not.toContain('pl-cx-square-led');
  });
});

describe('tallies', () => {
  it('compare a period with the same period a year earlier, and write the report paragraph', async () => {
    for (const [id, date, materials] of [['y20', '2020-03-01', 50_000], ['y21a', '2021-03-02', 60_000], ['y21b', '2021-03-03', 9_000]] as const) {
      await db.store.plans.getYear(county, Number(date.slice(0, 4)));
      if (date.startsWith('2020')) {
        await loadPlan(
          { store: db.store, config: db.config, now: new Date('2020-01-01T00:00:00Z') },
          { plan: { ...plan2021(), year: 2020, county, campaigns: [], responsibilities: [] }, county, loader: { kind: 'system' }, actor: { tokenId: 't', name: 'n' }, dryRun: false },
        );
      }
      expect((await send('POST', '/activities', staff, anActivity({ id, date, theme: 'consumer-rights', materials: [{ kind: '宣传单', count: materials }] }))).status).toBe(201);
    }
    const march = await send('GET', '/tallies?year=2021&period=month&month=3', countyOffice);
    expect(march.body.current.totals).toMatchObject({ activities: 2, materials: 69_000 });
    expect(march.body.previous.totals).toMatchObject({ activities: 1, materials: 50_000 });
    expect(march.body.previous.year).toBe(2020);
    expect(march.body.paragraph).toMatch(/^截至目前,开展法治宣传活动2次,发放宣传资料6\.9万份/);
    expect(march.body.names.kind.event).toBe('集中宣传活动');
    expect(march.body.names.theme['consumer-rights']).toBe('消费者权益保护');

    const ytd = await send('GET', '/tallies?year=2021&period=ytd&month=3', countyOffice);
    expect(ytd.body.current.months).toEqual([1, 2, 3]);
    expect((await send('GET', '/tallies?year=2021&period=month', countyOffice)).status).toBe(400);
    expect((await send('GET', '/tallies?year=21', countyOffice)).status).toBe(400);
  });
});

describe('the year’s counter cells', () => {
  it('exist from the plan load, so every township shows (at zero) and a new record adds only new material kinds', async () => {
    const year = await send('GET', '/tallies?year=2021', countyOffice);
    const townships = (year.body.current.byTownship as { value: string; counts: { activities: number } }[]).map((row) => row.value).sort();
    expect(townships).toEqual(sampleRegistry().townships.map((township) => township.id).sort());

    const cells = async () => (await db.store.tallies.year(county, 2021)).length;
    const before = await cells();
    expect((await send('POST', '/activities', staff, anActivity({ id: 'cells-1', date: '2021-07-01', theme: 'rural-revitalisation', kind: 'banner', materials: [{ kind: '宣传单', count: 10 }] }))).status).toBe(201);
    expect(await cells()).toBe(before + 1); // 宣传单 in July: the only cell not made at the plan load

    // Preparing again (every plan load does) writes nothing and keeps the counts.
    const again = plannedCells(2021, {
      themes: plan2021().themes.map((theme) => theme.id),
      townships: sampleRegistry().townships.map((township) => township.id),
      departments: sampleRegistry().departments.map((department) => department.id),
      kinds: activityKinds,
    });
    const counted = await db.store.tallies.year(county, 2021);
    expect(await db.store.tallies.prepare(county, again)).toBe(0);
    expect(await db.store.tallies.year(county, 2021)).toEqual(counted);
  });
});

describe('exports', () => {
  it('write CSV with a BOM and a totals row that opens back to the same figures', async () => {
    const response = await app.request('/tallies/export.csv?year=2021&breakdown=theme', { headers: countyOffice });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(new TextDecoder().decode(bytes), { bom: true }) as string[][];
    expect(rows[0]?.slice(0, 4)).toEqual(['主题', '活动次数', '参与人次', '发放资料（份）']);
    const tallies = (await send('GET', '/tallies?year=2021', countyOffice)).body;
    const total = rows.at(-1) ?? [];
    expect(total[0]).toBe('合计');
    expect(Number(total[1])).toBe(tallies.current.totals.activities);
    expect(Number(total[3])).toBe(tallies.current.totals.materials);
    const consumer = rows.find((row) => row[0] === '消费者权益保护');
    expect(Number(consumer?.[1])).toBe(tallies.current.byTheme.find((row: { value: string }) => row.value === 'consumer-rights').counts.activities);
  });

  it('write an Excel workbook with a sheet per breakdown, Chinese headers and totals', async () => {
    const response = await app.request('/tallies/export.xlsx?year=2021', { headers: countyOffice });
    expect(response.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await response.arrayBuffer());
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['按月份', '按主题', '按乡镇', '按部门', '按形式', '按资料', '目标完成情况', '责任清单进度']);
    const months = workbook.getWorksheet('按月份');
    expect(months?.getRow(1).getCell(1).value).toBe('2021年法治宣传统计（按月份）');
    expect(months?.getRow(2).getCell(2).value).toBe('活动次数');
    expect(months?.getRow(3).getCell(1).value).toBe('1月');
    const totals = months?.getRow(months.rowCount);
    const tallies = (await send('GET', '/tallies?year=2021', countyOffice)).body;
    expect(totals?.getCell(1).value).toBe('合计');
    expect(totals?.getCell(2).value).toBe(tallies.current.totals.activities);
    expect(totals?.getCell(4).value).toBe(tallies.current.totals.materials);
  });
});

describe('reconciliation', () => {
  it('finds a counter that drifted from the records and repairs it', async () => {
    const admin = (await aToken(db.store, county, aGrant({ role: 'admin' }))).headers;
    const clean = await send('POST', '/tallies/reconcile?year=2021', admin);
    expect(clean.body).toMatchObject({ year: 2021, differences: [], repaired: 0 });
    expect(clean.body.activities).toBeGreaterThan(0);

    // Someone (a bug, a hand edit in the console) bumps a counter outside any record.
    await db.store.tallies.overwrite(county, { year: 2021, dimension: 'theme', value: 'consumer-rights', month: 3, counts: { activities: 999, materials: 1 } });
    const found = await send('POST', '/tallies/reconcile?year=2021', admin);
    expect(found.body.differences).toEqual(
      expect.arrayContaining([expect.objectContaining({ cell: { year: 2021, dimension: 'theme', value: 'consumer-rights', month: 3 }, counter: 'activities', stored: 999 })]),
    );
    expect(found.body.repaired).toBe(0);
    const repaired = await send('POST', '/tallies/reconcile?year=2021&repair=true', admin);
    expect(repaired.body.repaired).toBe(1);
    // The repair is on record, with each counter it set.
    const audit = await send('GET', '/audit?date=2021-12-20&action=tallies.repair', countyOffice);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0].after.differences).toEqual(
      expect.arrayContaining([expect.objectContaining({ dimension: 'theme', value: 'consumer-rights', month: 3, counter: 'activities', from: 999 })]),
    );
    expect((await send('POST', '/tallies/reconcile?year=2021', admin)).body.differences).toEqual([]);
    expect(await storedMatchesRecount(2021)).toEqual([]);
    expect((await send('POST', '/tallies/reconcile?year=2021', countyOffice)).status).toBe(403);
  });
});
