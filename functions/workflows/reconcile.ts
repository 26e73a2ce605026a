/**
 * @module workflows/reconcile
 * Reconciliation: recount a year's tallies from the records themselves (activities, and the
 * outcomes of deliveries), report every counter that differs, and — when asked — repair them.
 * An admin tool: it reads every record of the year on purpose.
 */
import { auditEntry, type AuditActor } from '../domain/audit.js';
import { tallyPeriod, type DeliveryRecord } from '../domain/delivery.js';
import { differences, receiptCounts, recount, recountedCounters, type Counts, type DeliveryTally, type TallyDifference } from '../domain/tally.js';
import type { Store } from '../store/index.js';

export interface ReconcileReport {
  year: number;
  activities: number;
  deliveries: number;
  differences: TallyDifference[];
  repaired: number;
}

const talliedOutcome = (delivery: DeliveryRecord): DeliveryTally | Partial<Counts> | undefined => {
  if (delivery.recipient.kind === 'station') return delivery.state === 'aired' ? 'airings' : undefined;
  if (delivery.recipient.kind === 'wechat') {
    // WeChat took the job (sent), and its result event said how many followers it reached.
    // A job WeChat then failed counts as failed, not pushed: the pushes are the articles that went out.
    if (delivery.state === 'sent' || delivery.state === 'delivered') return { wechatPushes: 1, wechatReached: delivery.wechat?.sentCount ?? 0 };
    if (delivery.state === 'undelivered') return { wechatFailed: 1, wechatReached: delivery.wechat?.sentCount ?? 0 };
    return delivery.state === 'failed' ? 'wechatFailed' : undefined;
  }
  // A receipt comes after sent: the SMS counts as sent and as the carrier reported, at its price.
  if (delivery.state === 'delivered' || delivery.state === 'undelivered') return { smsSent: 1, ...receiptCounts(delivery.state, delivery.receipt?.priceMicroUsd ?? 0) };
  return ({ sent: 'smsSent', skipped: 'smsSkipped', failed: 'smsFailed', uncertain: 'smsUncertain' } as const)[delivery.state as 'sent' | 'skipped' | 'failed' | 'uncertain'];
};

export async function reconcileYear(
  store: Store,
  request: { county: string; year: number; repair: boolean; timeZone: string; actor?: AuditActor | undefined; now?: Date | undefined },
): Promise<ReconcileReport> {
  const { county, year } = request;
  const activities = await store.activities.allOfYear(county, year);
  const deliveries: { tally: DeliveryTally | Partial<Counts>; year: number; month: number; township?: string | undefined }[] = [];
  let deliveryCount = 0;
  // A campaign that starts late in the previous year can still send in this one.
  for (const campaignYear of [year - 1, year]) {
    for (const campaign of await store.campaigns.listByYear(county, campaignYear)) {
      for (const notice of await store.notices.listByCampaign(county, campaign.id)) {
        if (!notice.sends) continue;
        for (const delivery of await store.deliveries.allOfNotice(county, campaign.id, notice.id)) {
          deliveryCount += 1;
          const tally = talliedOutcome(delivery);
          const period = tallyPeriod(delivery.scheduledAt, notice.dispatch?.timeZone ?? request.timeZone);
          if (tally && period.year === year) deliveries.push({ tally, ...period, township: delivery.recipient.kind === 'wechat' ? undefined : delivery.recipient.township });
        }
      }
    }
  }
  const expected = recount(activities, deliveries);
  const stored = await store.tallies.year(county, year);
  const found = differences(stored, expected);
  let repaired = 0;
  if (request.repair) {
    const cells = new Map(found.map((difference) => [`${difference.cell.dimension}|${difference.cell.value}|${difference.cell.month}`, difference.cell]));
    for (const cell of cells.values()) {
      const want = [...expected.values()].find((candidate) => candidate.dimension === cell.dimension && candidate.value === cell.value && candidate.month === cell.month);
      // Only what can be recounted is set: speech characters stay as counted.
      await store.tallies.setCounters(county, cell, want?.counts ?? {}, recountedCounters);
      repaired += 1;
    }
    // Counters set by hand are a change like any other: one entry, once the cells are set.
    if (repaired > 0 && request.actor) {
      const after = { year, cells: repaired, differences: found.map((difference) => ({ ...difference.cell, counter: difference.counter, from: difference.stored, to: difference.expected })) };
      await store.audit.file(
        auditEntry({ county, actor: request.actor, action: 'tallies.repair', subject: { kind: 'tallies', id: String(year) }, after, now: request.now ?? new Date(), timeZone: request.timeZone }),
      );
    }
  }
  return { year, activities: activities.length, deliveries: deliveryCount, differences: found, repaired };
}
