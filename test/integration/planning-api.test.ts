/**
 * The planning API end to end on DynamoDB Local: plans, campaigns, notices, review.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { aGrant, aToken } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { sendTo, type Send } from '../support/http.js';
import { aPlan, plan2021Text, sampleRegistry } from '../support/planning.js';

let db: TestDatabase;
let app: ReturnType<typeof createApp>;
let send: Send;
const county = 'testcounty';
type Headers = Record<string, string>;
let admin: Headers;
let staff: Headers;
let reviewer: Headers;
let secondReviewer: Headers;
let countyOffice: Headers;
let station: Headers;

beforeAll(async () => {
  db = await freshTable({ county });
  app = createApp(db.deps);
  send = sendTo(app);
  admin = (await aToken(db.store, county, aGrant({ role: 'admin' }))).headers;
  staff = (await aToken(db.store, county, aGrant({ role: 'staff', name: '宣传员小王' }))).headers;
  reviewer = (await aToken(db.store, county, aGrant({ role: 'reviewer', name: '审核员老李' }))).headers;
  secondReviewer = (await aToken(db.store, county, aGrant({ role: 'reviewer', name: '审核员老张' }))).headers;
  countyOffice = (await aToken(db.store, county, aGrant({ role: 'county' }))).headers;
  station = (await aToken(db.store, county, aGrant({ role: 'station' }))).headers;
  expect((await send('PUT', '/registry', admin, sampleRegistry())).status).toBe(200);
  // Templates are an admin's; staff then load plans that name them as they are.
  expect((await send('PUT', '/sms-templates', admin, { items: aPlan().smsTemplates })).status).toBe(200);
  const loaded = await send('POST', '/plans', staff, aPlan());
  expect(loaded.status).toBe(200);
});
afterAll(async () => db.drop());

const fields = (body: Record<string, any>) => (body.errors as { field: string }[]).map((error) => error.field);

const aCampaign = (overrides: Record<string, unknown> = {}) => ({
  title: '宪法宣传周',
  theme: 'constitution',
  keyDate: '2031-12-04',
  window: { start: '2031-11-29', end: '2031-12-10' },
  ...overrides,
});

const anSms = (overrides: Record<string, unknown> = {}) => ({
  channel: 'sms',
  audience: { townships: ['chengxiang'] },
  schedule: { kind: 'key-date', days: 0, at: '09:00' },
  sms: { body: '今天是国家宪法日，弘扬宪法精神。' },
  ...overrides,
});

describe('POST /plans', () => {
  it('loads YAML and answers mistakes with line numbers, writing nothing', async () => {
    const text = plan2021Text().replace('county: tianquan', `county: ${county}`);
    const broken = text.replace('theme: consumer-rights\n    keyDate', 'theme: consumer-right\n    keyDate');
    expect(broken).not.toBe(text);
    const response = await send('POST', '/plans', staff, broken, 'application/yaml');
    expect(response.status).toBe(400);
    const problem = response.body.errors.find((error: { field: string }) => error.field === 'body.campaigns.12.theme');
    expect(problem.message).toMatch(/^line \d+: unknown theme "consumer-right"/);
    expect((await send('GET', '/plans/2021', staff)).status).toBe(404);
    expect((await send('GET', '/campaigns?year=2021', staff)).body.items).toEqual([]);
  });

  it('reports a YAML syntax error with its line', async () => {
    const response = await send('POST', '/plans', staff, 'year: 2037\nthemes: [\n', 'application/yaml');
    expect(response.status).toBe(400);
    expect(response.body.errors[0].message).toMatch(/^line \d+: /);
  });

  it('is idempotent and can be dry-run', async () => {
    const again = await send('POST', '/plans?dryRun=true', staff, aPlan());
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ dryRun: true, plan: 'unchanged', writes: 0 });
  });

  it('is for staff and admins only', async () => {
    expect((await send('POST', '/plans', reviewer, aPlan())).status).toBe(403);
    expect((await send('POST', '/plans', station, aPlan())).status).toBe(403);
  });
});

describe('campaigns', () => {
  it('are created, listed by year and month, read, changed and cancelled', async () => {
    const created = await send('POST', '/campaigns', staff, aCampaign({ id: 'const-week' }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'const-week', year: 2031, state: 'active', source: 'api', version: 1 });

    const december = await send('GET', '/campaigns?year=2031&month=12', countyOffice);
    expect(december.body.items.map((item: { id: string }) => item.id)).toEqual(['const-week']);
    const march = await send('GET', '/campaigns?year=2031&month=3', countyOffice);
    expect(march.body.items.map((item: { id: string }) => item.id)).toEqual(['c-0315']);
    const year = await send('GET', '/campaigns?year=2031', reviewer);
    expect(year.body.items).toHaveLength(2);

    const changed = await send('PATCH', '/campaigns/const-week', staff, { title: '宪法宣传周（修订）' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ title: '宪法宣传周（修订）', version: 2 });

    const read = await send('GET', '/campaigns/const-week', reviewer);
    expect(read.body.campaign.title).toBe('宪法宣传周（修订）');
  });

  it.each([
    ['an unknown theme', aCampaign({ theme: 'astrology' }), 'body.theme'],
    ['an end before the start', aCampaign({ window: { start: '2031-12-10', end: '2031-12-01' } }), 'body.window.end'],
    ['a date that does not exist', aCampaign({ window: { start: '2031-02-30', end: '2031-03-02' } }), 'body.window.start'],
    ['a key date outside the window', aCampaign({ keyDate: '2031-12-25' }), 'body.keyDate'],
    ['a year with no plan', aCampaign({ window: { start: '2040-01-01', end: '2040-01-05' }, keyDate: undefined }), 'body.window.start'],
    ['an empty title', aCampaign({ title: ' ' }), 'body.title'],
    ['an event outside the window', aCampaign({ events: [{ kind: 'outreach', date: '2031-12-25', place: '广场' }] }), 'body.events.0.date'],
    ['an event in an unknown township', aCampaign({ events: [{ kind: 'outreach', date: '2031-12-04', place: '广场', township: 'atlantis' }] }), 'body.events.0.township'],
    ['an event with a start and no end', aCampaign({ events: [{ kind: 'lecture', date: '2031-12-04', from: '09:00', place: '礼堂' }] }), 'body.events.0.to'],
    ['an event of an unknown kind', aCampaign({ events: [{ kind: 'party', date: '2031-12-04', place: '礼堂' }] }), 'body.events.0.kind'],
    ['an event without a place', aCampaign({ events: [{ kind: 'outreach', date: '2031-12-04' }] }), 'body.events.0.place'],
  ])('refuses %s with 400 naming the field', async (_case, body, field) => {
    const before = await send('GET', '/campaigns?year=2031', staff);
    const response = await send('POST', '/campaigns', staff, body);
    expect(response.status).toBe(400);
    expect(fields(response.body)).toContain(field);
    const after = await send('GET', '/campaigns?year=2031', staff);
    expect(after.body.items).toHaveLength(before.body.items.length);
  });

  it('refuses a second campaign with the same id (409) and unknown ones (404)', async () => {
    expect((await send('POST', '/campaigns', staff, aCampaign({ id: 'c-0315' }))).status).toBe(409);
    expect((await send('GET', '/campaigns/nope', staff)).status).toBe(404);
    expect((await send('PATCH', '/campaigns/nope', staff, { title: 'x' })).status).toBe(404);
  });

  it('can be cancelled, with its unfinished notices', async () => {
    await send('POST', '/campaigns', staff, aCampaign({ id: 'doomed' }));
    await send('POST', '/campaigns/doomed/notices', staff, anSms({ id: 'n1' }));
    const cancelled = await send('POST', '/campaigns/doomed/cancel', staff);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ campaign: { state: 'cancelled' }, cancelledNotices: ['n1'] });
    expect((await send('GET', '/campaigns/doomed/notices/n1', staff)).body.notice.state).toBe('cancelled');
    expect((await send('POST', '/campaigns/doomed/notices', staff, anSms({ id: 'n2' }))).status).toBe(409);
  });

  it('are written by staff only', async () => {
    expect((await send('POST', '/campaigns', reviewer, aCampaign())).status).toBe(403);
    expect((await send('POST', '/campaigns', countyOffice, aCampaign())).status).toBe(403);
    expect((await send('GET', '/campaigns?year=2031', station)).status).toBe(403);
  });
});

describe("a campaign's public events (集中宣传, 法律咨询 …)", () => {
  const outreach = { kind: 'outreach', date: '2031-12-04', from: '09:00', to: '11:30', place: '城厢镇文化广场', township: 'chengxiang' };

  it('are stored with the campaign, shown in the calendar month, and replaced or cleared by a PATCH', async () => {
    const created = await send('POST', '/campaigns', staff, aCampaign({ id: 'with-events', events: [outreach] }));
    expect(created.status).toBe(201);
    expect(created.body.events).toEqual([outreach]);
    const calendar = await send('GET', '/plans/2031/calendar', countyOffice);
    const december = calendar.body.months[11].campaigns.find((campaign: { id: string }) => campaign.id === 'with-events');
    expect(december.events).toEqual([outreach]);

    const moved = await send('PATCH', '/campaigns/with-events', staff, { window: { start: '2031-12-05', end: '2031-12-10' }, keyDate: '2031-12-06' });
    expect(moved.status).toBe(400);
    expect(fields(moved.body)).toContain('body.events.0.date');

    const cleared = await send('PATCH', '/campaigns/with-events', staff, { events: [] });
    expect(cleared.status).toBe(200);
    expect(cleared.body.events).toBeUndefined();
  });

  it('are limited to its own township for a township token, on create and on change', async () => {
    const local = (await aToken(db.store, county, aGrant({ role: 'staff', name: '城厢镇宣传员', township: 'chengxiang' }))).headers;
    const elsewhere = await send('POST', '/campaigns', local, aCampaign({ id: 'local-elsewhere', events: [{ ...outreach, township: 'shiyang' }] }));
    expect(elsewhere.status).toBe(403);
    const countyWide = await send('POST', '/campaigns', local, aCampaign({ id: 'local-county', events: [{ kind: 'consultation', date: '2031-12-04', place: '县政府广场' }] }));
    expect(countyWide.status).toBe(403);
    expect((await send('GET', '/campaigns/local-elsewhere', staff)).status).toBe(404);

    const own = await send('POST', '/campaigns', local, aCampaign({ id: 'local-own', events: [outreach] }));
    expect(own.status).toBe(201);
    const changed = await send('PATCH', '/campaigns/local-own', local, { events: [{ ...outreach, township: 'shiyang' }] });
    expect(changed.status).toBe(403);
    expect((await send('GET', '/campaigns/local-own', staff)).body.campaign.events).toEqual([outreach]);
  });

  it('may not remove or replace another township’s or a county-wide event, only change its own', async () => {
    const local = (await aToken(db.store, county, aGrant({ role: 'staff', name: '城厢镇宣传员', township: 'chengxiang' }))).headers;
    const elsewhere = { kind: 'lecture', date: '2031-12-05', place: '始阳镇中心小学', township: 'shiyang' };
    const countyWide = { kind: 'consultation', date: '2031-12-04', place: '县政府广场' };
    expect((await send('POST', '/campaigns', staff, aCampaign({ id: 'mixed-events', events: [outreach, elsewhere, countyWide] }))).status).toBe(201);
    for (const events of [[], [outreach], [outreach, elsewhere], [{ ...outreach, township: 'chengxiang' }, { ...elsewhere, place: '别处' }, countyWide]]) {
      expect((await send('PATCH', '/campaigns/mixed-events', local, { events })).status, JSON.stringify(events)).toBe(403);
    }
    expect((await send('GET', '/campaigns/mixed-events', staff)).body.campaign.events).toEqual([outreach, elsewhere, countyWide]);
    const ownMoved = await send('PATCH', '/campaigns/mixed-events', local, { events: [countyWide, { ...outreach, from: '14:00', to: '16:00' }, elsewhere] });
    expect(ownMoved.status).toBe(200);
  });
});

describe('notices', () => {
  it('are written as drafts, with segments, cost and send times', async () => {
    await send('POST', '/campaigns', staff, aCampaign({ id: 'notices-home' }));
    const created = await send('POST', '/campaigns/notices-home/notices', staff, anSms({ id: 'day-sms' }));
    expect(created.status).toBe(201);
    expect(created.body.notice).toMatchObject({ id: 'day-sms', state: 'draft', channel: 'sms', author: { name: '宣传员小王' } });
    expect(created.body.stateLabel).toBe('草稿');
    expect(created.body.evaluation.sends).toEqual([{ at: '2031-12-04T01:00:00.000Z', local: '2031-12-04T09:00' }]);
    expect(created.body.evaluation.sms).toMatchObject({ segments: { encoding: 'UCS-2', segments: 1 } });
    expect(created.body.evaluation.sms.text).toMatch(/^【.+】今天是国家宪法日/);
    expect(created.body.evaluation.warnings.join(' ')).toMatch(/已备案的短信模板都不符/);
  });

  it.each([
    ['an empty SMS body', anSms({ sms: { body: '   ' } }), 'body.sms.body'],
    ['a body over the maximum segments', anSms({ sms: { body: '法'.repeat(400) } }), 'body.sms.body'],
    ['an offset outside the window', anSms({ schedule: { kind: 'key-date', days: 30, at: '09:00' } }), 'body.schedule.days'],
    ['an invalid RRULE', anSms({ schedule: { kind: 'rrule', rule: 'FREQ=SOMETIMES', at: '09:00' } }), 'body.schedule.rule'],
    ['an RRULE with too many sends', anSms({ schedule: { kind: 'rrule', rule: 'FREQ=MINUTELY;BYHOUR=9' } }), 'body.schedule.rule'],
    ['an unknown township', anSms({ audience: { townships: ['atlantis'] } }), 'body.audience.townships.0'],
    ['a non-existent date', anSms({ schedule: { kind: 'fixed', at: '2031-02-30T09:00' } }), 'body.schedule.at'],
    ['an unknown template', anSms({ sms: { template: 'nope', params: {} } }), 'body.sms.template'],
    ['a missing template parameter', anSms({ sms: { template: 'key-date', params: { day: '今天' } } }), 'body.sms.params.message'],
    ['a broadcast without air windows', { channel: 'broadcast', audience: { all: true }, schedule: { kind: 'key-date', days: 0, at: '07:00' }, broadcast: { script: '广播', airWindows: [] } }, 'body.broadcast.airWindows'],
  ])('refuse %s with 400 naming the field, writing nothing', async (_case, body, field) => {
    const response = await send('POST', '/campaigns/notices-home/notices', staff, { id: 'should-not-exist', ...body });
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    expect(fields(response.body)).toContain(field);
    expect((await send('GET', '/campaigns/notices-home/notices/should-not-exist', staff)).status).toBe(404);
  });

  it('preview shows the quiet-hour move without saving', async () => {
    const preview = await send('POST', '/campaigns/notices-home/notices/preview', staff, anSms({ schedule: { kind: 'key-date', days: -1, at: '22:30' } }));
    expect(preview.status).toBe(200);
    expect(preview.body.sends).toEqual([{ at: '2031-12-04T00:00:00.000Z', local: '2031-12-04T08:00', movedFrom: '2031-12-03T22:30' }]);
    expect(preview.body.warnings.join(' ')).toMatch(/免打扰时段/);
    const broadcastPreview = await send('POST', '/campaigns/notices-home/notices/preview', reviewer, {
      channel: 'broadcast',
      audience: { all: true },
      schedule: { kind: 'key-date', days: 0, at: '22:30' },
      broadcast: { script: '宪'.repeat(400), airWindows: [{ from: '07:00', to: '07:01' }], repeats: 2 },
    });
    expect(broadcastPreview.body.sends[0]).toEqual({ at: '2031-12-04T14:30:00.000Z', local: '2031-12-04T22:30' });
    expect(broadcastPreview.body.broadcast).toMatchObject({ readingSeconds: 120, totalSeconds: 240 });
    expect(broadcastPreview.body.warnings.length).toBeGreaterThan(0);
  });
});

describe('review (法制审核)', () => {
  const path = '/campaigns/notices-home/notices/review-me';

  it('goes draft -> submitted -> approved -> scheduled, each by the right person', async () => {
    await send('POST', '/campaigns/notices-home/notices', staff, anSms({ id: 'review-me' }));
    expect((await send('POST', `${path}/approve`, reviewer)).status).toBe(409);
    const submitted = await send('POST', `${path}/submit`, staff);
    expect(submitted.status).toBe(200);
    expect(submitted.body.notice.state).toBe('submitted');
    expect(submitted.body.evaluation.warnings.join(' ')).toMatch(/已备案的短信模板/);

    const queue = await send('GET', '/reviews', reviewer);
    expect(queue.body.items.map((item: { id: string }) => item.id)).toContain('review-me');

    expect((await send('POST', `${path}/approve`, staff)).status).toBe(403);
    const approved = await send('POST', `${path}/approve`, reviewer);
    expect(approved.status).toBe(200);
    expect(approved.body.notice).toMatchObject({ state: 'approved', review: { decision: 'approved', decidedBy: { name: '审核员老李' } } });
    expect((await send('GET', '/reviews', reviewer)).body.items.map((item: { id: string }) => item.id)).not.toContain('review-me');

    const scheduled = await send('POST', `${path}/schedule`, staff);
    expect(scheduled.status).toBe(200);
    expect(scheduled.body.notice).toMatchObject({ state: 'scheduled', sends: [{ local: '2031-12-04T09:00' }] });
    expect((await send('PUT', path, staff, anSms())).status).toBe(409);
  });

  it('lets exactly one of two reviewers clicking at once approve; a retry does not move it twice', async () => {
    await send('POST', '/campaigns/notices-home/notices', staff, anSms({ id: 'race' }));
    await send('POST', '/campaigns/notices-home/notices/race/submit', staff);
    const results = await Promise.all([
      send('POST', '/campaigns/notices-home/notices/race/approve', reviewer),
      send('POST', '/campaigns/notices-home/notices/race/approve', secondReviewer),
      send('POST', '/campaigns/notices-home/notices/race/reject', secondReviewer, { reason: '数据来源不明' }),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual([200, 409, 409]);
    const retry = await send('POST', '/campaigns/notices-home/notices/race/approve', reviewer);
    expect(retry.status).toBe(409);
    const notice = (await send('GET', '/campaigns/notices-home/notices/race', staff)).body.notice;
    expect(notice.version).toBe(3);
  });

  it('never lets a reviewer approve their own draft', async () => {
    const both = await aToken(db.store, county, aGrant({ role: 'staff', name: '双重身份' }));
    const same = await aToken(db.store, county, aGrant({ role: 'reviewer', name: '双重身份' }));
    await send('POST', '/campaigns/notices-home/notices', both.headers, anSms({ id: 'own' }));
    await send('POST', '/campaigns/notices-home/notices/own/submit', both.headers);
    const response = await send('POST', '/campaigns/notices-home/notices/own/approve', same.headers);
    expect(response.status).toBe(403);
    expect(response.body.detail).toMatch(/own draft/);
  });

  it('rejects only with a reason, and an edit sends approved content back to draft', async () => {
    await send('POST', '/campaigns/notices-home/notices', staff, anSms({ id: 'bounce' }));
    await send('POST', '/campaigns/notices-home/notices/bounce/submit', staff);
    const noReason = await send('POST', '/campaigns/notices-home/notices/bounce/reject', reviewer, {});
    expect(noReason.status).toBe(400);
    expect(fields(noReason.body)).toContain('body.reason');
    const rejected = await send('POST', '/campaigns/notices-home/notices/bounce/reject', reviewer, { reason: '请注明法律依据' });
    expect(rejected.body.notice).toMatchObject({ state: 'rejected', review: { reason: '请注明法律依据' } });

    await send('POST', '/campaigns/notices-home/notices/bounce/submit', staff);
    await send('POST', '/campaigns/notices-home/notices/bounce/approve', reviewer);
    const edited = await send('PUT', '/campaigns/notices-home/notices/bounce', staff, anSms({ sms: { body: '依据《宪法》第二十四条，今天是国家宪法日。' } }));
    expect(edited.status).toBe(200);
    expect(edited.body.notice).toMatchObject({ state: 'draft', review: {} });
  });
});

describe('a staff member limited to a township', () => {
  it('may address only that township and its villages', async () => {
    const local = (await aToken(db.store, county, aGrant({ role: 'staff', name: '城厢镇宣传员', township: 'chengxiang' }))).headers;
    const inside = await send('POST', '/campaigns/notices-home/notices', local, anSms({ id: 'local-ok', audience: { villages: ['chengxiang-xiangyang'] } }));
    expect(inside.status).toBe(201);
    const outside = await send('POST', '/campaigns/notices-home/notices', local, anSms({ id: 'local-no', audience: { townships: ['shiyang'] } }));
    expect(outside.status).toBe(403);
    const everyone = await send('POST', '/campaigns/notices-home/notices', local, anSms({ id: 'local-all', audience: { all: true } }));
    expect(everyone.status).toBe(403);
  });
});

describe('GET /plans/{year}/calendar', () => {
  it('shows twelve months with themes, key dates, campaigns and notice states', async () => {
    const response = await send('GET', '/plans/2031/calendar', countyOffice);
    expect(response.status).toBe(200);
    const { months, planned, timeZone } = response.body as { months: any[]; planned: boolean; timeZone: string };
    expect(planned).toBe(true);
    expect(timeZone).toBe('Asia/Shanghai');
    expect(months).toHaveLength(12);
    expect(months[2]).toMatchObject({ month: 3, theme: { id: 'consumer-rights', name: '消费者权益保护' }, keyDates: [{ date: '2031-03-15' }] });
    expect(months[2].campaigns[0]).toMatchObject({ id: 'c-0315', notices: [{ id: 'broadcast', state: 'draft' }, { id: 'sms-eve', state: 'draft' }] });
    const december = months[11].campaigns.find((campaign: { id: string }) => campaign.id === 'notices-home');
    expect(december.notices.find((notice: { id: string }) => notice.id === 'review-me')).toMatchObject({ state: 'scheduled', stateLabel: '已排期', sends: 1 });
    expect(months[0].theme).toBeNull();
  });

  it('answers an unplanned year with empty months', async () => {
    const response = await send('GET', '/plans/2099/calendar', reviewer);
    expect(response.body.planned).toBe(false);
    expect(response.body.months.every((month: { campaigns: unknown[] }) => month.campaigns.length === 0)).toBe(true);
  });
});

describe('the year’s plan, registry and templates', () => {
  it('GET /plans/{year} returns themes, key dates and settings, and 400s a bad year', async () => {
    const plan = await send('GET', '/plans/2031', reviewer);
    expect(plan.status).toBe(200);
    expect(plan.body).toMatchObject({ year: 2031, timeZone: 'Asia/Shanghai', months: { '3': 'consumer-rights' }, keyDates: [{ date: '2031-03-15' }] });
    expect(plan.body.settings.quietHours).toEqual({ start: '21:00', end: '08:00' });
    const bad = await send('GET', '/plans/twenty', reviewer);
    expect(bad.status).toBe(400);
    expect(fields(bad.body)).toEqual(['path.year']);
  });

  it('PUT /registry adds entries idempotently and refuses dangling references', async () => {
    const addition = { townships: [], villages: [{ id: 'shiyang-new', township: 'shiyang', name: '新村（示例）' }], stations: [], groups: [] };
    expect((await send('PUT', '/registry', admin, addition)).body).toEqual({ created: 1, updated: 0, unchanged: 0, pushes: { subscribed: [], unsubscribed: [], failed: [] } });
    expect((await send('PUT', '/registry', admin, addition)).body).toEqual({ created: 0, updated: 0, unchanged: 1, pushes: { subscribed: [], unsubscribed: [], failed: [] } });
    const dangling = await send('PUT', '/registry', admin, { villages: [{ id: 'lost', township: 'atlantis', name: '失踪村' }] });
    expect(dangling.status).toBe(400);
    expect(fields(dangling.body)).toEqual(['body.villages.0.township']);
    const registry = await send('GET', '/registry', countyOffice);
    expect(registry.body.villages.map((village: { id: string }) => village.id)).toContain('shiyang-new');
    expect(registry.body.villages.map((village: { id: string }) => village.id)).not.toContain('lost');
    expect((await send('PUT', '/registry', staff, addition)).status).toBe(403);
  });

  it('PUT /sms-templates registers templates; a body matching one is no longer warned about', async () => {
    const bad = await send('PUT', '/sms-templates', admin, { items: [{ id: 'x', text: '' }] });
    expect(bad.status).toBe(400);
    expect(fields(bad.body)).toEqual(['body.items.0.text']);
    const put = await send('PUT', '/sms-templates', admin, { items: [{ id: 'constitution-day', code: 'SMS_T2', text: '今天是国家宪法日，${message}' }] });
    expect(put.body).toEqual({ created: 1, updated: 0, unchanged: 0, backToReview: [] });
    const listed = await send('GET', '/sms-templates', reviewer);
    expect(listed.body.items.map((item: { id: string }) => item.id).sort()).toEqual(['constitution-day', 'key-date']);
    const preview = await send('POST', '/campaigns/notices-home/notices/preview', staff, anSms());
    expect(preview.body.warnings.join(' ')).not.toMatch(/已备案的短信模板/);
  });

  it('GET /reviews lists other states and refuses an unknown one', async () => {
    const scheduled = await send('GET', '/reviews?state=scheduled', staff);
    expect(scheduled.body.items.map((item: { id: string }) => item.id)).toContain('review-me');
    const bad = await send('GET', '/reviews?state=lost', reviewer);
    expect(bad.status).toBe(400);
    expect(fields(bad.body)).toEqual(['query.state']);
    expect((await send('GET', '/reviews', countyOffice)).status).toBe(403);
  });

  it('cancels a scheduled notice, once', async () => {
    const cancelled = await send('POST', '/campaigns/notices-home/notices/review-me/cancel', staff);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.notice.state).toBe('cancelled');
    expect((await send('POST', '/campaigns/notices-home/notices/review-me/cancel', staff)).status).toBe(409);
  });

  it('PATCH /campaigns/{id} validates like create and refuses moving a window under approved notices', async () => {
    const badTheme = await send('PATCH', '/campaigns/notices-home', staff, { theme: 'astrology' });
    expect(badTheme.status).toBe(400);
    expect(fields(badTheme.body)).toEqual(['body.theme']);
    const badDate = await send('PATCH', '/campaigns/notices-home', staff, { window: { start: '2031-11-31', end: '2031-12-10' } });
    expect(fields(badDate.body)).toEqual(['body.window.start']);
    await send('POST', '/campaigns/notices-home/notices', staff, anSms({ id: 'pin' }));
    await send('POST', '/campaigns/notices-home/notices/pin/submit', staff);
    await send('POST', '/campaigns/notices-home/notices/pin/approve', reviewer);
    const moved = await send('PATCH', '/campaigns/notices-home', staff, { window: { start: '2031-11-30', end: '2031-12-10' } });
    expect(moved.status).toBe(409);
    const retitled = await send('PATCH', '/campaigns/notices-home', staff, { title: '宪法宣传周' });
    expect(retitled.status).toBe(200);
  });
});

describe('DELETE /registry/{kind}/{id}', () => {
  it('removes an unused entry, refuses one still in use, and 404s an unknown one', async () => {
    await send('PUT', '/registry', admin, { villages: [{ id: 'to-remove', township: 'lianglu', name: '待删村' }] });
    expect((await send('DELETE', '/registry/townships/lianglu', admin)).status).toBe(409);
    expect((await send('DELETE', '/registry/villages/to-remove', admin)).body).toEqual({ removed: 'to-remove' });
    expect((await send('DELETE', '/registry/villages/to-remove', admin)).status).toBe(404);
    expect((await send('DELETE', '/registry/planets/mars', admin)).status).toBe(400);
    expect((await send('DELETE', '/registry/villages/x', staff)).status).toBe(403);
    const registry = await send('GET', '/registry', staff);
    expect(registry.body.villages.map((village: { id: string }) => village.id)).not.toContain('to-remove');
  });
});
