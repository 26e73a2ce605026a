/**
 * @module domain/notice-check
 * Everything pufa can say about a notice before it is sent: its expanded send times (with
 * quiet-hour moves), the SMS text with segments and cost, the broadcast reading time, the
 * problems that block it and the warnings a reviewer should see. One function serves the plan
 * checker, the API's writes and the preview, so they can never disagree.
 */
import { estimateBroadcast, type BroadcastEstimate } from './broadcast.js';
import type { SpeechLexicon } from './speech-lexicon.js';
import { speechCharacters } from './speech-ssml.js';
import { movedReason } from './holiday-policy.js';
import { markLabel, unknownYears, unknownYearWarning, type HolidayCalendar, type HolidayPolicy } from './holidays.js';
import type { CampaignRecord, NoticeInput } from './planning.js';
import { checkAudience, checkDepartments, type Problem, type Registry } from './registry.js';
import type { SkippedSend } from './holiday-policy.js';
import type { QuietHours, Send } from './schedule.js';
import { expandSchedule } from './schedule-expand.js';
import { bodyCharacters, sanitiseArticleBody } from './wechat-article.js';
import { checkWeChatQuota, type PlannedWeChatSend, type WeChatAccountType, type WeChatQuotaCheck } from './wechat-quota.js';
import { estimateSms, matchesTemplate, renderTemplate, type SmsEstimate, type SmsSettings } from './sms.js';

export interface SmsTemplate {
  id: string;
  /** The code the carrier registered the template under, e.g. SMS_123456789. */
  code?: string | undefined;
  text: string;
}

export interface PlanSettings {
  sms: SmsSettings;
  quietHours: QuietHours;
  charactersPerMinute: number;
  maxSendsPerNotice: number;
  /** The plan's default for sends on a holiday or make-up workday; key-date sends keep unless the notice says. */
  onHoliday?: HolidayPolicy | undefined;
  /** The county's WeChat official account, when the plan names one. */
  wechat?: { accountType: WeChatAccountType } | undefined;
}

export interface NoticeContext {
  timeZone: string;
  settings: PlanSettings;
  templates: readonly SmsTemplate[];
  /** Omit to skip audience checks (a plan checked without its registry). */
  registry?: Registry | undefined;
  /** Public holidays and make-up workdays: the library's, with the plan's days laid over. */
  holidays: HolidayCalendar;
  /** The year's pronunciation lexicon, for what a broadcast's recording will read. */
  lexicon?: SpeechLexicon | undefined;
  /**
   * The county's other WeChat mass sends (every notice not cancelled or rejected, this one
   * aside), for the account's quota; omit to skip the quota (an evaluation of a sent notice).
   */
  wechatSends?: readonly PlannedWeChatSend[] | undefined;
  /** How this notice is named in quota messages (`campaign/notice`); default its id. */
  wechatRef?: string | undefined;
}

export interface NoticeEvaluation {
  problems: Problem[];
  warnings: string[];
  sends: Send[];
  /** Sends the holiday policy skipped, each with its reason (跳过 … 因 清明节). */
  skipped: SkippedSend[];
  /** One line per send the holiday policy moved (移至 …) or kept on a holiday. */
  holidayNotes: string[];
  sms?: SmsEstimate & { template?: SmsTemplate | undefined };
  broadcast?: BroadcastEstimate & { speechCharacters: number };
  wechat?: { body: string; removed: string[]; characters: number; quota: WeChatQuotaCheck | undefined };
}

type CampaignFrame = Pick<CampaignRecord, 'window' | 'keyDate'>;

export function evaluateNotice(notice: NoticeInput, campaign: CampaignFrame, context: NoticeContext): NoticeEvaluation {
  const problems: Problem[] = [];
  const warnings: string[] = [];

  if (context.registry) {
    problems.push(...checkAudience(notice.audience, context.registry, notice.channel).map(under('audience')));
    problems.push(...checkDepartments(notice.departments ?? [], context.registry));
  }

  const expanded = expandSchedule(notice.schedule, {
    timeZone: context.timeZone,
    window: campaign.window,
    keyDate: campaign.keyDate,
    maxSends: context.settings.maxSendsPerNotice,
    quietHours: notice.channel === 'sms' ? context.settings.quietHours : undefined,
    holidays: context.holidays,
    onHoliday: holidayPolicyOf(notice, context.settings),
  });
  const sends = expanded.ok ? expanded.sends : [];
  const skipped = expanded.ok ? expanded.skipped : [];
  const holidayNotes = [
    ...sends.flatMap((send) => (send.holiday?.action === 'moved' ? [movedReason(send.holiday, send.local)] : [])),
    ...skipped.map((skip) => skip.reason),
  ];
  // Kept on a holiday or make-up workday: the reviewer should see it before approving the year.
  for (const send of sends) {
    if (send.holiday?.action === 'kept') {
      warnings.push(`${send.local.slice(0, 10)} 是 ${markLabel(send.holiday)}：这次发送照常进行（onHoliday: keep）`);
    }
  }
  // Moves and skips too, as quiet-hour moves are: the composer, the review queue and the preview
  // all show warnings, and a reviewer should see that a send will not go on its planned day.
  warnings.push(...holidayNotes);
  const years = [Number(campaign.window.start.slice(0, 4)), Number(campaign.window.end.slice(0, 4))];
  warnings.push(...unknownYears(context.holidays, years).map(unknownYearWarning));
  if (!expanded.ok) {
    problems.push(...expanded.problems.map((problem) => ({ path: ['schedule', problem.path], message: problem.message })));
  }
  const moved = sends.filter((send) => send.movedFrom).length;
  if (moved > 0) warnings.push(`${moved} 次发送落在免打扰时段，顺延到 ${context.settings.quietHours.end}`);

  if (notice.channel === 'sms') {
    const { text, template, problems: textProblems } = smsBody(notice.sms, context.templates);
    problems.push(...textProblems);
    const estimate = estimateSms(text, context.settings.sms);
    const field = notice.sms.template !== undefined ? 'template' : 'body';
    problems.push(...estimate.problems.map((message) => ({ path: ['sms', field], message })));
    warnings.push(...estimate.warnings);
    if (!template && notice.sms.body !== undefined && !context.templates.some((registered) => matchesTemplate(notice.sms.body ?? '', registered.text))) {
      warnings.push('正文与任何已备案的短信模板都不符：大陆运营商会拒发');
    }
    return { problems, warnings, sends, skipped, holidayNotes, sms: { ...estimate, template } };
  }

  if (notice.channel === 'wechat') return { problems, warnings, sends, skipped, holidayNotes, wechat: checkWeChat(notice, sends, context, problems, warnings) };

  const estimate = estimateBroadcast(notice.broadcast.script, {
    charactersPerMinute: context.settings.charactersPerMinute,
    repeats: notice.broadcast.repeats,
    airWindows: notice.broadcast.airWindows,
  });
  problems.push(...estimate.problems.map((message) => ({ path: ['broadcast', 'script'], message })));
  warnings.push(...estimate.warnings);
  // What text-to-speech will read (Polly bills these), with the year's lexicon as it will be read.
  return { problems, warnings, sends, skipped, holidayNotes, broadcast: { ...estimate, speechCharacters: speechCharacters(notice.broadcast.script, context.lexicon ?? []) } };
}

/**
 * A WeChat article: reaches every follower (or a tag's), so its audience is the whole county; the
 * body as it will be approved (sanitised), what sanitising took out; and the account's quota with
 * this notice's sends added to the county's others.
 */
function checkWeChat(
  notice: Extract<NoticeInput, { channel: 'wechat' }>,
  sends: readonly Send[],
  context: NoticeContext,
  problems: Problem[],
  warnings: string[],
): NonNullable<NoticeEvaluation['wechat']> {
  if (!notice.audience.all || notice.audience.townships.length + notice.audience.villages.length + notice.audience.groups.length > 0) {
    problems.push({ path: ['audience', 'all'], message: 'a WeChat article reaches the account’s followers, not townships: set audience all: true (and wechat.tagId for one tag’s followers)' });
  }
  const { html, removed } = sanitiseArticleBody(notice.wechat.body);
  warnings.push(...removed.map((what) => `正文中的 ${what} 已去掉`));
  const accountType = context.settings.wechat?.accountType;
  if (!accountType) {
    problems.push({ path: ['channel'], message: 'the year’s plan names no WeChat account type: set settings.wechat.accountType (subscription 订阅号 or service 服务号)' });
    return { body: html, removed, characters: bodyCharacters(html), quota: undefined };
  }
  let quota: WeChatQuotaCheck | undefined;
  if (context.wechatSends) {
    const audience = notice.wechat.tagId === undefined ? ('all' as const) : { tagId: notice.wechat.tagId };
    const self = context.wechatRef ?? notice.id ?? '（本条）';
    const own = sends.map((send) => ({ at: send.at, audience, noticeRef: self }));
    const check = checkWeChatQuota(accountType, [...context.wechatSends, ...own], context.timeZone);
    // Only the days and months this notice sends in: the county's other findings are theirs.
    const mine = (finding: { noticeRefs: string[] }) => finding.noticeRefs.includes(self);
    quota = { problems: check.problems.filter(mine), warnings: check.warnings.filter(mine) };
    problems.push(...quota.problems.map((finding) => ({ path: ['schedule'], message: finding.message })));
    warnings.push(...quota.warnings.map((finding) => finding.message));
  }
  return { body: html, removed, characters: bodyCharacters(html), quota };
}

/**
 * A WeChat notice's mass sends as the quota counts them: its fixed send times once scheduled,
 * else its schedule expanded as it would be. A schedule that does not expand sends nothing.
 */
export function plannedWeChatSends(
  notice: Pick<NoticeInput, 'schedule' | 'onHoliday'> & { wechat: { tagId?: number | undefined }; sends?: readonly { at: string }[] | undefined },
  campaign: CampaignFrame,
  context: Pick<NoticeContext, 'timeZone' | 'settings' | 'holidays'>,
  noticeRef: string,
): PlannedWeChatSend[] {
  const audience = notice.wechat.tagId === undefined ? ('all' as const) : { tagId: notice.wechat.tagId };
  const sends =
    notice.sends ??
    (() => {
      const expanded = expandSchedule(notice.schedule, {
        timeZone: context.timeZone,
        window: campaign.window,
        keyDate: campaign.keyDate,
        maxSends: context.settings.maxSendsPerNotice,
        quietHours: undefined,
        holidays: context.holidays,
        onHoliday: holidayPolicyOf(notice, context.settings),
      });
      return expanded.ok ? expanded.sends : [];
    })();
  return sends.map((send) => ({ at: send.at, audience, noticeRef }));
}

/** The notice's own choice; else keep for a key-date send (3.15 is 3.15), else the plan's default. */
export function holidayPolicyOf(notice: Pick<NoticeInput, 'onHoliday' | 'schedule'>, settings: Pick<PlanSettings, 'onHoliday'>): HolidayPolicy {
  return notice.onHoliday ?? (notice.schedule.kind === 'key-date' ? 'keep' : (settings.onHoliday ?? 'keep'));
}

function smsBody(
  sms: Extract<NoticeInput, { channel: 'sms' }>['sms'],
  templates: readonly SmsTemplate[],
): { text: string; template?: SmsTemplate; problems: Problem[] } {
  if (sms.template === undefined) return { text: sms.body ?? '', problems: [] };
  const template = templates.find((candidate) => candidate.id === sms.template);
  if (!template) {
    return { text: '', problems: [{ path: ['sms', 'template'], message: `no registered SMS template "${sms.template}"` }] };
  }
  const rendered = renderTemplate(template.text, sms.params);
  const problems = rendered.missing.map((name) => ({ path: ['sms', 'params', name], message: `the template needs \${${name}}` }));
  return { text: rendered.text, template, problems };
}

const under =
  (...prefix: (string | number)[]) =>
  (problem: Problem): Problem => ({ path: [...prefix, ...problem.path], message: problem.message });
