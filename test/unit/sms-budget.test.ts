import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultFailureThreshold, failureTrip } from '../../functions/domain/failure-guard.js';
import {
  budgetMonth,
  budgetReopened,
  budgetView,
  fittingPrefix,
  microUsdFromYuan,
  nextMonthStartLocal,
  noticeCost,
  smsBudgetInputSchema,
  smsEstimateMicroUsd,
  type BudgetStop,
} from '../../functions/domain/sms-budget.js';

const RATE = 7.2;

describe('the budget month', () => {
  it('is the county’s calendar month in its own time zone, not UTC’s', () => {
    expect(budgetMonth(new Date('2031-03-31T15:59:59Z'), 'Asia/Shanghai')).toBe('2031-03');
    expect(budgetMonth(new Date('2031-03-31T16:00:00Z'), 'Asia/Shanghai')).toBe('2031-04');
    expect(budgetMonth(new Date('2031-03-31T16:00:00Z'), 'UTC')).toBe('2031-03');
  });

  it('turns over into the next year after December', () => {
    expect(nextMonthStartLocal('2031-12')).toBe('2032-01-01');
    expect(nextMonthStartLocal('2031-03')).toBe('2031-04-01');
  });
});

describe('reserving spend', () => {
  it('grants the longest prefix that fits the room, never more', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 100_000 }), { maxLength: 50 }), fc.integer({ min: 0, max: 2_000_000 }), (amounts, room) => {
        const granted = fittingPrefix(amounts, room);
        const used = amounts.slice(0, granted).reduce((sum, amount) => sum + amount, 0);
        expect(used).toBeLessThanOrEqual(room);
        const next = amounts[granted];
        if (next !== undefined) expect(used + next).toBeGreaterThan(room);
      }),
    );
  });

  it('costs an SMS at what was fixed at scheduling, rounded up, and an older notice at its segments and the default price', () => {
    expect(smsEstimateMicroUsd({ smsCostYuan: 0.045 }, RATE)).toBe(6250);
    expect(smsEstimateMicroUsd({ smsCostYuan: 0.1 }, RATE)).toBe(13889);
    expect(smsEstimateMicroUsd({ smsText: '【天全普法】今天是国家宪法日。回T退订' }, RATE)).toBe(6250);
  });

  it('never counts a budget in yuan as more dollars than it is', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1_000_000, noNaN: true }), fc.double({ min: 1, max: 20, noNaN: true }), (yuan, rate) => {
        expect(microUsdFromYuan(yuan, rate) / 1_000_000).toBeLessThanOrEqual(yuan / rate);
      }),
    );
  });
});

describe('a budget stop', () => {
  const stop: BudgetStop = { month: '2031-03', since: '2031-03-15T01:00:00Z', neededMicroUsd: 6250, spentMicroUsd: 25_000, budgetMicroUsd: 27_777 };

  it('holds while the room left cannot pay for the SMS that did not fit', () => {
    expect(budgetReopened(stop, { month: '2031-03', spentMicroUsd: 25_000, budgetMicroUsd: 27_777 })).toBe(false);
  });

  it('lifts when the budget is raised enough, taken away, or the month turns', () => {
    expect(budgetReopened(stop, { month: '2031-03', spentMicroUsd: 25_000, budgetMicroUsd: 31_250 })).toBe(true);
    expect(budgetReopened(stop, { month: '2031-03', spentMicroUsd: 25_000, budgetMicroUsd: undefined })).toBe(true);
    expect(budgetReopened(stop, { month: '2031-04', spentMicroUsd: 0, budgetMicroUsd: 27_777 })).toBe(true);
  });

  it('does not lift in a new month whose budget is zero', () => {
    expect(budgetReopened(stop, { month: '2031-04', spentMicroUsd: 0, budgetMicroUsd: 0 })).toBe(false);
  });

  it('reads, on the dashboard, why SMS stopped and when they resume, and that broadcasts go on', () => {
    const view = budgetView({ month: '2031-03', countyYuan: 0.2, defaultYuan: undefined, spend: { month: '2031-03', spentMicroUsd: 25_000, realMicroUsd: 0, sms: 4, receipts: 0 }, stop, heldNotices: 1, yuanPerUsd: RATE });
    expect(view.stopped).toBe(true);
    expect(view.reason).toContain('本月短信预算已用完');
    expect(view.reason).toContain('2031-04-01');
    expect(view.reason).toContain('广播不受影响');
    expect(view.remainingYuan).toBe(0.02);
  });

  it('is not shown once the budget has room again', () => {
    const view = budgetView({ month: '2031-03', countyYuan: 10, defaultYuan: 1, spend: { month: '2031-03', spentMicroUsd: 25_000, realMicroUsd: 0, sms: 4, receipts: 0 }, stop, heldNotices: 1, yuanPerUsd: RATE });
    expect(view).toMatchObject({ stopped: false, source: 'county', monthlyYuan: 10 });
    expect(view.reason).toBeUndefined();
  });
});

describe('the budget a county sets', () => {
  it('takes yuan, or null for the deployment’s default; nothing else', () => {
    expect(smsBudgetInputSchema.parse({ monthlyYuan: 500 })).toEqual({ monthlyYuan: 500 });
    expect(smsBudgetInputSchema.parse({ monthlyYuan: null })).toEqual({ monthlyYuan: null });
    for (const bad of [{}, { monthlyYuan: -1 }, { monthlyYuan: '500' }, { monthlyYuan: 1e8 }, { monthlyYuan: 5, county: 'other' }]) {
      expect(smsBudgetInputSchema.safeParse(bad).success).toBe(false);
    }
  });
});

describe('a notice’s total', () => {
  it('is audience × sends × cost per person, warned when it passes what is left', () => {
    expect(noticeCost({ recipients: 1000, sends: 2, segments: 1, costPerRecipientYuan: 0.045, yuanPerUsd: RATE, remainingYuan: 50 })).toMatchObject({
      messages: 2000,
      totalYuan: 90,
      totalUsd: 12.5,
      exceedsRemaining: true,
    });
    expect(noticeCost({ recipients: 10, sends: 1, segments: 2, costPerRecipientYuan: 0.09, yuanPerUsd: RATE, remainingYuan: undefined }).exceedsRemaining).toBe(false);
  });
});

describe('the failure guard', () => {
  const threshold = { failures: 25, percent: 20, minAttempts: 50 };

  it('never trips before the minimum attempts, below the count or below the share', () => {
    fc.assert(
      fc.property(fc.nat(500), fc.nat(500), fc.nat(500), (sent, failed, undelivered) => {
        const counts = { sent, failed, undelivered: Math.min(undelivered, sent) };
        const trip = failureTrip(counts, threshold);
        const attempts = sent + failed;
        const failures = failed + counts.undelivered;
        const should = attempts >= 50 && failures >= 25 && failures * 100 >= 20 * attempts;
        expect(trip !== undefined).toBe(should);
      }),
    );
  });

  it('trips on a template the carrier refuses, with the numbers in its reason', () => {
    const trip = failureTrip({ sent: 0, failed: 50, undelivered: 0 }, defaultFailureThreshold);
    expect(trip).toMatchObject({ failures: 50, attempts: 50, percent: 100 });
    expect(trip?.reason).toContain('失败过多，系统已自动暂停');
  });

  it('counts undelivered receipts as failures', () => {
    expect(failureTrip({ sent: 60, failed: 0, undelivered: 30 }, threshold)?.failures).toBe(30);
  });

  it('counts afresh from the baseline staff resumed at', () => {
    const baseline = { sent: 0, failed: 50, undelivered: 0 };
    expect(failureTrip({ sent: 40, failed: 52, undelivered: 0 }, threshold, baseline)).toBeUndefined();
  });

  it('is off at zero failures', () => {
    expect(failureTrip({ sent: 0, failed: 1000, undelivered: 0 }, { ...threshold, failures: 0 })).toBeUndefined();
  });
});
