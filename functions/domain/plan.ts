/**
 * @module domain/plan
 * The year's plan as data (campaigns/<year>.yaml): monthly themes (一月一主题), key dates, SMS
 * templates, settings, and campaigns with their notices. The zod schema here is the file's
 * contract (the JSON Schema for editors is generated from it); `checkPlan` adds the checks that
 * need the whole file: references between sections, windows, schedules and SMS lengths.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { idSchema } from './access.js';
import { activityKinds } from './activity.js';
import { defaultCharactersPerMinute } from './broadcast.js';
import { holidaySource } from './holiday-data.js';
import { holidayCalendar, holidayPolicySchema, type HolidayCalendar } from './holidays.js';
import type { PlannedWeChatSend } from './wechat-quota.js';
import { evaluateNotice, plannedWeChatSends, type PlanSettings, type SmsTemplate } from './notice-check.js';
import { campaignEventProblems, campaignInputSchema, noticeInputSchema, plainNumberSchema, type CampaignInput, type NoticeInput } from './planning.js';
import { checkDepartments, type Problem, type Registry } from './registry.js';
import { defaultQuietHours, localDateSchema, localTimeSchema } from './schedule.js';
import { defaultSmsSettings } from './sms.js';
import { speechLexiconSchema } from './speech-lexicon.js';
import { visibleText } from './text.js';

export const defaultMaxSendsPerNotice = 60;

/** The four key dates of DESIGN.md; a plan may replace them. */
export const defaultKeyDates = [
  { date: '03-15', name: '国际消费者权益日' },
  { date: '04-15', name: '全民国家安全教育日' },
  { date: '06-26', name: '国际禁毒日' },
  { date: '12-04', name: '国家宪法日 / 全国法制宣传日' },
] as const;

/** A day the plan adds or corrects: `holidays:` and `workdays:` in the plan file. */
const dayOverrideSchema = z.object({
  date: localDateSchema,
  name: visibleText(30).describe('the holiday’s name, e.g. 清明节'),
});

const monthDaySchema = z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'must be MM-DD, e.g. 03-15');

export const planSettingsSchema = z
  .object({
    sms: z
      .object({
        signature: visibleText(12).min(2).describe('registered SMS signature, shown as 【…】'),
        optOutHint: visibleText(20, { min: 0 }),
        pricePerSegment: plainNumberSchema.min(0).max(10).describe('yuan per segment per recipient'),
        warnSegments: z.number().int().min(1).max(10),
        maxSegments: z.number().int().min(1).max(10),
      })
      .partial()
      .default({}),
    quietHours: z.object({ start: localTimeSchema, end: localTimeSchema }).optional(),
    charactersPerMinute: z.number().int().min(60).max(600).optional().describe('broadcast reading pace'),
    maxSendsPerNotice: z.number().int().min(1).max(500).optional(),
    onHoliday: holidayPolicySchema.optional().describe('default for fixed and RRULE sends on a holiday or make-up workday (key-date sends keep unless the notice says); default keep'),
    wechat: z
      .object({
        accountType: z.enum(['subscription', 'service']).describe('subscription 订阅号 (one mass send a day) or service 服务号 (each follower at most four a month)'),
      })
      .optional()
      .describe('the county’s WeChat official account: needed before any wechat notice'),
  })
  .default({ sms: {} });

export const themeSchema = z.object({
  id: idSchema,
  name: visibleText(40),
  description: visibleText(500, { min: 0 }).optional(),
});

export const keyDateSchema = z.object({
  date: monthDaySchema,
  name: visibleText(60),
  theme: idSchema.optional(),
});

/** How much: the three measures a target or a duty may set (at least one). */
const measureTargetFields = {
  activities: z.number().int().min(0).max(100_000).optional().describe('activities to hold'),
  participants: z.number().int().min(0).max(10_000_000).optional().describe('people to reach'),
  materials: z.number().int().min(0).max(10_000_000).optional().describe('materials to hand out'),
};
const someMeasure = (targets: Partial<Record<keyof typeof measureTargetFields, number | undefined>>) =>
  targets.activities !== undefined || targets.participants !== undefined || targets.materials !== undefined;

/**
 * One line of a department's yearly publicity duties (普法责任清单, 谁执法谁普法): what it will do,
 * by which kinds of activity, and how much — activities, participants, materials — by when.
 */
export const responsibilitySchema = z
  .object({
    department: idSchema.describe('the responsible department (a registry department id)'),
    duty: visibleText(200).describe('the duty as the 责任清单 writes it, e.g. 开展食品安全法律法规宣传'),
    themes: z.array(idSchema).max(12).optional().describe('the year’s themes it serves'),
    kinds: z.array(z.enum(activityKinds)).max(activityKinds.length).optional().describe('the kinds of activity that count for it (event, consultation, banner …); default any'),
    targets: z.object(measureTargetFields).refine(someMeasure, { message: 'set at least one of activities, participants, materials' }),
    months: z.array(z.number().int().min(1).max(12)).min(1).max(12).optional().describe('the months it falls in (1-12); default the whole year'),
    deadline: localDateSchema.optional().describe('the date it must be done by; default the year’s end'),
  })
  .describe('a department’s publicity duty for the year, with its targets');
export type Responsibility = z.infer<typeof responsibilitySchema>;

/**
 * The year's target for one scope (the county, a township or a department): activities,
 * participants and materials for the year (at least one), and optionally a month's own targets,
 * `months: { 3: { activities: 20 } }` (month 1-12 -> targets of that month).
 */
export const scopeTargetSchema = z
  .object({
    ...measureTargetFields,
    months: z
      .record(z.string(), z.object(measureTargetFields).strict().refine(someMeasure, { message: 'set at least one of activities, participants, materials' }))
      .optional()
      .describe('month number (1-12) -> that month’s targets, e.g. { 3: { activities: 20 } }'),
  })
  .strict()
  .refine(someMeasure, { message: 'set at least one yearly target: activities, participants or materials' })
  .describe('a yearly target: activities, participants, materials, and optionally per month');
export type ScopeTarget = z.infer<typeof scopeTargetSchema>;

/**
 * The year's targets (软任务变硬指标): for the county as a whole, and for each township and each
 * department by its registry id. Keyed by id, so a scope cannot be named twice (the YAML reader
 * refuses a repeated key, with its line).
 */
export const planTargetsSchema = z
  .object({
    county: scopeTargetSchema.optional().describe('the whole county’s targets'),
    townships: z.record(z.string(), scopeTargetSchema).optional().describe('township id -> its targets'),
    departments: z.record(z.string(), scopeTargetSchema).optional().describe('department id -> its targets'),
  })
  .strict()
  .describe('the year’s targets for the county, each township and each department');
export type PlanTargets = z.infer<typeof planTargetsSchema>;

export const smsTemplateSchema = z.object({
  id: idSchema,
  code: z.string().trim().max(40).optional().describe('the code the carrier registered it under'),
  text: visibleText(500).describe('template text with ${name} placeholders'),
});

const planNoticeSchema = noticeInputSchema.and(z.object({ id: idSchema }));

const planCampaignSchema = campaignInputSchema.extend({
  id: idSchema,
  keyDate: z.union([monthDaySchema, localDateSchema]).optional().describe('MM-DD of the plan year, or a full date'),
  notices: z.array(planNoticeSchema).max(50).default([]),
});

export const planFileSchema = z
  .object({
    $schema: z.string().optional(),
    year: z.number().int().min(2000).max(2100),
    county: z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/).optional().describe('defaults to the server’s county'),
    timeZone: z.string().optional().describe('IANA zone; defaults to the server’s (Asia/Shanghai)'),
    registry: z.string().optional().describe('path of the registry file, relative to this file'),
    settings: planSettingsSchema,
    themes: z.array(themeSchema).min(1).max(40),
    months: z.record(z.string(), idSchema).describe('month number (1-12) -> theme id'),
    keyDates: z.array(keyDateSchema).max(40).default([...defaultKeyDates]),
    smsTemplates: z.array(smsTemplateSchema).max(200).default([]),
    holidays: z
      .array(dayOverrideSchema)
      .max(100)
      .default([])
      .describe('public holidays (days off) to add or correct, e.g. a year the holiday library does not have yet'),
    workdays: z.array(dayOverrideSchema).max(50).default([]).describe('make-up workdays (调休上班) to add or correct'),
    lexicon: speechLexiconSchema
      .default([])
      .describe('how the broadcast voice must read words it gets wrong (多音字, place names): { word: 银行, pinyin: yin2 hang2 }, one tone-numbered syllable per character'),
    responsibilities: z
      .array(responsibilitySchema)
      .max(500)
      .default([])
      .describe('the year’s 普法责任清单: each department’s duties and targets (谁执法谁普法)'),
    targets: planTargetsSchema.optional(),
    campaigns: z.array(planCampaignSchema).max(200).default([]),
  })
  .strict();

export type PlanFile = z.infer<typeof planFileSchema>;
export type PlanCampaign = PlanFile['campaigns'][number];

export function resolveSettings(settings: PlanFile['settings'] | undefined): PlanSettings {
  return {
    sms: { ...defaultSmsSettings, ...stripUndefined(settings?.sms ?? {}) },
    quietHours: settings?.quietHours ?? defaultQuietHours,
    charactersPerMinute: settings?.charactersPerMinute ?? defaultCharactersPerMinute,
    maxSendsPerNotice: settings?.maxSendsPerNotice ?? defaultMaxSendsPerNotice,
    // Only when set, so the stored settings (and their hash) of plans without it stay as they were.
    ...(settings?.onHoliday ? { onHoliday: settings.onHoliday } : {}),
    ...(settings?.wechat ? { wechat: settings.wechat } : {}),
  };
}

/** A year without a plan: the defaults, with the county's registered SMS signature where its record has one. */
export function defaultSettings(signature: string | undefined): PlanSettings {
  return resolveSettings(signature ? { sms: { signature } } : undefined);
}

/** The plan's holiday calendar: the library's data with the plan's `holidays:` / `workdays:` over it. */
export function planHolidays(plan: Pick<PlanFile, 'holidays' | 'workdays'> | Pick<PlanYearRecord, 'holidays' | 'workdays'> | undefined): HolidayCalendar {
  return holidayCalendar(holidaySource(), { holidays: plan?.holidays, workdays: plan?.workdays });
}

export function resolveKeyDate(keyDate: string | undefined, year: number): string | undefined {
  if (keyDate === undefined) return undefined;
  return keyDate.length === 5 ? `${year}-${keyDate}` : keyDate;
}

/**
 * The checks a schema cannot make alone. Paths start at the file's root, so the YAML reader can
 * point at the line and the API can name the field.
 */
export function checkPlan(
  plan: PlanFile,
  options: {
    timeZone: string;
    registry?: Registry | undefined;
    /** The county's WeChat mass sends the plan leaves as they are (stored notices it does not name), for the account's quota. */
    otherWeChatSends?: readonly PlannedWeChatSend[] | undefined;
  },
): Problem[] {
  const problems: Problem[] = [];
  const themes = new Set(plan.themes.map((theme) => theme.id));
  const unknownTheme = (id: string) => `unknown theme "${id}"; the plan's themes are: ${[...themes].join(', ')}`;

  duplicates(plan.themes.map((theme) => theme.id)).forEach((index) =>
    problems.push({ path: ['themes', index, 'id'], message: 'this theme id is used twice' }),
  );
  for (const [month, theme] of Object.entries(plan.months)) {
    if (!/^(?:[1-9]|1[0-2])$/.test(month)) {
      problems.push({ path: ['months', month], message: `unknown month "${month}": months are 1 to 12` });
    } else if (!themes.has(theme)) {
      problems.push({ path: ['months', month], message: unknownTheme(theme) });
    }
  }
  plan.keyDates.forEach((keyDate, index) => {
    if (!localDateSchema.safeParse(`${plan.year}-${keyDate.date}`).success) {
      problems.push({ path: ['keyDates', index, 'date'], message: `${plan.year}-${keyDate.date} is not a real date` });
    }
    if (keyDate.theme !== undefined && !themes.has(keyDate.theme)) {
      problems.push({ path: ['keyDates', index, 'theme'], message: unknownTheme(keyDate.theme) });
    }
  });
  const holidayDates = new Set(plan.holidays.map((day) => day.date));
  duplicates(plan.holidays.map((day) => day.date)).forEach((index) =>
    problems.push({ path: ['holidays', index, 'date'], message: 'this date is listed twice' }),
  );
  plan.workdays.forEach((day, index) => {
    if (holidayDates.has(day.date)) problems.push({ path: ['workdays', index, 'date'], message: `${day.date} is also listed under holidays` });
  });
  duplicates(plan.workdays.map((day) => day.date)).forEach((index) =>
    problems.push({ path: ['workdays', index, 'date'], message: 'this date is listed twice' }),
  );
  duplicates(plan.smsTemplates.map((template) => template.id)).forEach((index) =>
    problems.push({ path: ['smsTemplates', index, 'id'], message: 'this template id is used twice' }),
  );
  duplicates(plan.campaigns.map((campaign) => campaign.id)).forEach((index) =>
    problems.push({ path: ['campaigns', index, 'id'], message: 'this campaign id is used twice' }),
  );

  problems.push(...responsibilityProblems(plan, themes, options.registry));
  problems.push(...targetProblems(plan.targets, options.registry));

  const context = {
    timeZone: options.timeZone,
    settings: resolveSettings(plan.settings),
    templates: plan.smsTemplates,
    registry: options.registry,
    holidays: planHolidays(plan),
  };
  const townships = options.registry ? new Set(options.registry.townships.map((township) => township.id)) : undefined;
  // Every WeChat mass send the plan makes (and the county's others), so each notice's quota check sees the rest.
  const wechatSends = [...(options.otherWeChatSends ?? []), ...plan.campaigns.flatMap((campaign) =>
    campaign.notices.flatMap((notice) =>
      notice.channel === 'wechat' ? plannedWeChatSends(notice, { window: campaign.window, keyDate: resolveKeyDate(campaign.keyDate, plan.year) }, context, `${campaign.id}/${notice.id}`) : [],
    ),
  )];
  plan.campaigns.forEach((campaign, campaignIndex) => {
    const at = (...path: (string | number)[]) => ['campaigns', campaignIndex, ...path];
    if (!themes.has(campaign.theme)) problems.push({ path: at('theme'), message: unknownTheme(campaign.theme) });
    if (Number(campaign.window.start.slice(0, 4)) !== plan.year) {
      problems.push({ path: at('window', 'start'), message: `must be in the plan's year ${plan.year}` });
    }
    const keyDate = resolveKeyDate(campaign.keyDate, plan.year);
    if (keyDate !== undefined) {
      if (!localDateSchema.safeParse(keyDate).success) {
        problems.push({ path: at('keyDate'), message: `${keyDate} is not a real date` });
      } else if (keyDate < campaign.window.start || keyDate > campaign.window.end) {
        problems.push({
          path: at('keyDate'),
          message: `${keyDate} is outside the campaign window ${campaign.window.start} to ${campaign.window.end}`,
        });
      }
    }
    problems.push(...campaignEventProblems(campaign.events, campaign.window, townships).map((problem) => ({ ...problem, path: at(...problem.path) })));
    if (options.registry) problems.push(...checkDepartments(campaign.departments ?? [], options.registry).map((problem) => ({ ...problem, path: at(...problem.path) })));
    duplicates(campaign.notices.map((notice) => notice.id)).forEach((index) =>
      problems.push({ path: at('notices', index, 'id'), message: 'this notice id is used twice in the campaign' }),
    );
    campaign.notices.forEach((notice, noticeIndex) => {
      const wechatRef = `${campaign.id}/${notice.id}`;
      const wechat = notice.channel === 'wechat' ? { wechatRef, wechatSends: wechatSends.filter((send) => send.noticeRef !== wechatRef) } : {};
      const evaluation = evaluateNotice(notice, { window: campaign.window, keyDate }, { ...context, ...wechat });
      problems.push(...evaluation.problems.map((problem) => ({ path: at('notices', noticeIndex, ...problem.path), message: problem.message })));
    });
  });
  return problems;
}

/**
 * The responsibility list against the plan and the registry: departments the registry knows
 * (when it is given), themes of the year, deadlines inside the year, months listed once.
 */
function responsibilityProblems(plan: PlanFile, themes: ReadonlySet<string>, registry: Registry | undefined): Problem[] {
  const departments = registry ? new Set(registry.departments.map((department) => department.id)) : undefined;
  return plan.responsibilities.flatMap((duty, index) => {
    const at = (...path: (string | number)[]) => ['responsibilities', index, ...path];
    const problems: Problem[] = [];
    if (departments && !departments.has(duty.department)) {
      problems.push({ path: at('department'), message: `unknown department "${duty.department}"; the registry's are: ${[...departments].join(', ') || '(none yet: add departments to the registry)'}` });
    }
    (duty.themes ?? []).forEach((theme, themeIndex) => {
      if (!themes.has(theme)) problems.push({ path: at('themes', themeIndex), message: `unknown theme "${theme}"` });
    });
    if (duty.deadline !== undefined && !duty.deadline.startsWith(`${plan.year}-`)) problems.push({ path: at('deadline'), message: `must be in the plan's year ${plan.year}` });
    else if (duty.deadline !== undefined && duty.months?.length && Number(duty.deadline.slice(5, 7)) < Math.min(...duty.months)) {
      problems.push({ path: at('deadline'), message: `${duty.deadline} is before the duty's first month (${Math.min(...duty.months)}): it would have no days` });
    }
    duplicates((duty.months ?? []).map(String)).forEach((monthIndex) => problems.push({ path: at('months', monthIndex), message: 'this month is listed twice' }));
    return problems;
  });
}

/**
 * The targets against the registry (townships and departments it knows, when it is given), and
 * each scope's month targets: months 1 to 12, and, per measure, adding up to no more than the
 * year's. More is an error, not a warning: the months are the year's target split up (分解), so
 * parts above the whole mean one figure is mistyped, and the dashboard would then call the year
 * done while its months lag (or the other way round). Less is fine: the rest spreads over the year.
 */
function targetProblems(targets: PlanTargets | undefined, registry: Registry | undefined): Problem[] {
  if (!targets) return [];
  const problems: Problem[] = [];
  const known = {
    townships: registry ? new Set(registry.townships.map((township) => township.id)) : undefined,
    departments: registry ? new Set(registry.departments.map((department) => department.id)) : undefined,
  };
  const scopeProblems = (target: ScopeTarget, at: (string | number)[]) => {
    for (const month of Object.keys(target.months ?? {})) {
      if (!/^(?:[1-9]|1[0-2])$/.test(month)) problems.push({ path: [...at, 'months', month], message: `unknown month "${month}": months are 1 to 12` });
    }
    for (const measure of Object.keys(measureTargetFields) as (keyof typeof measureTargetFields)[]) {
      const year = target[measure];
      const months = Object.values(target.months ?? {}).reduce((sum, monthTargets) => sum + (monthTargets[measure] ?? 0), 0);
      if (year !== undefined && months > year) {
        problems.push({ path: [...at, 'months'], message: `the months' ${measure} add up to ${months}, more than the year's ${year}: raise the year's target or lower a month's` });
      }
    }
  };
  if (targets.county) scopeProblems(targets.county, ['targets', 'county']);
  for (const scope of ['townships', 'departments'] as const) {
    for (const [id, target] of Object.entries(targets[scope] ?? {})) {
      const ids = known[scope];
      if (ids && !ids.has(id)) {
        const kind = scope === 'townships' ? 'township' : 'department';
        problems.push({ path: ['targets', scope, id], message: `unknown ${kind} "${id}"; the registry's are: ${[...ids].join(', ') || `(none yet: add ${scope} to the registry)`}` });
      }
      scopeProblems(target, ['targets', scope, id]);
    }
  }
  return problems;
}

/** The campaign as the API would take it: key date resolved, notices apart. */
export function campaignFromPlan(campaign: PlanCampaign, year: number): CampaignInput & { id: string } {
  const { notices: _notices, keyDate, ...rest } = campaign;
  const resolved = resolveKeyDate(keyDate, year);
  return { ...rest, ...(resolved ? { keyDate: resolved } : {}) };
}

export function noticesFromPlan(campaign: PlanCampaign): (NoticeInput & { id: string })[] {
  return campaign.notices;
}

/** A stable fingerprint of a plan entry: the same text in the file gives the same hash. */
export function planHash(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex').slice(0, 32);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function duplicates(ids: string[]): number[] {
  const seen = new Set<string>();
  return ids.flatMap((id, index) => {
    if (seen.has(id)) return [index];
    seen.add(id);
    return [];
  });
}

function stripUndefined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as Partial<T>;
}

export type { SmsTemplate };

/** The year's plan as stored: what the calendar and the API need besides the campaigns. */
export const planYearRecordSchema = z.object({
  county: z.string(),
  year: z.number().int(),
  timeZone: z.string(),
  themes: z.array(themeSchema),
  months: z.record(z.string(), z.string()),
  keyDates: z.array(z.object({ date: z.string(), name: z.string(), theme: z.string().optional() })),
  settings: z.object({
    sms: z.object({
      signature: z.string(),
      optOutHint: z.string(),
      pricePerSegment: z.number(),
      warnSegments: z.number(),
      maxSegments: z.number(),
    }),
    quietHours: z.object({ start: z.string(), end: z.string() }),
    charactersPerMinute: z.number(),
    maxSendsPerNotice: z.number(),
    onHoliday: holidayPolicySchema.optional(),
    wechat: z.object({ accountType: z.enum(['subscription', 'service']) }).optional(),
  }),
  /** The plan's own holidays and make-up workdays; absent on plans loaded before they existed. */
  holidays: z.array(z.object({ date: z.string(), name: z.string() })).optional(),
  workdays: z.array(z.object({ date: z.string(), name: z.string() })).optional(),
  /** The plan's pronunciation lexicon for broadcast recordings; absent when it has none. */
  lexicon: z.array(z.object({ word: z.string(), pinyin: z.string() })).optional(),
  /** The year's 普法责任清单; absent when the plan has none. */
  responsibilities: z.array(responsibilitySchema).optional(),
  /** The year's targets for the county, townships and departments; absent when the plan has none. */
  targets: planTargetsSchema.optional(),
  version: z.number().int(),
  planHash: z.string(),
  updatedAt: z.string(),
});
export type PlanYearRecord = z.infer<typeof planYearRecordSchema>;

export function planYearFromFile(plan: PlanFile, county: string, timeZone: string, now: Date, version: number): PlanYearRecord {
  const body = {
    county,
    year: plan.year,
    timeZone,
    themes: plan.themes,
    months: plan.months,
    keyDates: plan.keyDates.map((keyDate) => ({ ...keyDate, date: `${plan.year}-${keyDate.date}` })),
    settings: resolveSettings(plan.settings),
    // Only when given, so the hash of a plan without them stays as it was.
    ...(plan.holidays.length > 0 ? { holidays: plan.holidays } : {}),
    ...(plan.workdays.length > 0 ? { workdays: plan.workdays } : {}),
    ...(plan.lexicon.length > 0 ? { lexicon: plan.lexicon } : {}),
    ...(plan.responsibilities.length > 0 ? { responsibilities: plan.responsibilities } : {}),
    ...(plan.targets ? { targets: plan.targets } : {}),
  };
  return { ...body, version, planHash: planHash(body), updatedAt: now.toISOString() };
}
