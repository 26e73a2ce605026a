/**
 * @module pages/review
 * The review queue (法制审核): submitted notices with the exact text that would go out, its
 * warnings, and approve / reject-with-reason. A reviewer's own drafts cannot be approved.
 */
import { workflowDeps } from '../workflows/app-deps.js';
import { Hono, type Context } from 'hono';
import { contentHash } from '../domain/approval.js';
import { DomainError, Invalid } from '../domain/errors.js';
import { noticeName } from '../domain/notice-progress.js';
import { channelLabels, noticeStateLabels, type NoticeRecord } from '../domain/planning.js';
import { actorOf, wroteAny } from '../domain/review.js';
import type { AppEnv } from '../http/env.js';
import { actOnNotice, evaluate, sentContent, type WeChatSendsByYear } from '../workflows/notices.js';
import { previewCost } from '../workflows/sms-budget.js';
import { ArticlePreview } from './article.js';
import { Layout, StateBadge } from './layout.js';
import { Recording, recordingLinks } from './recording.js';
import { pageFor } from './session.js';

const DONE: Record<string, string> = { approved: '已通过审核。', rejected: '已退回，并附上了理由。' };

export function reviewPages() {
  const pages = new Hono<AppEnv>();
  pages.use('/review', pageFor('reviewer'));
  pages.use('/review/*', pageFor('reviewer'));

  const render = async (c: Context<AppEnv>, flash?: { kind: 'ok' | 'err'; text: string }, status: 200 | 400 | 403 | 409 = 200) => {
    const { store, config, clock } = c.var.deps;
    const caller = c.var.caller;
    const queue = await store.notices.listByState(caller.county, 'submitted', { limit: 50 });
    // The county's WeChat sends, read once for the whole queue (each article's quota is judged against them).
    const wechatSends: WeChatSendsByYear = new Map();
    const items = await Promise.all(
      queue.items.map(async (notice: NoticeRecord) => {
        const campaign = await store.campaigns.get(caller.county, notice.campaignId);
        const evaluation = campaign ? await evaluate({ store, config, now: clock() }, campaign, notice, wechatSends) : undefined;
        // What approving it would spend: audience × sends × cost per person, against the month's budget.
        const cost = evaluation ? await previewCost({ store, config, now: clock() }, caller.county, notice, evaluation) : undefined;
        // A broadcast is approved by ear: the recording made at submit, on a fresh link.
        const recordingUrl = notice.audio ? (await recordingLinks(c.var.deps.speech, [notice.audio])).get(notice.audio.key) : undefined;
        return { notice, campaign, evaluation, cost, recordingUrl };
      }),
    );
    return c.html(
      <Layout title="审核队列" caller={caller} path="/app/review" flash={flash}>
        {items.length === 0 ? (
          <div class="card">
            <p>没有待审核的内容。</p>
            <p class="muted">宣传人员提交审核后，稿件会出现在这里。</p>
          </div>
        ) : (
          items.map(({ notice, campaign, evaluation, cost, recordingUrl }) => {
            const own = wroteAny(actorOf(caller), notice);
            const base = `/app/review/${notice.campaignId}/${notice.id}`;
            return (
              <article class="card">
                <h2 style="font-size:1.1rem;margin:0">
                  {campaign?.title ?? notice.campaignId} · {noticeName(notice)} <StateBadge label={noticeStateLabels[notice.state]} />
                </h2>
                <p class="muted">
                  {channelLabels[notice.channel]} · 撰写人：{notice.author.name} · 发送时间：
                  {(evaluation?.sends ?? []).map((send) => send.local.replace('T', ' ')).join('、') || '—'}
                </p>
                {notice.channel === 'wechat' ? (
                  // The article as followers will see it: the stored, sanitised body, its images from this origin.
                  <ArticlePreview article={notice.wechat} />
                ) : (
                  <blockquote style="margin:.5rem 0;padding:.5rem 1rem;background:#f6f8fa;border-left:4px solid #8c959f">
                    {notice.channel === 'sms' ? evaluation?.sms?.text : notice.broadcast.script}
                  </blockquote>
                )}
                {evaluation?.wechat && (
                  <p class="muted">
                    正文 {evaluation.wechat.characters} 字
                    {evaluation.wechat.quota && evaluation.wechat.quota.warnings.length === 0 && evaluation.wechat.quota.problems.length === 0 ? '；群发次数在公众号的限额以内' : ''}
                  </p>
                )}
                {(evaluation?.wechat?.quota?.problems ?? []).map((finding) => (
                  <p class="flash err wechat-quota">群发限额：{finding.message}</p>
                ))}
                {notice.channel === 'broadcast' &&
                  (notice.audio && recordingUrl ? (
                    <Recording audio={notice.audio} url={recordingUrl} estimatedSeconds={evaluation?.broadcast?.readingSeconds} label="请先试听录音，通过即批准这段录音" />
                  ) : (
                    <p class="flash err">这份广播稿提交时还没有生成录音：请退回，由撰写人重新提交以生成录音。</p>
                  ))}
                {evaluation?.sms && (
                  <p class="muted">
                    {evaluation.sms.segments.segments} 条计费短信（{evaluation.sms.segments.units} 字符），每人约 ¥{evaluation.sms.costPerRecipient.toFixed(3)}
                    {cost && `；预计总费用 ¥${cost.totalYuan.toFixed(2)}（约 $${cost.totalUsd.toFixed(cost.totalUsd < 1 ? 4 : 2)}，${cost.complete ? '' : '至少 '}${cost.recipients} 人 × ${cost.sends} 次）`}
                  </p>
                )}
                {cost?.exceedsRemaining && <p class="flash err">提醒：超出本月剩余短信预算 ¥{(cost.remainingYuan ?? 0).toFixed(2)}，超出部分将暂停发送，到下月或提高预算后再发。</p>}
                {(evaluation?.warnings ?? []).map((warning) => (
                  <p class="flash err">提醒：{warning}</p>
                ))}
                {own ? (
                  <p class="flash err">这是您本人撰写、修改或提交的稿件，须由其他审核人员审核。</p>
                ) : (
                  <div style="display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-end">
                    <form method="post" action={`${base}/approve`}>
                      {evaluation && <input type="hidden" name="seen" value={contentHash(sentContent(notice, evaluation))} />}
                      <button type="submit" class="primary">
                        通过
                      </button>
                    </form>
                    <form method="post" action={`${base}/reject`} style="flex:1;min-width:14rem">
                      <label for={`reason-${notice.campaignId}-${notice.id}`}>退回理由</label>
                      <textarea id={`reason-${notice.campaignId}-${notice.id}`} name="reason" rows={2} required />
                      <button type="submit" class="danger" style="margin-top:.5rem">
                        退回
                      </button>
                    </form>
                  </div>
                )}
              </article>
            );
          })
        )}
      </Layout>,
      status,
    );
  };

  pages.get('/review', (c) => render(c, c.req.query('done') ? { kind: 'ok', text: DONE[c.req.query('done') ?? ''] ?? '已处理。' } : undefined));

  pages.post('/review/:campaignId/:noticeId/:action{approve|reject}', async (c) => {
    const { store, config, clock } = c.var.deps;
    const action = c.req.param('action') as 'approve' | 'reject';
    const form = await c.req.parseBody();
    const reason = typeof form.reason === 'string' ? form.reason : undefined;
    // The fingerprint of what the page showed: an approval holds only for exactly that text and recording.
    const seen = typeof form.seen === 'string' && /^[0-9a-f]{64}$/.test(form.seen) ? form.seen : undefined;
    try {
      if (action === 'approve' && !seen) throw new Invalid('The approval does not say what was reviewed.', [{ field: 'body.seen', message: 'missing: reload the review page' }]);
      await actOnNotice(workflowDeps(c.var.deps), c.var.caller, c.req.param('campaignId'), c.req.param('noticeId'), action, { reason, seen });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const text =
        error.kind === 'conflict'
          ? '这份稿件已被其他人处理（或已修改），请查看最新的队列。'
          : error.kind === 'forbidden'
            ? '不能审核本人撰写的稿件，请交由其他审核人员。'
            : error.kind === 'invalid'
              ? action === 'approve'
                ? '这个页面已过期，请刷新后再审核。'
                : '退回时请填写理由，说明需要怎样修改。'
              : '操作未成功，请刷新后重试。';
      const status = error.kind === 'conflict' ? 409 : error.kind === 'forbidden' ? 403 : 400;
      return render(c, { kind: 'err', text }, status);
    }
    return c.redirect(`/app/review?done=${action === 'approve' ? 'approved' : 'rejected'}`, 303);
  });
  return pages;
}
