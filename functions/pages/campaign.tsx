/**
 * @module pages/campaign
 * A campaign (staff): its notices and their states, submit for review and schedule, and for a
 * WeChat article each mass send's state and whether the reviewer's WeChat got the preview; and a
 * notice composer with a live SMS segment and cost counter, broadcast reading time, the article's
 * sanitising and quota notes and the schedule preview with quiet-hour moves — computed by the same
 * preview the API offers.
 */
import { workflowDeps } from '../workflows/app-deps.js';
import { Hono, type Context } from 'hono';
import { idSchema } from '../domain/access.js';
import { DomainError, Invalid, NotFound } from '../domain/errors.js';
import { renderTemplate } from '../domain/sms.js';
import { statesWithDeliveries } from '../domain/notice-progress.js';
import { channelLabels, noticeInputSchema, publicEventKindLabels } from '../domain/planning.js';
import type { AppEnv } from '../http/env.js';
import { fieldProblems } from '../http/problem.js';
import { actOnNotice, createNotice, evaluate, resendUncertain } from '../workflows/notices.js';
import { previewCost, readBudget } from '../workflows/sms-budget.js';
import { Layout } from './layout.js';
import { Recording, recordingLinks } from './recording.js';
import { Composer, noticeFromForm, type Values } from './composer.js';
import { NoticeName, NoticeProgress } from './notice-status.js';
import { explainRefusal, helpFor } from './problems.js';
import { pageFor } from './session.js';
import { WeChatSends } from './wechat-sends.js';

/** Mass sends listed per WeChat notice: a notice has one per send time, rarely more than a few. */
const WECHAT_SENDS_SHOWN = 20;

async function page(c: Context<AppEnv>, values: Values = {}, flash?: { kind: 'ok' | 'err'; text: string }, problems: { field: string; message: string }[] = [], status: 200 | 400 | 403 | 404 | 409 | 503 = 200) {
  const { store } = c.var.deps;
  const county = c.var.caller.county;
  const id = idSchema.safeParse(c.req.param('id'));
  const campaign = id.success ? await store.campaigns.get(county, id.data) : undefined;
  if (!campaign) {
    return c.html(
      <Layout title="未找到活动" caller={c.var.caller} flash={{ kind: 'err', text: '没有这个宣传活动。请从年度计划进入。' }}>
        <a class="button" href="/app/plan">返回年度计划</a>
      </Layout>,
      404,
    );
  }
  const { config, clock } = c.var.deps;
  const [notices, registry, templates, budget] = await Promise.all([
    store.notices.listByCampaign(county, campaign.id),
    store.registry.get(county),
    store.registry.smsTemplates(county),
    readBudget({ store, config, now: clock() }, county),
  ]);
  // Counts only where deliveries exist: one GetItem per scheduled notice, a handful per campaign.
  const counts = new Map(
    await Promise.all(
      notices.filter((notice) => statesWithDeliveries.includes(notice.state)).map(async (notice) => [notice.id, await store.deliveries.counts(county, campaign.id, notice.id)] as const),
    ),
  );
  // A WeChat notice has one delivery per send time (its mass sends): a page of them says how each went.
  const wechatSends = new Map(
    await Promise.all(
      notices
        .filter((notice) => notice.channel === 'wechat' && statesWithDeliveries.includes(notice.state))
        .map(async (notice) => [notice.id, await store.deliveries.page(county, campaign.id, notice.id, { limit: WECHAT_SENDS_SHOWN })] as const),
    ),
  );
  const recordings = await recordingLinks(c.var.deps.speech, notices.map((notice) => notice.audio));
  const base = `/app/campaigns/${campaign.id}`;
  // A template notice reads as the text it sends (placeholders filled), not as a template id.
  const templateText = (sms: { template?: string | undefined; params: Record<string, string | number> }) => {
    const template = templates.find((candidate) => candidate.id === sms.template);
    return template ? `模板 ${template.id}：${renderTemplate(template.text, sms.params).text}` : `模板 ${sms.template ?? ''}`;
  };
  return c.html(
    <Layout title={campaign.title} caller={c.var.caller} path="/app/plan" flash={flash}>
      <p class="muted">
        {campaign.window.start} 至 {campaign.window.end}
        {campaign.keyDate ? ` · 节点 ${campaign.keyDate}` : ''} · {campaign.state === 'cancelled' ? '已取消' : '进行中'}
        {campaign.departments && campaign.departments.length > 0 ? ` · 责任部门：${campaign.departments.map((id) => registry.departments.find((department) => department.id === id)?.name ?? id).join('、')}` : ''}
      </p>
      {campaign.events && campaign.events.length > 0 && (
        <section aria-labelledby="events-heading">
          <h2 id="events-heading" style="font-size:1.15rem">
            现场活动
          </h2>
          <ul class="events">
            {campaign.events.map((event) => (
              <li>
                {event.date}
                {event.from ? ` ${event.from}–${event.to ?? ''}` : ''} · {event.title ?? publicEventKindLabels[event.kind]} · {event.place}
                {event.township ? `（${registry.townships.find((township) => township.id === event.township)?.name ?? event.township}）` : ''}
              </li>
            ))}
          </ul>
        </section>
      )}
      <h2 style="font-size:1.15rem">内容</h2>
      {notices.length === 0 ? (
        <p class="card">还没有内容。用下面的表单撰写第一条短信、广播稿或微信公众号文章。</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">内容</th>
              <th scope="col">渠道</th>
              <th scope="col">状态</th>
              <th scope="col">操作</th>
            </tr>
          </thead>
          <tbody>
            {notices.map((notice) => (
              <tr>
                <td>
                  <NoticeName notice={notice} />
                  <div class="muted">{notice.channel === 'sms' ? (notice.sms.body ?? templateText(notice.sms)) : notice.channel === 'wechat' ? `《${notice.wechat.title}》` : notice.broadcast.script}</div>
                  {notice.audio && recordings.get(notice.audio.key) && <Recording audio={notice.audio} url={recordings.get(notice.audio.key) ?? ''} />}
                  {notice.channel === 'wechat' && (notice.wechatDraft || wechatSends.has(notice.id)) && (
                    <WeChatSends deliveries={wechatSends.get(notice.id)?.items ?? []} more={wechatSends.get(notice.id)?.nextCursor !== undefined} draft={notice.wechatDraft} timeZone={config.timeZone} />
                  )}
                  {notice.review.reason && <div class="flash err">退回理由：{notice.review.reason}</div>}
                  {notice.state === 'paused' && notice.autoPaused && (
                    <div class="flash err auto-paused" role="alert">
                      {notice.autoPaused.reason}
                    </div>
                  )}
                  {notice.channel === 'sms' && notice.state === 'scheduled' && budget.stopped && (counts.get(notice.id)?.pending ?? 0) > 0 && (
                    <div class="flash err budget-held">{budget.reason}</div>
                  )}
                </td>
                <td>{channelLabels[notice.channel]}</td>
                <td>
                  <NoticeProgress state={notice.state} counts={counts.get(notice.id)} />
                </td>
                <td>
                  {(notice.state === 'draft' || notice.state === 'rejected') && (
                    <form method="post" action={`${base}/notices/${notice.id}/submit`}>
                      <button type="submit">提交审核</button>
                    </form>
                  )}
                  {notice.state === 'paused' && (
                    <form method="post" action={`${base}/notices/${notice.id}/resume`}>
                      <button type="submit">恢复发送</button>
                    </form>
                  )}
                  {notice.state === 'approved' && (
                    <form method="post" action={`${base}/notices/${notice.id}/schedule`}>
                      <button type="submit" class="primary">
                        排期发送
                      </button>
                    </form>
                  )}
                  {(counts.get(notice.id)?.uncertain ?? 0) > 0 && (notice.state === 'scheduled' || notice.state === 'done') && (
                    <form method="post" action={`${base}/notices/${notice.id}/resend-uncertain`}>
                      <p class="muted" style="font-size:.85rem;margin:0 0 .25rem">
                        发送中断：{counts.get(notice.id)?.uncertain} 条短信不知是否已送达。重发后，其中已收到的人会再收到一次。
                      </p>
                      <button type="submit">重发结果不明的短信</button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Composer base={base} campaign={campaign} registry={registry} templates={templates} values={values} problems={problems} nonce={c.get('secureHeadersNonce')} />
    </Layout>,
    status,
  );
}

export function campaignPages() {
  const pages = new Hono<AppEnv>();
  pages.use('/campaigns/*', pageFor('staff'));

  pages.get('/campaigns/:id', (c) => {
    const done = c.req.query('done');
    const texts: Record<string, string> = { saved: '已保存为草稿。', submitted: '已提交审核。', scheduled: '已排期，到点后自动发送。', resent: '结果不明的短信已重新排入发送。', resumed: '已恢复发送，只发尚未发出的部分。' };
    return page(c, {}, done ? { kind: 'ok', text: texts[done] ?? '已完成。' } : undefined);
  });

  // The composer's live preview: JSON in, the notice's evaluation out, nothing written. Mistakes
  // come back as problem+json naming each field, which the composer turns into Chinese advice.
  pages.post('/campaigns/:id/preview', async (c) => {
    const id = idSchema.safeParse(c.req.param('id'));
    if (!id.success) throw new NotFound('No such campaign.');
    const body: unknown = await c.req.json().catch(() => undefined);
    const parsed = noticeInputSchema.safeParse(body);
    if (!parsed.success) throw new Invalid('The notice is not complete yet.', fieldProblems(parsed.error, 'body'));
    const { store, config, clock } = c.var.deps;
    const campaign = await store.campaigns.require(c.var.caller.county, id.data);
    const deps = { store, config, now: clock() };
    const evaluation = await evaluate(deps, campaign, parsed.data);
    // The page's preview adds the notice's total (audience × sends × cost per person) against the month's budget.
    const cost = await previewCost(deps, c.var.caller.county, parsed.data, evaluation, { audience: 'recent' });
    return c.json({ ...evaluation, ...(cost ? { cost } : {}) }, 200);
  });

  pages.post('/campaigns/:id/notices', async (c) => {
    if (!idSchema.safeParse(c.req.param('id')).success) return page(c);
    const values = (await c.req.parseBody({ all: true })) as Values;
    const parsed = noticeFromForm(values);
    if (!parsed.success) return page(c, values, undefined, fieldProblems(parsed.error, 'body'), 400);
    const { store, config, clock } = c.var.deps;
    try {
      await createNotice({ store, config, now: clock() }, c.var.caller, c.req.param('id'), parsed.data);
    } catch (error) {
      if (error instanceof Invalid) return page(c, values, undefined, error.fields, 400);
      if (error instanceof DomainError) {
        const refusal = explainRefusal(error);
        return page(c, values, { kind: 'err', text: refusal.text }, [], refusal.status);
      }
      throw error;
    }
    return c.redirect(`/app/campaigns/${c.req.param('id')}?done=saved`, 303);
  });

  pages.post('/campaigns/:id/notices/:noticeId/resend-uncertain', async (c) => {
    const noticeId = idSchema.safeParse(c.req.param('noticeId'));
    if (!idSchema.safeParse(c.req.param('id')).success) return page(c);
    if (!noticeId.success) return page(c, {}, { kind: 'err', text: explainRefusal(new NotFound('No such notice.')).text }, [], 404);
    const { store, config, clock } = c.var.deps;
    try {
      await resendUncertain({ store, config, now: clock() }, c.var.caller, c.req.param('id'), noticeId.data);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const refusal = explainRefusal(error);
      return page(c, {}, { kind: 'err', text: refusal.text }, [], refusal.status);
    }
    return c.redirect(`/app/campaigns/${c.req.param('id')}?done=resent`, 303);
  });

  pages.post('/campaigns/:id/notices/:noticeId/:action{submit|schedule|resume}', async (c) => {
    const action = c.req.param('action') as 'submit' | 'schedule' | 'resume';
    const noticeId = idSchema.safeParse(c.req.param('noticeId'));
    if (!idSchema.safeParse(c.req.param('id')).success) return page(c);
    if (!noticeId.success) return page(c, {}, { kind: 'err', text: explainRefusal(new NotFound('No such notice.')).text }, [], 404);
    const { store, config, clock } = c.var.deps;
    try {
      await actOnNotice(workflowDeps(c.var.deps), c.var.caller, c.req.param('id'), c.req.param('noticeId'), action);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error instanceof Invalid) {
        const text = `还不能${action === 'submit' ? '提交' : action === 'schedule' ? '排期' : '恢复'}：${error.fields.map((field) => helpFor(field.field).label + '——' + field.message).join('；') || error.message}`;
        return page(c, {}, { kind: 'err', text }, [], 400);
      }
      const refusal = explainRefusal(error);
      return page(c, {}, { kind: 'err', text: refusal.text }, [], refusal.status);
    }
    return c.redirect(`/app/campaigns/${c.req.param('id')}?done=${action === 'submit' ? 'submitted' : action === 'schedule' ? 'scheduled' : 'resumed'}`, 303);
  });
  return pages;
}
