/**
 * Issue 10, "no way around review", on DynamoDB Local: a plan load changes only what its caller
 * may change through the single routes; what a reviewer approved is exactly what is scheduled;
 * separation of duties counts everyone who wrote a notice, by normalised name; a township token
 * cannot cancel or change a campaign reaching beyond its township; invisible text is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import type { PlanFile } from '../../functions/domain/plan.js';
import { aGrant, aToken, must } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { sendTo, type Send } from '../support/http.js';
import { aPlan, sampleRegistry } from '../support/planning.js';

let db: TestDatabase;
let send: Send;
const county = 'testcounty';
type Headers = Record<string, string>;
let admin: Headers;
let wangwu: Headers;
let lisiStaff: Headers;
let lisiReviewer: Headers;
let reviewer: Headers;
let chengxiang: Headers;

const monthly = { id: 'monthly-theme', code: 'SMS_T9', text: '本月普法主题：${theme}。${message}' };
const rewritten = { ...monthly, text: '紧急通知：${theme}。请立即转账。${message}' };
const templates = () => [...aPlan().smsTemplates, monthly];
const thePlan = (overrides: Partial<PlanFile> = {}) => aPlan({ smsTemplates: templates(), ...overrides });

const fields = (body: Record<string, any>) => ((body.errors ?? []) as { field: string }[]).map((error) => error.field);

const aMonthlySms = (id: string, overrides: Record<string, unknown> = {}) => ({
  id,
  channel: 'sms',
  audience: { townships: ['chengxiang'] },
  schedule: { kind: 'key-date', days: 0, at: '09:00' },
  sms: { template: 'monthly-theme', params: { theme: '消费者权益保护', message: '维权请拨12315。' } },
  ...overrides,
});

const notice = async (id: string) => (await send('GET', `/campaigns/c-0315/notices/${id}`, reviewer)).body.notice;
const act = (id: string, action: string, who: Headers, body?: unknown) => send('POST', `/campaigns/c-0315/notices/${id}/${action}`, who, body);

/** Written by 王五, submitted by 王五, approved by the other reviewer. */
async function approved(id: string, overrides: Record<string, unknown> = {}) {
  expect((await send('POST', '/campaigns/c-0315/notices', wangwu, aMonthlySms(id, overrides))).status).toBe(201);
  expect((await act(id, 'submit', wangwu)).status).toBe(200);
  expect((await act(id, 'approve', reviewer)).status).toBe(200);
}

beforeAll(async () => {
  db = await freshTable({ county });
  send = sendTo(createApp(db.deps));
  admin = (await aToken(db.store, county, aGrant({ role: 'admin', name: '管理员' }))).headers;
  wangwu = (await aToken(db.store, county, aGrant({ role: 'staff', name: '王五' }))).headers;
  lisiStaff = (await aToken(db.store, county, aGrant({ role: 'staff', name: '李四' }))).headers;
  lisiReviewer = (await aToken(db.store, county, aGrant({ role: 'reviewer', name: '李四' }))).headers;
  reviewer = (await aToken(db.store, county, aGrant({ role: 'reviewer', name: '审核员老张' }))).headers;
  chengxiang = (await aToken(db.store, county, aGrant({ role: 'staff', name: '城厢镇宣传员', township: 'chengxiang' }))).headers;
  expect((await send('PUT', '/registry', admin, sampleRegistry())).status).toBe(200);
  expect((await send('POST', '/plans', admin, thePlan())).status).toBe(200);
});
afterAll(async () => db.drop());

describe('a plan load is no back door', () => {
  it('refuses staff a plan that rewrites a registered template (403, nothing written), and the approved text is what is scheduled', async () => {
    await approved('bd-1');
    const refused = await send('POST', '/plans', wangwu, thePlan({ smsTemplates: [...aPlan().smsTemplates, rewritten] }));
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(refused.body.detail).toMatch(/smsTemplates \(monthly-theme\)/);
    const stored = (await send('GET', '/sms-templates', wangwu)).body.items.find((item: { id: string }) => item.id === 'monthly-theme');
    expect(stored.text).toBe(monthly.text);

    const scheduled = await act('bd-1', 'schedule', wangwu);
    expect(scheduled.status).toBe(200);
    expect(scheduled.body.notice.smsText).toContain('本月普法主题');
    expect(scheduled.body.notice.smsText).not.toContain('转账');
  });

  it('lets staff load the same file again, templates and settings as stored', async () => {
    const again = await send('POST', '/plans', wangwu, thePlan());
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ plan: 'unchanged', smsTemplates: { created: 0, updated: 0 }, backToReview: [], writes: 0 });
  });

  it('refuses staff a plan that changes the SMS signature or quiet hours', async () => {
    const signature = await send('POST', '/plans', wangwu, thePlan({ settings: { sms: { signature: '冒名机关' } } }));
    expect(signature.status).toBe(403);
    expect(signature.body.detail).toMatch(/settings/);
    const quiet = await send('POST', '/plans?dryRun=true', wangwu, thePlan({ settings: { sms: {}, quietHours: { start: '23:59', end: '00:00' } } }));
    expect(quiet.status).toBe(403);
    expect((await send('GET', '/plans/2031', wangwu)).body.settings.sms.signature).toBe('普法宣传');
  });

  it('refuses a township token county-wide drafts and settings, naming them; its own township’s content loads', async () => {
    const countyWide = await send('POST', '/plans', chengxiang, thePlan({
      campaigns: [{ ...must(aPlan().campaigns[0]), notices: [...must(aPlan().campaigns[0]).notices, { id: 'everyone', channel: 'sms', audience: { all: true, townships: [], villages: [], groups: [] }, schedule: { kind: 'key-date', days: 0, at: '10:00' }, sms: { body: '全县通知。', params: {} } }] }],
    }));
    expect(countyWide.status).toBe(403);
    expect(countyWide.body.detail).toMatch(/c-0315\/everyone/);
    expect((await send('GET', '/campaigns/c-0315/notices/everyone', reviewer)).status).toBe(404);

    const settings = await send('POST', '/plans', chengxiang, thePlan({ settings: { sms: { signature: '城厢镇' } } }));
    expect(settings.status).toBe(403);

    const event = { kind: 'outreach' as const, date: '2031-03-15', place: '始阳镇广场', township: 'shiyang' };
    const eventElsewhere = await send('POST', '/plans', chengxiang, thePlan({
      campaigns: [{ id: 'cx-event', title: '城厢镇宣传', theme: 'consumer-rights', keyDate: '03-15', window: { start: '2031-03-08', end: '2031-03-21' }, events: [event], notices: [] }],
    }));
    expect(eventElsewhere.status).toBe(403);
    expect(eventElsewhere.body.detail).toMatch(/cx-event/);
    expect((await send('GET', '/campaigns/cx-event', reviewer)).status).toBe(404);
    // A campaign the county loaded with another township's event: a township file that leaves it out would remove it.
    const countyCampaign = { id: 'cx-mixed', title: '联合宣传', theme: 'consumer-rights', keyDate: '03-15', window: { start: '2031-03-08', end: '2031-03-21' }, notices: [] };
    expect((await send('POST', '/plans', admin, thePlan({ campaigns: [...aPlan().campaigns, { ...countyCampaign, events: [event] }] }))).status).toBe(200);
    const removal = await send('POST', '/plans', chengxiang, thePlan({ campaigns: [...aPlan().campaigns, { ...countyCampaign, title: '联合宣传（城厢）', events: [] }] }));
    expect(removal.status).toBe(403);
    expect(removal.body.detail).toMatch(/cx-mixed/);
    expect((await send('GET', '/campaigns/cx-mixed', reviewer)).body.campaign.events).toEqual([event]);

    const own = await send('POST', '/plans', chengxiang, thePlan({
      campaigns: [{ id: 'cx-own', title: '城厢镇宣传', theme: 'consumer-rights', keyDate: '03-15', window: { start: '2031-03-08', end: '2031-03-21' }, notices: [aMonthlySms('cx-1', { audience: { townships: ['chengxiang'], villages: [], groups: [], all: false } }) as never] }],
    }));
    expect(own.status).toBe(200);
    expect(own.body.campaigns).toEqual(expect.arrayContaining([{ id: 'cx-own', action: 'create' }]));
  });
});

describe('what a reviewer approved is what goes out', () => {
  it('sends submitted and approved notices using a template an admin’s plan rewrites back to review, listed; scheduled ones keep their text', async () => {
    await approved('tp-approved');
    await approved('tp-scheduled');
    expect((await act('tp-scheduled', 'schedule', wangwu)).status).toBe(200);
    expect((await send('POST', '/campaigns/c-0315/notices', wangwu, aMonthlySms('tp-submitted'))).status).toBe(201);
    expect((await act('tp-submitted', 'submit', wangwu)).status).toBe(200);

    const loaded = await send('POST', '/plans', admin, thePlan({ smsTemplates: [...aPlan().smsTemplates, rewritten] }));
    expect(loaded.status).toBe(200);
    expect(loaded.body.smsTemplates).toMatchObject({ updated: 1 });
    expect(loaded.body.backToReview).toEqual(expect.arrayContaining([{ campaignId: 'c-0315', id: 'tp-approved' }, { campaignId: 'c-0315', id: 'tp-submitted' }]));
    expect(loaded.body.backToReview).not.toContainEqual({ campaignId: 'c-0315', id: 'tp-scheduled' });
    expect((await notice('tp-approved')).state).toBe('draft');
    expect((await notice('tp-submitted')).state).toBe('draft');
    expect((await notice('tp-scheduled')).smsText).toContain('本月普法主题');
    expect((await act('tp-approved', 'schedule', wangwu)).status).toBe(409);

    // PUT /sms-templates does the same.
    await approved('tp-put');
    const put = await send('PUT', '/sms-templates', admin, { items: [monthly] });
    expect(put.status).toBe(200);
    expect(put.body.backToReview).toContainEqual({ campaignId: 'c-0315', id: 'tp-put' });
    expect((await notice('tp-put')).state).toBe('draft');
  });

  it('sends approved SMS of the year back to review when an admin changes the signature', async () => {
    await approved('sig-1', { sms: { body: '今天是消费者权益日，维权请拨12315。' } });
    const loaded = await send('POST', '/plans', admin, thePlan({ settings: { sms: { signature: '天全普法' } } }));
    expect(loaded.status).toBe(200);
    expect(loaded.body.backToReview).toContainEqual({ campaignId: 'c-0315', id: 'sig-1' });
    expect((await notice('sig-1')).state).toBe('draft');
    expect((await send('POST', '/plans', admin, thePlan())).status).toBe(200);
  });

  it('refuses (409) to schedule a notice whose text renders differently from the approved text', async () => {
    await approved('fp-1');
    expect((await notice('fp-1')).review.approvedText).toContain('本月普法主题');
    // A template changed under the approval without the return to review (say, a crash in between).
    await db.store.registry.upsertSmsTemplates(county, [rewritten]);
    const refused = await act('fp-1', 'schedule', wangwu);
    expect(refused.status).toBe(409);
    const after = await notice('fp-1');
    expect(after.state).toBe('approved');
    expect(after.smsText).toBeUndefined();
    await db.store.registry.upsertSmsTemplates(county, [monthly]);
  });
});

describe('separation of duties', () => {
  it('refuses a reviewer who rewrote and submitted a notice someone else created', async () => {
    expect((await send('POST', '/campaigns/c-0315/notices', wangwu, aMonthlySms('sod-1'))).status).toBe(201);
    expect((await send('PUT', '/campaigns/c-0315/notices/sod-1', lisiStaff, aMonthlySms('sod-1', { title: '李四改写' }))).status).toBe(200);
    expect((await act('sod-1', 'submit', lisiStaff)).status).toBe(200);
    const refused = await act('sod-1', 'approve', lisiReviewer);
    expect(refused.status).toBe(403);
    expect((await notice('sod-1')).editors.map((editor: { name: string }) => editor.name)).toEqual(['王五', '李四']);
    expect((await act('sod-1', 'approve', reviewer)).status).toBe(200);
  });

  it('counts whoever loaded a plan that rewrote the notice', async () => {
    const campaign = { id: 'by-plan', title: '计划导入', theme: 'consumer-rights', keyDate: '03-15', window: { start: '2031-03-08', end: '2031-03-21' } };
    const first = thePlan({ campaigns: [{ ...campaign, notices: [aMonthlySms('p-1') as never] }] });
    expect((await send('POST', '/plans', wangwu, first)).status).toBe(200);
    // 李四 loads the file again with the draft rewritten: a plan load is an edit like any other.
    const second = thePlan({ campaigns: [{ ...campaign, notices: [aMonthlySms('p-1', { title: '李四改写' }) as never] }] });
    const reloaded = await send('POST', '/plans', lisiStaff, second);
    expect(reloaded.status).toBe(200);
    expect(reloaded.body.notices).toContainEqual({ campaignId: 'by-plan', id: 'p-1', action: 'update' });
    expect((await send('POST', '/campaigns/by-plan/notices/p-1/submit', wangwu)).status).toBe(200);
    expect((await send('POST', '/campaigns/by-plan/notices/p-1/approve', lisiReviewer)).status).toBe(403);
    expect((await send('POST', '/campaigns/by-plan/notices/p-1/approve', reviewer)).status).toBe(200);
  });

  it('compares names after Unicode normalisation: 李\\u200b四 is 李四', async () => {
    const hidden = (await aToken(db.store, county, aGrant({ role: 'reviewer', name: '李\u200b四' }))).headers;
    expect((await send('POST', '/campaigns/c-0315/notices', lisiStaff, aMonthlySms('nfkc-1'))).status).toBe(201);
    expect((await act('nfkc-1', 'submit', lisiStaff)).status).toBe(200);
    expect((await act('nfkc-1', 'approve', hidden)).status).toBe(403);
    expect((await act('nfkc-1', 'reject', hidden, { reason: '需要修改' })).status).toBe(403);
  });
});

describe('invisible text', () => {
  it.each([
    ['a token name of zero-width spaces', 'POST', '/tokens', () => admin, { role: 'reviewer', name: '\u200b\u200b' }, 'body.name'],
    ['a token name with a NUL byte', 'POST', '/tokens', () => admin, { role: 'reviewer', name: '李\u0000四' }, 'body.name'],
    ['a campaign title of format characters', 'POST', '/campaigns', () => wangwu, { title: '\u2060\u200d', theme: 'consumer-rights', window: { start: '2031-03-08', end: '2031-03-21' } }, 'body.title'],
    ['an SMS body of ideographic spaces', 'POST', '/campaigns/c-0315/notices', () => wangwu, aMonthlySms('inv-1', { sms: { body: '\u3000\u200b' } }), 'body.sms.body'],
    ['an SMS parameter with a NUL byte', 'POST', '/campaigns/c-0315/notices', () => wangwu, aMonthlySms('inv-2', { sms: { template: 'monthly-theme', params: { theme: '宪法\u0000', message: 'x' } } }), 'body.sms.params.theme'],
    ['a notice title of zero-width spaces', 'POST', '/campaigns/c-0315/notices', () => wangwu, aMonthlySms('inv-3', { title: '\u200b' }), 'body.title'],
    ['a template of invisible text', 'PUT', '/sms-templates', () => admin, { items: [{ id: 'blank', text: '\u200b\ufeff' }] }, 'body.items.0.text'],
  ])('refuses %s with 400 naming the field, writing nothing', async (_case, method, path, who, body, field) => {
    const response = await send(method, path, who(), body);
    expect(response.status).toBe(400);
    expect(fields(response.body)).toContain(field);
  });

  it('refuses a rejection whose reason is only invisible characters', async () => {
    expect((await send('POST', '/campaigns/c-0315/notices', wangwu, aMonthlySms('inv-reason'))).status).toBe(201);
    expect((await act('inv-reason', 'submit', wangwu)).status).toBe(200);
    const response = await act('inv-reason', 'reject', reviewer, { reason: '\u200b\u200b' });
    expect(response.status).toBe(400);
    expect(fields(response.body)).toContain('body.reason');
    expect((await notice('inv-reason')).state).toBe('submitted');
  });
});

describe('campaigns and a township token', () => {
  it('refuses to cancel or change a campaign that holds another township’s notice (403 naming it)', async () => {
    const campaign = { id: 'mixed', title: '混合活动', theme: 'consumer-rights', keyDate: '2031-03-15', window: { start: '2031-03-08', end: '2031-03-21' } };
    expect((await send('POST', '/campaigns', wangwu, campaign)).status).toBe(201);
    expect((await send('POST', '/campaigns/mixed/notices', wangwu, aMonthlySms('sy', { audience: { townships: ['shiyang'] } }))).status).toBe(201);

    const cancel = await send('POST', '/campaigns/mixed/cancel', chengxiang);
    expect(cancel.status).toBe(403);
    expect(cancel.body.detail).toMatch(/sy/);
    const patch = await send('PATCH', '/campaigns/mixed', chengxiang, { title: '改名' });
    expect(patch.status).toBe(403);
    const read = await send('GET', '/campaigns/mixed', reviewer);
    expect(read.body.campaign).toMatchObject({ state: 'active', title: '混合活动' });
    expect(read.body.notices[0].state).toBe('draft');

    // Its own township's campaign it may change and cancel.
    expect((await send('POST', '/campaigns', wangwu, { ...campaign, id: 'cx-only' })).status).toBe(201);
    expect((await send('POST', '/campaigns/cx-only/notices', wangwu, aMonthlySms('cx'))).status).toBe(201);
    expect((await send('PATCH', '/campaigns/cx-only', chengxiang, { title: '城厢' })).status).toBe(200);
    expect((await send('POST', '/campaigns/cx-only/cancel', chengxiang)).status).toBe(200);
  });
});
