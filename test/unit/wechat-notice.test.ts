/**
 * A WeChat notice as the plan check, the approval fingerprint, the dispatcher's last check and
 * the tallies see it: the account's quota across a plan's notices, the audience, what the
 * fingerprint covers, when a mass send may go, how WeChat's refusals are retried or recorded.
 */
import { describe, expect, it } from 'vitest';
import { contentHash, refusalToSend } from '../../functions/domain/approval.js';
import { checkPlan, planFileSchema } from '../../functions/domain/plan.js';
import { noticeContentOf, noticeInputSchema, type WeChatContent } from '../../functions/domain/planning.js';
import { reportParagraph, zeroCounts } from '../../functions/domain/tally.js';
import { succeeded } from '../../functions/store/wechat-sends.js';
import { clientMsgIdOf, wechatFailure } from '../../functions/workflows/dispatch.js';
import { errorFor, WeChatApiError, WeChatDuplicateSend, WeChatQuotaReached, WeChatRateLimited, WeChatUnreachable } from '../../functions/wechat/errors.js';
import { aPlan } from '../support/planning.js';

const cover = 'a'.repeat(64);
const wechatNotice = (id: string, schedule: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id,
  channel: 'wechat',
  audience: { all: true },
  schedule,
  wechat: { title: `文章 ${id}`, body: '<p>遇到消费纠纷，请拨打12315。</p>', cover, ...extra },
});

function planWith(accountType: 'subscription' | 'service' | undefined, notices: Record<string, unknown>[]) {
  const base = aPlan();
  return planFileSchema.parse({
    ...base,
    settings: { ...base.settings, ...(accountType ? { wechat: { accountType } } : {}) },
    campaigns: [{ ...base.campaigns[0], window: { start: '2031-03-01', end: '2031-03-31' }, notices }],
  });
}

describe('the plan check of WeChat notices', () => {
  it('refuses a second mass send on one day for a 订阅号, naming the later notice in the file', () => {
    const plan = planWith('subscription', [wechatNotice('a', { kind: 'key-date', days: 0, at: '08:00' }), wechatNotice('b', { kind: 'key-date', days: 0, at: '20:00' })]);
    const problems = checkPlan(plan, { timeZone: 'Asia/Shanghai' });
    expect(problems).toContainEqual({ path: ['campaigns', 0, 'notices', 1, 'schedule'], message: expect.stringContaining('订阅号每天只能群发 1 次') });
    // Both are named in the message: the staff see which two collide.
    expect(problems.find((problem) => problem.path[3] === 1)?.message).toMatch(/c-0315\/a.*c-0315\/b/);
  });

  it('passes the same two sends on different days', () => {
    const plan = planWith('subscription', [wechatNotice('a', { kind: 'key-date', days: 0, at: '08:00' }), wechatNotice('b', { kind: 'key-date', days: 1, at: '08:00' })]);
    expect(checkPlan(plan, { timeZone: 'Asia/Shanghai' })).toEqual([]);
  });

  it('refuses the fifth mass send a 服务号’s followers would get in a month, not the fourth', () => {
    // March 2031 has five Mondays (3, 10, 17, 24, 31): the window's first four weeks give four.
    const weekly = (id: string) => wechatNotice(id, { kind: 'rrule', rule: 'FREQ=WEEKLY;BYDAY=MO', at: '09:00' });
    const inFourWeeks = (notices: Record<string, unknown>[]) => {
      const plan = planWith('service', notices);
      return planFileSchema.parse({ ...plan, campaigns: [{ ...plan.campaigns[0], window: { start: '2031-03-01', end: '2031-03-28' } }] });
    };
    const four = checkPlan(inFourWeeks([weekly('w')]), { timeZone: 'Asia/Shanghai' });
    expect(four, JSON.stringify(four)).toEqual([]);
    const over = checkPlan(inFourWeeks([weekly('w'), wechatNotice('x', { kind: 'key-date', days: 0, at: '10:00' })]), { timeZone: 'Asia/Shanghai' });
    expect(over.map((problem) => problem.message).join('\n')).toContain('2031-03 全部粉丝将收到 5 次群发');
  });

  it('asks for the account type before any WeChat notice', () => {
    const problems = checkPlan(planWith(undefined, [wechatNotice('a', { kind: 'key-date', days: 0, at: '08:00' })]), { timeZone: 'Asia/Shanghai' });
    expect(problems).toContainEqual({ path: ['campaigns', 0, 'notices', 0, 'channel'], message: expect.stringContaining('settings.wechat.accountType') });
  });

  it('refuses an audience of townships: followers are reached by WeChat, not by township', () => {
    const notice = { ...wechatNotice('a', { kind: 'key-date', days: 0, at: '08:00' }), audience: { townships: ['chengxiang'] } };
    const problems = checkPlan(planWith('subscription', [notice]), { timeZone: 'Asia/Shanghai' });
    expect(problems).toContainEqual({ path: ['campaigns', 0, 'notices', 0, 'audience', 'all'], message: expect.stringContaining('followers') });
  });
});

describe('the article as kept and approved', () => {
  const input = noticeInputSchema.parse(wechatNotice('a', { kind: 'key-date', days: 0, at: '08:00' }, { body: '<p onclick="x()">正文<script>steal()</script></p>' }));
  const kept = noticeContentOf(input);

  it('is kept sanitised: what the reviewer sees is what goes out', () => {
    expect(kept).toMatchObject({ channel: 'wechat', wechat: { body: '<p>正文</p>' } });
  });

  it('has a fingerprint that changes with every field that reaches a follower', () => {
    const article = (kept as { wechat: WeChatContent }).wechat;
    const base = contentHash({ channel: 'wechat', article });
    const changes: Partial<WeChatContent>[] = [{ title: '别的标题' }, { author: '某人' }, { digest: '摘要' }, { body: '<p>正文。</p>' }, { cover: 'b'.repeat(64) }, { sourceUrl: 'https://example.gov.cn/x' }, { tagId: 100 }];
    const hashes = changes.map((change) => contentHash({ channel: 'wechat', article: { ...article, ...change } }));
    expect(new Set([base, ...hashes]).size).toBe(changes.length + 1);
  });
});

describe('the dispatcher’s last check of a mass send', () => {
  const article: WeChatContent = { title: '标题', body: '<p>正文</p>', cover };
  const approvedHash = contentHash({ channel: 'wechat', article });
  const delivery = { recipient: { kind: 'wechat' as const } };

  it('lets it go with the approved article and a draft made from it', () => {
    expect(refusalToSend(delivery, { review: { approvedHash }, wechat: article, wechatDraft: { contentHash: approvedHash } })).toBeUndefined();
  });

  it('holds it when the article or the draft is not the approved one', () => {
    expect(refusalToSend(delivery, { review: { approvedHash }, wechat: { ...article, title: '改过的标题' }, wechatDraft: { contentHash: approvedHash } })).toContain('differs');
    expect(refusalToSend(delivery, { review: { approvedHash }, wechat: article, wechatDraft: { contentHash: 'stale' } })).toContain('no WeChat draft');
    expect(refusalToSend(delivery, { review: { approvedHash }, wechat: article })).toContain('no WeChat draft');
    expect(refusalToSend(delivery, { review: {}, wechat: article, wechatDraft: { contentHash: approvedHash } })).toContain('no approval fingerprint');
  });
});

describe('WeChat’s refusals at send time', () => {
  it('retries what may pass later and records what will not', () => {
    expect(wechatFailure(new WeChatRateLimited('/x', 45009, 'reach max api daily quota limit')).kind).toBe('transient');
    expect(wechatFailure(new WeChatUnreachable('/x', 'no answer')).kind).toBe('transient');
    expect(wechatFailure(new WeChatQuotaReached('/x', 45028, 'has no masssend quota'))).toMatchObject({ kind: 'permanent', code: 'WeChat45028' });
    expect(wechatFailure(new WeChatDuplicateSend('/x', 45065, 'clientmsgid exist', 'pufa-1'))).toMatchObject({ kind: 'permanent', message: expect.stringContaining('not sent again') });
    expect(wechatFailure(new WeChatApiError('/x', 40007, 'invalid media_id')).kind).toBe('permanent');
    expect(() => wechatFailure(new TypeError('a bug'))).toThrow(TypeError);
  });

  it('reads WeChat’s result as it writes it: "send success" and its sample’s "sendsuccess" went out, the rest did not', () => {
    for (const status of ['send success', 'sendsuccess', 'SendSuccess', 'send success (mass/get)', 'send success, deleted since (mass/get)']) expect(succeeded(status), status).toBe(true);
    for (const status of ['send fail', 'sendfail', 'err(10001)', 'err(20013)', 'send fail (mass/get)']) expect(succeeded(status), status).toBe(false);
  });

  it('tries a clientmsgid again only later: 45066 (the same one within a minute) is not a final failure', () => {
    expect(wechatFailure(errorFor('/cgi-bin/message/mass/sendall', 45066, 'same clientmsgid retry too fast')).kind).toBe('transient');
  });

  it('sends each delivery under one clientmsgid, within WeChat’s 64 bytes however long its id', () => {
    const long = `${'c'.repeat(64)}~${'n'.repeat(64)}~9999~wt4294967295`;
    expect(clientMsgIdOf(long)).toBe(clientMsgIdOf(long));
    expect(clientMsgIdOf(long)).not.toBe(clientMsgIdOf(`${long}x`));
    expect(Buffer.byteLength(clientMsgIdOf(long))).toBeLessThanOrEqual(64);
  });
});

describe('the report paragraph', () => {
  it('names the WeChat pushes, and the followers reached once WeChat said', () => {
    expect(reportParagraph({ ...zeroCounts(), wechatPushes: 12 })).toContain('微信公众号推送普法文章12期');
    expect(reportParagraph({ ...zeroCounts(), wechatPushes: 12 })).not.toContain('送达粉丝');
    expect(reportParagraph({ ...zeroCounts(), wechatPushes: 12, wechatReached: 54_000 })).toContain('微信公众号推送普法文章12期,送达粉丝5.4万人次');
    expect(reportParagraph(zeroCounts())).not.toContain('微信');
  });
});
