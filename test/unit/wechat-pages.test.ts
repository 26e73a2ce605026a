/**
 * How the pages say a WeChat mass send's state and show an article's body: pure, no table, no
 * browser (the pages themselves are in test/integration/wechat-pages.test.ts and test/e2e).
 */
import { describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '../../functions/domain/delivery.js';
import { sanitiseArticleBody } from '../../functions/domain/wechat-article.js';
import { bodyForPage, isSanitised } from '../../functions/pages/article.js';
import { previewStatus, wechatSendStatus } from '../../functions/pages/wechat-sends.js';

const ZONE = 'Asia/Shanghai';
const SHA = 'a'.repeat(64);

const aMassSend = (overrides: Partial<DeliveryRecord>): Pick<DeliveryRecord, 'state' | 'scheduledAt' | 'reason' | 'wechat'> => ({
  state: 'sent',
  scheduledAt: '2026-12-04T02:00:00.000Z',
  ...overrides,
});

describe('a mass send’s state on the campaign page', () => {
  it('says a submitted send is with WeChat', () => {
    expect(wechatSendStatus(aMassSend({ wechat: { phase: 'submitted', submittedAt: '2026-12-04T02:00:01.000Z' } }), ZONE).text).toBe('已提交微信');
  });

  it('gives a protected send’s deadline, half an hour after its submission, in the county’s time', () => {
    const status = wechatSendStatus(aMassSend({ wechat: { phase: 'awaiting-confirmation', submittedAt: '2026-12-04T15:45:00.000Z' } }), ZONE);
    // 23:45 local plus 30 minutes crosses midnight.
    expect(status).toEqual({ text: '等待管理员在微信中确认（群发保护，12月5日 00:15 前）', kind: 'wait' });
  });

  it('counts the followers a finished send reached, of how many, and the failures', () => {
    const finished = { phase: 'finished' as const, submittedAt: '2026-12-04T02:00:01.000Z', totalCount: 900, filterCount: 880, sentCount: 870, errorCount: 10 };
    expect(wechatSendStatus(aMassSend({ state: 'delivered', wechat: finished }), ZONE)).toEqual({ text: '已送达 870 位粉丝（共 900，失败 10）', kind: 'ok' });
  });

  it('says why a send failed: the reason kept, else WeChat’s status', () => {
    expect(wechatSendStatus(aMassSend({ state: 'failed', reason: '45028 no quota' }), ZONE).text).toBe('发送失败：45028 no quota');
    const lapsed = { phase: 'finished' as const, submittedAt: '2026-12-04T02:00:01.000Z', status: 'send fail', sentCount: 0 };
    expect(wechatSendStatus(aMassSend({ state: 'undelivered', wechat: lapsed }), ZONE).text).toBe('发送失败：send fail');
  });

  it('names a send not yet made by its time', () => {
    expect(wechatSendStatus(aMassSend({ state: 'pending' }), ZONE).text).toBe('待发送（12月4日 10:00）');
  });

  it('says whether the reviewer’s WeChat got the preview', () => {
    const draft = { mediaId: 'm', contentHash: 'h', madeAt: '2026-12-03T01:00:00.000Z' };
    expect(previewStatus(undefined, ZONE)).toBeUndefined();
    expect(previewStatus({ ...draft, preview: { at: '2026-12-03T01:00:02.000Z', to: '老李' } }, ZONE)).toEqual({ text: '预览已于 12月3日 09:00 发到审核人员的微信（老李）', ok: true });
    expect(previewStatus({ ...draft, preview: { at: '2026-12-03T01:00:02.000Z', error: '43004' } }, ZONE)?.ok).toBe(false);
  });
});

describe('an article’s body on the review page', () => {
  it('shows each uploaded image from this origin and leaves the rest of the sanitised body as it is', () => {
    const { html } = sanitiseArticleBody(`<p>看图：pufa-image:${SHA}</p><img src="pufa-image:${SHA}" alt="图"><p><strong>完</strong></p>`);
    expect(bodyForPage(html)).toBe(`<p>看图：pufa-image:${SHA}</p><img src="/images/${SHA}" alt="图"><p><strong>完</strong></p>`);
  });

  it('knows a body the sanitiser would still change', () => {
    expect(isSanitised(sanitiseArticleBody('<p onclick="x()">a</p><script>y()</script>').html)).toBe(true);
    expect(isSanitised('<p onclick="x()">a</p>')).toBe(false);
  });
});
