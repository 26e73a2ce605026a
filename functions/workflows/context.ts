/**
 * @module workflows/context
 * What a notice is judged against: the year's settings and time zone (or the defaults when the
 * year has no plan yet), the county's registered SMS templates and its registry. And the audit
 * entries a caller's changes file.
 */
import type { Config } from '../config.js';
import type { Caller } from '../domain/access.js';
import { actorOfCaller, auditEntry, type AuditAction, type AuditEntry } from '../domain/audit.js';
import type { NoticeContext } from '../domain/notice-check.js';
import { planHolidays, resolveSettings, type PlanYearRecord } from '../domain/plan.js';
import type { Store } from '../store/index.js';

export async function noticeContext(
  store: Store,
  config: Pick<Config, 'timeZone'>,
  county: string,
  year: number,
): Promise<NoticeContext & { plan: PlanYearRecord | undefined }> {
  const [plan, templates, registry] = await Promise.all([
    store.plans.getYear(county, year),
    store.registry.smsTemplates(county),
    store.registry.get(county),
  ]);
  return {
    plan,
    timeZone: plan?.timeZone ?? config.timeZone,
    settings: plan?.settings ?? resolveSettings(undefined),
    templates,
    registry,
    holidays: planHolidays(plan),
    lexicon: plan?.lexicon ?? [],
  };
}

/** Builds the audit entries for one caller's change at one moment. */
export function auditFor(deps: { config: Pick<Config, 'timeZone'>; now: Date }, caller: Caller) {
  return (action: AuditAction, subject: { kind: string; id: string }, before?: object, after?: object): AuditEntry =>
    auditEntry({ county: caller.county, actor: actorOfCaller(caller), action, subject, before, after, now: deps.now, timeZone: deps.config.timeZone });
}
