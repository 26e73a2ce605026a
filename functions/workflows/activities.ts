/**
 * @module workflows/activities
 * Recording what was done: create, change and delete activity records, each checked against the
 * year's themes and the registry (townships, villages, departments), each written with its exact
 * tally changes in one transaction.
 * Reading them too: a staff token limited to a township sees that township's records only.
 */
import type { Config } from '../config.js';
import { departmentScope, newId, requireInScope, requireKeepsDepartments, townshipScope, type Caller } from '../domain/access.js';
import { checkActivity, type ActivityInput, type ActivityRecord } from '../domain/activity.js';
import { Forbidden, Invalid } from '../domain/errors.js';
import { planHash } from '../domain/plan.js';
import { checkDepartments, checkPlacements, type Problem } from '../domain/registry.js';
import { actorOf } from '../domain/review.js';
import { utcToLocal } from '../domain/schedule.js';
import type { Store } from '../store/index.js';
import { invalid } from './notices.js';
import { auditFor } from './context.js';

export interface ActivityDeps {
  store: Store;
  config: Pick<Config, 'timeZone' | 'activityLimits'>;
  now: Date;
}

async function check(deps: ActivityDeps, caller: Caller, input: ActivityInput): Promise<void> {
  const county = caller.county;
  const year = Number(input.date.slice(0, 4));
  const today = utcToLocal(deps.now.toISOString(), deps.config.timeZone).slice(0, 10);
  const [plan, registry, campaign] = await Promise.all([
    deps.store.plans.getYear(county, year),
    deps.store.registry.get(county),
    input.campaignId ? deps.store.campaigns.get(county, input.campaignId) : Promise.resolve(undefined),
  ]);
  const problems: Problem[] = [...checkActivity(input, today, deps.config.activityLimits)];
  if (!plan) problems.push({ path: ['date'], message: `no plan is loaded for ${year}, so its themes are unknown` });
  else if (!plan.themes.some((theme) => theme.id === input.theme)) {
    problems.push({ path: ['theme'], message: `unknown theme "${input.theme}"; the ${year} themes are: ${plan.themes.map((theme) => theme.id).join(', ')}` });
  }
  if (!registry.townships.some((township) => township.id === input.township)) {
    problems.push({ path: ['township'], message: `unknown township "${input.township}"` });
  }
  if (input.village) {
    const village = registry.villages.find((candidate) => candidate.id === input.village);
    if (!village) problems.push({ path: ['village'], message: `unknown village "${input.village}"` });
    else if (village.township !== input.township) problems.push({ path: ['village'], message: `"${input.village}" is not in township "${input.township}"` });
  }
  problems.push(...checkDepartments(input.departments ?? [], registry));
  problems.push(...checkPlacements(input, registry));
  if (input.campaignId && !campaign) problems.push({ path: ['campaignId'], message: `no campaign "${input.campaignId}"` });
  if (problems.length > 0) throw invalid('The activity record has mistakes; nothing was written.', problems);
  requireInScope(caller, input);
}

function recordFrom(input: ActivityInput, base: Pick<ActivityRecord, 'id' | 'county' | 'version' | 'createdBy' | 'createdAt'>, now: Date): ActivityRecord {
  return {
    ...base,
    year: Number(input.date.slice(0, 4)),
    month: Number(input.date.slice(5, 7)),
    date: input.date,
    township: input.township,
    ...(input.village ? { village: input.village } : {}),
    theme: input.theme,
    kind: input.kind,
    ...(input.kind === 'other' && input.kindName ? { kindName: input.kindName } : {}),
    ...(input.title ? { title: input.title } : {}),
    participants: input.participants,
    // Several rows of one kind are one figure.
    materials: Object.entries(
      input.materials.reduce<Record<string, number>>((sums, material) => ({ ...sums, [material.kind]: (sums[material.kind] ?? 0) + material.count }), {}),
    ).map(([kind, count]) => ({ kind, count })),
    ...(input.departments && input.departments.length > 0 ? { departments: input.departments } : {}),
    ...(input.placements && input.placements.length > 0 ? { placements: input.placements } : {}),
    ...(input.campaignId ? { campaignId: input.campaignId } : {}),
    ...(input.notes ? { notes: input.notes } : {}),
    updatedAt: now.toISOString(),
  };
}

/**
 * Records an activity. With a client-chosen id a retried request is safe: the same record again
 * answers with the stored one; a different record under that id is a conflict.
 */
export async function createActivity(deps: ActivityDeps, caller: Caller, input: ActivityInput): Promise<{ record: ActivityRecord; created: boolean }> {
  await check(deps, caller, input);
  const id = input.id ?? newId('act', deps.now);
  const record = recordFrom(input, { id, county: caller.county, version: 1, createdBy: actorOf(caller), createdAt: deps.now.toISOString() }, deps.now);
  if (input.id) {
    const existing = await deps.store.activities.get(caller.county, input.id);
    if (existing) {
      // Order-independent: the stored record comes back in the schema's key order.
      // Evidence added since is the record's, not the request's: a retried create still matches.
      const same = (activity: ActivityRecord) => planHash({ ...activity, evidence: undefined, version: 0, createdAt: '', updatedAt: '', createdBy: null });
      if (same(existing) === same(record)) return { record: existing, created: false };
    }
  }
  await deps.store.activities.create(record, auditFor(deps, caller)('activity.create', { kind: 'activity', id }, undefined, record));
  return { record, created: true };
}

export async function updateActivity(deps: ActivityDeps, caller: Caller, id: string, input: ActivityInput): Promise<ActivityRecord> {
  const before = await deps.store.activities.require(caller.county, id);
  if (input.id !== undefined && input.id !== id) throw new Invalid('The id in the body differs from the path.', [{ field: 'body.id', message: `must be "${id}" or left out` }]);
  requireInScope(caller, before);
  requireKeepsDepartments(caller, before.departments, input.departments, 'an activity');
  await check(deps, caller, input);
  const after = recordFrom(input, { id, county: before.county, version: before.version + 1, createdBy: before.createdBy, createdAt: before.createdAt }, deps.now);
  // Evidence is not part of the input: a change of the record keeps it (evidence/workflow adds and removes it).
  if (before.evidence) after.evidence = before.evidence;
  await deps.store.activities.replace(before, after, auditFor(deps, caller)('activity.update', { kind: 'activity', id }, before, after));
  return after;
}

export async function deleteActivity(deps: ActivityDeps, caller: Caller, id: string): Promise<ActivityRecord> {
  const before = await deps.store.activities.require(caller.county, id);
  requireInScope(caller, before);
  await deps.store.activities.remove(before, auditFor(deps, caller)('activity.delete', { kind: 'activity', id }, before));
  return before;
}

/**
 * A page of a year's activities. A township-limited staff token asking for another township is
 * refused; asking for none lists its own township only. A department-limited one likewise sees
 * only the activities naming its department.
 */
export async function listActivities(
  deps: Pick<ActivityDeps, 'store'>,
  caller: Caller,
  filter: { year: number; month?: number | undefined; township?: string | undefined; theme?: string | undefined; department?: string | undefined },
  page: { limit: number; cursor?: string | undefined },
) {
  const township = townshipScope(caller);
  const department = departmentScope(caller);
  if (township !== undefined && filter.township !== undefined && filter.township !== township) throw new Forbidden(`Your token is limited to township "${township}".`);
  if (department !== undefined && filter.department !== undefined && filter.department !== department) throw new Forbidden(`Your token is limited to department "${department}".`);
  const scoped = { ...filter, ...(township !== undefined ? { township } : {}), ...(department !== undefined ? { department } : {}) };
  return deps.store.activities.page(caller.county, scoped, page);
}

export async function getActivity(deps: Pick<ActivityDeps, 'store'>, caller: Caller, id: string): Promise<ActivityRecord> {
  const record = await deps.store.activities.require(caller.county, id);
  requireInScope(caller, record);
  return record;
}
