/**
 * @module workflows/registry
 * An admin's changes to the county's registry (townships, villages, stations, groups), from
 * `PUT /registry` and `DELETE /registry/{kind}/{id}`: checked as the registry will be after the
 * change, then written with their audit entries. A plan load changes the registry through
 * `loadPlan`, under the same checks. Stations written or removed then get their push
 * subscriptions brought in line (workflows/station-pushes).
 */
import type { Config } from '../config.js';
import type { Caller, TokenRecord } from '../domain/access.js';
import { utcToLocal } from '../domain/schedule.js';
import { Conflict, NotFound } from '../domain/errors.js';
import { checkRegistry, type Registry } from '../domain/registry.js';
import type { StationSubscriptions } from '../notify/station-subscriptions.js';
import type { Store } from '../store/index.js';
import type { UpsertReport } from '../store/registry.js';
import { auditFor } from './context.js';
import { invalid } from './notices.js';
import { mergeRegistry, partOf } from './plans.js';
import { syncStationSubscriptions, type SyncReport } from './station-pushes.js';

type RegistryDeps = { store: Store; config: Pick<Config, 'timeZone'>; now: Date; subscriptions?: StationSubscriptions | undefined };

export const registryKinds = { townships: 'TOWNSHIP', villages: 'VILLAGE', stations: 'STATION', groups: 'GROUP', departments: 'DEPARTMENT', placements: 'PLACEMENT' } as const;
export type RegistryKind = keyof typeof registryKinds;

/** Adds or changes the entries named; entries not named are left alone. */
export async function updateRegistry(deps: RegistryDeps, caller: Caller, incoming: Registry): Promise<UpsertReport & { pushes: SyncReport }> {
  const { store } = deps;
  const county = caller.county;
  const stored = await store.registry.get(county);
  // Checked as it will be after the change: a new village may sit in a township stored earlier.
  const problems = checkRegistry(incoming, mergeRegistry(stored, incoming));
  if (problems.length > 0) throw invalid('The registry has mistakes; nothing was written.', problems);
  const audit = auditFor(deps, caller);
  const report = await store.registry.upsert(county, incoming, (changed, part) => audit('registry.update', { kind: 'registry', id: county }, undefined, { changed, ...partOf(part) }));
  return { ...report, pushes: await syncStationSubscriptions(deps, county, incoming.stations) };
}

/**
 * Removes one entry; a township with villages or placements (or named by the targets), a village
 * with stations or placements, or a department or placement still named (see `recordsNaming`) is
 * refused (409), a missing one is a 404.
 */
export async function removeRegistryEntry(deps: RegistryDeps, caller: Caller, kind: RegistryKind, id: string): Promise<void> {
  const { store } = deps;
  const county = caller.county;
  const registry = await store.registry.get(county);
  const thisYear = Number(utcToLocal(deps.now.toISOString(), deps.config.timeZone).slice(0, 4));
  const users =
    kind === 'townships'
      ? [
          ...[...registry.villages.filter((village) => village.township === id), ...registry.placements.filter((placement) => placement.township === id)].map((entry) => entry.id),
          ...(await targetsNaming(store, county, 'townships', id, thisYear)),
        ]
      : kind === 'villages'
        ? [...registry.stations.filter((station) => station.village === id), ...registry.placements.filter((placement) => placement.village === id)].map((entry) => entry.id)
        : kind === 'departments' || kind === 'placements'
          ? await recordsNaming(store, county, kind, id, deps.now, thisYear)
          : [];
  if (users.length > 0) throw new Conflict(`"${id}" still has ${users.join(', ')}: remove or move them first.`);
  const audit = auditFor(deps, caller)('registry.remove', { kind: 'registry', id: county }, { [kind]: id });
  if (!(await store.registry.removeItem(county, registryKinds[kind], id, audit))) throw new NotFound(`No ${kind} entry "${id}".`);
  if (kind === 'stations') await syncStationSubscriptions(deps, county, [], [id]);
}

/** How far either side of this year a department's or placement's removal looks for records naming it. */
const DEPARTMENT_YEARS_AROUND = 1;
/** Last year, this year and next (with the default reach). */
const yearsAround = (thisYear: number) => Array.from({ length: 2 * DEPARTMENT_YEARS_AROUND + 1 }, (_, index) => thisYear - DEPARTMENT_YEARS_AROUND + index);

/** Records named in a refusal, at most. */
const USERS_NAMED = 10;

/**
 * What still names a department or a placement. A department: live (unrevoked, unexpired) tokens
 * limited to it, and — last year, this year and next — the responsibility list, the targets,
 * campaigns, notices and activities; a placement: those years' activities. Removing it would leave them naming
 * nothing (tallies by department would show a bare id, a token would see nothing).
 */
async function recordsNaming(store: Store, county: string, kind: 'departments' | 'placements', id: string, now: Date, thisYear: number): Promise<string[]> {
  const years = yearsAround(thisYear);
  const names = (list: readonly string[] | undefined) => (list ?? []).includes(id);
  const department = kind === 'departments';
  const [tokens, perYear] = await Promise.all([
    department ? queryTokens(store, county) : [],
    Promise.all(
      years.map(async (year) => {
        const [plan, campaigns, activities] = await Promise.all([
          department ? store.plans.getYear(county, year) : undefined,
          department ? store.campaigns.listByYear(county, year) : [],
          store.activities.allOfYear(county, year),
        ]);
        const notices = (await Promise.all(campaigns.map((campaign) => store.notices.listByCampaign(county, campaign.id)))).flat();
        return [
          ...((plan?.responsibilities ?? []).some((duty) => duty.department === id) ? [`the ${year} responsibility list`] : []),
          ...(plan?.targets?.departments?.[id] ? [`the ${year} targets`] : []),
          ...campaigns.filter((campaign) => names(campaign.departments)).map((campaign) => `campaign ${campaign.id}`),
          ...notices.filter((notice) => names(notice.departments)).map((notice) => `notice ${notice.campaignId}/${notice.id}`),
          ...activities.filter((activity) => names(department ? activity.departments : activity.placements)).map((activity) => `activity ${activity.id}`),
        ];
      }),
    ),
  ]);
  const users = [...tokens.filter((token) => token.department === id && !token.revokedAt && !(token.expiresAt && Date.parse(token.expiresAt) <= now.getTime())).map((token) => `token ${token.id}`), ...perYear.flat()];
  return users.length > USERS_NAMED ? [...users.slice(0, USERS_NAMED), `${users.length - USERS_NAMED} more`] : users;
}

/** The years around this one whose plan's targets name a township. */
async function targetsNaming(store: Store, county: string, kind: 'townships', id: string, thisYear: number): Promise<string[]> {
  const years = yearsAround(thisYear);
  const plans = await Promise.all(years.map((year) => store.plans.getYear(county, year)));
  return plans.flatMap((plan) => (plan?.targets?.[kind]?.[id] ? [`the ${plan.year} targets`] : []));
}

async function queryTokens(store: Store, county: string): Promise<TokenRecord[]> {
  const tokens: TokenRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.tokens.list(county, { limit: 100, cursor });
    tokens.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return tokens;
}
