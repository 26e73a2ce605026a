/**
 * The yearly responsibility list (普法责任清单) in the plan file: its schema and its check against
 * the plan and the registry.
 */
import { describe, expect, it } from 'vitest';
import { checkPlan, planFileSchema, planYearFromFile } from '../../functions/domain/plan.js';
import { aPlan, sampleRegistry } from '../support/planning.js';

const duty = (overrides: Record<string, unknown> = {}) => ({ department: 'sifa', duty: '开展宪法宣传', targets: { activities: 12 }, ...overrides });
const planWith = (...responsibilities: Record<string, unknown>[]) => planFileSchema.parse({ ...aPlan(), responsibilities });
const check = (plan: ReturnType<typeof planWith>) => checkPlan(plan, { timeZone: 'Asia/Shanghai', registry: sampleRegistry() });

describe('the responsibility list in a plan', () => {
  it('passes duties of the registry’s departments, with themes of the year, months and a deadline in the year', () => {
    expect(check(planWith(duty(), duty({ department: 'shichang', themes: ['consumer-rights'], kinds: ['event'], months: [3], deadline: '2031-03-31', targets: { participants: 3000 } })))).toEqual([]);
  });

  it('names an unknown department, an unknown theme, a deadline in another year and a month listed twice', () => {
    const problems = check(planWith(duty({ department: 'nobody' }), duty({ themes: ['no-such-theme'], deadline: '2032-01-31', months: [3, 3] })));
    expect(problems).toEqual([
      { path: ['responsibilities', 0, 'department'], message: expect.stringContaining('unknown department "nobody"') },
      { path: ['responsibilities', 1, 'themes', 0], message: 'unknown theme "no-such-theme"' },
      { path: ['responsibilities', 1, 'deadline'], message: "must be in the plan's year 2031" },
      { path: ['responsibilities', 1, 'months', 1], message: 'this month is listed twice' },
    ]);
  });

  it('names a deadline before the duty’s first month: such a duty would have no days', () => {
    expect(check(planWith(duty({ months: [6, 7], deadline: '2031-05-31' })))).toEqual([
      { path: ['responsibilities', 0, 'deadline'], message: "2031-05-31 is before the duty's first month (6): it would have no days" },
    ]);
  });

  it('refuses a duty without a target, a month 13 and an unknown kind of activity, naming the field', () => {
    const parsed = planFileSchema.safeParse({ ...aPlan(), responsibilities: [duty({ targets: {} }), duty({ months: [13] }), duty({ kinds: ['parade'] })] });
    expect(parsed.success).toBe(false);
    const paths = parsed.error?.issues.map((issue) => issue.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['responsibilities.0.targets', 'responsibilities.1.months.0', 'responsibilities.2.kinds.0']));
  });

  it('is kept with the year’s plan, and a plan without one keeps the hash it had', () => {
    const now = new Date('2030-12-01T00:00:00Z');
    const without = planYearFromFile(aPlan(), 'c', 'Asia/Shanghai', now, 1);
    expect(without).not.toHaveProperty('responsibilities');
    const withList = planYearFromFile(planWith(duty()), 'c', 'Asia/Shanghai', now, 1);
    expect(withList.responsibilities).toEqual([{ department: 'sifa', duty: '开展宪法宣传', targets: { activities: 12 } }]);
    expect(withList.planHash).not.toBe(without.planHash);
  });
});
