/**
 * The web pages through the app itself, on a fresh table: what a new install shows, cross-site
 * form posts refused, each page only for its roles, form mistakes answered in Chinese with nothing
 * written, and the outbox masking numbers. The browser walk-through is in test/e2e.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import type { Role } from '../../functions/domain/access.js';
import { Outbox } from '../../functions/local/sns-sink.js';
import { aGrant, aToken } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { load2021, sampleRegistry } from '../support/planning.js';
import { aSession } from '../support/sessions.js';

const county = 'testcounty';
let db: TestDatabase;
let app: ReturnType<typeof createApp>;
const outbox = new Outbox();
const cookies: Partial<Record<Role, string>> = {};
const secrets: Partial<Record<Role, string>> = {};
const ORIGIN = 'http://localhost';

beforeAll(async () => {
  db = await freshTable({ county });
  db.setNow(new Date('2021-06-20T02:00:00Z'));
  app = createApp({ ...db.deps, outbox });
  for (const role of ['admin', 'staff', 'reviewer', 'station', 'county'] as const) {
    const { secret } = await aToken(db.store, county, aGrant({ role }));
    secrets[role] = secret;
    cookies[role] = (await aSession(db.store, secret, new Date('2021-06-20T02:00:00Z'))).cookie;
  }
});
afterAll(async () => db.drop());

function page(path: string, role?: Role) {
  return app.request(path, { headers: role ? { Cookie: cookies[role] ?? '' } : {} });
}

function post(path: string, role: Role, form: Record<string, string>, origin = ORIGIN) {
  return app.request(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: { Cookie: cookies[role] ?? '', Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}

/** The visible text of a page, tags dropped, so assertions read like what a user sees. */
const text = async (response: Response) => (await response.text()).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('a fresh install', () => {
  it.each([
    ['staff', '/app/plan', '2021 年还没有载入计划'],
    ['reviewer', '/app/review', '没有待审核的内容'],
    ['station', '/app/station', '目前没有待播出的稿件'],
    ['county', '/app/dashboard', '截至目前'],
    ['staff', '/app/activities/new', '还没有乡镇名录'],
    ['admin', '/app/outbox', '还没有发出任何短信或广播推送'],
  ] as const)('%s sees %s explain itself when there is nothing yet', async (role, path, expected) => {
    const response = await page(path, role);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await text(response)).toContain(expected);
  });

  it('says when a campaign does not exist, with the way back', async () => {
    const response = await page('/app/campaigns/nothing-here', 'staff');
    expect(response.status).toBe(404);
    expect(await text(response)).toContain('返回年度计划');
  });

  it('says the outbox exists only in local mode when the app sends through SNS', async () => {
    const response = await createApp(db.deps).request('/app/outbox', { headers: { Cookie: cookies.admin ?? '' } });
    expect(await text(response)).toContain('只在本地模式');
  });
});

describe('who may open what', () => {
  it('sends a visitor without a session to sign in, keeping where they were going', async () => {
    const response = await page('/app/dashboard');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/app/login?next=%2Fapp%2Fdashboard');
  });

  it.each([
    ['station', '/app/plan'],
    ['station', '/app/activities/new'],
    ['county', '/app/review'],
    ['reviewer', '/app/campaigns/any'],
    ['staff', '/app/dashboard'],
    ['staff', '/app/outbox'],
    ['county', '/app/station'],
  ] as const)('%s is refused %s, in Chinese', async (role, path) => {
    const response = await page(path, role);
    expect(response.status).toBe(403);
    expect(await text(response)).toContain('无权打开此页面');
  });

  it('refuses a form posted from another site, before it reaches the page', async () => {
    const response = await post('/app/activities/new', 'staff', { date: '2021-06-19' }, 'https://evil.example');
    expect(response.status).toBe(403);
  });

  it('signs in with a token into an HttpOnly, SameSite=Strict cookie, and signs out', async () => {
    const secret = secrets.county ?? '';
    const signIn = await app.request(`${ORIGIN}/app/login`, {
      method: 'POST',
      headers: { Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: secret, next: '' }).toString(),
    });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get('location')).toBe('/app/dashboard');
    expect(signIn.headers.get('set-cookie')).toMatch(/pufa_session=pses_.*HttpOnly.*SameSite=Strict/);
    const session = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

    const signOut = await app.request(`${ORIGIN}/app/logout`, { method: 'POST', headers: { Cookie: session, Origin: ORIGIN } });
    expect(signOut.headers.get('set-cookie')).toMatch(/pufa_session=;.*Max-Age=0/);
  });

  it('refuses a wrong token with the reason and what to do, in Chinese', async () => {
    const response = await app.request(`${ORIGIN}/app/login`, {
      method: 'POST',
      headers: { Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: 'pufa_wrong' }).toString(),
    });
    expect(response.status).toBe(401);
    expect(await text(response)).toContain('令牌无效、已撤销或已过期');
  });
});

describe('forms', () => {
  beforeAll(async () => {
    const loaded = await load2021(db, county);
    expect(loaded.ok).toBe(true);
  });

  const anActivityForm = (overrides: Record<string, string> = {}) => ({
    date: '2021-06-19',
    township: 'chengxiang',
    theme: 'anti-drug-aids',
    kind: 'event',
    participants: '80',
    materialKind0: '宣传单',
    materialCount0: '300',
    ...overrides,
  });

  it('tells the county office which stations have not fetched today’s scripts', async () => {
    const before = await text(await page('/app/dashboard?year=2021', 'county'));
    expect(before).toContain('0/9 个站今天已取稿');
    expect(before).toContain('向阳村广播站（示例） 从未联系');
    await db.store.registry.touchStation(county, 'st-xiangyang', new Date('2021-06-20T01:00:00Z'));
    const after = await text(await page('/app/dashboard?year=2021', 'county'));
    expect(after).toContain('1/9 个站今天已取稿');
    expect(after).not.toContain('向阳村广播站（示例）');
  });

  it('links each campaign on the year plan for staff, and shows reviewers the titles only', async () => {
    const forStaff = await (await page('/app/plan?year=2021', 'staff')).text();
    expect(forStaff).toContain('href="/app/campaigns/2021-0626"');
    const forReviewer = await (await page('/app/plan?year=2021', 'reviewer')).text();
    expect(forReviewer).toContain('国际禁毒日');
    expect(forReviewer).not.toContain('href="/app/campaigns/');
  });

  it('lists a campaign’s public events with time and place on the year plan and the campaign page', async () => {
    const plan = await text(await page('/app/plan?year=2021', 'staff'));
    expect(plan).toContain('03-15 09:00 集中宣传 · 城厢镇文化广场');
    const campaign = await text(await page('/app/campaigns/2021-1204', 'staff'));
    expect(campaign).toContain('现场活动');
    expect(campaign).toContain('2021-12-02 14:30–16:00 · 宪法进校园讲座 · 始阳镇中心小学（始阳镇）');
  });

  it('marks each month’s public holidays and make-up workdays on the year plan', async () => {
    const html = await text(await page('/app/plan?year=2021', 'staff'));
    expect(html).toContain('10.1–10.7 国庆节 放假');
    expect(html).toContain('10.9 国庆节 调休上班');
    expect(html).toContain('4.3–4.5 清明节 放假');
    expect(html).not.toContain('没有法定节假日与调休数据');
    expect(await text(await page('/app/plan?year=2040', 'staff'))).toContain('2040 年没有法定节假日与调休数据');
  });

  it('answers an activity form mistake in Chinese, keeps what was typed, and writes nothing', async () => {
    const before = (await db.store.activities.page(county, { year: 2021, month: 6 }, { limit: 100 })).items.length;
    const response = await post('/app/activities/new', 'staff', anActivityForm({ participants: '-5', materialKind0: '<b>粗体</b>' }));
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('参与人数</strong>：请填写 0 或正整数');
    expect(html).toContain('value="&lt;b&gt;粗体&lt;/b&gt;"');
    expect((await db.store.activities.page(county, { year: 2021, month: 6 }, { limit: 100 })).items.length).toBe(before);
  });

  it('records a good activity and sends staff back to an empty form with a confirmation', async () => {
    const response = await post('/app/activities/new', 'staff', anActivityForm());
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/app/activities/new?saved=1');
    const records = (await db.store.activities.page(county, { year: 2021, month: 6 }, { limit: 100 })).items;
    expect(records.map((record) => [record.township, record.participants, record.materials])).toContainEqual(['chengxiang', 80, [{ kind: '宣传单', count: 300 }]]);
  });

  /** The form posted with repeated fields (one `departments` per ticked box), as a browser sends it. */
  const postPairs = (path: string, pairs: [string, string][]) =>
    app.request(`${ORIGIN}${path}`, {
      method: 'POST',
      headers: { Cookie: cookies.staff ?? '', Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(pairs).toString(),
    });

  it('lists the registry’s departments as checkboxes on the activity form', async () => {
    const html = await (await page('/app/activities/new', 'staff')).text();
    expect(html).toContain('责任部门（谁执法谁普法');
    for (const department of sampleRegistry().departments) {
      expect(html).toMatch(new RegExp(`<input type="checkbox" name="departments" value="${department.id}"\\s*/?>\\s*${department.name}`));
    }
  });

  it('saves the departments ticked, and the dashboard then charts them', async () => {
    expect(await text(await page('/app/dashboard?year=2021', 'county'))).not.toContain('各部门活动次数');
    const response = await postPairs('/app/activities/new', [...Object.entries(anActivityForm({ title: '禁毒进校园', participants: '45' })), ['departments', 'gongan'], ['departments', 'jiaoyu']]);
    expect(response.status).toBe(303);
    const records = (await db.store.activities.page(county, { year: 2021, month: 6 }, { limit: 100 })).items;
    expect(records.find((record) => record.title === '禁毒进校园')?.departments).toEqual(['gongan', 'jiaoyu']);

    const dashboard = await (await page('/app/dashboard?year=2021', 'county')).text();
    const chart = dashboard.slice(dashboard.indexOf('id="by-department-title"'), dashboard.indexOf('id="by-kind-title"'));
    expect(chart).toContain('各部门活动次数');
    expect(chart).toContain('县公安局');
    expect(chart).toContain('县教育局');
  });

  it('answers an unknown or repeated department in Chinese, keeps the boxes ticked, and writes nothing', async () => {
    const before = (await db.store.activities.page(county, { year: 2021, month: 6 }, { limit: 100 })).items.length;
    const unknown = await postPairs('/app/activities/new', [...Object.entries(anActivityForm()), ['departments', 'gongan'], ['departments', 'shuiwu']]);
    expect(unknown.status).toBe(400);
    const html = await unknown.text();
    expect(html).toContain('责任部门</strong>：请从名录中的部门里勾选');
    expect(html).toMatch(/<input type="checkbox" name="departments" value="gongan" checked/);
    const repeated = await postPairs('/app/activities/new', [...Object.entries(anActivityForm()), ['departments', 'sifa'], ['departments', 'sifa']]);
    expect(repeated.status).toBe(400);
    expect((await db.store.activities.page(county, { year: 2021, month: 6 }, { limit: 100 })).items.length).toBe(before);
  });

  it('answers ids too long for a key with the not-found page, never a 500', async () => {
    const long = 'x'.repeat(2100);
    expect((await post(`/app/campaigns/${long}/notices`, 'staff', { channel: 'sms' })).status).toBe(404);
    expect((await post(`/app/campaigns/2021-0626/notices/${long}/submit`, 'staff', {})).status).toBe(404);
    expect((await post(`/app/campaigns/${long}/notices/n/submit`, 'staff', {})).status).toBe(404);
  });

  it('tells a staff member limited to one township, in Chinese, that another township is not theirs', async () => {
    const { secret } = await aToken(db.store, county, aGrant({ role: 'staff', township: 'lianglu' }));
    const { cookie } = await aSession(db.store, secret, new Date('2021-06-20T02:00:00Z'));
    const response = await app.request(`${ORIGIN}/app/activities/new`, {
      method: 'POST',
      headers: { Cookie: cookie, Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(anActivityForm()).toString(),
    });
    expect(response.status).toBe(403);
    expect(await text(response)).toContain('您的令牌无权做这件事');
  });

  it('answers notice composer mistakes in Chinese and writes no notice', async () => {
    const before = (await db.store.notices.listByCampaign(county, '2021-0626')).length;
    const noAudience = await post('/app/campaigns/2021-0626/notices', 'staff', { channel: 'sms', scheduleKind: 'fixed', at: '2021-06-25T10:00', body: '禁毒' });
    expect(noAudience.status).toBe(400);
    expect(await text(noAudience)).toContain('受众 ：请至少选择一项受众');

    const noText = await post('/app/campaigns/2021-0626/notices', 'staff', { channel: 'sms', townships: 'chengxiang', scheduleKind: 'fixed', at: '2021-06-25T10:00', body: '' });
    expect(noText.status).toBe(400);
    expect(await text(noText)).toContain('短信正文 ：请填写短信正文');
    expect((await db.store.notices.listByCampaign(county, '2021-0626')).length).toBe(before);
  });
});

describe('pages that help a newcomer', () => {
  const json = (path: string, role: Role, body: unknown) =>
    app.request(`${ORIGIN}${path}`, { method: 'POST', headers: { Cookie: cookies[role] ?? '', Origin: ORIGIN, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('the composer’s preview says which sends a holiday moves or skips, and why', async () => {
    const weekly = { kind: 'rrule', rule: 'FREQ=WEEKLY;BYDAY=MO', at: '07:30' };
    const broadcast = { script: '清明时节，文明祭扫。', airWindows: [{ from: '07:00', to: '08:00' }] };
    const skipped = await json('/app/campaigns/2021-04-security/preview', 'staff', { channel: 'broadcast', audience: { all: true }, schedule: weekly, broadcast, onHoliday: 'skip' });
    expect(((await skipped.json()) as { warnings: string[] }).warnings).toContain('跳过 2021-04-05，因 清明节');
    const kept = await json('/app/campaigns/2021-04-security/preview', 'staff', { channel: 'broadcast', audience: { all: true }, schedule: weekly, broadcast });
    expect(((await kept.json()) as { warnings: string[] }).warnings).toContain('2021-04-05 是 清明节：这次发送照常进行（onHoliday: keep）');
  });

  it('the composer offers what to do on a holiday, and a posted notice keeps the choice', async () => {
    const html = await (await page('/app/campaigns/2021-04-security', 'staff')).text();
    expect(html).toContain('<select id="onHoliday" name="onHoliday">');
    expect(html).toContain('<option value="next-workday">顺延到下一个工作日</option>');
    const saved = await post('/app/campaigns/2021-04-security/notices', 'staff', {
      channel: 'broadcast', all: '1', scheduleKind: 'rrule', rule: 'FREQ=WEEKLY;BYDAY=MO', time: '07:30', onHoliday: 'next-workday',
      title: '清明顺延', script: '清明时节，文明祭扫。', airFrom: '07:00', airTo: '08:00', repeats: '1',
    });
    expect(saved.status).toBe(303);
    const notice = (await db.store.notices.listByCampaign(county, '2021-04-security')).find((candidate) => candidate.title === '清明顺延');
    expect(notice?.onHoliday).toBe('next-workday');
    const refused = await post('/app/campaigns/2021-04-security/notices', 'staff', {
      channel: 'broadcast', all: '1', scheduleKind: 'rrule', rule: 'FREQ=WEEKLY;BYDAY=MO', time: '07:30', onHoliday: 'whenever',
      title: '不存在的规定', script: '清明时节，文明祭扫。', airFrom: '07:00', airTo: '08:00', repeats: '1',
    });
    expect(refused.status).toBe(400);
    expect((await db.store.notices.listByCampaign(county, '2021-04-security')).some((candidate) => candidate.title === '不存在的规定')).toBe(false);
  });

  it('offers the registered SMS templates, a field per placeholder, and previews and saves one without the unregistered-text warning', async () => {
    const html = await (await page('/app/campaigns/2021-0626', 'staff')).text();
    expect(html).toContain('<option value="key-date">key-date：${day}到了。${message}</option>');
    expect(html).toContain('name="param.key-date.day"');
    expect(html).toContain('name="param.key-date.message"');
    expect(html).toContain('name="param.monthly-theme.theme"');

    const preview = await json('/app/campaigns/2021-0626/preview', 'staff', {
      channel: 'sms', audience: { townships: ['chengxiang'] }, schedule: { kind: 'fixed', at: '2021-06-25T10:00' },
      sms: { template: 'key-date', params: { day: '明天国际禁毒日', message: '珍爱生命' } },
    });
    const evaluation = (await preview.json()) as { sms: { text: string }; warnings: string[] };
    expect(evaluation.sms.text).toContain('明天国际禁毒日到了。珍爱生命');
    expect(evaluation.warnings.join()).not.toContain('不符');

    const saved = await post('/app/campaigns/2021-0626/notices', 'staff', {
      channel: 'sms', townships: 'chengxiang', scheduleKind: 'fixed', at: '2021-06-25T10:00', title: '模板短信',
      template: 'key-date', 'param.key-date.day': '明天国际禁毒日', 'param.key-date.message': '珍爱生命', 'param.monthly-theme.theme': '不该带上', body: '',
    });
    expect(saved.status).toBe(303);
    const notice = (await db.store.notices.listByCampaign(county, '2021-0626')).find((candidate) => candidate.title === '模板短信');
    expect(notice?.channel === 'sms' && notice.sms).toEqual({ template: 'key-date', params: { day: '明天国际禁毒日', message: '珍爱生命' } });
    expect(await text(await page('/app/campaigns/2021-0626', 'staff'))).toContain('模板 key-date：明天国际禁毒日到了。珍爱生命');
  });

  it('marks each schedule way’s fields so the script shows only the chosen one', async () => {
    const html = await (await page('/app/campaigns/2021-0626', 'staff')).text();
    expect(html).toContain('<div data-ways="fixed">');
    expect(html).toContain('<div data-ways="key-date">');
    expect(html).toContain('<div data-ways="key-date rrule">');
    expect(html).toContain('<div data-ways="rrule">');
    expect(html).toMatch(/<script nonce="[^"]+">[^<]*dataset\.ways/);
  });

  it('names the untitled notices loaded from the plan by channel and send time, not by id', async () => {
    const campaign = await text(await page('/app/campaigns/2021-0626', 'staff'));
    expect(campaign).toContain('短信 · 节点日前 1 天 18:00');
    expect(campaign).not.toContain('sms-eve');
    const plan = await text(await page('/app/plan?year=2021', 'staff'));
    expect(plan).toContain('短信 · 节点日前 1 天 18:00');
    expect(plan).not.toContain('sms-eve');
  });

  it('does not call a notice whose every send expired done, and shows its counts', async () => {
    const [planned] = await db.store.notices.listByCampaign(county, '2021-0626');
    if (!planned) throw new Error('the plan has notices in 2021-0626');
    await db.store.notices.create({ ...planned, id: 'all-expired', title: '全部过期的短信', state: 'done' });
    const now = new Date('2021-06-20T02:00:00Z');
    const delivery = {
      id: 'd1', county, campaignId: '2021-0626', noticeId: 'all-expired', sendIndex: 0, scheduledAt: '2021-06-19T02:00:00Z',
      recipient: { kind: 'sms' as const, phone: '+8619900001234', phoneKey: 'k1', township: 'chengxiang', village: 'chengxiang-xiangyang' },
      state: 'pending' as const, attempts: 0, updatedAt: now.toISOString(),
    };
    await db.store.deliveries.createMany([delivery]);
    const claimed = await db.store.deliveries.claim(delivery, { id: 'lease-1', until: new Date(now.getTime() + 60_000) }, now);
    if (!claimed) throw new Error('the delivery is claimable');
    expect(await db.store.deliveries.finish(claimed, 'lease-1', 'expired', { reason: 'too late' }, now)).toBe(true);

    const shown = await text(await page('/app/campaigns/2021-0626', 'staff'));
    expect(shown).toMatch(/全部过期的短信 .*已过期，未发出 已发 0 · 过期 1 · 跳过 0 · 失败 0/);
  });

  it('says in the problem title that a reviewer may not decide on their own notice', async () => {
    const writer = await aToken(db.store, county, aGrant({ role: 'staff', name: '双重身份' }));
    const reader = await aToken(db.store, county, aGrant({ role: 'reviewer', name: '双重身份' }));
    const call = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
      app.request(path, { method, headers: body ? { ...headers, 'Content-Type': 'application/json' } : headers, ...(body ? { body: JSON.stringify(body) } : {}) });
    const created = await call('POST', '/campaigns/2021-0626/notices', writer.headers, {
      id: 'own', channel: 'sms', audience: { townships: ['chengxiang'] }, schedule: { kind: 'fixed', at: '2021-06-25T10:00' }, sms: { body: '本人撰写' },
    });
    expect(created.status).toBe(201);
    expect((await call('POST', '/campaigns/2021-0626/notices/own/submit', writer.headers)).status).toBe(200);
    const refused = await call('POST', '/campaigns/2021-0626/notices/own/approve', reader.headers);
    expect(refused.status).toBe(403);
    const problem = (await refused.json()) as { title: string; type: string };
    expect(problem.title).toContain('本人');
    expect(problem.title).not.toBe('当前角色无权执行此操作');
    expect(problem.type).toBe('/docs#problem-own-content');
  });

  it('does not cut off a long theme name on the dashboard', async () => {
    await post('/app/activities/new', 'staff', { date: '2021-06-19', township: 'chengxiang', theme: 'private-economy', kind: 'event', participants: '10' });
    const html = await (await page('/app/dashboard?year=2021', 'county')).text();
    const label = html.match(/<text x="(\d+)"[^>]*text-anchor="(start|end)"[^>]*>促进民营经济健康发展<\/text>/);
    expect(label).not.toBeNull();
    const [, x, anchor] = label ?? [];
    // Ten characters at 14 px need 140 px to the left of a right-aligned label.
    if (anchor === 'end') expect(Number(x)).toBeGreaterThanOrEqual(140);
    else expect(Number(x)).toBeGreaterThanOrEqual(0);
  });

  it('picks the month’s theme of the date on the activity form', async () => {
    const html = await (await page('/app/activities/new', 'staff')).text();
    // 20 June 2021: June's theme in the plan is 禁毒防艾.
    expect(html).toMatch(/<option value="anti-drug-aids" selected="">禁毒防艾<\/option>/);
    expect(html).toMatch(/<script nonce="[^"]+">[^<]*monthThemes/);
  });
});

describe('the outbox', () => {
  it('shows admins each SMS with the number masked, and the text of each station push', async () => {
    outbox.add({ messageId: 'm1', kind: 'sms', receivedAt: '2021-06-20T02:00:00.000Z', phoneNumber: '+8619900001234', message: '【天全普法】禁毒宣传', attributes: {} });
    outbox.add({ messageId: 'm2', kind: 'station', receivedAt: '2021-06-20T02:00:01.000Z', message: JSON.stringify({ text: '广播稿：珍爱生命' }), attributes: { station: 'st-1' } });
    const shown = await text(await page('/app/outbox', 'admin'));
    expect(shown).toContain('+86 199****1234');
    expect(shown).not.toContain('19900001234');
    expect(shown).toContain('广播稿：珍爱生命');
  });

  it('shows when each message went out in the county’s time, not UTC', async () => {
    const shown = await text(await page('/app/outbox', 'admin'));
    expect(shown).toContain('时间（本地时间，Asia/Shanghai）');
    expect(shown).toContain('2021年6月20日 10:00:01');
    expect(shown).not.toContain('2021-06-20 02:00:01');
  });
});
