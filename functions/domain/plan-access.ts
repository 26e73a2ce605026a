/**
 * @module domain/plan-access
 * Who may load what through a plan file. A plan is no back door: a caller changes through it
 * exactly what the single routes let them change. Templates, the year's settings (SMS signature,
 * opt-out hint, quiet hours, time zone …) and the registry are an admin's; a staff token limited
 * to a township may only create or change content addressed to that township alone, and not the
 * county's year plan. Parts of the file that change nothing are allowed to anyone who may load a
 * plan, so staff can load the same file again. The command line on the machine itself runs as
 * `system`, which may do what an admin may. Pure.
 */
import { departmentScope, type Caller } from './access.js';
import { Forbidden } from './errors.js';
import type { SmsTemplate } from './notice-check.js';
import type { PlanSettings } from './notice-check.js';
import { changesEventsOutside, type Audience, type PublicEvent } from './planning.js';
import { audienceWithinTownship, type Registry } from './registry.js';

/** Who loads the plan: a token's holder, or the command line on the machine (admin-equivalent). */
export type PlanLoader = { kind: 'system' } | { kind: 'caller'; caller: Caller };

export interface TemplateChanges {
  /** New or changed in any field: only an admin may do either. */
  changed: string[];
  /** Of those, the ones whose text is new or differs: notices using them render differently. */
  textChanged: string[];
}

export function templateChanges(stored: readonly SmsTemplate[], incoming: readonly SmsTemplate[]): TemplateChanges {
  const byId = new Map(stored.map((template) => [template.id, template]));
  const changed: string[] = [];
  const textChanged: string[] = [];
  for (const template of incoming) {
    const current = byId.get(template.id);
    if (current && current.text === template.text && (current.code ?? undefined) === (template.code ?? undefined)) continue;
    changed.push(template.id);
    if (!current || current.text !== template.text) textChanged.push(template.id);
  }
  return { changed, textChanged };
}

/** The year's settings in effect: the stored plan's, or the defaults and the configured zone. */
export interface EffectiveSettings {
  settings: PlanSettings;
  timeZone: string;
}

export function settingsChanged(before: EffectiveSettings, after: EffectiveSettings): boolean {
  return JSON.stringify(sortedDeep(before)) !== JSON.stringify(sortedDeep(after));
}

/** What a load would change, as far as who may change it goes. */
export interface PlanLoadScope {
  templates: TemplateChanges;
  settingsChanged: boolean;
  /** The file brings registry entries (the command line reads the registry file a plan names). */
  registry: boolean;
  /** Themes, months, key dates, the responsibility list or the targets (the county's year plan) created or changed. */
  planYearChanged: boolean;
  /** Notices the load creates or rewrites, with their responsible departments after the load and (when stored) before. */
  notices: { campaignId: string; id: string; audience: Audience; departments?: readonly string[]; campaignDepartments?: readonly string[]; departmentsBefore?: readonly string[] }[];
  /** Campaigns the load creates or changes, with every notice they will hold, and their events and departments before and after. */
  campaigns: {
    id: string;
    audiences: { id: string; audience: Audience; departments?: readonly string[] }[];
    events?: readonly PublicEvent[] | undefined;
    storedEvents?: readonly PublicEvent[] | undefined;
    departments?: readonly string[];
    departmentsBefore?: readonly string[];
  }[];
}

/** Refuses (403) a load that changes anything the loader may not change, naming every such part. */
export function checkPlanLoad(loader: PlanLoader, scope: PlanLoadScope, registry: Registry): void {
  if (loader.kind === 'system' || loader.caller.role === 'admin') return;
  const caller = loader.caller;
  const adminParts = [
    ...(scope.templates.changed.length > 0 ? [`smsTemplates (${scope.templates.changed.join(', ')})`] : []),
    ...(scope.settingsChanged ? ['settings / timeZone (SMS signature, opt-out hint, quiet hours …)'] : []),
    ...(scope.registry ? ['registry'] : []),
  ];
  if (adminParts.length > 0) {
    throw new Forbidden(`Only an admin may change these parts of a plan: ${adminParts.join('; ')}. Load the file without them, or with them as they are stored, or ask an admin.`);
  }
  checkDepartmentLoad(caller, scope);
  if (caller.role !== 'staff' || !caller.township) return;
  const township = caller.township;
  const outside = (audience: Audience) => !audienceWithinTownship(audience, township, registry);
  const notices = scope.notices.filter((notice) => outside(notice.audience)).map((notice) => `${notice.campaignId}/${notice.id}`);
  const campaigns = scope.campaigns
    .filter((campaign) => campaign.audiences.some((notice) => outside(notice.audience)) || changesEventsOutside(campaign.storedEvents, campaign.events, township))
    .map((campaign) => campaign.id);
  refuseOutOfScope(scope.planYearChanged, notices, campaigns, `Your token is limited to township "${township}"; this plan would change county-wide or other townships' content`);
}

/** Refuses (403) a limited token's load that changes the year plan or any of the named entries, naming each. */
function refuseOutOfScope(planYearChanged: boolean, notices: readonly string[], campaigns: readonly string[], refusal: string): void {
  const parts = [
    ...(planYearChanged ? ['the year plan (themes, months, key dates, responsibility list, targets)'] : []),
    ...(notices.length > 0 ? [`notices ${notices.join(', ')}`] : []),
    ...(campaigns.length > 0 ? [`campaigns ${campaigns.join(', ')}`] : []),
  ];
  if (parts.length > 0) throw new Forbidden(`${refusal}: ${parts.join('; ')}.`);
}

/**
 * A staff token limited to a department may load only its own department's campaigns and notices:
 * each one the load writes must name the department, before and after (a notice's campaign too),
 * a campaign it changes must hold no other department's notices after the load and keep the
 * co-responsible departments it had. The county's year plan is not its to change.
 */
function checkDepartmentLoad(caller: Caller, scope: PlanLoadScope): void {
  const department = departmentScope(caller);
  if (department === undefined) return;
  const theirs = (departments: readonly string[] | undefined) => departments === undefined || departments.includes(department);
  const keepsOthers = (before: readonly string[] | undefined, after: readonly string[] | undefined) => (before ?? []).every((id) => (after ?? []).includes(id));
  const notices = scope.notices
    .filter((notice) => !theirs(notice.departments ?? []) || !theirs(notice.campaignDepartments ?? []) || !theirs(notice.departmentsBefore))
    .map((notice) => `${notice.campaignId}/${notice.id}`);
  const campaigns = scope.campaigns
    .filter(
      (campaign) =>
        !theirs(campaign.departments ?? []) ||
        !theirs(campaign.departmentsBefore) ||
        !keepsOthers(campaign.departmentsBefore, campaign.departments) ||
        campaign.audiences.some((notice) => !theirs(notice.departments ?? [])),
    )
    .map((campaign) => campaign.id);
  refuseOutOfScope(scope.planYearChanged, notices, campaigns, `Your token is limited to department "${department}"; this plan would change content not naming it (departments: [${department}])`);
}

function sortedDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, item]) => item !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, item]) => [key, sortedDeep(item)]),
    );
  }
  return value;
}
