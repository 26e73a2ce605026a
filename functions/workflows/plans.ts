/**
 * @module workflows/plans
 * Loading a year's plan, shared by `npm run plan -- --apply` and `POST /plans`: check the whole
 * file against the registry, work out what changes (domain/plan-diff), check the loader may
 * change all of it (domain/plan-access), and write it — or, with dryRun, only say what would
 * change. Bad input and refused loads write nothing. Content whose rendering the load changed
 * (templates, the year's settings) goes back to review and is listed in the report.
 */
import { planHolidayReport, type PlanHolidayReport } from '../domain/plan-holidays.js';
import type { Config } from '../config.js';
import { requireRole, type Caller } from '../domain/access.js';
import type { SmsTemplate } from '../domain/notice-check.js';
import { auditEntry, type AuditAction, type AuditActor } from '../domain/audit.js';
import { activityKinds } from '../domain/activity.js';
import { checkPlan, defaultSettings, planHolidays, resolveSettings, type PlanFile } from '../domain/plan.js';
import { checkPlanLoad, settingsChanged, templateChanges, type PlanLoader, type PlanLoadScope } from '../domain/plan-access.js';
import { diffPlan, type EntryAction, type PlanDiff } from '../domain/plan-diff.js';
import { responsibleDepartments, type Actor, type CampaignRecord, type NoticeRecord } from '../domain/planning.js';
import { checkRegistry, type Problem, type Registry } from '../domain/registry.js';
import { plannedCells } from '../domain/tally.js';
import { isKnownTimeZone } from '../domain/time-zone.js';
import type { Store } from '../store/index.js';
import type { PlannedWeChatSend } from '../domain/wechat-quota.js';
import type { PlanChange } from '../store/plan-apply.js';
import type { StationSubscriptions } from '../notify/station-subscriptions.js';
import type { UpsertReport } from '../store/registry.js';
import { syncStationSubscriptions } from './station-pushes.js';
import { auditFor, countyWeChatSends } from './context.js';
import { returnToReview, type ReturnedNotice } from './returns.js';

export interface LoadReport {
  year: number;
  dryRun: boolean;
  plan: EntryAction;
  registry?: UpsertCounts;
  smsTemplates?: UpsertCounts;
  campaigns: { id: string; action: EntryAction; reason?: string }[];
  notices: { campaignId: string; id: string; action: EntryAction; reason?: string }[];
  notInFile: { campaignId: string; noticeId?: string }[];
  /** Submitted or approved notices whose text the load changed (templates, settings): back to draft. */
  backToReview: ReturnedNotice[];
  /** Sends on public holidays and make-up workdays: kept ones as warnings, moved and skipped ones, years without data. */
  holidays: PlanHolidayReport;
  writes: number;
}

interface UpsertCounts {
  created: number;
  updated: number;
  unchanged: number;
}

export type LoadResult = { ok: true; report: LoadReport } | { ok: false; problems: Problem[] };

export interface LoadPlanRequest {
  plan: PlanFile;
  /** A registry that comes with the plan (the CLI reads the file the plan names). */
  registry?: Registry | undefined;
  county: string;
  /** Who loads it, for what they may change: a token's holder, or the command line as `system`. */
  loader: PlanLoader;
  actor: Actor;
  /** Who the audit log names; a command line run defaults to the actor, as `system`. */
  auditActor?: AuditActor | undefined;
  dryRun: boolean;
}

export async function loadPlan(
  deps: { store: Store; config: Pick<Config, 'timeZone' | 'smsSignature'>; now: Date; subscriptions?: StationSubscriptions | undefined },
  request: LoadPlanRequest,
): Promise<LoadResult> {
  const { store, now } = deps;
  const { county } = request;
  const plan = withCountySignature(request.plan, deps.config.smsSignature);
  if (plan.county !== undefined && plan.county !== request.county) {
    return { ok: false, problems: [{ path: ['county'], message: `the plan is for "${plan.county}", but you are loading it into "${county}"` }] };
  }
  const timeZone = plan.timeZone ?? deps.config.timeZone;
  if (!isKnownTimeZone(timeZone)) return { ok: false, problems: [{ path: ['timeZone'], message: 'not an IANA time zone such as Asia/Shanghai' }] };

  const stored = await store.registry.get(county);
  const registry = request.registry ? mergeRegistry(stored, request.registry) : stored;
  const problems = [
    ...(request.registry ? checkRegistry(request.registry).map((problem) => ({ path: ['registry', ...problem.path], message: problem.message })) : []),
    ...checkPlan(plan, { timeZone, registry, otherWeChatSends: await storedWeChatSends(store, plan, county, timeZone) }),
  ];
  if (problems.length > 0) return { ok: false, problems };

  const [planYear, campaigns] = await Promise.all([store.plans.getYear(county, plan.year), store.campaigns.listByYear(county, plan.year)]);
  const notices = new Map(
    await Promise.all(
      campaigns.map(async (campaign) => [campaign.id, await store.notices.listByCampaign(county, campaign.id)] as const),
    ),
  );
  const diff = diffPlan(plan, { planYear, campaigns, notices }, { county, timeZone, actor: request.actor, now });

  const storedTemplates = await store.registry.smsTemplates(county);
  const templates = templateChanges(storedTemplates, plan.smsTemplates);
  const before = planYear ? { settings: planYear.settings, timeZone: planYear.timeZone } : { settings: defaultSettings(deps.config.smsSignature), timeZone: deps.config.timeZone };
  const yearSettingsChanged = settingsChanged(before, { settings: resolveSettings(plan.settings), timeZone });
  checkPlanLoad(request.loader, loadScope(plan, diff, notices, campaigns, { templates, settingsChanged: yearSettingsChanged, registry: request.registry !== undefined }), registry);

  let registryReport: UpsertReport | undefined;
  let templateReport: UpsertReport | undefined;
  let writes = 0;
  if (!request.dryRun) {
    const actor = request.auditActor ?? { ...request.actor, role: 'system' as const };
    const entry = (action: AuditAction, subject: { kind: string; id: string }, after: object) =>
      auditEntry({ county, actor, action, subject, after, now, timeZone: deps.config.timeZone });
    // Each transaction files the entry of its own writes; a load that changes nothing files nothing.
    if (request.registry) {
      registryReport = await store.registry.upsert(county, request.registry, (changed, part) => entry('registry.update', { kind: 'registry', id: county }, { changed, ...partOf(part) }));
      await syncStationSubscriptions(deps, county, request.registry.stations);
    }
    templateReport = await store.registry.upsertSmsTemplates(county, plan.smsTemplates, (changed, part) => entry('sms-templates.update', { kind: 'sms-templates', id: county }, { changed, ...partOf(part) }));
    writes = await store.plans.writeDiff(diff, (changes, part) => entry('plan.load', { kind: 'plan', id: String(plan.year) }, { ...planLoadSummary(changes), ...partOf(part) }));
    // Every load, not only a changed one: a load that failed after writing its plan, or a
    // township added since, still gets its cells (one Query when they all exist).
    const cells = plannedCells(plan.year, {
      themes: plan.themes.map((theme) => theme.id),
      townships: registry.townships.map((township) => township.id),
      departments: registry.departments.map((department) => department.id),
      kinds: activityKinds,
    });
    await store.tallies.prepare(county, cells);
  }
  const backToReview = await returnToReview(
    store,
    county,
    {
      templates: templates.textChanged,
      years: yearSettingsChanged && planYear ? [plan.year] : [],
      // A changed lexicon sends back the broadcasts whose recording would now sound different.
      lexicon: planYear && JSON.stringify(planYear.lexicon ?? []) !== JSON.stringify(plan.lexicon) ? { year: plan.year, before: planYear.lexicon ?? [], after: plan.lexicon } : undefined,
    },
    {
      now,
      dryRun: request.dryRun,
      reason: 'the plan load changed a template, the year’s settings or the pronunciation lexicon, so the text or the recording changed',
      audit: (notice, after) =>
        auditEntry({ county, actor: request.auditActor ?? { ...request.actor, role: 'system' }, action: 'notice.return', subject: { kind: 'notice', id: `${notice.campaignId}/${notice.id}` }, before: notice, after, now, timeZone: deps.config.timeZone }),
    },
  );
  const counts = (report: UpsertReport | undefined) =>
    report ? { created: report.created.length, updated: report.updated.length, unchanged: report.unchanged.length } : undefined;
  const strip = <T extends { record?: unknown; expectedVersion?: unknown }>({ record: _record, expectedVersion: _version, ...rest }: T) => rest;
  return {
    ok: true,
    report: {
      year: plan.year,
      dryRun: request.dryRun,
      plan: diff.planYear.action,
      ...(registryReport ? { registry: counts(registryReport) } : {}),
      ...(templateReport ? { smsTemplates: counts(templateReport) } : {}),
      campaigns: diff.campaigns.map(strip),
      notices: diff.notices.map(strip),
      notInFile: diff.notInFile,
      backToReview,
      holidays: planHolidayReport(plan, timeZone),
      writes,
    },
  };
}

/**
 * What the load would change, for checking the loader may change it. Each entry is judged as it
 * will stand after the load: a campaign or notice the load leaves as stored (kept, unchanged) by
 * its stored record, one it writes by the file's.
 */
function loadScope(
  plan: PlanFile,
  diff: PlanDiff,
  current: Map<string, NoticeRecord[]>,
  storedCampaigns: readonly CampaignRecord[],
  changes: Pick<PlanLoadScope, 'templates' | 'settingsChanged' | 'registry'>,
): PlanLoadScope {
  const writes = (action: EntryAction) => action === 'create' || action === 'update';
  const storedCampaign = (id: string) => storedCampaigns.find((campaign) => campaign.id === id);
  const storedNotice = (campaignId: string, id: string) => current.get(campaignId)?.find((notice) => notice.id === id);
  const campaignAfter = (id: string): { departments?: readonly string[] | undefined } => {
    const decision = diff.campaigns.find((candidate) => candidate.id === id);
    const entry = plan.campaigns.find((campaign) => campaign.id === id);
    return (decision && writes(decision.action) ? entry : storedCampaign(id)) ?? entry ?? {};
  };
  /** The campaign's notices after the load: written ones as written, the rest as stored. */
  const noticesAfter = (campaignId: string): Pick<NoticeRecord, 'id' | 'audience' | 'departments'>[] => {
    const written = new Map(diff.notices.filter((decision) => decision.campaignId === campaignId && writes(decision.action) && decision.record).map((decision) => [decision.id, decision.record!]));
    const stored = current.get(campaignId) ?? [];
    return [...stored.map((notice) => written.get(notice.id) ?? notice), ...[...written.values()].filter((notice) => !stored.some((candidate) => candidate.id === notice.id))];
  };
  return {
    ...changes,
    planYearChanged: diff.planYear.action !== 'unchanged',
    notices: diff.notices.flatMap((decision) => {
      if (!writes(decision.action) || !decision.record) return [];
      const campaign = campaignAfter(decision.campaignId);
      const before = storedNotice(decision.campaignId, decision.id);
      const beforeCampaign = storedCampaign(decision.campaignId);
      return [
        {
          campaignId: decision.campaignId,
          id: decision.id,
          audience: decision.record.audience,
          departments: responsibleDepartments(decision.record, campaign),
          campaignDepartments: campaign.departments ?? [],
          ...(before && beforeCampaign ? { departmentsBefore: responsibleDepartments(before, beforeCampaign) } : {}),
        },
      ];
    }),
    campaigns: diff.campaigns
      .filter((decision) => writes(decision.action))
      .map((decision) => {
        const entry = plan.campaigns.find((campaign) => campaign.id === decision.id);
        const before = storedCampaign(decision.id);
        const after = entry ?? {};
        return {
          id: decision.id,
          audiences: noticesAfter(decision.id).map((notice) => ({ id: notice.id, audience: notice.audience, departments: responsibleDepartments(notice, after) })),
          events: entry?.events,
          storedEvents: before?.events,
          departments: entry?.departments ?? [],
          ...(before ? { departmentsBefore: before.departments ?? [] } : {}),
        };
      }),
  };
}

/** The county's registered SMS signature (its record) as the default of a plan that names none. */
function withCountySignature(plan: PlanFile, signature: string | undefined): PlanFile {
  if (!signature || plan.settings.sms.signature !== undefined) return plan;
  return { ...plan, settings: { ...plan.settings, sms: { ...plan.settings.sms, signature } } };
}

/**
 * The county's stored WeChat mass sends a plan with WeChat notices leaves as they are (notices it
 * does not name), so its quota check sees them as the API's checks do. None read without WeChat notices.
 */
async function storedWeChatSends(store: Store, plan: PlanFile, county: string, timeZone: string): Promise<PlannedWeChatSend[]> {
  const inFile = new Set(plan.campaigns.flatMap((campaign) => campaign.notices.map((notice) => `${campaign.id}/${notice.id}`)));
  if (!plan.campaigns.some((campaign) => campaign.notices.some((notice) => notice.channel === 'wechat'))) return [];
  const context = { timeZone, settings: resolveSettings(plan.settings), holidays: planHolidays(plan) };
  return (await countyWeChatSends(store, context, county, plan.year, undefined)).filter((send) => !inFile.has(send.noticeRef));
}

export function mergeRegistry(stored: Registry, incoming: Registry): Registry {
  const byId = <T extends { id: string }>(a: T[], b: T[]) => [...new Map([...a, ...b].map((item) => [item.id, item])).values()];
  return {
    townships: byId(stored.townships, incoming.townships),
    villages: byId(stored.villages, incoming.villages),
    stations: byId(stored.stations, incoming.stations),
    groups: [...new Set([...stored.groups, ...incoming.groups])],
    departments: byId(stored.departments, incoming.departments),
    placements: byId(stored.placements, incoming.placements),
  };
}

/** What one transaction of a plan load wrote, for its audit entry. */
export function planLoadSummary(changes: readonly PlanChange[]) {
  const ids = (action: 'create' | 'update', kind: 'campaign' | 'notice') =>
    changes.filter((change) => change.startsWith(`${action} ${kind} `)).map((change) => change.slice(`${action} ${kind} `.length));
  const planChange = changes.find((change) => change.includes(' plan '));
  return {
    plan: planChange ? (planChange.startsWith('create') ? 'create' : 'update') : 'unchanged',
    campaignsCreated: ids('create', 'campaign'),
    campaignsUpdated: ids('update', 'campaign'),
    noticesCreated: ids('create', 'notice'),
    noticesUpdated: ids('update', 'notice'),
  };
}

/** "Part 2 of 3" on entries of work split over transactions; nothing when it was one. */
export const partOf = (part: { part: number; parts: number }) => (part.parts > 1 ? part : {});

/**
 * `PUT /sms-templates`: adds or changes templates (admins only, as the route says), then sends
 * the submitted and approved notices whose template text changed back to review.
 */
export async function updateSmsTemplates(
  deps: { store: Store; config: Pick<Config, 'timeZone'>; now: Date },
  caller: Caller,
  templates: readonly SmsTemplate[],
): Promise<{ report: UpsertReport; backToReview: ReturnedNotice[] }> {
  requireRole(caller, ['admin']);
  const audit = auditFor(deps, caller);
  const { textChanged } = templateChanges(await deps.store.registry.smsTemplates(caller.county), templates);
  const report = await deps.store.registry.upsertSmsTemplates(caller.county, templates, (changed, part) =>
    audit('sms-templates.update', { kind: 'sms-templates', id: caller.county }, undefined, { changed, ...partOf(part) }),
  );
  const backToReview = await returnToReview(deps.store, caller.county, { templates: textChanged, years: [] }, {
    now: deps.now,
    dryRun: false,
    reason: 'a registered template’s text changed',
    audit: (notice, after) => audit('notice.return', { kind: 'notice', id: `${notice.campaignId}/${notice.id}` }, notice, after),
  });
  return { report, backToReview };
}
