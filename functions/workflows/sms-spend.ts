/**
 * @module workflows/sms-spend
 * The dispatcher's guard on the county's monthly SMS budget. Before each second's SMS the run
 * reserves their estimated cost from the month's spend (store/sms-budget.ts: one conditional ADD,
 * so concurrent runs never pass the budget together). What does not fit is held: back to pending,
 * parked, its notice listed as held with why; the run logs `sms budget reached` at error level (the
 * log metric filter's alarm). Reserved SMS that did not go out are given back. Each run first looks
 * at the held counties and, once the month has turned or the budget was raised, puts their SMS back
 * in the due index. Station broadcasts never meet this guard.
 */
import { ALARM_LINES } from '../domain/alarm-lines.js';
import { deliveryRef, type DeliveryRecord } from '../domain/delivery.js';
import type { NoticeRecord } from '../domain/planning.js';
import { budgetMonth, budgetReopened, microUsdFromYuan, smsEstimateMicroUsd, type BudgetStop } from '../domain/sms-budget.js';
import type { Logger } from '../http/logger.js';
import { BUDGET_HOLD_REASON } from '../store/deliveries.js';
import type { Store } from '../store/index.js';
import { heldNoticeKey } from '../store/sms-budget.js';
import { inParallel } from './parallel.js';

export interface BudgetSettings {
  /** Yuan per US dollar (PUFA_YUAN_PER_USD). */
  yuanPerUsd: number;
  /** The deployment's monthly budget for counties that set none (PUFA_SMS_MONTHLY_BUDGET_YUAN). */
  defaultMonthlyYuan: number | undefined;
}

/** Parked deliveries written at once when held SMS go again. */
const UNPARK_CONCURRENCY = 16;

interface CountyBudget {
  month: string;
  budgetMicroUsd: number | undefined;
  /** Known in this run to have no room for `neededMicroUsd` more. */
  stop?: BudgetStop;
}

type Reserved = { county: string; month: string; microUsd: number };
type DeliveryRef = Pick<DeliveryRecord, 'county' | 'id'>;
/** Reservations are kept by county and delivery id: ids are unique within a county only (two counties may load the same plan). */

export class SpendGuard {
  private readonly counties = new Map<string, CountyBudget>();
  private readonly reserved = new Map<string, Reserved>();
  private readonly refunds = new Map<string, { county: string; month: string; microUsd: number; count: number }>();
  /** Counties whose stop this run has already logged. */
  private readonly logged = new Set<string>();

  constructor(
    private readonly deps: { store: Store; logger: Logger; clock: () => Date },
    private readonly settings: BudgetSettings & { timeZone: string },
  ) {}

  estimateOf(notice: Pick<NoticeRecord, 'smsText' | 'smsCostYuan'>): number {
    return smsEstimateMicroUsd(notice, this.settings.yuanPerUsd);
  }

  /** The county's budget this month (read once per run and month). */
  private async budgetOf(county: string): Promise<CountyBudget> {
    const month = budgetMonth(this.deps.clock(), this.settings.timeZone);
    const known = this.counties.get(county);
    if (known?.month === month) return known;
    const record = await this.deps.store.smsBudget.get(county);
    const yuan = record.monthlyYuan ?? this.settings.defaultMonthlyYuan;
    const budget: CountyBudget = { month, budgetMicroUsd: yuan === undefined ? undefined : microUsdFromYuan(yuan, this.settings.yuanPerUsd) };
    this.counties.set(county, budget);
    return budget;
  }

  /** Has this run already found the county's budget too small for an SMS of this cost? (Saves claiming what cannot go.) */
  async exhausted(county: string, microUsd: number): Promise<boolean> {
    const budget = await this.budgetOf(county);
    return budget.stop !== undefined && budget.stop.month === budget.month && microUsd >= budget.stop.neededMicroUsd;
  }

  /** Those of these SMS (not yet reserved) that this run already knows the budget cannot pay for. */
  async unaffordable<T extends { delivery: DeliveryRecord; notice: NoticeRecord }>(items: readonly T[]): Promise<T[]> {
    const found: T[] = [];
    for (const item of items) {
      if (!this.reserved.has(deliveryRef(item.delivery)) && (await this.exhausted(item.delivery.county, this.estimateOf(item.notice)))) found.push(item);
    }
    return found;
  }

  /**
   * Reserves the cost of these SMS (in order) from their counties' budgets; returns those that
   * may go and those the budget cannot pay for. An SMS this run reserved before (sent back to the
   * queue, retried) is not reserved twice.
   */
  async reserve<T extends { delivery: DeliveryRecord; notice: NoticeRecord }>(items: readonly T[]): Promise<{ go: T[]; over: T[] }> {
    const go: T[] = [];
    const over: T[] = [];
    const byCounty = new Map<string, T[]>();
    for (const item of items) {
      if (this.reserved.has(deliveryRef(item.delivery))) go.push(item);
      else byCounty.set(item.delivery.county, [...(byCounty.get(item.delivery.county) ?? []), item]);
    }
    for (const [county, asking] of byCounty) {
      const budget = await this.budgetOf(county);
      const amounts = asking.map((item) => this.estimateOf(item.notice));
      const granted = await this.deps.store.smsBudget.reserve(county, budget.month, amounts, budget.budgetMicroUsd);
      asking.forEach((item, index) => {
        if (index < granted) {
          this.reserved.set(deliveryRef(item.delivery), { county, month: budget.month, microUsd: amounts[index] ?? 0 });
          go.push(item);
        } else over.push(item);
      });
      const first = amounts[granted];
      if (first !== undefined && budget.budgetMicroUsd !== undefined) {
        const spend = await this.deps.store.smsBudget.spend(county, budget.month, { consistent: true });
        budget.stop = { month: budget.month, since: this.deps.clock().toISOString(), neededMicroUsd: first, spentMicroUsd: spend.spentMicroUsd, budgetMicroUsd: budget.budgetMicroUsd };
      }
    }
    return { go, over };
  }

  /** What a sent SMS records of its reservation (its receipt replaces the estimate with the real price). */
  spendOf(delivery: DeliveryRef): { month: string; estimateMicroUsd: number } | undefined {
    const reserved = this.reserved.get(deliveryRef(delivery));
    return reserved && { month: reserved.month, estimateMicroUsd: reserved.microUsd };
  }

  /** The SMS's send is settled: kept if it went out (or may have), given back if it did not. */
  settle(delivery: DeliveryRef, sent: boolean): void {
    const reserved = this.reserved.get(deliveryRef(delivery));
    if (!reserved) return;
    this.reserved.delete(deliveryRef(delivery));
    if (!sent) this.refund(reserved);
  }

  private refund(reserved: Reserved): void {
    const key = `${reserved.county}#${reserved.month}`;
    const refund = this.refunds.get(key) ?? { county: reserved.county, month: reserved.month, microUsd: 0, count: 0 };
    refund.microUsd += reserved.microUsd;
    refund.count += 1;
    this.refunds.set(key, refund);
  }

  /** Gives back, one write per county and month, what was reserved for SMS that did not go. */
  async flushRefunds(): Promise<void> {
    const refunds = [...this.refunds.values()];
    this.refunds.clear();
    for (const refund of refunds) await this.deps.store.smsBudget.refund(refund.county, refund.month, refund.microUsd, refund.count);
  }

  /** The end of a run: whatever is still reserved was not sent. */
  async finish(): Promise<void> {
    for (const [key, reserved] of [...this.reserved]) {
      this.reserved.delete(key);
      this.refund(reserved);
    }
    await this.flushRefunds();
  }

  /**
   * Holds SMS the budget cannot pay for: each back to pending and parked (a claimed one under its
   * lease; a pending one as it is), its notice listed as held. Logged once per county per run.
   */
  async hold(held: readonly { delivery: DeliveryRecord; leaseId?: string }[]): Promise<number> {
    const { store, clock, logger } = this.deps;
    let count = 0;
    await inParallel(held, UNPARK_CONCURRENCY, async ({ delivery, leaseId }) => {
      this.settle(delivery, false);
      const done = leaseId ? await store.deliveries.holdForBudget(delivery, leaseId, clock()) : await store.deliveries.park(delivery, clock(), BUDGET_HOLD_REASON);
      if (done) count += 1;
    });
    const byCounty = new Map<string, DeliveryRecord[]>();
    for (const { delivery } of held) byCounty.set(delivery.county, [...(byCounty.get(delivery.county) ?? []), delivery]);
    for (const [county, deliveries] of byCounty) {
      const budget = await this.budgetOf(county);
      const stop = budget.stop ?? { month: budget.month, since: clock().toISOString(), neededMicroUsd: 0, spentMicroUsd: 0, budgetMicroUsd: budget.budgetMicroUsd ?? 0 };
      const notices = [...new Map(deliveries.map((delivery) => [heldNoticeKey(delivery), delivery])).values()];
      await store.smsBudget.hold(county, notices, stop);
      if (!this.logged.has(county)) {
        this.logged.add(county);
        // An error line: the log metric filter on the dispatcher's errors raises the alarm.
        logger.error(ALARM_LINES.smsBudgetReached, { county, month: stop.month, spentMicroUsd: stop.spentMicroUsd, budgetMicroUsd: stop.budgetMicroUsd, neededMicroUsd: stop.neededMicroUsd, held: deliveries.length, notices: notices.length });
      }
    }
    return count;
  }

  /**
   * Held counties whose month has turned or whose budget was raised: their held notices' SMS go
   * back in the due index (those still within their late window go out; the rest expire as usual).
   * A notice staff paused meanwhile stays parked until they resume it.
   */
  async resumeHeld(hasTime: () => boolean): Promise<number> {
    const { store, clock, logger } = this.deps;
    let resumed = 0;
    for (const held of await store.smsBudget.countiesOnHold()) {
      if (!hasTime()) break;
      const budget = await this.budgetOf(held.county);
      const spend = await store.smsBudget.spend(held.county, budget.month, { consistent: true });
      if (held.stop && !budgetReopened(held.stop, { month: budget.month, spentMicroUsd: spend.spentMicroUsd, budgetMicroUsd: budget.budgetMicroUsd })) {
        // Still stopped: this run holds the county's SMS as they come due instead of claiming them.
        if (held.stop.month === budget.month) budget.stop = held.stop;
        continue;
      }
      const done: string[] = [];
      for (const key of held.heldNotices ?? []) {
        if (!hasTime()) break;
        const [campaignId = '', noticeId = ''] = key.split('/');
        const notice = await store.notices.get(held.county, campaignId, noticeId, { consistent: true });
        if (notice?.state === 'scheduled') {
          const parked = (await store.deliveries.pendingOfNotice(held.county, campaignId, noticeId)).filter((delivery) => delivery.parked);
          const unparked = await inParallel(parked, UNPARK_CONCURRENCY, (delivery) => store.deliveries.unpark(delivery, clock()));
          resumed += unparked.filter(Boolean).length;
        }
        done.push(key);
      }
      const released = await store.smsBudget.release(held.county, done, held.holdVersion ?? 0);
      budget.stop = undefined;
      logger.info('sms budget open again: held SMS resumed', { county: held.county, month: budget.month, notices: done.length, resumed, released });
    }
    return resumed;
  }
}
