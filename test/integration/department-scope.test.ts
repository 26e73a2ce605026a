/**
 * A staff token limited to a department (谁执法谁普法) on every path that reaches campaigns,
 * notices, activities and subscribers, on DynamoDB Local: the single routes, the plan load, the
 * pages, the deliveries read and the token's own issue; and a department still named cannot be
 * taken out of the registry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { aGrant, aToken } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { sendTo, type Send } from '../support/http.js';
import { aPlan, sampleRegistry } from '../support/planning.js';
import { aSession } from '../support/sessions.js';

const county = 'deptcounty';
const ORIGIN = 'http://localhost';
let db: TestDatabase;
let app: ReturnType<typeof createApp>;
let send: Send;
let admin: Record<string, string>;
let staff: Record<string, string>;
let police: Record<string, string>;
let policeSecret: string;

const smsNotice = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  channel: 'sms',
  audience: { all: true },
  schedule: { kind: 'fixed', at: '2031-03-10T10:00' },
  sms: { body: '遇到电信诈骗请拨打110。' },
  ...extra,
});
const campaign = (id: string, departments?: string[]) => ({
  id,
  title: `活动 ${id}`,
  theme: 'consumer-rights',
  window: { start: '2031-03-08', end: '2031-03-21' },
  ...(departments ? { departments } : {}),
});
const activity = (id: string, departments: string[] | undefined) => ({
  id,
  date: '2031-03-04',
  township: 'chengxiang',
  theme: 'consumer-rights',
  kind: 'event',
  participants: 50,
  materials: [],
  ...(departments ? { departments } : {}),
});

beforeAll(async () => {
  db = await freshTable({ county });
  db.setNow(new Date('2031-03-05T02:00:00Z'));
  app = createApp(db.deps);
  send = sendTo(app);
  admin = (await aToken(db.store, county, aGrant({ role: 'admin' }))).headers;
  staff = (await aToken(db.store, county, aGrant({ role: 'staff' }))).headers;
  expect((await send('PUT', '/registry', admin, sampleRegistry())).status).toBe(200);
  expect((await send('POST', '/plans', admin, aPlan())).status).toBe(200);
  const issued = await send('POST', '/tokens', admin, { role: 'staff', name: '县公安局宣传员', department: 'gongan' });
  expect(issued.status, JSON.stringify(issued.body)).toBe(201);
  expect(issued.body.token).toMatchObject({ role: 'staff', department: 'gongan' });
  policeSecret = issued.body.secret;
  police = { Authorization: `Bearer ${policeSecret}` };
});
afterAll(async () => db.drop());

describe('issuing a department-limited token', () => {
  it('refuses a department the registry lacks, naming the field', async () => {
    const refused = await send('POST', '/tokens', admin, { role: 'staff', name: '某局', department: 'nobody' });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toContainEqual(expect.objectContaining({ field: 'body.department' }));
  });
});

describe('activities', () => {
  it('records only activities naming the department, and lists and reads only those', async () => {
    const others = await send('POST', '/activities', police, activity('p-other', ['sifa']));
    expect(others.status).toBe(403);
    expect(others.body.detail).toContain('gongan');
    expect((await send('POST', '/activities', police, activity('p-none', undefined))).status).toBe(403);
    expect((await send('POST', '/activities', police, activity('p-own', ['gongan', 'sifa']))).status).toBe(201);
    expect((await send('POST', '/activities', staff, activity('s-justice', ['sifa']))).status).toBe(201);

    const listed = await send('GET', '/activities?year=2031', police);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((item: { id: string }) => item.id)).toEqual(['p-own']);
    expect((await send('GET', '/activities?year=2031', staff)).body.items).toHaveLength(2);
    expect((await send('GET', '/activities/s-justice', police)).status).toBe(403);
  });

  it('may neither change another department’s activity nor take its own department off one', async () => {
    expect((await send('PUT', '/activities/s-justice', police, activity('s-justice', ['sifa', 'gongan']))).status).toBe(403);
    expect((await send('DELETE', '/activities/s-justice', police)).status).toBe(403);
    const dropped = await send('PUT', '/activities/p-own', police, activity('p-own', ['sifa']));
    expect(dropped.status).toBe(403);
    expect((await send('GET', '/activities/p-own', staff)).body.departments).toEqual(['gongan', 'sifa']);
    // Nor take a co-responsible department off it; with both kept, the change is its to make.
    expect((await send('PUT', '/activities/p-own', police, activity('p-own', ['gongan']))).status).toBe(403);
    expect((await send('PUT', '/activities/p-own', police, { ...activity('p-own', ['gongan', 'sifa']), participants: 80 })).status).toBe(200);
  });

  it('holds through the activity page too', async () => {
    const { cookie } = await aSession(db.store, policeSecret, new Date('2031-03-05T02:00:00Z'));
    const form = (departments: string[]) => {
      const body = new URLSearchParams({ date: '2031-03-04', township: 'chengxiang', theme: 'consumer-rights', kind: 'event', participants: '10' });
      for (const department of departments) body.append('departments', department);
      return app.request(`${ORIGIN}/app/activities/new`, { method: 'POST', body, headers: { Cookie: cookie, Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' } });
    };
    const page = await app.request(`${ORIGIN}/app/activities/new`, { headers: { Cookie: cookie } });
    expect(await page.text()).toMatch(/value="gongan" checked/);
    expect((await form(['sifa'])).status).toBe(403);
    expect((await form(['gongan'])).status).toBe(303);
    const listed = await send('GET', '/activities?year=2031', police);
    expect(listed.body.items).toHaveLength(2);
  });
});

describe('campaigns and notices', () => {
  it('creates only campaigns naming the department, and checks departments against the registry', async () => {
    const none = await send('POST', '/campaigns', police, campaign('c-none'));
    expect(none.status).toBe(403);
    expect(none.body.detail).toContain('departments: [gongan]');
    const unknown = await send('POST', '/campaigns', staff, campaign('c-unknown', ['nobody']));
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toContainEqual(expect.objectContaining({ field: 'body.departments.0' }));
    const own = await send('POST', '/campaigns', police, campaign('c-police', ['gongan']));
    expect(own.status, JSON.stringify(own.body)).toBe(201);
    expect(own.body.departments).toEqual(['gongan']);
    expect((await send('POST', '/campaigns', staff, campaign('c-justice', ['sifa']))).status).toBe(201);
  });

  it('changes and cancels only its own campaigns, and keeps its department on them', async () => {
    expect((await send('PATCH', '/campaigns/c-justice', police, { title: '改' })).status).toBe(403);
    expect((await send('POST', '/campaigns/c-justice/cancel', police)).status).toBe(403);
    expect((await send('PATCH', '/campaigns/c-police', police, { departments: ['sifa'] })).status).toBe(403);
    const kept = await send('PATCH', '/campaigns/c-police', police, { title: '反诈宣传', departments: ['gongan', 'sifa'] });
    expect(kept.status, JSON.stringify(kept.body)).toBe(200);
    // A co-responsible department, once on the campaign, stays unless someone unlimited takes it off.
    expect((await send('PATCH', '/campaigns/c-police', police, { departments: ['gongan'] })).status).toBe(403);
  });

  it('writes and acts on only the notices it is responsible for', async () => {
    expect((await send('POST', '/campaigns/c-justice/notices', police, smsNotice('n1'))).status).toBe(403);
    // In its own campaign, a notice naming only another department is not its to write.
    expect((await send('POST', '/campaigns/c-police/notices', police, smsNotice('n-sifa', { departments: ['sifa'] }))).status).toBe(403);
    const own = await send('POST', '/campaigns/c-police/notices', police, smsNotice('n-own'));
    expect(own.status, JSON.stringify(own.body)).toBe(201);
    const unknown = await send('POST', '/campaigns/c-police/notices', staff, smsNotice('n-unknown', { departments: ['nobody'] }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toContainEqual(expect.objectContaining({ field: 'body.departments.0' }));
    expect((await send('POST', '/campaigns/c-justice/notices', staff, smsNotice('n-justice'))).status).toBe(201);
    expect((await send('POST', '/campaigns/c-justice/notices/n-justice/submit', police)).status).toBe(403);
    expect((await send('PUT', '/campaigns/c-justice/notices/n-justice', police, smsNotice('n-justice'))).status).toBe(403);
    expect((await send('GET', '/campaigns/c-justice/notices/n-justice/deliveries', police)).status).toBe(403);
    expect((await send('GET', '/campaigns/c-police/notices/n-own/deliveries', police)).status).toBe(200);
    expect((await send('POST', '/campaigns/c-police/notices/n-own/submit', police)).status).toBe(200);
    // A notice naming the department still needs a campaign that names it.
    expect((await send('POST', '/campaigns/c-justice/notices', police, smsNotice('n-in-other', { departments: ['gongan'] }))).status).toBe(403);
    // Deliveries of a notice that does not exist: 404 for every reader, as before.
    expect((await send('GET', '/campaigns/nope/notices/nope/deliveries', admin)).status).toBe(404);
    // A campaign holding another department's notice is no longer its alone to cancel.
    expect((await send('POST', '/campaigns/c-police/notices', staff, smsNotice('n-joint', { departments: ['sifa'] }))).status).toBe(201);
    const cancel = await send('POST', '/campaigns/c-police/cancel', police);
    expect(cancel.status).toBe(403);
    expect(cancel.body.detail).toContain('n-joint');
  });

  it('reads no subscriber list', async () => {
    const refused = await send('GET', '/subscribers?township=chengxiang', police);
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toContain('gongan');
  });
});

describe('the plan load', () => {
  it('loads only its own department’s campaigns, and not the year plan', async () => {
    const own = { ...campaign('c-plan-police', ['gongan']), notices: [smsNotice('plan-sms')] };
    // The county's campaign as loaded is no change and passes; changed, it is not the department's to change.
    const county = { ...aPlan().campaigns[0]!, title: '3·15 集中宣传（改）' };
    const mixed = await send('POST', '/plans', police, { ...aPlan(), campaigns: [county, own] });
    expect(mixed.status).toBe(403);
    expect(mixed.body.detail).toContain('c-0315');
    expect(mixed.body.detail).not.toContain('c-plan-police');
    const foreignNotice = await send('POST', '/plans', police, { ...aPlan(), campaigns: [{ ...own, notices: [smsNotice('plan-sms', { departments: ['sifa'] })] }] });
    expect(foreignNotice.status).toBe(403);
    expect(foreignNotice.body.detail).toContain('c-plan-police/plan-sms');
    const yearPlan = await send('POST', '/plans', police, { ...aPlan({ themes: [...aPlan().themes, { id: 'anti-fraud', name: '反诈' }] }), campaigns: [own] });
    expect(yearPlan.status).toBe(403);
    expect(yearPlan.body.detail).toContain('year plan');

    // A campaign the load would keep as stored (changed in the app since) is judged as stored: its
    // departments are not the file's to claim, so no new notice slips into another department's campaign.
    const claimed = await send('POST', '/plans', police, { ...aPlan(), campaigns: [{ ...campaign('c-justice', ['gongan']), notices: [smsNotice('sneak')] }] });
    expect(claimed.status).toBe(403);
    expect(claimed.body.detail).toContain('c-justice/sneak');
    expect((await send('GET', '/campaigns/c-justice', staff)).body.notices.map((notice: { id: string }) => notice.id)).not.toContain('sneak');

    const loaded = await send('POST', '/plans', police, { ...aPlan(), campaigns: [own] });
    expect(loaded.status, JSON.stringify(loaded.body)).toBe(200);
    expect((await send('GET', '/campaigns/c-plan-police', staff)).body.campaign.departments).toEqual(['gongan']);
  });

  it('refuses an unknown department in a plan’s campaign, naming where', async () => {
    const refused = await send('POST', '/plans', staff, { ...aPlan(), campaigns: [{ ...campaign('c-x', ['nobody']), notices: [] }] });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toContainEqual(expect.objectContaining({ field: 'body.campaigns.0.departments.0' }));
  });
});

describe('removing a department from the registry', () => {
  it('is refused for a department or township the year’s targets name, and for a village a placement is in', async () => {
    const targets = { departments: { jiaoyu: { activities: 3 } }, townships: { lianglu: { activities: 2 } } };
    expect((await send('POST', '/plans', admin, { ...aPlan(), targets })).status).toBe(200);
    const department = await send('DELETE', '/registry/departments/jiaoyu', admin);
    expect(department.status).toBe(409);
    expect(department.body.detail).toContain('the 2031 targets');
    // The sample's lianglu has a village, and here the targets too.
    expect((await send('DELETE', '/registry/townships/lianglu', admin)).body.detail).toContain('the 2031 targets');
    const village = await send('DELETE', '/registry/villages/chengxiang-xiangyang', admin);
    expect(village.status).toBe(409);
    expect(village.body.detail).toContain('pl-cx-xiangyang-board');
  });

  it('is refused while anything names it, and allowed once nothing does', async () => {
    const refused = await send('DELETE', '/registry/departments/gongan', admin);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/token tok_|campaign c-police|activity p-own/);
    const registry = sampleRegistry();
    expect(registry.departments.some((department) => department.id === 'weijian')).toBe(true);
    expect((await send('DELETE', '/registry/departments/weijian', admin)).status).toBe(200);
    expect((await send('GET', '/registry', admin)).body.departments.map((department: { id: string }) => department.id)).not.toContain('weijian');
  });
});
