/**
 * @module workflows/counties
 * Counties as data, the operator's work: creating a county (its record and, when given, its
 * monthly SMS budget, both audited), changing it, and issuing a county's tokens — its first
 * admin's above all. The city's and province's offices list the counties they read.
 */
import type { Config } from '../config.js';
import { countyRoles, DEPLOYMENT_SCOPE, isLevelRole, type Caller, type TokenGrant, type TokenRecord } from '../domain/access.js';
import { actorOfCaller, auditEntry } from '../domain/audit.js';
import { countiesInScope, countyInScope, newCountyRecord, patchedCounty, type CountyInput, type CountyPatch, type CountyRecord } from '../domain/county.js';
import { Invalid, NotFound } from '../domain/errors.js';
import type { Store } from '../store/index.js';
import { issueToken, revokeToken } from './tokens.js';

type CountyDeps = { store: Store; config: Pick<Config, 'timeZone'>; now: Date };

/** A county as the API shows it: its record and its monthly SMS budget (kept with the SMS budget). */
export type CountyView = CountyRecord & { monthlyBudgetYuan: number | null };

async function view(store: Store, record: CountyRecord): Promise<CountyView> {
  const budget = await store.smsBudget.get(record.id, { consistent: true });
  return { ...record, monthlyBudgetYuan: budget.monthlyYuan ?? null };
}

/**
 * The operator's entries go to the deployment's audit log, dated in the deployment's time zone
 * (the operator reads its days in it); a budget's entry to the county's own log, in its time zone,
 * as `PUT /sms-budget` files it.
 */
function entries(deps: CountyDeps, caller: Caller, change: { action: 'county.create' | 'county.update'; before?: CountyView | undefined; after: CountyView; budgetBefore: number | null }) {
  const actor = actorOfCaller(caller);
  const { after } = change;
  const county = auditEntry({ county: DEPLOYMENT_SCOPE, actor, action: change.action, subject: { kind: 'county', id: after.id }, before: change.before, after, now: deps.now, timeZone: deps.config.timeZone });
  if (change.budgetBefore === after.monthlyBudgetYuan) return [county];
  const budget = auditEntry({
    county: after.id,
    actor,
    action: 'sms-budget.update',
    subject: { kind: 'sms-budget', id: after.id },
    before: { monthlyYuan: change.budgetBefore },
    after: { monthlyYuan: after.monthlyBudgetYuan },
    now: deps.now,
    timeZone: after.timeZone,
  });
  return [county, budget];
}

/** Creates a county: its record, its budget when given, and their entries, in one transaction. */
export async function createCounty(deps: CountyDeps, caller: Caller, input: CountyInput): Promise<CountyView> {
  const record = newCountyRecord(input, deps.now, deps.config.timeZone);
  // A county made before (its budget set at PUT /sms-budget while it had no record) keeps its budget unless this one names another.
  const budgetBefore = (await deps.store.smsBudget.get(record.id, { consistent: true })).monthlyYuan ?? null;
  const after: CountyView = { ...record, monthlyBudgetYuan: input.monthlyBudgetYuan === undefined ? budgetBefore : input.monthlyBudgetYuan };
  await deps.store.counties.create(record, { monthlyBudgetYuan: input.monthlyBudgetYuan, audits: entries(deps, caller, { action: 'county.create', after, budgetBefore }), now: deps.now });
  return after;
}

/** Changes a county: the fields named (null takes one off) and its budget, audited, in one transaction. */
export async function updateCounty(deps: CountyDeps, caller: Caller, countyId: string, patch: CountyPatch): Promise<CountyView> {
  const record = await deps.store.counties.get(countyId, { consistent: true });
  if (!record) throw new NotFound(`No county "${countyId}".`);
  const before = await view(deps.store, record);
  const { monthlyBudgetYuan, ...fields } = patch;
  const changed = patchedCounty(record, fields, deps.now);
  const after: CountyView = { ...changed, monthlyBudgetYuan: monthlyBudgetYuan === undefined ? before.monthlyBudgetYuan : monthlyBudgetYuan };
  await deps.store.counties.update(changed, record.version, { monthlyBudgetYuan, audits: entries(deps, caller, { action: 'county.update', before, after, budgetBefore: before.monthlyBudgetYuan }), now: deps.now });
  return after;
}

/** The counties the caller reads: every one for the operator, its own for a city's or a province's office. */
export async function listCounties(store: Store, caller: Caller): Promise<CountyRecord[]> {
  return countiesInScope(caller, await store.counties.list());
}

/** One county the caller may read, or 404 (the same answer whether it does not exist or is another city's). */
export async function countyOfCaller(store: Store, caller: Caller, countyId: string): Promise<CountyRecord> {
  const record = await store.counties.get(countyId);
  if (!record || !countyInScope(caller, record)) throw new NotFound(`No county "${countyId}" for this token.`);
  return record;
}

export async function readCounty(store: Store, caller: Caller, countyId: string): Promise<CountyView> {
  return view(store, await countyOfCaller(store, caller, countyId));
}

/**
 * The operator issues a token in a county (its first admin, usually): the county must exist, the
 * role must be a county's. The entry goes to the county's audit log, as the county's own issues do.
 */
export async function issueCountyToken(deps: { store: Store; now: Date }, caller: Caller, countyId: string, grant: TokenGrant): Promise<{ secret: string; record: TokenRecord }> {
  const county = await deps.store.counties.get(countyId, { consistent: true });
  if (!county) throw new NotFound(`No county "${countyId}": create it first (POST /counties).`);
  if (isLevelRole(grant.role)) {
    throw new Invalid('A county’s token has a county’s role.', [{ field: 'body.role', message: `one of ${countyRoles.join(', ')}; operator, city and province tokens are issued at POST /tokens` }]);
  }
  return issueToken({ store: deps.store, timeZone: county.timeZone, now: deps.now }, { county: countyId, grant, actor: actorOfCaller(caller), createdBy: caller.tokenId });
}

export async function listCountyTokens(store: Store, countyId: string, page: { limit: number; cursor?: string | undefined }) {
  if (!(await store.counties.get(countyId))) throw new NotFound(`No county "${countyId}".`);
  return store.tokens.list(countyId, page);
}

export async function revokeCountyToken(deps: { store: Store; now: Date }, caller: Caller, countyId: string, tokenId: string): Promise<TokenRecord> {
  const county = await deps.store.counties.get(countyId);
  if (!county) throw new NotFound(`No county "${countyId}".`);
  return revokeToken({ store: deps.store, timeZone: county.timeZone, now: deps.now }, { county: countyId, tokenId, actor: actorOfCaller(caller) });
}
