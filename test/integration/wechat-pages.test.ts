/**
 * The WeChat channel on the pages, through the app on a fresh table: the composer saves an article
 * (its body sanitised, its audience every follower), the review page shows the article from its
 * stored body, the campaign page says where each mass send stands, the dashboard counts them and
 * the outbox lists the local stand-in's sends. The browser walk is in test/e2e.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import type { Role } from '../../functions/domain/access.js';
import type { DeliveryRecord } from '../../functions/domain/delivery.js';
import type { NoticeRecord } from '../../functions/domain/planning.js';
import { deliveryDelta } from '../../functions/domain/tally.js';
import { WeChatOutbox } from '../../functions/local/wechat-sink.js';
import { loadPlan } from '../../functions/workflows/plans.js';
import { aGrant, aToken, must } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { plan2021, sampleRegistry } from '../support/planning.js';
import { aSession } from '../support/sessions.js';

const county = 'testcounty';
const campaignId = '2021-0626';
const NOW = new Date('2021-06-20T02:00:00Z');
const COVER = 'c'.repeat(64);
const BODY_IMAGE = 'b'.repeat(64);
let db: TestDatabase;
let app: ReturnType<typeof createApp>;
const wechatOutbox = new WeChatOutbox();
const cookies: Partial<Record<Role, string>> = {};
const ORIGIN = 'http://localhost';

beforeAll(async () => {
  db = await freshTable({ county });
  db.setNow(NOW);
  app = createApp({ ...db.deps, wechatOutbox });
  for (const role of ['admin', 'staff', 'reviewer', 'county'] as const) {
    const { secret } = await aToken(db.store, county, aGrant({ role, name: `${role} 测试` }));
    cookies[role] = (await aSession(db.store, secret, NOW)).cookie;
  }
  const plan = plan2021();
  const loaded = await loadPlan(
    { store: db.store, config: db.config, now: new Date('2021-01-01T00:00:00Z') },
    {
      plan: { ...plan, county, settings: { ...plan.settings, wechat: { accountType: 'subscription' } } },
      registry: sampleRegistry(),
      county,
      loader: { kind: 'system' },
      actor: { tokenId: 't', name: 'n' },
      dryRun: false,
    },
  );
  expect(loaded.ok).toBe(true);
});
afterAll(async () => db.drop());

function page(path: string, role: Role) {
  return app.request(path, { headers: { Cookie: cookies[role] ?? '' } });
}

function post(path: string, role: Role, form: Record<string, string>) {
  return app.request(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: { Cookie: cookies[role] ?? '', Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}

/** The visible text of a page, tags dropped, so assertions read like what a user sees. */
const text = async (response: Response) => (await response.text()).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

/** The composer's fields for an article, as the form posts them. */
const anArticleForm = (overrides: Record<string, string> = {}) => ({
  channel: 'wechat',
  title: '禁毒知识问答',
  author: '县司法局',
  digest: '珍爱生命，远离毒品',
  articleBody: `<p>毒品<strong>危害</strong>大。</p><script>window.pwned=1</script><img src="pufa-image:${BODY_IMAGE}"><img src="https://elsewhere.example/x.png">`,
  cover: COVER,
  sourceUrl: 'https://mp.weixin.qq.com/s/example',
  tagId: '',
  // The township pickers are hidden for WeChat; whatever they still post is not the audience.
  townships: 'chengxiang',
  scheduleKind: 'fixed',
  at: '2021-06-25T10:00',
  ...overrides,
});

async function savedArticle(title: string): Promise<Extract<NoticeRecord, { channel: 'wechat' }>> {
  const notice = (await db.store.notices.listByCampaign(county, campaignId)).find((candidate) => candidate.title === title);
  if (notice?.channel !== 'wechat') throw new Error(`no WeChat notice "${title}"`);
  return notice;
}

describe('the composer', () => {
  it('offers WeChat as a third channel with the article’s fields and a hint of the tags kept', async () => {
    const html = await (await page(`/app/campaigns/${campaignId}`, 'staff')).text();
    expect(html).toContain('value="wechat"');
    for (const label of ['作者（可不填）', '文章正文（HTML）', '封面（JPEG 或 PNG，小于 1 MB）', '阅读原文链接', '标签 ID（可不填；不填即发给全部粉丝）', '在光标处插入图片']) expect(html).toContain(label);
    expect(html).toContain('data-upload="/images"');
    expect(html).toContain('保留的标签');
  });

  it('previews an article: the body’s length once sanitised and what sanitising took out', async () => {
    const response = await app.request(`${ORIGIN}/app/campaigns/${campaignId}/preview`, {
      method: 'POST',
      headers: { Cookie: cookies.staff ?? '', Origin: ORIGIN, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        channel: 'wechat',
        audience: { all: true },
        schedule: { kind: 'fixed', at: '2021-06-25T10:00' },
        wechat: { title: '预览', body: '<p>正文<strong>加粗</strong></p><script>x()</script>', cover: COVER },
      }),
    });
    expect(response.status).toBe(200);
    const evaluation = (await response.json()) as { problems: unknown[]; warnings: string[]; wechat: { characters: number } };
    expect(evaluation.problems).toEqual([]);
    expect(evaluation.wechat.characters).toBe(4);
    expect(evaluation.warnings).toContain('正文中的 <script> 标签及其内容 已去掉');
  });

  it('saves an article for every follower, its body sanitised, and says what is missing in Chinese', async () => {
    const saved = await post(`/app/campaigns/${campaignId}/notices`, 'staff', anArticleForm());
    expect(saved.status).toBe(303);
    const notice = await savedArticle('禁毒知识问答');
    expect(notice.audience).toEqual({ all: true, townships: [], villages: [], groups: [] });
    expect(notice.wechat).toMatchObject({ title: '禁毒知识问答', author: '县司法局', digest: '珍爱生命，远离毒品', cover: COVER, sourceUrl: 'https://mp.weixin.qq.com/s/example' });
    expect(notice.wechat.tagId).toBeUndefined();
    expect(notice.wechat.body).toContain('<strong>危害</strong>');
    expect(notice.wechat.body).toContain(`pufa-image:${BODY_IMAGE}`);
    expect(notice.wechat.body).not.toContain('script');
    expect(notice.wechat.body).not.toContain('elsewhere.example');

    const tagged = await post(`/app/campaigns/${campaignId}/notices`, 'staff', anArticleForm({ title: '给村干部的文章', tagId: '102', at: '2021-06-26T10:00' }));
    expect(tagged.status).toBe(303);
    expect((await savedArticle('给村干部的文章')).wechat.tagId).toBe(102);

    const before = (await db.store.notices.listByCampaign(county, campaignId)).length;
    const missing = await post(`/app/campaigns/${campaignId}/notices`, 'staff', anArticleForm({ title: '没有封面', cover: '', tagId: 'abc' }));
    expect(missing.status).toBe(400);
    const shown = await text(missing);
    expect(shown).toContain('封面 ：请上传一张 JPEG 或 PNG 图片作为封面');
    expect(shown).toContain('标签 ID ：请填写公众号里标签的数字 ID');
    expect((await db.store.notices.listByCampaign(county, campaignId)).length).toBe(before);
  });
});

describe('the review page', () => {
  it('shows the article as followers will see it: cover, title, author, digest and the sanitised body with its images from this origin', async () => {
    const notice = await savedArticle('禁毒知识问答');
    const submitted = await post(`/app/campaigns/${campaignId}/notices/${notice.id}/submit`, 'staff', {});
    expect(submitted.status).toBe(303);
    const response = await page('/app/review', 'reviewer');
    expect(response.status).toBe(200);
    const html = await response.text();
    const article = must(html.match(/<figure class="article"[\s\S]*?<\/figure>/)?.[0], 'the article');
    expect(article).toContain(`<img class="article-cover" src="/images/${COVER}"`);
    expect(article).toContain('禁毒知识问答');
    expect(article).toContain('作者：县司法局');
    expect(article).toContain('摘要：珍爱生命，远离毒品');
    expect(article).toContain('<strong>危害</strong>');
    expect(article).toContain(`src="/images/${BODY_IMAGE}"`);
    expect(article).not.toContain('pufa-image:');
    expect(article).not.toContain('<script');
    expect(article).toContain('发给：全部粉丝');
    // The account's quota as it stands: a subscription account's one mass send that day is this one.
    expect(html).toContain('提醒：2021-06-25 已有 1 次群发');
    // The approve form still carries the fingerprint of what the page shows.
    expect(html).toMatch(/<input type="hidden" name="seen" value="[0-9a-f]{64}"/);
    // The Content-Security-Policy lets the images in, and still no script but the page's own.
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/img-src 'self'/);
    expect(policy).toMatch(/script-src 'nonce-/);
  });

  it('never renders a stored body the sanitiser would change as HTML', async () => {
    const notice = await savedArticle('给村干部的文章');
    await db.store.notices.create({ ...notice, id: 'raw-body', title: '绕过整理的文章', state: 'submitted', wechat: { ...notice.wechat, title: '绕过整理的文章', body: '<p onclick="x()">点我</p><script>window.pwned=1</script>' } });
    const html = await (await page('/app/review', 'reviewer')).text();
    const article = must(html.match(/<figure class="article"[^>]*>(?:(?!<\/figure>)[\s\S])*绕过整理的文章[\s\S]*?<\/figure>/)?.[0], 'the article');
    expect(article).toContain('这篇文章的正文未经整理');
    expect(article).not.toContain('<script');
    expect(article).not.toContain('onclick');
    expect(article).toContain('点我');
  });
});

describe('the year plan', () => {
  it('names a titled WeChat notice by its channel, not as a broadcast', async () => {
    const shown = await text(await page('/app/plan?year=2021', 'staff'));
    expect(shown).toContain('微信公众号 禁毒知识问答');
    expect(shown).not.toContain('广播 禁毒知识问答');
  });
});

describe('the campaign page', () => {
  const aMassSend = (sendIndex: number, overrides: Partial<DeliveryRecord>): DeliveryRecord => ({
    id: `${campaignId}~sent-article~${sendIndex}~wall`,
    county,
    campaignId,
    noticeId: 'sent-article',
    sendIndex,
    scheduledAt: `2021-06-2${sendIndex}T02:00:00.000Z`,
    recipient: { kind: 'wechat' },
    state: 'sent',
    attempts: 1,
    updatedAt: NOW.toISOString(),
    ...overrides,
  });

  it('says where each mass send stands, and whether the reviewer’s WeChat got the preview', async () => {
    const notice = await savedArticle('给村干部的文章');
    await db.store.notices.create({
      ...notice,
      id: 'sent-article',
      title: '已排期的文章',
      state: 'scheduled',
      wechatDraft: { mediaId: 'media-1', contentHash: 'h'.repeat(64), madeAt: '2021-06-20T01:00:00.000Z', preview: { at: '2021-06-20T01:00:05.000Z', to: '审核员老李' } },
    });
    const submittedAt = '2021-06-21T02:00:03.000Z';
    await db.store.deliveries.createMany([
      aMassSend(1, { wechat: { phase: 'submitted', submittedAt } }),
      aMassSend(2, { wechat: { phase: 'awaiting-confirmation', submittedAt: '2021-06-22T02:00:03.000Z' } }),
      aMassSend(3, { state: 'delivered', wechat: { phase: 'finished', submittedAt, status: 'send success', totalCount: 1200, filterCount: 1180, sentCount: 1175, errorCount: 5, finishedAt: submittedAt } }),
      aMassSend(4, { state: 'failed', reason: 'WeChat refused the send: 45028 has no mass-send quota left' }),
      aMassSend(5, { recipient: { kind: 'wechat', tagId: 102 }, id: `${campaignId}~sent-article~5~wt102`, state: 'pending' }),
    ]);

    const shown = await text(await page(`/app/campaigns/${campaignId}`, 'staff'));
    expect(shown).toContain('预览已于 6月20日 09:00 发到审核人员的微信（审核员老李）');
    expect(shown).toContain('2021年6月21日 10:00:00 · 全部粉丝： 已提交微信');
    // 群发保护: the deadline is half an hour after the submission, in the county's time.
    expect(shown).toContain('等待管理员在微信中确认（群发保护，6月22日 10:30 前）');
    expect(shown).toContain('已送达 1175 位粉丝（共 1200，失败 5）');
    expect(shown).toContain('发送失败：WeChat refused the send: 45028 has no mass-send quota left');
    expect(shown).toContain('标签 102： 待发送（6月25日 10:00）');
    expect(shown).toMatch(/已排期的文章 .*微信公众号/);
  });

  it('says when the preview did not reach the reviewer', async () => {
    const notice = await savedArticle('给村干部的文章');
    await db.store.notices.create({
      ...notice,
      id: 'approved-article',
      title: '预览未送达的文章',
      state: 'approved',
      wechatDraft: { mediaId: 'media-2', contentHash: 'h'.repeat(64), madeAt: '2021-06-20T01:00:00.000Z', preview: { at: '2021-06-20T01:00:05.000Z', error: '预览对象未关注公众号（43004）' } },
    });
    expect(await text(await page(`/app/campaigns/${campaignId}`, 'staff'))).toContain('预览没有发到审核人员的微信：预览对象未关注公众号（43004）');
  });
});

describe('the dashboard and the outbox', () => {
  it('counts WeChat mass sends and the followers reached beside SMS and broadcast', async () => {
    await db.store.tallies.add(county, deliveryDelta({ wechatPushes: 3, wechatReached: 12_345, wechatFailed: 1 }, { year: 2021, month: 6 }));
    const shown = await text(await page('/app/dashboard?year=2021', 'county'));
    expect(shown).toContain('微信群发 3 期（失败 1 次）');
    expect(shown).toContain('送达粉丝 12,345 人次');
    expect(shown).toContain('短信发送');
    expect(shown).toContain('广播播出');
  });

  it('lists the local WeChat stand-in’s mass sends for admins: when, to whom, what, and whether one waits for confirmation', async () => {
    const empty = await text(await page('/app/outbox', 'admin'));
    expect(empty).toContain('还没有群发任何微信公众号文章');
    const base = { msgDataId: 'd', mediaId: 'media-1', filterCount: 0, sentCount: 0, errorCount: 0, totalCount: 1200 };
    wechatOutbox.add({ ...base, msgId: '1', articles: [{ title: '禁毒知识问答' }], toAll: true, submittedAt: '2021-06-20T02:00:00.000Z', status: 'SEND_SUCCESS', awaitingConfirmation: false, filterCount: 1180, sentCount: 1175, errorCount: 5 });
    wechatOutbox.add({ ...base, msgId: '2', articles: [{ title: '给村干部的文章' }], toAll: false, tagId: 102, submittedAt: '2021-06-20T03:00:00.000Z', status: 'SENDING', awaitingConfirmation: true });
    const shown = await text(await page('/app/outbox', 'admin'));
    expect(shown).toContain('2021年6月20日 10:00:00 全部粉丝 《禁毒知识问答》 发送成功 共 1200，过滤后 1180，送达 1175，失败 5');
    expect(shown).toContain('2021年6月20日 11:00:00 标签 102 《给村干部的文章》 发送中 等待管理员在微信中确认（群发保护）');
    // Newest first, as the SMS are.
    expect(shown.indexOf('给村干部的文章')).toBeLessThan(shown.indexOf('禁毒知识问答'));
  });
});
