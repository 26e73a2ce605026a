/**
 * The year's iCalendar feed (RFC 5545) on DynamoDB Local: opened only by a calendar feed key that an
 * admin creates and revokes (audited, stored hashed), never by an API token; and what it serves
 * opens in a real parser (ical.js) with its lines folded at 75 octets, text escaped and times in UTC.
 */
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { aGrant, aToken } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { sendTo, type Send } from '../support/http.js';
import { aPlan, sampleRegistry } from '../support/planning.js';
import { tableItems } from '../support/table-snapshot.js';

let db: TestDatabase;
let app: ReturnType<typeof createApp>;
let send: Send;
const county = 'feedcounty';
type Headers = Record<string, string>;
let admin: Headers;
let adminSecret: string;
let staff: Headers;
let reviewer: Headers;
let key: string;

const tricky = '宣传周; 第一期, “法治”\\讲堂';
const longDescription = '在县城广场设咨询台，发放宣传资料，现场解答群众关于消费者权益保护的法律问题。'.repeat(4);

beforeAll(async () => {
  db = await freshTable({ county });
  app = createApp(db.deps);
  send = sendTo(app);
  const adminToken = await aToken(db.store, county, aGrant({ role: 'admin' }));
  admin = adminToken.headers;
  adminSecret = adminToken.secret;
  staff = (await aToken(db.store, county, aGrant({ role: 'staff', name: '宣传员小王' }))).headers;
  reviewer = (await aToken(db.store, county, aGrant({ role: 'reviewer', name: '审核员老李' }))).headers;
  expect((await send('PUT', '/registry', admin, sampleRegistry())).status).toBe(200);
  expect((await send('PUT', '/sms-templates', admin, { items: aPlan().smsTemplates })).status).toBe(200);
  expect((await send('POST', '/plans', staff, aPlan())).status).toBe(200);
  const campaign = await send('POST', '/campaigns', staff, {
    id: 'tricky',
    title: tricky,
    theme: 'consumer-rights',
    window: { start: '2031-03-22', end: '2031-03-28' },
    description: longDescription,
    events: [
      { kind: 'outreach', date: '2031-03-23', from: '09:00', to: '11:30', place: '文化广场; 东门', township: 'chengxiang' },
      { kind: 'consultation', title: '消费维权咨询', date: '2031-03-24', place: '县市场监管局一楼大厅' },
    ],
  });
  expect(campaign.status).toBe(201);
  // One notice through review to scheduled: its sends are fixed, and belong in the feed.
  for (const [who, action] of [
    [staff, 'submit'],
    [reviewer, 'approve'],
    [staff, 'schedule'],
  ] as const) {
    const moved = await send('POST', `/campaigns/c-0315/notices/sms-eve/${action}`, who, {});
    expect(moved.status, `${action}: ${JSON.stringify(moved.body)}`).toBe(200);
  }
  const created = await send('POST', '/feeds', admin, { label: '城厢镇司法所手机日历' });
  expect(created.status).toBe(201);
  key = created.body.key;
});
afterAll(async () => db.drop());

const feed = (path: string, headers: Headers = {}) => app.request(path, { headers });

describe('calendar feed keys', () => {
  it('are created by an admin only, shown once, stored only as a hash, and audited', async () => {
    expect(key).toMatch(/^pufa_feed_[A-Za-z0-9_-]{43}$/);
    expect((await send('POST', '/feeds', staff, { label: 'x' })).status).toBe(403);
    expect((await tableItems(db.client, db.tableName)).join('\n')).not.toContain(key);
    const listed = await send('GET', '/feeds', admin);
    expect(listed.body.items).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(key);
    const audit = await send('GET', '/audit?action=feed.create', admin);
    expect(JSON.stringify(audit.body)).toContain('feed.create');
  });

  it("point to the county's current year, which may be ahead of UTC's", async () => {
    // 01:00 on 1 January 2032 in Shanghai is still 2031 in UTC.
    const newYearsNight = createApp({ ...db.deps, clock: () => new Date('2031-12-31T17:00:00Z') });
    const created = await sendTo(newYearsNight)('POST', '/feeds', admin, { label: '新年的日历' });
    expect(created.status).toBe(201);
    expect(created.body.path).toMatch(/^\/plans\/2032\/calendar\.ics\?key=pufa_feed_/);
  });

  it('refuse a blank label naming the field, writing nothing', async () => {
    const before = await tableItems(db.client, db.tableName);
    const refused = await send('POST', '/feeds', admin, { label: '   ' });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((error: { field: string }) => error.field)).toContain('body.label');
    expect(await tableItems(db.client, db.tableName)).toEqual(before);
  });

  it('the feed answers 401 without a key, with an API token as key or in the header, and with an unknown key', async () => {
    for (const [path, headers] of [
      ['/plans/2031/calendar.ics', {}],
      ['/plans/2031/calendar.ics', admin],
      [`/plans/2031/calendar.ics?key=${encodeURIComponent(adminSecret)}`, {}],
      [`/plans/2031/calendar.ics?key=pufa_feed_${'A'.repeat(43)}`, {}],
    ] as const) {
      const response = await feed(path, headers);
      expect(response.status, path).toBe(401);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
    }
  });
});

describe('GET /plans/{year}/calendar.ics', () => {
  let text: string;
  let events: ICAL.Event[];

  beforeAll(async () => {
    const response = await feed(`/plans/2031/calendar.ics?key=${key}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    text = await response.text();
    const component = new ICAL.Component(ICAL.parse(text));
    events = component.getAllSubcomponents('vevent').map((vevent) => new ICAL.Event(vevent));
  });

  it('opens in a parser, with CRLF line ends and every line folded at 75 octets', () => {
    expect(text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const lines = text.split('\r\n');
    expect(Math.max(...lines.map((line) => Buffer.byteLength(line, 'utf8')))).toBeLessThanOrEqual(75);
    expect(lines.some((line) => line.startsWith(' '))).toBe(true);
  });

  it('holds the themes, key dates, campaigns and scheduled sends; text round-trips escaped', () => {
    const summaries = events.map((event) => event.summary);
    expect(summaries).toEqual(expect.arrayContaining(['3月主题：消费者权益保护', '12月主题：宪法宣传', '国际消费者权益日', `集中宣传：${tricky}`, '集中宣传：3·15 集中宣传']));
    const tricky_ = events.find((event) => event.summary === `集中宣传：${tricky}`);
    expect(tricky_?.description).toBe(longDescription);
    expect(text).toContain('宣传周\\; 第一期\\, “法治”\\\\讲堂');
  });

  it('gives key dates and campaigns as dates, and sends as UTC times', () => {
    const keyDate = events.find((event) => event.summary === '国际消费者权益日');
    expect(keyDate?.startDate.isDate).toBe(true);
    expect(keyDate?.startDate.toString()).toBe('2031-03-15');
    const campaign = events.find((event) => event.summary === `集中宣传：${tricky}`);
    expect(campaign?.startDate.toString()).toBe('2031-03-22');
    expect(campaign?.endDate.toString()).toBe('2031-03-29');
    const sends = events.filter((event) => event.summary.startsWith('短信：'));
    expect(sends).toHaveLength(1);
    // sms-eve: the day before 3·15 at 10:00 in Asia/Shanghai.
    expect(sends[0]?.startDate.zone.tzid).toBe('UTC');
    expect(sends[0]?.startDate.toJSDate().toISOString()).toBe('2031-03-14T02:00:00.000Z');
    // The broadcast was not scheduled: it is not in the feed.
    expect(summaries(events).some((summary) => summary.startsWith('广播'))).toBe(false);
  });

  it("gives a campaign's public events with their place, timed in the county's zone or all day", () => {
    const outreach = events.find((event) => event.summary === `集中宣传：${tricky}` && !event.startDate.isDate);
    // 09:00–11:30 in Asia/Shanghai; the township's name from the registry beside the place.
    expect(outreach?.startDate.toJSDate().toISOString()).toBe('2031-03-23T01:00:00.000Z');
    expect(outreach?.endDate.toJSDate().toISOString()).toBe('2031-03-23T03:30:00.000Z');
    expect(outreach?.location).toBe('文化广场; 东门（城厢镇）');
    const consultation = events.find((event) => event.summary === `消费维权咨询：${tricky}`);
    expect(consultation?.startDate.isDate).toBe(true);
    expect(consultation?.startDate.toString()).toBe('2031-03-24');
    expect(consultation?.location).toBe('县市场监管局一楼大厅');
    expect(consultation?.description).toBe('法律咨询');
  });

  it('stops opening once revoked, and the revocation is audited', async () => {
    const [listed] = (await send('GET', '/feeds', admin)).body.items;
    const revoked = await send('DELETE', `/feeds/${listed.id}`, admin);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toBeDefined();
    expect((await feed(`/plans/2031/calendar.ics?key=${key}`)).status).toBe(401);
    const audit = await send('GET', '/audit?action=feed.revoke', admin);
    expect(JSON.stringify(audit.body)).toContain('feed.revoke');
  });
});

const summaries = (events: ICAL.Event[]) => events.map((event) => event.summary);
