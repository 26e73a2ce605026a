/**
 * @module workflows/context
 * What a notice is judged against: the year's settings and time zone (or the defaults when the
 * year has no plan yet), the county's registered SMS templates and its registry. And the audit
 * entries a caller's changes file.
 */
import type { Config } from '../config.js';
import type { Caller } from '../domain/access.js';
import { actorOfCaller, auditEntry, type AuditAction, type AuditEntry } from '../domain/audit.js';
import { plannedWeChatSends, type NoticeContext } from '../domain/notice-check.js';
import type { PlannedWeChatSend } from '../domain/wechat-quota.js';
import { defaultSettings, planHolidays, type PlanYearRecord } from '../domain/plan.js';
import type { Store } from '../store/index.js';

export async function noticeContext(
  store: Store,
  config: Pick<Config, 'timeZone' | 'smsSignature'>,
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
    settings: plan?.settings ?? defaultSettings(config.smsSignature),
    templates,
    registry,
    holidays: planHolidays(plan),
    lexicon: plan?.lexicon ?? [],
  };
}

/**
 * The county's WeChat mass sends in the year, every notice but `except` (`campaign/notice`), for
 * the account's quota. A notice's sends count from when it is drafted; a rejected one's do not; a
 * cancelled one's (or one in a cancelled campaign) count up to when it was cancelled — those may
 * have gone out, and used the day's or the month's quota. Campaigns of the year before are read
 * too: their windows may reach into this year.
 */
export async function countyWeChatSends(
  store: Store,
  context: Pick<NoticeContext, 'timeZone' | 'settings' | 'holidays'>,
  county: string,
  year: number,
  except: string | undefined,
): Promise<PlannedWeChatSend[]> {
  const campaigns = (await Promise.all([store.campaigns.listByYear(county, year - 1), store.campaigns.listByYear(county, year)])).flat();
  const perCampaign = await Promise.all(
    campaigns.map(async (campaign) =>
      (await store.notices.listByCampaign(county, campaign.id)).flatMap((notice) => {
        const ref = `${campaign.id}/${notice.id}`;
        if (notice.channel !== 'wechat' || notice.state === 'rejected' || ref === except) return [];
        if (notice.state === 'cancelled' || campaign.state === 'cancelled') {
          const stoppedAt = notice.state === 'cancelled' ? notice.updatedAt : campaign.updatedAt;
          return plannedWeChatSends({ ...notice, sends: (notice.sends ?? []).filter((send) => send.at <= stoppedAt) }, campaign, context, ref);
        }
        return plannedWeChatSends(notice, campaign, context, ref);
      }),
    ),
  );
  return perCampaign.flat();
}

/** Builds the audit entries for one caller's change at one moment. */
export function auditFor(deps: { config: Pick<Config, 'timeZone'>; now: Date }, caller: Caller) {
  return (action: AuditAction, subject: { kind: string; id: string }, before?: object, after?: object): AuditEntry =>
    auditEntry({ county: caller.county, actor: actorOfCaller(caller), action, subject, before, after, now: deps.now, timeZone: deps.config.timeZone });
}
