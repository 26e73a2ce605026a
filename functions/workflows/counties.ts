/**
 * @module workflows/counties
 * Counties as data, the operator's work: creating a county (its record and, when given, its
 * monthly SMS budget, both audited), changing it, and issuing a county's tokens — its first
 * admin's above all. The city's and province's offices list the counties they read.
 */
import type { Config } from '../config.js';
import { countyRoles, DEPLOYMENT_SCOPE, type Caller, type TokenGrant, type TokenRecord } from '../domain/access.js';
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

/** The operator's entries are filed under the deployment's audit log, in the new county's time zone. */
function operatorAudit(deps: CountyDeps, caller: Caller, timeZone: string) {
  return (action: 'county.create' | 'county.update', id: string, before: object | undefined, after: object) =>
    auditEntry({ county: DEPLOYMENT_SCOPE, actor: actorOfCaller(caller), action, subject: { kind: 'county', id }, before, after, now: deps.now, timeZone });
}

export async function createCounty(deps: CountyDeps, caller: Caller, input: CountyInput): Promise<CountyView> {
  const record = newCountyRecord(input, deps.now);
  await deps.store.counties.create(record, operatorAudit(deps, caller, record.timeZone)('county.create', record.id, undefined, { ...record, monthlyBudgetYuan: input.monthlyBudgetYuan ?? null }));
  if (input.monthlyBudgetYuan !== undefined && input.monthlyBudgetYuan !== null) {
    // Kept where the dispatcher's budget guard and PUT /sms-budget keep it, audited in the county's own log.
    await setCountyBudget(deps, caller, record, input.monthlyBudgetYuan);
  }
  return view(deps.store, record);
}

export async function updateCounty(deps: CountyDeps, caller: Caller, countyId: string, patch: CountyPatch): Promise<CountyView> {
  const before = await deps.store.counties.get(countyId, { consistent: true });
  if (!before) throw new NotFound(`No county "${countyId}".`);
  const { monthlyBudgetYuan, ...fields } = patch;
  let after = before;
  if (Object.keys(fields).length > 0) {
    after = patchedCounty(before, fields, deps.now);
    await deps.store.counties.update(after, before.version, operatorAudit(deps, caller, after.timeZone)('county.update', countyId, before, after));
  }
  if (monthlyBudgetYuan !== undefined) await setCountyBudget(deps, caller, after, monthlyBudgetYuan);
  return view(deps.store, after);
}

async function setCountyBudget(deps: CountyDeps, caller: Caller, county: CountyRecord, monthlyYuan: number | null): Promise<void> {
  const before = await deps.store.smsBudget.get(county.id, { consistent: true });
  const audit = auditEntry({
    county: county.id,
    actor: actorOfCaller(caller),
    action: 'sms-budget.update',
    subject: { kind: 'sms-budget', id: county.id },
    before: { monthlyYuan: before.monthlyYuan ?? null },
    after: { monthlyYuan },
    now: deps.now,
    timeZone: county.timeZone,
  });
  await deps.store.smsBudget.setMonthlyYuan(county.id, monthlyYuan ?? undefined, deps.now, audit);
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
  if (!(countyRoles as readonly string[]).includes(grant.role)) {
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
