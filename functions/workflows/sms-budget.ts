/**
 * @module workflows/sms-budget
 * The county's monthly SMS budget as people meet it: what the dashboard and `GET /sms-budget` show
 * (the month's spend, the budget, why SMS stopped), the county office setting it (audited), and the
 * composer's total for a notice against what is left. The dispatcher's side is workflows/sms-spend.ts.
 */
import type { Config } from '../config.js';
import type { Caller } from '../domain/access.js';
import type { NoticeEvaluation } from '../domain/notice-check.js';
import type { NoticeInput } from '../domain/planning.js';
import type { Registry } from '../domain/registry.js';
import { budgetMonth, budgetView, noticeCost, type BudgetView, type NoticeCost, type SmsBudgetInput } from '../domain/sms-budget.js';
import { reachable } from '../domain/subscriber.js';
import type { Store } from '../store/index.js';
import { auditFor } from './context.js';
import { inAudience, townshipsToRead } from './expand.js';

/** What the dashboard and `GET /sms-budget` show: this month's spend against the budget, and why SMS stopped. */
export async function readBudget(deps: { store: Store; config: Pick<Config, 'timeZone' | 'sms'>; now: Date }, county: string): Promise<BudgetView> {
  const month = budgetMonth(deps.now, deps.config.timeZone);
  const [record, spend] = await Promise.all([deps.store.smsBudget.get(county, { consistent: true }), deps.store.smsBudget.spend(county, month, { consistent: true })]);
  return budgetView({
    month,
    countyYuan: record.monthlyYuan,
    defaultYuan: deps.config.sms.monthlyBudgetYuan,
    spend,
    stop: record.stop,
    heldNotices: record.heldNotices?.size ?? 0,
    yuanPerUsd: deps.config.sms.yuanPerUsd,
  });
}

/**
 * The county office sets its monthly budget (or removes it: the deployment's default applies),
 * audited. A raise takes effect at the dispatcher's next run: held SMS go again.
 */
export async function setBudget(deps: { store: Store; config: Pick<Config, 'timeZone' | 'sms'>; now: Date }, caller: Caller, input: SmsBudgetInput): Promise<BudgetView> {
  const before = await deps.store.smsBudget.get(caller.county, { consistent: true });
  const monthlyYuan = input.monthlyYuan ?? undefined;
  const audit = auditFor(deps, caller)('sms-budget.update', { kind: 'sms-budget', id: caller.county }, { monthlyYuan: before.monthlyYuan ?? null }, { monthlyYuan: monthlyYuan ?? null });
  await deps.store.smsBudget.setMonthlyYuan(caller.county, monthlyYuan, deps.now, audit);
  return readBudget(deps, caller.county);
}

/**
 * Audience sizes the composer asked for lately, per county and audience. The preview runs as staff
 * type (every few hundred milliseconds) and a county audience is 100,000 reads: counted once a
 * minute per audience in a warm process, not on every keystroke.
 */
const AUDIENCE_SIZE_TTL_MS = 60_000;
const audienceSizes = new Map<string, { at: number; size: { count: number; complete: boolean } }>();

async function audienceSize(store: Store, county: string, audience: NoticeInput['audience'], registry: Registry, recentWillDo: boolean): Promise<{ count: number; complete: boolean }> {
  const key = `${county}#${JSON.stringify(audience)}`;
  const cached = audienceSizes.get(key);
  if (recentWillDo && cached && performance.now() - cached.at < AUDIENCE_SIZE_TTL_MS) return cached.size;
  const notice = { audience };
  const size = await store.subscribers.countWhere(county, townshipsToRead(notice, registry), (subscriber) => reachable(subscriber) && inAudience(notice, subscriber));
  if (audienceSizes.size > 200) audienceSizes.clear();
  audienceSizes.set(key, { at: performance.now(), size });
  return size;
}

/**
 * An SMS notice's total: audience × sends × cost per recipient, against what is left of this
 * month's budget. The composer's as-you-type preview may take an audience counted in the last
 * minute (`audience: 'recent'`); the reviewer deciding on it gets the audience counted now.
 */
export async function previewCost(
  deps: { store: Store; config: Pick<Config, 'timeZone' | 'sms'>; now: Date },
  county: string,
  notice: NoticeInput,
  evaluation: NoticeEvaluation,
  options: { audience: 'recent' | 'now' } = { audience: 'now' },
): Promise<NoticeCost | undefined> {
  if (notice.channel !== 'sms' || !evaluation.sms) return undefined;
  const [registry, budget] = await Promise.all([deps.store.registry.get(county), readBudget(deps, county)]);
  const size = await audienceSize(deps.store, county, notice.audience, registry, options.audience === 'recent');
  return noticeCost({
    recipients: size.count,
    complete: size.complete,
    sends: evaluation.sends.length,
    segments: evaluation.sms.segments.segments,
    costPerRecipientYuan: evaluation.sms.costPerRecipient,
    yuanPerUsd: deps.config.sms.yuanPerUsd,
    remainingYuan: budget.remainingYuan,
  });
}
