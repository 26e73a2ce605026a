/**
 * @module domain/planning
 * Campaigns and their notices: the input schemas (shared by the API and the YAML plan), the
 * stored shapes, and the cross-checks against the registry and the year's plan. Pure.
 */
import { z } from 'zod';
import { departmentIdsSchema, idSchema } from './access.js';
import { airWindowSchema } from './broadcast.js';
import { holidayPolicySchema } from './holidays.js';
import { localDateSchema, localTimeSchema, scheduleSchema } from './schedule.js';
import { plainNumberSchema, visibleText } from './text.js';
import { articleBodyProblems, sanitiseArticleBody, wechatArticleFields } from './wechat-article.js';

export const noticeStates = ['draft', 'submitted', 'approved', 'rejected', 'scheduled', 'paused', 'done', 'cancelled'] as const;
export type NoticeState = (typeof noticeStates)[number];

export const noticeStateLabels: Record<NoticeState, string> = {
  draft: '草稿',
  submitted: '待审核',
  approved: '已通过',
  rejected: '已退回',
  scheduled: '已排期',
  paused: '已暂停',
  done: '已完成',
  cancelled: '已取消',
};

export const channels = ['sms', 'broadcast', 'wechat'] as const;
export type Channel = (typeof channels)[number];
export const channelLabels: Record<Channel, string> = { sms: '短信', broadcast: '广播', wechat: '微信公众号' };

const idList = z.array(idSchema).max(500).default([]);

/** Who receives a notice: the whole county, or townships, villages and (SMS only) subscriber groups. */
export const audienceSchema = z
  .object({
    all: z.boolean().default(false).describe('the whole county'),
    townships: idList,
    villages: idList,
    groups: z.array(visibleText(40)).max(50).default([]).describe('subscriber groups, e.g. 村干部, 企业'),
  })
  .refine((audience) => audience.all || audience.townships.length + audience.villages.length + audience.groups.length > 0, {
    message: 'name at least one township, village or group, or set all: true',
    path: ['all'],
  });
export type Audience = z.infer<typeof audienceSchema>;

export const windowSchema = z
  .object({ start: localDateSchema, end: localDateSchema })
  .refine((window) => window.end >= window.start, { message: 'must not be before the start', path: ['end'] });

/** What a campaign's public events are (集中宣传, 法律咨询 …): planned, with a date and a place, for the calendar. */
export const publicEventKinds = ['outreach', 'consultation', 'lecture', 'performance', 'other'] as const;
export type PublicEventKind = (typeof publicEventKinds)[number];
export const publicEventKindLabels: Record<PublicEventKind, string> = {
  outreach: '集中宣传',
  consultation: '法律咨询',
  lecture: '法治讲座',
  performance: '文艺演出',
  other: '宣传活动',
};

export const publicEventSchema = z
  .object({
    kind: z.enum(publicEventKinds).describe('outreach 集中宣传, consultation 法律咨询, lecture 法治讲座, performance 文艺演出, other'),
    title: visibleText(60).optional().describe('defaults to the kind, e.g. 集中宣传'),
    date: localDateSchema.describe('local date, inside the campaign window'),
    from: localTimeSchema.optional().describe('local start time; without it the event is all day'),
    to: localTimeSchema.optional(),
    place: visibleText(100).describe('where, as people find it, e.g. 城厢镇文化广场'),
    township: idSchema.optional().describe('the township it is held in (a registry id); none for a county-level event'),
    description: visibleText(500, { min: 0 }).optional(),
  })
  .refine((event) => (event.from === undefined) === (event.to === undefined), { message: 'give both from and to, or neither', path: ['to'] })
  .refine((event) => event.from === undefined || event.to === undefined || event.to > event.from, {
    message: 'must end after it starts',
    path: ['to'],
    when: (payload) => payload.issues.length === 0,
  });
export type PublicEvent = z.infer<typeof publicEventSchema>;

export const campaignInputSchema = z.object({
  id: idSchema.optional().describe('chosen by the server when left out'),
  title: visibleText(100),
  theme: idSchema.describe('a theme of the year’s plan'),
  keyDate: localDateSchema.optional().describe('the key date the campaign pushes on, e.g. 2021-03-15'),
  window: windowSchema,
  description: visibleText(2000, { min: 0 }).optional(),
  events: z.array(publicEventSchema).max(50).optional().describe('public events (集中宣传, 法律咨询 …) with date and place, shown in the calendar feed'),
  departments: departmentIdsSchema.optional().describe('the county departments responsible (谁执法谁普法), registry ids; its notices inherit them unless they name their own'),
});
export type CampaignInput = z.infer<typeof campaignInputSchema>;
export const campaignPatchSchema = campaignInputSchema.omit({ id: true }).partial();
export type CampaignPatch = z.infer<typeof campaignPatchSchema>;

export { plainNumberSchema };
const paramValue = z.union([visibleText(200), plainNumberSchema]);
/**
 * A placeholder name. `constructor` is refused: no template uses it, and as a key of the stored
 * params it makes the DynamoDB marshaller take the object for a class instance and throw (a 500).
 */
const paramName = z
  .string()
  .regex(/^\w{1,40}$/)
  .refine((name) => name !== 'constructor', 'a reserved name, not a placeholder');

export const smsContentSchema = z
  .object({
    template: idSchema.optional().describe('a registered SMS template (required for mainland-China SMS)'),
    params: z.record(paramName, paramValue).default({}),
    body: visibleText(1000).optional().describe('free text, when no template is used'),
  })
  .refine((sms) => (sms.template === undefined) !== (sms.body === undefined), {
    message: 'give either a registered template (with params) or a body, not both',
    path: ['template'],
  });
export type SmsContent = z.infer<typeof smsContentSchema>;

export const broadcastContentSchema = z.object({
  script: visibleText(10_000),
  airWindows: z.array(airWindowSchema).min(1, 'needs at least one air window').max(6),
  repeats: z.number().int().min(1).max(10).default(1),
});
export type BroadcastContent = z.infer<typeof broadcastContentSchema>;

/**
 * A WeChat article (图文消息) and who gets it: every follower of the county's official account, or
 * the followers WeChat has under one tag (`tagId`, a tag made in the account). Its audience is
 * `all: true`: WeChat knows followers, not townships.
 */
const wechatContentFields = {
  ...wechatArticleFields,
  tagId: z.number().int().min(0).max(2 ** 31).optional().describe('send to the followers under this WeChat tag (标签) only; default: every follower'),
};
export const wechatContentSchema = z.object(wechatContentFields).superRefine((article, context) => {
  for (const message of articleBodyProblems(article.body)) context.addIssue({ code: 'custom', path: ['body'], message });
});
export type WeChatContent = z.infer<typeof wechatContentSchema>;
/** As stored: the body already sanitised (what the reviewer sees and approves), so not checked again on each read. */
const storedWeChatContentSchema = z.object(wechatContentFields);

const noticeBase = {
  id: idSchema.optional(),
  departments: departmentIdsSchema.optional().describe('the county departments responsible, registry ids; default: the campaign’s'),
  title: visibleText(100).optional(),
  audience: audienceSchema,
  schedule: scheduleSchema,
  lateWindowMinutes: z
    .number()
    .int()
    .min(5)
    .max(7 * 24 * 60)
    .optional()
    .describe('a send later than this after its time is not sent but marked expired (default 180)'),
  onHoliday: holidayPolicySchema
    .optional()
    .describe('a send on a public holiday or make-up workday: keep, next-workday, previous-workday or skip (default: keep for key-date sends, else the plan’s settings.onHoliday)'),
};

export const noticeInputSchema = z.discriminatedUnion('channel', [
  z.object({ channel: z.literal('sms'), ...noticeBase, sms: smsContentSchema }),
  z.object({ channel: z.literal('broadcast'), ...noticeBase, broadcast: broadcastContentSchema }),
  z.object({ channel: z.literal('wechat'), ...noticeBase, wechat: wechatContentSchema }),
]);
export type NoticeInput = z.infer<typeof noticeInputSchema>;

export const actorSchema = z.object({ tokenId: z.string(), name: z.string() });
export type Actor = z.infer<typeof actorSchema>;

export const reviewSchema = z.object({
  submittedBy: actorSchema.optional(),
  submittedAt: z.string().optional(),
  decidedBy: actorSchema.optional(),
  decidedAt: z.string().optional(),
  decision: z.enum(['approved', 'rejected']).optional(),
  reason: z.string().optional(),
  /** Set at approval: the content as the reviewer saw it, and its SHA-256 (domain/approval). */
  approvedText: z.string().optional(),
  approvedHash: z.string().optional(),
  /** Set when a template or the year's settings changed the content under review. */
  returnedBecause: z.string().optional(),
});

export const sendSchema = z.object({
  at: z.string(),
  local: z.string(),
  movedFrom: z.string().optional(),
  holiday: z
    .object({ kind: z.enum(['holiday', 'workday']), name: z.string(), action: z.enum(['kept', 'moved']), from: z.string().optional() })
    .optional()
    .describe('the public holiday or make-up workday the send met, and whether it was kept or moved'),
});

const recordBase = {
  id: z.string(),
  county: z.string(),
  version: z.number().int(),
  source: z.enum(['plan', 'api']),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Hash of the plan entry it was loaded from, so re-loading an unchanged file changes nothing. */
  planHash: z.string().optional(),
};

export const campaignRecordSchema = z.object({
  ...recordBase,
  year: z.number().int(),
  title: z.string(),
  theme: z.string(),
  keyDate: z.string().optional(),
  window: z.object({ start: z.string(), end: z.string() }),
  description: z.string().optional(),
  events: z.array(publicEventSchema).optional(),
  departments: z.array(z.string()).optional(),
  state: z.enum(['active', 'cancelled']),
  createdBy: actorSchema,
});
export type CampaignRecord = z.infer<typeof campaignRecordSchema>;

export const noticeAudioSchema = z.object({
  key: z.string(),
  sha256: z.string(),
  durationSeconds: z.number(),
  bytes: z.number().int(),
  characters: z.number().int(),
  engine: z.string(),
  voice: z.string(),
  madeAt: z.string(),
});
export type NoticeAudio = z.infer<typeof noticeAudioSchema>;

const noticeRecordBase = {
  ...recordBase,
  campaignId: z.string(),
  /** Its own responsible departments; absent: the campaign's. */
  departments: z.array(z.string()).optional(),
  title: z.string().optional(),
  audience: audienceSchema,
  schedule: scheduleSchema,
  state: z.enum(noticeStates),
  author: actorSchema,
  /** Everyone who created, edited or submitted the notice; a record without it was written by `author` alone. */
  editors: z.array(actorSchema).optional(),
  review: reviewSchema.default({}),
  lateWindowMinutes: z.number().int().optional(),
  onHoliday: holidayPolicySchema.optional(),
  /** The expanded send times, fixed when the notice is scheduled. */
  sends: z.array(sendSchema).optional(),
  /** Fixed at scheduling: the exact SMS text reviewed, and the zone and quiet hours to send by. */
  smsText: z.string().optional(),
  dispatch: z.object({ timeZone: z.string(), quietHours: z.object({ start: z.string(), end: z.string() }) }).optional(),
  /** Fixed at scheduling: what one recipient's SMS costs (segments × the year's price per segment, yuan), reserved from the month's budget. */
  smsCostYuan: z.number().optional(),
  /** Set when the dispatcher paused the notice because too many of its sends failed (domain/failure-guard). */
  autoPaused: z.object({ at: z.string(), reason: z.string(), failures: z.number().int(), attempts: z.number().int() }).optional(),
  /**
   * A broadcast's recording, made when it was submitted for review (text-to-speech): the speech
   * cache key (text, voice, lexicon), the MP3's SHA-256 and real length, and the characters the
   * engine read (what Polly bills). Approval covers it; an edit drops it and the next submit makes it again.
   */
  audio: noticeAudioSchema.optional(),
  /**
   * A WeChat article in the account's draft box (草稿箱), made at approval from the approved
   * content (`contentHash` is the approval's fingerprint): its media_id is what the mass send
   * sends. `preview` says whether the reviewer's WeChat got the preview.
   */
  wechatDraft: z
    .object({
      mediaId: z.string(),
      contentHash: z.string(),
      madeAt: z.string(),
      preview: z.object({ at: z.string(), to: z.string().optional(), error: z.string().optional() }).optional(),
    })
    .optional(),
  /** The counters when staff last resumed it: the failure guard counts from here. */
  guardBaseline: z.object({ sent: z.number().int(), failed: z.number().int(), undelivered: z.number().int() }).optional(),
};

export const noticeRecordSchema = z.discriminatedUnion('channel', [
  z.object({ channel: z.literal('sms'), ...noticeRecordBase, sms: smsContentSchema }),
  z.object({ channel: z.literal('broadcast'), ...noticeRecordBase, broadcast: broadcastContentSchema }),
  z.object({ channel: z.literal('wechat'), ...noticeRecordBase, wechat: storedWeChatContentSchema }),
]);
export type NoticeRecord = z.infer<typeof noticeRecordSchema>;

/** A notice's content as it is kept: a WeChat article's body sanitised, as the reviewer will see and approve it. */
export type NoticeContent = { channel: 'sms'; sms: SmsContent } | { channel: 'broadcast'; broadcast: BroadcastContent } | { channel: 'wechat'; wechat: WeChatContent };
export function noticeContentOf(input: NoticeInput): NoticeContent {
  if (input.channel === 'sms') return { channel: 'sms', sms: input.sms };
  if (input.channel === 'broadcast') return { channel: 'broadcast', broadcast: input.broadcast };
  return { channel: 'wechat', wechat: { ...input.wechat, body: sanitiseArticleBody(input.wechat.body).html } };
}

/** The year a campaign belongs to: the year its window starts in. */
export function campaignYear(window: { start: string }): number {
  return Number(window.start.slice(0, 4));
}

/** Does the campaign's window overlap the given month (1-12) of the year? */
export function overlapsMonth(window: { start: string; end: string }, year: number, month: number): boolean {
  const first = `${year}-${String(month).padStart(2, '0')}-01`;
  const last = `${year}-${String(month).padStart(2, '0')}-31`;
  return window.start <= last && window.end >= first;
}

/**
 * The campaign's events against its window and the registry: each on a day of the window, in a
 * township the registry knows. Paths start at the campaign (`events.<i>.date`).
 */
export function campaignEventProblems(
  events: readonly PublicEvent[] | undefined,
  window: { start: string; end: string },
  townships: ReadonlySet<string> | undefined,
): { path: (string | number)[]; message: string }[] {
  return (events ?? []).flatMap((event, index) => [
    ...(event.date < window.start || event.date > window.end
      ? [{ path: ['events', index, 'date'], message: `${event.date} is outside the campaign window ${window.start} to ${window.end}` }]
      : []),
    ...(event.township !== undefined && townships !== undefined && !townships.has(event.township)
      ? [{ path: ['events', index, 'township'], message: `unknown township "${event.township}"` }]
      : []),
  ]);
}

/**
 * Does replacing `before` with `after` touch an event outside the township — add, change or
 * remove one held elsewhere or county-wide? A township-limited token may change its own
 * township's events only, and must leave the others exactly as they are.
 */
export function changesEventsOutside(before: readonly PublicEvent[] | undefined, after: readonly PublicEvent[] | undefined, township: string): boolean {
  const outside = (events: readonly PublicEvent[] | undefined) =>
    (events ?? [])
      .filter((event) => event.township !== township)
      .map((event) => JSON.stringify(Object.entries(event).filter(([, value]) => value !== undefined).sort(([a], [b]) => (a < b ? -1 : 1))))
      .sort();
  return JSON.stringify(outside(before)) !== JSON.stringify(outside(after));
}

/** The departments responsible for a notice: its own when it names any, else its campaign's. */
export function responsibleDepartments(notice: { departments?: readonly string[] | undefined }, campaign: { departments?: readonly string[] | undefined }): readonly string[] {
  return notice.departments && notice.departments.length > 0 ? notice.departments : (campaign.departments ?? []);
}
