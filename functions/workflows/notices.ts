/**
 * @module workflows/notices
 * Campaigns and notices through their life: create, edit, preview, and the review moves
 * (submit, approve, reject, schedule, cancel). Each step reads what it needs, asks the domain to
 * decide, then writes conditionally. Shared by the routes and, later, the web pages.
 */
import type { Config } from '../config.js';
import { departmentScope, newId, requireDepartment, requireKeepsDepartments, townshipScope, type Caller } from '../domain/access.js';
import { Conflict, Forbidden, Invalid, Unavailable, type FieldProblem } from '../domain/errors.js';
import { evaluateNotice, type NoticeContext, type NoticeEvaluation } from '../domain/notice-check.js';
import {
  campaignEventProblems,
  campaignYear,
  changesEventsOutside,
  noticeContentOf,
  responsibleDepartments,
  type CampaignInput,
  type CampaignPatch,
  type CampaignRecord,
  type NoticeAudio,
  type NoticeInput,
  type NoticeRecord,
  type WeChatContent,
} from '../domain/planning.js';
import type { WeChatChannel } from '../wechat/channel.js';
import type { PlannedWeChatSend } from '../domain/wechat-quota.js';
import { makeWeChatDraft, type ArticleImages, type WeChatDraft } from './wechat-drafts.js';
import { audienceWithinTownship, checkDepartments, type Problem, type Registry } from '../domain/registry.js';
import { contentHash, matchesApproval, readableText, stationScript, type SentContent } from '../domain/approval.js';
import { actorOf, decide, decideEdit, withEditor, type ReviewAction } from '../domain/review.js';
import { SEND_FENCE_MS, tallyPeriod } from '../domain/delivery.js';
import { recordingProblem } from '../domain/broadcast.js';
import { utcToLocal } from '../domain/schedule.js';
import { speechDelta } from '../domain/tally.js';
import type { SpeechLexicon } from '../domain/speech-lexicon.js';
import type { Speech } from '../speech/from-config.js';
import type { Store } from '../store/index.js';
import { auditFor, countyWeChatSends, noticeContext } from './context.js';
import { advanceExpansion, startExpansion } from './expand.js';
import { inParallel } from './parallel.js';

export interface WorkflowDeps {
  store: Store;
  config: Pick<Config, 'timeZone'>;
  now: Date;
  /** Text-to-speech, for a broadcast's recording at submit (AppDeps.speech). */
  speech?: (() => Promise<Speech>) | undefined;
  /** The WeChat official account, for an approved article's draft and preview (AppDeps.wechat); undefined inside: not configured. */
  wechat?: (() => Promise<WeChatChannel | undefined>) | undefined;
  /** Uploaded images, for an article's cover and body images (AppDeps.images). */
  images?: (() => Promise<ArticleImages>) | undefined;
}

export function invalid(message: string, problems: Problem[], prefix = 'body'): Invalid {
  const fields: FieldProblem[] = problems.map((problem) => ({ field: [prefix, ...problem.path].join('.'), message: problem.message }));
  return new Invalid(message, fields);
}

// --- Campaigns

export async function createCampaign(deps: WorkflowDeps, caller: Caller, input: CampaignInput): Promise<CampaignRecord> {
  const year = campaignYear(input.window);
  requireDepartment(caller, input.departments, 'a campaign');
  checkEventScope(caller, undefined, input.events);
  await checkCampaignAgainstPlan(deps, caller.county, year, input);
  const now = deps.now.toISOString();
  const record: CampaignRecord = {
    id: input.id ?? newId('cmp', deps.now),
    county: caller.county,
    year,
    title: input.title,
    theme: input.theme,
    window: input.window,
    ...(input.keyDate ? { keyDate: input.keyDate } : {}),
    ...(input.description ? { description: input.description } : {}),
    ...(input.events?.length ? { events: input.events } : {}),
    ...(input.departments?.length ? { departments: input.departments } : {}),
    state: 'active',
    source: 'api',
    version: 1,
    createdAt: now,
    updatedAt: now,
    createdBy: actorOf(caller),
  };
  await deps.store.campaigns.create(record, auditFor(deps, caller)('campaign.create', { kind: 'campaign', id: record.id }, undefined, record));
  return record;
}

export async function updateCampaign(deps: WorkflowDeps, caller: Caller, id: string, patch: CampaignPatch): Promise<CampaignRecord> {
  const campaign = await deps.store.campaigns.require(caller.county, id);
  await checkCampaignScope(deps, caller, campaign);
  if (campaign.state === 'cancelled') throw new Conflict(`Campaign "${id}" is cancelled.`, { state: campaign.state });
  if (patch.events !== undefined) checkEventScope(caller, campaign.events, patch.events);
  const merged = { ...campaign, ...patch, window: patch.window ?? campaign.window };
  if (merged.events?.length === 0) delete merged.events;
  if (merged.departments?.length === 0) delete merged.departments;
  requireDepartment(caller, merged.departments, 'the campaign as changed');
  requireKeepsDepartments(caller, campaign.departments, merged.departments, 'a campaign');
  if (merged.window.end < merged.window.start) {
    throw invalid('The campaign window ends before it starts.', [{ path: ['window', 'end'], message: 'must not be before the start' }]);
  }
  if (campaignYear(merged.window) !== campaign.year) {
    throw invalid('A campaign stays in its year.', [{ path: ['window', 'start'], message: `must stay in ${campaign.year}` }]);
  }
  await checkCampaignAgainstPlan(deps, caller.county, campaign.year, merged);
  const timingChanged = JSON.stringify([merged.window, merged.keyDate]) !== JSON.stringify([campaign.window, campaign.keyDate]);
  if (timingChanged) {
    const notices = await deps.store.notices.listByCampaign(caller.county, id);
    if (notices.some((notice) => ['approved', 'scheduled', 'done'].includes(notice.state))) {
      throw new Conflict('The window or key date cannot move while notices are approved or scheduled; cancel them first.');
    }
  }
  const record: CampaignRecord = { ...merged, source: 'api', version: campaign.version + 1, updatedAt: deps.now.toISOString() };
  delete record.planHash;
  await deps.store.campaigns.replace(record, campaign.version, auditFor(deps, caller)('campaign.update', { kind: 'campaign', id: record.id }, campaign, record));
  return record;
}

/** Cancels the campaign and every notice of it that has not finished. */
export async function cancelCampaign(deps: WorkflowDeps, caller: Caller, id: string): Promise<{ campaign: CampaignRecord; cancelledNotices: string[] }> {
  const campaign = await deps.store.campaigns.require(caller.county, id);
  if (caller.role !== 'staff') throw new Forbidden('Only staff may cancel a campaign.');
  await checkCampaignScope(deps, caller, campaign);
  const cancelledNotices: string[] = [];
  const fence = sendFence();
  for (const notice of await deps.store.notices.listByCampaign(caller.county, id)) {
    if (notice.state === 'done' || notice.state === 'cancelled') continue;
    const move = decide('cancel', notice, caller);
    await deps.store.notices.transition(notice, move, {}, deps.now, (after) => auditFor(deps, caller)('notice.cancel', noticeSubject(notice), notice, after));
    fence.written();
    await cancelPendingDeliveries(deps, notice);
    cancelledNotices.push(notice.id);
  }
  await fence.passed();
  if (campaign.state === 'cancelled') return { campaign, cancelledNotices };
  const record: CampaignRecord = { ...campaign, state: 'cancelled', version: campaign.version + 1, updatedAt: deps.now.toISOString() };
  await deps.store.campaigns.replace(record, campaign.version, auditFor(deps, caller)('campaign.cancel', { kind: 'campaign', id: record.id }, campaign, record));
  return { campaign: record, cancelledNotices };
}

/**
 * A staff token limited to a township may change or cancel a campaign only when every notice in
 * it addresses that township alone: cancelling a campaign cancels its notices too.
 */
async function checkCampaignScope(deps: WorkflowDeps, caller: Caller, campaign: CampaignRecord): Promise<void> {
  const department = departmentScope(caller);
  if (department !== undefined) {
    requireDepartment(caller, campaign.departments, `campaign "${campaign.id}"`);
    const notices = await deps.store.notices.listByCampaign(caller.county, campaign.id);
    const others = notices.filter((notice) => !responsibleDepartments(notice, campaign).includes(department)).map((notice) => notice.id);
    if (others.length > 0) throw new Forbidden(`Your token is limited to department "${department}", but campaign "${campaign.id}" has notices of other departments: ${others.join(', ')}.`);
  }
  const township = townshipScope(caller);
  if (township === undefined) return;
  const [notices, registry] = await Promise.all([deps.store.notices.listByCampaign(caller.county, campaign.id), deps.store.registry.get(caller.county)]);
  const outside = notices.filter((notice) => !audienceWithinTownship(notice.audience, township, registry)).map((notice) => notice.id);
  if (outside.length > 0) {
    throw new Forbidden(`Your token is limited to township "${township}", but campaign "${campaign.id}" has notices addressed beyond it: ${outside.join(', ')}.`);
  }
}

/**
 * A staff token limited to a township may plan, change and remove events in that township only:
 * every event held elsewhere or county-wide stays exactly as stored.
 */
function checkEventScope(caller: Caller, stored: CampaignInput['events'], events: CampaignInput['events']): void {
  if (caller.role !== 'staff' || !caller.township) return;
  if (changesEventsOutside(stored, events, caller.township)) {
    throw new Forbidden(`Your token is limited to township "${caller.township}": it may add, change or remove only that township's events (township: ${caller.township}); events held elsewhere or county-wide stay as they are.`);
  }
}

async function checkCampaignAgainstPlan(
  deps: WorkflowDeps,
  county: string,
  year: number,
  input: Pick<CampaignInput, 'theme' | 'keyDate' | 'window' | 'events' | 'departments'>,
): Promise<void> {
  const [plan, registry] = await Promise.all([deps.store.plans.getYear(county, year), input.events?.length || input.departments?.length ? deps.store.registry.get(county) : undefined]);
  const problems: Problem[] = [];
  if (!plan) {
    problems.push({ path: ['window', 'start'], message: `no plan is loaded for ${year}: load the year's plan first (npm run plan -- --apply)` });
  } else if (!plan.themes.some((theme) => theme.id === input.theme)) {
    problems.push({ path: ['theme'], message: `unknown theme "${input.theme}"; the ${year} themes are: ${plan.themes.map((theme) => theme.id).join(', ')}` });
  }
  if (input.keyDate && (input.keyDate < input.window.start || input.keyDate > input.window.end)) {
    problems.push({ path: ['keyDate'], message: `${input.keyDate} is outside the campaign window ${input.window.start} to ${input.window.end}` });
  }
  problems.push(...campaignEventProblems(input.events, input.window, registry ? new Set(registry.townships.map((township) => township.id)) : undefined));
  if (registry) problems.push(...checkDepartments(input.departments ?? [], registry));
  if (problems.length > 0) throw invalid('The campaign does not fit the year’s plan.', problems);
}

// --- Notices

const noticeSubject = (notice: Pick<NoticeRecord, 'campaignId' | 'id'>) => ({ kind: 'notice', id: `${notice.campaignId}/${notice.id}` });

export interface NoticeView {
  notice: NoticeRecord;
  evaluation: NoticeEvaluation;
}

async function activeCampaign(deps: WorkflowDeps, county: string, campaignId: string): Promise<CampaignRecord> {
  const campaign = await deps.store.campaigns.require(county, campaignId);
  if (campaign.state === 'cancelled') throw new Conflict(`Campaign "${campaignId}" is cancelled.`, { state: campaign.state });
  return campaign;
}

/** 404 for a notice that is not stored; 403 for a limited staff token's notice outside its township or department. */
export async function requireNoticeInScope(store: Store, caller: Caller, campaignId: string, noticeId: string): Promise<void> {
  const [campaign, notice] = await Promise.all([store.campaigns.require(caller.county, campaignId), store.notices.require(caller.county, campaignId, noticeId)]);
  if (caller.role !== 'staff') return;
  checkNoticeScope(caller, notice, campaign, townshipScope(caller) !== undefined ? await store.registry.get(caller.county) : undefined);
}

/**
 * A limited staff token's reach over one notice: a township's only notices addressed within it, a
 * department's only notices it is responsible for (the notice's departments, else its campaign's).
 */
function checkNoticeScope(caller: Caller, notice: Pick<NoticeInput, 'audience' | 'departments'>, campaign: CampaignRecord, registry: Registry | undefined): void {
  const township = townshipScope(caller);
  if (township !== undefined && !audienceWithinTownship(notice.audience, township, registry ?? emptyRegistry)) {
    throw new Forbidden(`Your token is limited to township "${township}": address only it and its villages.`);
  }
  requireDepartment(caller, campaign.departments, `campaign "${campaign.id}"`);
  requireDepartment(caller, responsibleDepartments(notice, campaign), 'the notice (or its campaign)');
}

const emptyRegistry: Registry = { townships: [], villages: [], stations: [], groups: [], departments: [], placements: [] };

/** Judges a notice (stored or not) in its campaign: sends, SMS segments and cost, warnings, problems. */
/**
 * The county's WeChat mass sends by year, read once for a page that judges many notices (the
 * review queue) rather than once per notice.
 */
export type WeChatSendsByYear = Map<number, Promise<PlannedWeChatSend[]>>;

export async function evaluate(deps: WorkflowDeps, campaign: CampaignRecord, input: NoticeInput, wechatSends?: WeChatSendsByYear): Promise<NoticeEvaluation> {
  const context = await noticeContext(deps.store, deps.config, campaign.county, campaign.year);
  return evaluateNotice(input, campaign, await withWeChatQuota(deps, context, campaign, input, wechatSends));
}

/** A WeChat notice is judged with the county's other mass sends, for the account's quota. */
async function withWeChatQuota<C extends NoticeContext>(deps: WorkflowDeps, context: C, campaign: CampaignRecord, notice: Pick<NoticeInput, 'channel' | 'id'>, byYear?: WeChatSendsByYear): Promise<C> {
  if (notice.channel !== 'wechat') return context;
  const wechatRef = `${campaign.id}/${notice.id ?? '（新）'}`;
  if (!byYear) return { ...context, wechatRef, wechatSends: await countyWeChatSends(deps.store, context, campaign.county, campaign.year, wechatRef) };
  let all = byYear.get(campaign.year);
  if (!all) byYear.set(campaign.year, (all = countyWeChatSends(deps.store, context, campaign.county, campaign.year, undefined)));
  return { ...context, wechatRef, wechatSends: (await all).filter((send) => send.noticeRef !== wechatRef) };
}

async function evaluateOrRefuse(deps: WorkflowDeps, caller: Caller, campaign: CampaignRecord, input: NoticeInput): Promise<NoticeEvaluation> {
  const context = await withWeChatQuota(deps, await noticeContext(deps.store, deps.config, campaign.county, campaign.year), campaign, input);
  checkNoticeScope(caller, input, campaign, context.registry);
  const evaluation = evaluateNotice(input, campaign, context);
  if (evaluation.problems.length > 0) throw invalid('The notice cannot be sent as written.', evaluation.problems);
  return evaluation;
}


export async function createNotice(deps: WorkflowDeps, caller: Caller, campaignId: string, input: NoticeInput): Promise<NoticeView> {
  const campaign = await activeCampaign(deps, caller.county, campaignId);
  const evaluation = await evaluateOrRefuse(deps, caller, campaign, input);
  const now = deps.now.toISOString();
  const notice: NoticeRecord = {
    id: input.id ?? newId('ntc', deps.now),
    campaignId,
    county: caller.county,
    ...(input.title ? { title: input.title } : {}),
    audience: input.audience,
    schedule: input.schedule,
    ...(input.lateWindowMinutes ? { lateWindowMinutes: input.lateWindowMinutes } : {}),
    ...(input.onHoliday ? { onHoliday: input.onHoliday } : {}),
    ...(input.departments?.length ? { departments: input.departments } : {}),
    ...noticeContentOf(input),
    state: 'draft',
    author: actorOf(caller),
    editors: [actorOf(caller)],
    review: {},
    source: 'api',
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.notices.create(notice, auditFor(deps, caller)('notice.create', noticeSubject(notice), undefined, notice));
  return { notice, evaluation };
}

/** Replaces a notice's content. Anything past draft (submitted, approved) goes back to draft. */
export async function updateNotice(
  deps: WorkflowDeps,
  caller: Caller,
  campaignId: string,
  noticeId: string,
  input: NoticeInput,
): Promise<NoticeView> {
  const campaign = await activeCampaign(deps, caller.county, campaignId);
  const current = await deps.store.notices.require(caller.county, campaignId, noticeId);
  // Scope first: a token limited to one township learns nothing (state, channel) of another's notice.
  checkNoticeScope(caller, current, campaign, (await noticeContext(deps.store, deps.config, caller.county, campaign.year)).registry);
  if (current.channel !== input.channel) {
    throw invalid('A notice keeps its channel.', [{ path: ['channel'], message: `must stay ${current.channel}` }]);
  }
  decideEdit(current.state);
  // Judged as this notice (its id), so its own stored sends are not counted against it a second time.
  const evaluation = await evaluateOrRefuse(deps, caller, campaign, { ...input, id: noticeId });
  // The recording goes with the old content: the next submit makes one of the new.
  const { sms: _sms, broadcast: _broadcast, wechat: _wechat, wechatDraft: _draft, planHash: _planHash, title: _title, lateWindowMinutes: _late, onHoliday: _onHoliday, audio: _audio, departments: _departments, ...kept } = current as NoticeRecord & {
    sms?: unknown;
    broadcast?: unknown;
    wechat?: unknown;
  };
  const notice = {
    ...kept,
    ...(input.title ? { title: input.title } : {}),
    audience: input.audience,
    schedule: input.schedule,
    ...(input.lateWindowMinutes ? { lateWindowMinutes: input.lateWindowMinutes } : {}),
    ...(input.onHoliday ? { onHoliday: input.onHoliday } : {}),
    ...(input.departments?.length ? { departments: input.departments } : {}),
    ...noticeContentOf(input),
    state: 'draft',
    editors: withEditor(current, actorOf(caller)),
    review: {},
    // Edited in the app: a later plan load must not overwrite it silently.
    source: 'api',
    version: current.version + 1,
    updatedAt: deps.now.toISOString(),
  } as NoticeRecord;
  await deps.store.notices.replace(notice, current.version, auditFor(deps, caller)('notice.update', noticeSubject(notice), current, notice));
  return { notice, evaluation };
}

export async function actOnNotice(
  deps: WorkflowDeps,
  caller: Caller,
  campaignId: string,
  noticeId: string,
  action: Exclude<ReviewAction, 'complete' | 'resend-uncertain'>,
  /** `seen`: approve only if the content (text and recording) still has this fingerprint — what the reviewer was shown. */
  options: { reason?: string | undefined; seen?: string | undefined } = {},
): Promise<NoticeView> {
  const campaign = await deps.store.campaigns.require(caller.county, campaignId);
  const notice = await deps.store.notices.require(caller.county, campaignId, noticeId);
  const context = await noticeContext(deps.store, deps.config, caller.county, campaign.year);
  // Scope before state: a token limited to one township learns nothing of another's notice.
  if (caller.role === 'staff') checkNoticeScope(caller, notice, campaign, context.registry);
  const move = decide(action, notice, caller, options);
  // The quota is checked again on the way to sending (submit, approve, schedule): others may have been planned since.
  const judged = ['submit', 'approve', 'schedule'].includes(action) ? await withWeChatQuota(deps, context, campaign, notice) : context;
  if (campaign.state === 'cancelled' && action !== 'cancel') {
    throw new Conflict(`Campaign "${campaignId}" is cancelled.`, { state: campaign.state });
  }
  const evaluation = evaluateNotice(notice, campaign, judged);
  const at = deps.now.toISOString();
  const actor = actorOf(caller);

  let changes: Partial<Pick<NoticeRecord, 'review' | 'sends' | 'smsText' | 'dispatch' | 'editors' | 'smsCostYuan' | 'autoPaused' | 'guardBaseline' | 'audio' | 'wechatDraft'>> = {};
  if (action === 'submit') {
    if (evaluation.problems.length > 0) throw invalid('The notice cannot be submitted as it stands.', evaluation.problems, 'notice');
    // A broadcast is reviewed by ear: its recording is made now, and the reviewer approves that file.
    const audio = notice.channel === 'broadcast' ? await recordingFor(deps, notice, context.plan?.lexicon ?? [], { timeZone: context.timeZone, theme: campaign.theme }) : undefined;
    changes = { review: { submittedBy: actor, submittedAt: at }, editors: withEditor(notice, actor), ...(audio ? { audio } : {}) };
  } else if (action === 'approve' || action === 'reject') {
    // A broadcast is approved by ear: one submitted before recordings existed has nothing to hear.
    if (action === 'approve' && notice.channel === 'broadcast' && !notice.audio) {
      throw new Conflict('This broadcast has no recording to approve: reject it, and its writer submits it again to make one.', { state: notice.state });
    }
    const content = sentContent(notice, evaluation);
    if (action === 'approve' && options.seen !== undefined && contentHash(content) !== options.seen) {
      throw new Conflict('What would be approved is not what you reviewed: the notice was edited and submitted again (a new text or recording). Review it again.', { state: notice.state });
    }
    // The account's quota is checked again: a draft and a preview are not spent on an article that cannot be sent.
    if (action === 'approve' && notice.channel === 'wechat' && evaluation.problems.length > 0) throw invalid('The article cannot be approved as it stands.', evaluation.problems, 'notice');
    // An approved article goes into the WeChat draft box now, and the reviewer gets its preview.
    const wechatDraft =
      action === 'approve' && notice.channel === 'wechat'
        ? await draftFor(deps, notice.wechat, { contentHash: contentHash(content), now: deps.now, previewTo: caller.wechatOpenId })
        : undefined;
    changes = {
      ...(wechatDraft ? { wechatDraft } : {}),
      review: {
        ...notice.review,
        decidedBy: actor,
        decidedAt: at,
        decision: action === 'approve' ? 'approved' : 'rejected',
        ...(options.reason?.trim() ? { reason: options.reason.trim() } : {}),
        // What the reviewer saw is what may go out: the rendered content and its fingerprint.
        ...(action === 'approve' ? { approvedText: readableText(content), approvedHash: contentHash(content) } : {}),
      },
    };
  } else if (action === 'schedule') {
    if (evaluation.problems.length > 0) throw invalid('The notice cannot be scheduled as it stands.', evaluation.problems, 'notice');
    if (!matchesApproval(sentContent(notice, evaluation), notice.review)) {
      throw new Conflict(
        'What this notice would send now differs from the text the reviewer approved (a template or the year’s SMS settings changed since): edit it or submit it for review again.',
        { state: notice.state, approvedText: notice.review.approvedText },
      );
    }
    const upcoming = evaluation.sends.filter((send) => send.at > at);
    if (upcoming.length === 0) {
      throw invalid('Every send time of this notice has passed.', [{ path: ['schedule'], message: 'no send time is still ahead' }], 'notice');
    }
    // What was reviewed is what goes out: the text and the sending rules are fixed here.
    changes = {
      sends: upcoming,
      // …and what each SMS costs, which the dispatcher reserves from the month's budget.
      ...(evaluation.sms ? { smsText: evaluation.sms.text, smsCostYuan: evaluation.sms.costPerRecipient } : {}),
      dispatch: { timeZone: context.timeZone, quietHours: context.settings.quietHours },
    };
  } else if (action === 'resume') {
    // The failure guard counts afresh from here: staff fixed what made it pause (or chose to go on).
    const counts = await deps.store.deliveries.counts(notice.county, notice.campaignId, notice.id);
    changes = { guardBaseline: { sent: counts.sent, failed: counts.failed, undelivered: counts.undelivered }, autoPaused: undefined };
  }
  const fence = sendFence();
  const updated = await deps.store.notices.transition(notice, move, changes, deps.now, (after) => auditFor(deps, caller)(`notice.${action}`, noticeSubject(notice), notice, after));
  fence.written();
  if (action === 'schedule') {
    await startExpansion(deps.store, updated, context.registry ?? emptyRegistry, context.timeZone, deps.now);
    // A first slice now, so small audiences are ready at once; the dispatcher does the rest.
    await advanceExpansion(deps.store, { county: updated.county, campaignId: updated.campaignId, noticeId: updated.id }, { now: () => deps.now, deadline: Date.now() + EXPANSION_SLICE_MS, timeZone: context.timeZone });
  } else if (action === 'pause') {
    // The state is all a pause writes (a notice of 100,000 answers as fast as one of ten): the
    // dispatcher parks the deliveries as they come due, and stations stop seeing the scripts at
    // once. No send may start once the pause has answered: wait out the dispatcher's fence.
    await fence.passed();
  } else if (action === 'cancel') {
    await cancelPendingDeliveries(deps, notice);
    await fence.passed();
  } else if (action === 'resume') {
    // Resume sends only what was never sent.
    const pending = await deps.store.deliveries.pendingOfNotice(caller.county, campaignId, noticeId);
    await inParallel(pending, STOP_CONCURRENCY, async (delivery) => (delivery.parked ? deps.store.deliveries.unpark(delivery, deps.now) : false));
  }
  return { notice: updated, evaluation };
}

/**
 * Staff choose to send again the SMS whose outcome a crash left unknown (some may arrive twice:
 * the page says so before asking). They go back to pending, due now — still within the notice's
 * late window, or they expire — and a finished notice is scheduled again.
 */
export async function resendUncertain(deps: WorkflowDeps, caller: Caller, campaignId: string, noticeId: string): Promise<{ notice: NoticeRecord; resent: number }> {
  const campaign = await activeCampaign(deps, caller.county, campaignId);
  const notice = await deps.store.notices.require(caller.county, campaignId, noticeId);
  const context = await noticeContext(deps.store, deps.config, caller.county, campaign.year);
  checkNoticeScope(caller, notice, campaign, context.registry);
  const move = decide('resend-uncertain', notice, caller);
  const uncertain = await deps.store.deliveries.ofNoticeInState(caller.county, campaignId, noticeId, 'uncertain');
  if (uncertain.length === 0) throw new Conflict('This notice has no SMS whose outcome is uncertain.', { state: notice.state });
  const updated = await deps.store.notices.transition(notice, move, {}, deps.now, (after) =>
    auditFor(deps, caller)('notice.resend-uncertain', noticeSubject(notice), { state: notice.state, uncertain: uncertain.length }, { state: after.state, resent: uncertain.map((delivery) => delivery.id) }),
  );
  const timeZone = notice.dispatch?.timeZone ?? context.timeZone;
  const resent = await inParallel(uncertain, STOP_CONCURRENCY, (delivery) => deps.store.deliveries.resendUncertain(delivery, deps.now, tallyPeriod(delivery.scheduledAt, timeZone)));
  return { notice: updated, resent: resent.filter(Boolean).length };
}

/** Deliveries written at once when a notice stops: enough in flight for thousands in seconds. */
const STOP_CONCURRENCY = 16;

/** How long a cancel spends ending deliveries before it answers (an API request has 29 s). */
const CANCEL_BUDGET_MS = 10_000;

/**
 * A cancelled notice's unsent deliveries read as cancelled at once, not when their time comes —
 * as many as fit in the cancel's time budget (thousands); on a very large notice the rest end
 * cancelled when the dispatcher reaches them.
 */
async function cancelPendingDeliveries(deps: WorkflowDeps, notice: Pick<NoticeRecord, 'county' | 'campaignId' | 'id'>): Promise<void> {
  const stopAt = performance.now() + CANCEL_BUDGET_MS;
  const pending = await deps.store.deliveries.pendingOfNotice(notice.county, notice.campaignId, notice.id);
  await inParallel(pending, STOP_CONCURRENCY, async (delivery) => (performance.now() < stopAt ? deps.store.deliveries.cancelPending(delivery, deps.now) : false));
}

/**
 * The other half of the dispatcher's send fence (workflows/dispatch.ts): a pause or cancel
 * answers no sooner than SEND_FENCE_MS after its write, so every send still allowed to start
 * began from a read made before the write, and has started by the time the caller hears back.
 */
function sendFence(): { written(): void; passed(): Promise<void> } {
  let writtenAt: number | undefined;
  return {
    written: () => {
      writtenAt = performance.now();
    },
    passed: async () => {
      if (writtenAt === undefined) return;
      const left = SEND_FENCE_MS - (performance.now() - writtenAt);
      if (left > 0) await new Promise<void>((wake) => setTimeout(wake, left));
    },
  };
}

/**
 * The broadcast's recording (made, or found kept), refused when read `repeats` times it does not
 * fit the shortest air window: unlike the reading-time estimate, its length is known.
 */
async function recordingFor(
  deps: WorkflowDeps,
  notice: Extract<NoticeRecord, { channel: 'broadcast' }>,
  lexicon: SpeechLexicon,
  at: { timeZone: string; theme: string },
): Promise<NoticeAudio> {
  if (!deps.speech) throw new Error('No speech engine was given to the workflow: a broadcast cannot be submitted without its recording.');
  const { recordScript } = await import('./recordings.js');
  const recording = await recordScript(await deps.speech(), notice.broadcast.script, lexicon, deps.now);
  // What the engine read is counted when it read it (what Polly bills), whatever becomes of this
  // submit (refused below, or beaten by another writer); a kept recording found costs nothing.
  if (recording.made) {
    const local = utcToLocal(deps.now.toISOString(), at.timeZone);
    await deps.store.tallies.add(notice.county, speechDelta(recording.audio.characters, { year: Number(local.slice(0, 4)), month: Number(local.slice(5, 7)), theme: at.theme }));
  }
  const problem = recordingProblem(recording.audio.durationSeconds, notice.broadcast);
  if (problem) throw invalid('The recording does not fit the air window.', [{ path: ['broadcast', 'script'], message: problem }], 'notice');
  return recording.audio;
}

async function draftFor(deps: WorkflowDeps, article: WeChatContent, context: Parameters<typeof makeWeChatDraft>[3]): Promise<WeChatDraft> {
  const channel = deps.wechat ? await deps.wechat() : undefined;
  if (!channel) {
    throw new Unavailable('WeChat is not configured for this county (no AppID and AppSecret; a deployment has one official account, its home county’s): a WeChat article cannot be approved until it is. See the README, “WeChat”.', 300);
  }
  if (!deps.images) throw new Error('No image store was given to the workflow: an article cannot be approved without its images.');
  return makeWeChatDraft(channel, await deps.images(), article, context);
}

/** The content a notice sends as things stand: the rendered SMS text, or the station script. */
export function sentContent(notice: NoticeRecord, evaluation: NoticeEvaluation): SentContent {
  if (notice.channel === 'wechat') return { channel: 'wechat', article: notice.wechat };
  return notice.channel === 'sms' ? { channel: 'sms', text: evaluation.sms?.text ?? '' } : { channel: 'broadcast', script: stationScript(notice) };
}

/** How long a schedule request spends expanding before leaving the rest to the dispatcher. */
const EXPANSION_SLICE_MS = 5_000;
