/**
 * @module workflows/plans
 * Loading a year's plan, shared by `npm run plan -- --apply` and `POST /plans`: check the whole
 * file against the registry, work out what changes (domain/plan-diff), and write it — or, with
 * dryRun, only say what would change. Bad input writes nothing.
 */
import type { Config } from '../config.js';
import { auditEntry, type AuditAction, type AuditActor } from '../domain/audit.js';
import { activityKinds } from '../domain/activity.js';
import { checkPlan, type PlanFile } from '../domain/plan.js';
import { diffPlan, type EntryAction } from '../domain/plan-diff.js';
import type { Actor } from '../domain/planning.js';
import { checkRegistry, type Problem, type Registry } from '../domain/registry.js';
import { plannedCells } from '../domain/tally.js';
import { isKnownTimeZone } from '../domain/time-zone.js';
import type { Store } from '../store/index.js';
import { writePlanDiff, type PlanChange } from '../store/plan-apply.js';
import type { UpsertReport } from '../store/plans.js';

export interface LoadReport {
  year: number;
  dryRun: boolean;
  plan: EntryAction;
  registry?: UpsertCounts;
  smsTemplates?: UpsertCounts;
  campaigns: { id: string; action: EntryAction; reason?: string }[];
  notices: { campaignId: string; id: string; action: EntryAction; reason?: string }[];
  notInFile: { campaignId: string; noticeId?: string }[];
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
  actor: Actor;
  /** Who the audit log names; a command line run defaults to the actor, as `system`. */
  auditActor?: AuditActor | undefined;
  dryRun: boolean;
}

export async function loadPlan(
  deps: { store: Store; config: Pick<Config, 'timeZone'>; now: Date },
  request: LoadPlanRequest,
): Promise<LoadResult> {
  const { store, now } = deps;
  const { plan, county } = request;
  if (plan.county !== undefined && plan.county !== request.county) {
    return { ok: false, problems: [{ path: ['county'], message: `the plan is for "${plan.county}", but you are loading it into "${county}"` }] };
  }
  const timeZone = plan.timeZone ?? deps.config.timeZone;
  if (!isKnownTimeZone(timeZone)) return { ok: false, problems: [{ path: ['timeZone'], message: 'not an IANA time zone such as Asia/Shanghai' }] };

  const stored = await store.plans.getRegistry(county);
  const registry = request.registry ? mergeRegistry(stored, request.registry) : stored;
  const problems = [
    ...(request.registry ? checkRegistry(request.registry).map((problem) => ({ path: ['registry', ...problem.path], message: problem.message })) : []),
    ...checkPlan(plan, { timeZone, registry }),
  ];
  if (problems.length > 0) return { ok: false, problems };

  const [planYear, campaigns] = await Promise.all([store.plans.getYear(county, plan.year), store.campaigns.listByYear(county, plan.year)]);
  const notices = new Map(
    await Promise.all(
      campaigns.map(async (campaign) => [campaign.id, await store.notices.listByCampaign(county, campaign.id)] as const),
    ),
  );
  const diff = diffPlan(plan, { planYear, campaigns, notices }, { county, timeZone, actor: request.actor, now });

  let registryReport: UpsertReport | undefined;
  let templateReport: UpsertReport | undefined;
  let writes = 0;
  if (!request.dryRun) {
    const actor = request.auditActor ?? { ...request.actor, role: 'system' as const };
    const entry = (action: AuditAction, subject: { kind: string; id: string }, after: object) =>
      auditEntry({ county, actor, action, subject, after, now, timeZone: deps.config.timeZone });
    // Each transaction files the entry of its own writes; a load that changes nothing files nothing.
    if (request.registry) {
      registryReport = await store.plans.upsertRegistry(county, request.registry, (changed, part) => entry('registry.update', { kind: 'registry', id: county }, { changed, ...partOf(part) }));
    }
    templateReport = await store.plans.upsertSmsTemplates(county, plan.smsTemplates, (changed, part) => entry('sms-templates.update', { kind: 'sms-templates', id: county }, { changed, ...partOf(part) }));
    writes = await writePlanDiff(store.db, store.tableName, diff, (changes, part) => entry('plan.load', { kind: 'plan', id: String(plan.year) }, { ...planLoadSummary(changes), ...partOf(part) }));
    // Every load, not only a changed one: a load that failed after writing its plan, or a
    // township added since, still gets its cells (one Query when they all exist).
    const cells = plannedCells(plan.year, { themes: plan.themes.map((theme) => theme.id), townships: registry.townships.map((township) => township.id), kinds: activityKinds });
    await store.tallies.prepare(county, cells);
  }
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
      writes,
    },
  };
}

export function mergeRegistry(stored: Registry, incoming: Registry): Registry {
  const byId = <T extends { id: string }>(a: T[], b: T[]) => [...new Map([...a, ...b].map((item) => [item.id, item])).values()];
  return {
    townships: byId(stored.townships, incoming.townships),
    villages: byId(stored.villages, incoming.villages),
    stations: byId(stored.stations, incoming.stations),
    groups: [...new Set([...stored.groups, ...incoming.groups])],
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
