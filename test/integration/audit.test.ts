/**
 * The audit log on the real database: every state change files who, what, when and before/after
 * in the same transaction as the change; a refused or empty change files nothing; the county
 * office and admins read it by day; nothing in the API can change it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import type { AuditEntry } from '../../functions/domain/audit.js';
import { aGrant, aToken, must } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { anSmsNotice, testPhone } from '../support/dispatch.js';
import { sendTo, type Send } from '../support/http.js';
import { aPlan, sampleRegistry } from '../support/planning.js';

const county = 'testcounty';
/** 10:00 in the county (Asia/Shanghai) on 2031-03-01: the day every entry below is filed under. */
const START = Date.parse('2031-03-01T02:00:00Z');
/** A clock that moves a second at each reading, so entries keep the order the changes were made in. */
let readings = 0;
const clock = () => new Date(START + readings++ * 1000);
const DAY = '2031-03-01';
type Headers = Record<string, string>;

let db: TestDatabase;
let app: ReturnType<typeof createApp>;
let send: Send;
let admin: Headers;
let staff: Headers;
let reviewer: Headers;
let secondReviewer: Headers;
let countyOffice: Headers;

/** Every entry of the day, following the cursor. */
async function auditOfDay(query = ''): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await send('GET', `/audit?date=${DAY}&limit=100${query}${cursor ? `&cursor=${cursor}` : ''}`, countyOffice);
    expect(page.status).toBe(200);
    entries.push(...(page.body.items as AuditEntry[]));
    cursor = page.body.nextCursor as string | undefined;
  } while (cursor);
  return entries;
}

const actions = async () => (await auditOfDay()).map((entry) => entry.action);
const count = async (action: string) => (await actions()).filter((name) => name === action).length;

beforeAll(async () => {
  db = await freshTable({ county });
  app = createApp({ ...db.deps, clock });
  send = sendTo(app);
  admin = (await aToken(db.store, county, aGrant({ role: 'admin', name: '管理员' }))).headers;
  staff = (await aToken(db.store, county, aGrant({ role: 'staff', name: '宣传员小王' }))).headers;
  reviewer = (await aToken(db.store, county, aGrant({ role: 'reviewer', name: '审核员老李' }))).headers;
  secondReviewer = (await aToken(db.store, county, aGrant({ role: 'reviewer', name: '审核员老张' }))).headers;
  countyOffice = (await aToken(db.store, county, aGrant({ role: 'county', name: '依法治县办' }))).headers;
  expect((await send('PUT', '/registry', admin, sampleRegistry())).status).toBe(200);
  // Templates are an admin's; staff then load plans that name them as they are.
  expect((await send('PUT', '/sms-templates', admin, { items: aPlan().smsTemplates })).status).toBe(200);
});
afterAll(async () => db.drop());

describe('the audit log', () => {
  it('files a plan load with what it changed, and nothing when loading the same plan again', async () => {
    expect((await send('POST', '/plans', staff, aPlan())).status).toBe(200);
    const [load] = await auditOfDay('&action=plan.load');
    expect(load).toMatchObject({
      county,
      at: expect.stringMatching(/^2031-03-01T02:/),
      date: DAY,
      actor: { name: '宣传员小王', role: 'staff' },
      action: 'plan.load',
      subject: { kind: 'plan', id: '2031' },
      after: { plan: 'create', campaignsCreated: ['c-0315'], noticesCreated: ['c-0315/sms-eve', 'c-0315/broadcast'] },
    });

    expect((await send('POST', '/plans', staff, aPlan())).status).toBe(200);
    expect(await count('plan.load')).toBe(1);
  });

  it('follows a notice from writing through review to cancel, each move with the notice before and after', async () => {
    const created = await send('POST', '/campaigns/c-0315/notices', staff, anSmsNotice({ id: 'audited' }));
    expect(created.status).toBe(201);
    for (const [action, who] of [
      ['submit', staff],
      ['approve', reviewer],
      ['schedule', staff],
      ['cancel', staff],
    ] as const) {
      expect((await send('POST', `/campaigns/c-0315/notices/audited/${action}`, who)).status, action).toBe(200);
    }
    const trail = (await auditOfDay()).filter((entry) => entry.subject.id === 'c-0315/audited');
    expect(trail.map((entry) => [entry.action, entry.actor.name, entry.before?.state, entry.after?.state])).toEqual([
      ['notice.create', '宣传员小王', undefined, 'draft'],
      ['notice.submit', '宣传员小王', 'draft', 'submitted'],
      ['notice.approve', '审核员老李', 'submitted', 'approved'],
      ['notice.schedule', '宣传员小王', 'approved', 'scheduled'],
      ['notice.cancel', '宣传员小王', 'scheduled', 'cancelled'],
    ]);
    expect(trail[2]?.after?.review).toMatchObject({ decision: 'approved', decidedBy: { name: '审核员老李' } });
  });

  it('files one approval when two reviewers click at once, and nothing for the one refused', async () => {
    expect((await send('POST', '/campaigns/c-0315/notices', staff, anSmsNotice({ id: 'raced' }))).status).toBe(201);
    expect((await send('POST', '/campaigns/c-0315/notices/raced/submit', staff)).status).toBe(200);
    const before = await count('notice.approve');
    const statuses = await Promise.all([reviewer, secondReviewer].map((who) => send('POST', '/campaigns/c-0315/notices/raced/approve', who)));
    expect(statuses.map((result) => result.status).sort()).toEqual([200, 409]);
    expect(await count('notice.approve')).toBe(before + 1);
    // A retried request is refused too, and files nothing.
    expect((await send('POST', '/campaigns/c-0315/notices/raced/approve', reviewer)).status).toBe(409);
    expect(await count('notice.approve')).toBe(before + 1);
  });

  it('files campaign changes with the campaign before and after', async () => {
    expect((await send('PATCH', '/campaigns/c-0315', staff, { title: '3·15 消费者权益日宣传' })).status).toBe(200);
    const [update] = await auditOfDay('&action=campaign.update');
    expect(update?.before?.title).toBe('3·15 集中宣传');
    expect(update?.after?.title).toBe('3·15 消费者权益日宣传');
  });

  it('files an opt-out without the number in clear', async () => {
    const phone = testPhone(4321);
    expect((await send('POST', '/subscribers/opt-out', staff, { phone })).status).toBe(200);
    // Opting out again changes nothing, so it files nothing.
    expect((await send('POST', '/subscribers/opt-out', staff, { phone })).status).toBe(200);
    expect(await count('subscriber.opt-out')).toBe(1);
    const [optOut] = await auditOfDay('&action=subscriber.opt-out');
    expect(optOut).toMatchObject({ actor: { role: 'staff' }, after: { optedOut: true } });
    const log = JSON.stringify(await auditOfDay());
    expect(log).not.toContain(phone.slice(3));
    expect(log).toContain('+86 *******4321');
  });

  it('files token issue and revoke, never the secret', async () => {
    const issued = await send('POST', '/tokens', admin, { role: 'reviewer', name: '临时审核员' });
    expect(issued.status).toBe(201);
    const tokenId = String(issued.body.token.id);
    expect((await send('DELETE', `/tokens/${tokenId}`, admin)).status).toBe(200);
    // Revoking again changes nothing, so it files nothing.
    expect((await send('DELETE', `/tokens/${tokenId}`, admin)).status).toBe(200);
    const trail = (await auditOfDay()).filter((entry) => entry.subject.id === tokenId);
    expect(trail.map((entry) => [entry.action, entry.actor.role, entry.before?.revokedAt, entry.after?.revokedAt])).toEqual([
      ['token.issue', 'admin', undefined, undefined],
      ['token.revoke', 'admin', undefined, trail[1]?.at],
    ]);
    expect(JSON.stringify(trail)).not.toContain(String(issued.body.secret));
  });

  it('files activity records as they are created, changed and deleted', async () => {
    const activity = { date: DAY, township: 'chengxiang', theme: 'consumer-rights', kind: 'event', participants: 50, materials: [{ kind: '宣传单', count: 200 }] };
    const created = await send('POST', '/activities', staff, activity);
    expect(created.status).toBe(201);
    const id = String(created.body.id);
    expect((await send('PUT', `/activities/${id}`, staff, { ...activity, participants: 60 })).status).toBe(200);
    expect((await send('DELETE', `/activities/${id}`, staff)).status).toBe(200);
    const trail = (await auditOfDay()).filter((entry) => entry.subject.id === id);
    expect(trail.map((entry) => [entry.action, entry.before?.participants, entry.after?.participants])).toEqual([
      ['activity.create', undefined, 50],
      ['activity.update', 50, 60],
      ['activity.delete', 60, undefined],
    ]);
  });

  it('files registry and SMS template changes, and only what changed', async () => {
    const registry = sampleRegistry();
    const renamed = { ...registry, townships: registry.townships.map((township) => (township.id === 'lianglu' ? { ...township, name: '两路镇' } : township)) };
    expect((await send('PUT', '/registry', admin, renamed)).status).toBe(200);
    expect((await send('PUT', '/registry', admin, renamed)).status).toBe(200); // the same again: no entry
    expect((await send('DELETE', '/registry/villages/lianglu-gaoshan', admin)).status).toBe(409); // a station uses it
    expect((await send('DELETE', '/registry/stations/st-gaoshan', admin)).status).toBe(200);
    expect((await send('DELETE', '/registry/stations/st-gaoshan', admin)).status).toBe(404);
    expect((await send('PUT', '/sms-templates', admin, { items: [{ id: 'reminder', code: 'SMS_T9', text: '${message}' }] })).status).toBe(200);
    // The last three: the registry loaded before these tests is on record too.
    const trail = (await auditOfDay()).filter((entry) => ['registry.update', 'registry.remove', 'sms-templates.update'].includes(entry.action) && entry.actor.role === 'admin').slice(-3);
    expect(trail.map((entry) => [entry.action, entry.after?.changed ?? entry.before])).toEqual([
      ['registry.update', ['TOWNSHIP#lianglu']],
      ['registry.remove', { stations: 'st-gaoshan' }],
      ['sms-templates.update', ['TEMPLATE#reminder']],
    ]);
  });

  it('files subscribers added, changed and removed with the number masked, and an import as one summary', async () => {
    const phone = testPhone(5678);
    const subscriber = { phone, township: 'chengxiang', village: 'chengxiang-xiangyang', groups: ['企业'] };
    expect((await send('POST', '/subscribers', admin, subscriber)).status).toBe(200);
    expect((await send('POST', '/subscribers', admin, { ...subscriber, groups: ['村干部'] })).status).toBe(200);
    const key = String((await send('POST', '/subscribers', admin, { ...subscriber, groups: ['村干部'] })).body.subscriber.phoneKey);
    expect((await send('DELETE', `/subscribers/${key}`, admin)).status).toBe(200);
    const csv = `手机号,乡镇,村,同意\n${testPhone(7001)},城厢镇,向阳村,是\n${testPhone(7002)},城厢镇,向阳村,是\n12345,城厢镇,向阳村,是\n`;
    expect((await send('POST', '/subscribers/import', admin, csv, 'text/csv')).status).toBe(200);

    const entries = await auditOfDay();
    const trail = entries.filter((entry) => entry.subject.id === key);
    expect(trail.map((entry) => [entry.action, entry.before?.groups, entry.after?.groups])).toEqual([
      ['subscriber.create', undefined, ['企业']],
      ['subscriber.update', ['企业'], ['村干部']],
      ['subscriber.remove', ['村干部'], undefined],
    ]);
    expect(trail[0]?.after?.phone).toBe('+86 *******5678');
    expect(entries.find((entry) => entry.action === 'subscribers.import')?.after).toEqual({ rows: 3, created: 2, updated: 0, unchanged: 0, rejected: 1 });
    expect(JSON.stringify(entries)).not.toContain(phone.slice(3));
  });

  it('files a large plan load in parts, each listing exactly what its own transaction wrote', async () => {
    const many = aPlan({
      year: 2032,
      campaigns: Array.from({ length: 120 }, (_, index) => ({
        id: `c-${String(index).padStart(3, '0')}`,
        title: `活动 ${index}`,
        theme: 'consumer-rights',
        window: { start: '2032-03-01', end: '2032-03-31' },
        notices: [],
      })),
    });
    expect((await send('POST', '/plans', staff, many)).status).toBe(200);
    // One request, one moment: the entries say which part they are.
    const parts = (await auditOfDay('&action=plan.load')).filter((entry) => entry.subject.id === '2032').sort((a, b) => Number(a.after?.part) - Number(b.after?.part));
    expect(parts.map((entry) => [entry.after?.part, entry.after?.parts])).toEqual([
      [1, 2],
      [2, 2],
    ]);
    expect(parts.map((entry) => (entry.after?.campaignsCreated as string[]).length)).toEqual([98, 22]);
    expect(parts.map((entry) => entry.after?.plan)).toEqual(['create', 'unchanged']);
    expect(new Set(parts.flatMap((entry) => entry.after?.campaignsCreated as string[])).size).toBe(120);
  });

  it('files nothing for a change refused as bad input', async () => {
    const before = (await auditOfDay()).length;
    expect((await send('POST', '/activities', staff, { date: DAY, township: 'atlantis', theme: 'consumer-rights', kind: 'event' })).status).toBe(400);
    expect((await send('POST', '/campaigns/c-0315/notices', staff, anSmsNotice({ sms: { body: '' } }))).status).toBe(400);
    expect((await auditOfDay()).length).toBe(before);
  });
});

describe('reading the audit log', () => {
  it('is for admins and the county office only', async () => {
    expect((await send('GET', `/audit?date=${DAY}`, admin)).status).toBe(200);
    for (const who of [staff, reviewer]) expect((await send('GET', `/audit?date=${DAY}`, who)).status).toBe(403);
    expect((await send('GET', `/audit?date=${DAY}`, {})).status).toBe(401);
  });

  it('reads a day in pages, oldest first, and today when no date is given', async () => {
    const all = await auditOfDay();
    const first = await send('GET', `/audit?date=${DAY}&limit=3`, countyOffice);
    expect(first.body.items).toEqual(all.slice(0, 3));
    const second = await send('GET', `/audit?date=${DAY}&limit=3&cursor=${must(first.body.nextCursor as string | undefined, 'a cursor')}`, countyOffice);
    expect(second.body.items).toEqual(all.slice(3, 6));
    expect([...all.map((entry) => entry.at)].sort()).toEqual(all.map((entry) => entry.at));
    const today = await send('GET', '/audit', countyOffice);
    expect(today.body.date).toBe(DAY);
    expect((await send('GET', '/audit?date=2031-03-02', countyOffice)).body.items).toEqual([]);
  });

  it('refuses a date or an action that does not exist, naming the field', async () => {
    const badDate = await send('GET', '/audit?date=2031-02-30', countyOffice);
    expect(badDate.status).toBe(400);
    expect(badDate.body.errors.map((error: { field: string }) => error.field)).toEqual(['query.date']);
    const badAction = await send('GET', '/audit?action=notice.delete', countyOffice);
    expect(badAction.status).toBe(400);
    expect(badAction.body.errors.map((error: { field: string }) => error.field)).toEqual(['query.action']);
  });

  it('cannot be written, changed or deleted through the API', async () => {
    const before = await auditOfDay();
    const entry = must(before[0], 'an entry');
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      for (const path of ['/audit', `/audit/${entry.id}`]) {
        const response = await send(method, path, admin, method === 'DELETE' ? undefined : { ...entry, action: 'token.issue' });
        expect([404, 405], `${method} ${path}`).toContain(response.status);
      }
    }
    const paths = Object.entries((await send('GET', '/openapi.json', {})).body.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.startsWith('/audit'))
      .map(([path, operations]) => [path, Object.keys(operations)]);
    expect(paths).toEqual([['/audit', ['get']]]);
    expect(await auditOfDay()).toEqual(before);
  });
});
