import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Invalid } from '../../functions/domain/errors.js';
import { checkWeChatQuota, type PlannedWeChatSend, type WeChatAudience } from '../../functions/domain/wechat-quota.js';

const ZONE = 'Asia/Shanghai';
let made = 0;
function aSend(at: string, audience: WeChatAudience = 'all'): PlannedWeChatSend {
  made += 1;
  return { at, audience, noticeRef: `n-${made}` };
}
const pad = (n: number) => String(n).padStart(2, '0');

describe('a subscription account (订阅号)', () => {
  it('may send once a day: one send is at the limit (a warning), two on one local day are a problem', () => {
    const first = aSend('2021-03-15T09:00');
    const second = aSend('2021-03-15T20:30');
    expect(checkWeChatQuota('subscription', [first], ZONE)).toEqual({
      problems: [],
      warnings: [expect.objectContaining({ period: 'day', date: '2021-03-15', noticeRefs: [first.noticeRef] })],
    });
    const check = checkWeChatQuota('subscription', [second, first], ZONE);
    expect(check.problems).toHaveLength(1);
    expect(check.problems[0]).toMatchObject({ date: '2021-03-15', noticeRefs: [first.noticeRef, second.noticeRef] });
    expect(check.problems[0]?.message).toBe(`2021-03-15 安排了 2 次群发（${first.noticeRef}、${second.noticeRef}）：订阅号每天只能群发 1 次`);
    expect(checkWeChatQuota('subscription', [first], ZONE).warnings[0]?.message).toBe(`2021-03-15 已有 1 次群发（${first.noticeRef}）：订阅号每天只能群发 1 次，当天不能再发`);
  });

  it('counts days in the county’s time zone, not UTC', () => {
    // 23:30 and 00:30 Beijing time are two days; in UTC both fall on the 15th.
    const check = checkWeChatQuota('subscription', [aSend('2021-03-15T23:30'), aSend('2021-03-16T00:30')], ZONE);
    expect(check.problems).toEqual([]);
    const utcInstants = checkWeChatQuota('subscription', [aSend('2021-03-15T15:30:00Z'), aSend('2021-03-15T16:30:00Z')], ZONE);
    expect(utcInstants.problems).toEqual([]);
    expect(utcInstants.warnings.map((w) => w.date)).toEqual(['2021-03-15', '2021-03-16']);
  });

  it('refuses a send time that is not a date-time, naming the send', () => {
    expect(() => checkWeChatQuota('subscription', [{ at: 'next Tuesday', audience: 'all', noticeRef: 'n-x' }], ZONE)).toThrow(Invalid);
  });
});

describe('a service account (服务号)', () => {
  it('lets each follower receive 4 sends a month: the 5th to the same audience is a problem', () => {
    const month = [1, 5, 9, 13].map((day) => aSend(`2021-03-${pad(day)}T09:00`));
    expect(checkWeChatQuota('service', month, ZONE).problems).toEqual([]);
    expect(checkWeChatQuota('service', month, ZONE).warnings).toEqual([expect.objectContaining({ period: 'month', date: '2021-03', audience: 'all' })]);
    const fifth = aSend('2021-03-28T09:00');
    const check = checkWeChatQuota('service', [...month, fifth], ZONE);
    expect(check.problems).toHaveLength(1);
    expect(check.problems[0]?.noticeRefs).toContain(fifth.noticeRef);
    expect(check.problems[0]?.message).toMatch(/^2021-03 全部粉丝将收到 5 次群发（.*）：服务号每位粉丝每月最多收到 4 次群发/);
  });

  it('counts a send to all against every tag, and tags apart from each other', () => {
    const sends = [aSend('2021-03-01T09:00', 'all'), aSend('2021-03-02T09:00', 'all'), ...[3, 4, 5].map((day) => aSend(`2021-03-0${day}T09:00`, { tagId: 7 })), aSend('2021-03-06T09:00', { tagId: 8 })];
    const check = checkWeChatQuota('service', sends, ZONE);
    expect(check.problems.map((p) => p.audience)).toEqual([{ tagId: 7 }]);
    expect(check.problems[0]?.message).toContain('标签 7 的粉丝将收到 5 次群发');
    expect(check.warnings).toEqual([]);
  });

  it('starts each calendar month afresh', () => {
    const sends = [25, 26, 27, 28].map((day) => aSend(`2021-03-${day}T09:00`)).concat([aSend('2021-04-01T09:00')]);
    expect(checkWeChatQuota('service', sends, ZONE).problems).toEqual([]);
  });
});

// ---- Properties ----

const day = fc.record({ month: fc.integer({ min: 1, max: 3 }), day: fc.integer({ min: 1, max: 28 }), hour: fc.integer({ min: 0, max: 23 }) });
const atOf = (d: { month: number; day: number; hour: number }) => `2021-${pad(d.month)}-${pad(d.day)}T${pad(d.hour)}:00`;

/** A subscription plan with at most one send on each local day. */
const subscriptionPlan = fc.uniqueArray(day, { selector: (d) => `${d.month}-${d.day}`, maxLength: 40 }).map((days) => days.map((d) => aSend(atOf(d))));

/** A service plan where, every month, sends to all plus sends to any one tag stay within 4. */
const servicePlan = fc
  .array(
    fc.record({
      month: fc.integer({ min: 1, max: 3 }),
      toAll: fc.integer({ min: 0, max: 4 }),
      tags: fc.array(fc.record({ tagId: fc.integer({ min: 1, max: 5 }), extra: fc.nat(4) }), { maxLength: 4 }),
      days: fc.array(fc.integer({ min: 1, max: 28 }), { minLength: 8, maxLength: 8 }),
    }),
    { maxLength: 3 },
  )
  .map((months) => {
    const seen = new Set<number>();
    const sends: PlannedWeChatSend[] = [];
    for (const plan of months) {
      if (seen.has(plan.month)) continue;
      seen.add(plan.month);
      const at = (i: number) => `2021-${pad(plan.month)}-${pad(plan.days[i % 8] ?? 1)}T${pad(i % 24)}:00`;
      let i = 0;
      for (let n = 0; n < plan.toAll; n += 1) sends.push(aSend(at((i += 1)), 'all'));
      const tagSends = new Map<number, number>();
      for (const tag of plan.tags) tagSends.set(tag.tagId, Math.min(tag.extra, 4 - plan.toAll));
      for (const [tagId, count] of tagSends) for (let n = 0; n < count; n += 1) sends.push(aSend(at((i += 1)), { tagId }));
    }
    return sends;
  });

describe('the quota check, as properties', () => {
  it('finds no problem in a subscription plan of at most one send a day', () => {
    fc.assert(fc.property(subscriptionPlan, (plan) => checkWeChatQuota('subscription', plan, ZONE).problems.length === 0));
  });

  it('always finds a problem when one more send goes on a day that has one', () => {
    fc.assert(
      fc.property(subscriptionPlan.filter((plan) => plan.length > 0), fc.nat(), fc.integer({ min: 0, max: 23 }), (plan, pick, hour) => {
        const chosen = plan[pick % plan.length];
        if (!chosen) return false;
        const extra = aSend(`${chosen.at.slice(0, 10)}T${pad(hour)}:30`);
        const problems = checkWeChatQuota('subscription', [...plan, extra], ZONE).problems;
        return problems.length === 1 && problems[0]?.date === chosen.at.slice(0, 10) && problems[0].noticeRefs.includes(extra.noticeRef);
      }),
    );
  });

  it('finds no problem in a service plan within 4 a month for every audience', () => {
    fc.assert(fc.property(servicePlan, (plan) => checkWeChatQuota('service', plan, ZONE).problems.length === 0));
  });

  it('always finds a problem when an audience at its 4 is sent one more in that month', () => {
    const audiences = fc.oneof(fc.constant<WeChatAudience>('all'), fc.integer({ min: 1, max: 5 }).map((tagId): WeChatAudience => ({ tagId })));
    fc.assert(
      fc.property(servicePlan, fc.integer({ min: 1, max: 3 }), audiences, (plan, month, audience) => {
        const inMonth = (send: PlannedWeChatSend) => send.at.startsWith(`2021-${pad(month)}`);
        const sameTag = (send: PlannedWeChatSend) => audience !== 'all' && send.audience !== 'all' && send.audience.tagId === audience.tagId;
        // Filling 'all' up to 4 would also fill every tag: drop that month's tag sends first, so the plan stays within the limits.
        const base = audience === 'all' ? plan.filter((send) => !inMonth(send) || send.audience === 'all') : plan;
        const reaches = (send: PlannedWeChatSend) => inMonth(send) && (send.audience === 'all' || sameTag(send));
        const atLimit = [...base];
        while (atLimit.filter(reaches).length < 4) atLimit.push(aSend(`2021-${pad(month)}-20T10:00`, audience));
        expect(checkWeChatQuota('service', atLimit, ZONE).problems).toEqual([]);
        const extra = aSend(`2021-${pad(month)}-21T10:00`, audience);
        const problems = checkWeChatQuota('service', [...atLimit, extra], ZONE).problems;
        expect(problems.length).toBeGreaterThan(0);
        for (const problem of problems) {
          expect(problem.date).toBe(`2021-${pad(month)}`);
          expect(problem.noticeRefs).toContain(extra.noticeRef);
        }
      }),
    );
  });
});
