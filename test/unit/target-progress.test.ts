/**
 * The plan's targets (`targets:`): the file's shape and its check against the registry, and each
 * target's progress on a given date, for the year and for a month of its own.
 */
import { describe, expect, it } from 'vitest';
import type { ActivityRecord } from '../../functions/domain/activity.js';
import { checkPlan, planFileSchema, planYearFromFile } from '../../functions/domain/plan.js';
import { targetProgress } from '../../functions/domain/target-progress.js';
import { readYaml } from '../../functions/domain/yaml-source.js';
import { anActivity } from '../support/builders.js';
import { aPlan, sampleRegistry } from '../support/planning.js';

const anActivityOn = (date: string, overrides: Partial<ActivityRecord> = {}) => anActivity({ date, ...overrides });

const planWith = (targets: unknown) => planFileSchema.parse({ ...aPlan(), targets });
const check = (targets: unknown) => checkPlan(planWith(targets), { timeZone: 'Asia/Shanghai', registry: sampleRegistry() });

describe('targets in a plan', () => {
  it('passes the county’s, townships’ and departments’ targets of the registry, with months', () => {
    expect(check({ county: { activities: 120, months: { 3: { activities: 20 }, 12: { activities: 20 } } }, townships: { chengxiang: { participants: 5000 } }, departments: { sifa: { materials: 3000 } } })).toEqual([]);
  });

  it('names an unknown township and department, a month outside 1-12, and months adding up to more than the year', () => {
    expect(check({ county: { activities: 30, months: { 13: { activities: 1 }, 3: { activities: 20 }, 4: { activities: 20 } } }, townships: { atlantis: { activities: 1 } }, departments: { nobody: { activities: 1 } } })).toEqual([
      { path: ['targets', 'county', 'months', '13'], message: 'unknown month "13": months are 1 to 12' },
      { path: ['targets', 'county', 'months'], message: expect.stringContaining("add up to 41, more than the year's 30") },
      { path: ['targets', 'townships', 'atlantis'], message: expect.stringContaining('unknown township "atlantis"') },
      { path: ['targets', 'departments', 'nobody'], message: expect.stringContaining('unknown department "nobody"') },
    ]);
  });

  it('refuses a target without a yearly measure and a misspelt measure, naming the field', () => {
    const issues = (targets: unknown) => planFileSchema.safeParse({ ...aPlan(), targets }).error?.issues.map((issue) => [issue.path.join('.'), issue.message]);
    expect(issues({ county: { months: { 3: { activities: 2 } } } })).toEqual([['targets.county', expect.stringContaining('at least one yearly target')]]);
    expect(issues({ townships: { chengxiang: { activites: 3, activities: 4 } } })).toEqual([['targets.townships.chengxiang', expect.stringContaining('activites')]]);
  });

  it('reports a township named twice with its line, as the YAML reader refuses a repeated key', async () => {
    const text = ['targets:', '  townships:', '    chengxiang: { activities: 3 }', '    chengxiang: { activities: 4 }', ''].join('\n');
    const read = await readYaml(planFileSchema, text, 'plan.yaml');
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.problems[0]).toMatchObject({ line: 4, message: expect.stringMatching(/unique/i) });
  });

  it('is kept with the year’s plan, so changing it changes the year plan’s hash', () => {
    const now = new Date('2030-12-01T00:00:00Z');
    const without = planYearFromFile(aPlan(), 'c', 'Asia/Shanghai', now, 1);
    expect(without).not.toHaveProperty('targets');
    const withTargets = planYearFromFile(planWith({ county: { activities: 12 } }), 'c', 'Asia/Shanghai', now, 1);
    expect(withTargets.targets).toEqual({ county: { activities: 12 } });
    expect(withTargets.planHash).not.toBe(without.planHash);
    expect(planYearFromFile(planWith({ county: { activities: 13 } }), 'c', 'Asia/Shanghai', now, 1).planHash).not.toBe(withTargets.planHash);
  });
});

describe('a target’s progress on a date', () => {
  const targets = { county: { activities: 4, participants: 400 }, townships: { chengxiang: { activities: 2 }, shiyang: { activities: 2 } }, departments: { shichang: { activities: 3 } } };
  // 2031-07-02 is day 183 of 365: an even pace has half of each target done by then.
  const firstHalf = [anActivityOn('2031-02-01'), anActivityOn('2031-05-01', { township: 'shiyang', departments: [] })];

  it('has not started before the year, with nothing expected', () => {
    const progress = targetProgress(2031, 'c', targets, firstHalf, '2030-12-31');
    expect(progress.county).toMatchObject({ scope: 'county', id: 'c', from: '2031-01-01', to: '2031-12-31', elapsed: 0, state: 'not-started' });
    expect(progress.county?.measures[0]).toEqual({ measure: 'activities', target: 4, done: 0, percent: 0, expected: 0 });
  });

  it('is on track at the even pace and behind below it, mid-year', () => {
    const progress = targetProgress(2031, 'c', targets, firstHalf, '2031-07-02');
    expect(progress.county?.state).toBe('on-track');
    expect(progress.county?.measures).toEqual([
      { measure: 'activities', target: 4, done: 2, percent: 50, expected: 2 },
      { measure: 'participants', target: 400, done: 200, percent: 50, expected: 200 },
    ]);
    // The department's activities name it; the one without departments does not count for it.
    expect(progress.departments).toEqual([expect.objectContaining({ id: 'shichang', state: 'on-track', measures: [{ measure: 'activities', target: 3, done: 1, percent: 33, expected: 1 }] })]);
    expect(progress.townships.map((township) => [township.id, township.state, township.measures[0]?.done])).toEqual([
      ['chengxiang', 'on-track', 1],
      ['shiyang', 'on-track', 1],
    ]);
    expect(targetProgress(2031, 'c', { county: { activities: 10 } }, firstHalf, '2031-07-02').county).toMatchObject({ state: 'behind', measures: [{ done: 2, expected: 5, percent: 20 }] });
  });

  it('is done once every yearly target is met, even before the year ends, and counts up to the date only', () => {
    const all = [...firstHalf, anActivityOn('2031-08-01'), anActivityOn('2031-09-01'), anActivityOn('2031-10-01')];
    expect(targetProgress(2031, 'c', targets, all, '2031-08-15').county).toMatchObject({ state: 'on-track', measures: [{ done: 3 }, { done: 300 }] });
    expect(targetProgress(2031, 'c', targets, all, '2031-09-30').county).toMatchObject({ state: 'done', measures: [{ done: 4 }, { done: 400 }] });
    expect(targetProgress(2031, 'c', { county: { activities: 4 } }, all, '2031-09-30').county).toMatchObject({ state: 'done', measures: [{ done: 4, percent: 100 }] });
    expect(targetProgress(2031, 'c', { county: { activities: 4 } }, all, '2031-12-01').county?.measures[0]).toMatchObject({ done: 5, percent: 125 });
  });

  it('is overdue after the year unmet', () => {
    const progress = targetProgress(2031, 'c', targets, firstHalf, '2032-01-05');
    expect(progress.county).toMatchObject({ state: 'overdue', elapsed: 1, measures: [{ expected: 4 }, { expected: 400 }] });
    expect(progress.townships[0]?.state).toBe('overdue');
  });

  it('judges each month’s own target over that month', () => {
    const march = [anActivityOn('2031-03-02'), anActivityOn('2031-03-20'), anActivityOn('2031-04-01')];
    const target = { county: { activities: 10, months: { 4: { activities: 1 }, 3: { activities: 4 } } } };
    const [first, second] = targetProgress(2031, 'c', target, march, '2031-03-16').county?.months ?? [];
    expect(first).toMatchObject({ month: 3, from: '2031-03-01', to: '2031-03-31', state: 'behind', measures: [{ measure: 'activities', target: 4, done: 1, percent: 25, expected: Math.floor((4 * 16) / 31) }] });
    expect(second).toMatchObject({ month: 4, state: 'not-started', measures: [{ done: 0, expected: 0 }] });
    const later = targetProgress(2031, 'c', target, march, '2031-04-10').county?.months ?? [];
    expect(later.map((month) => month.state)).toEqual(['overdue', 'done']);
  });
});

describe('the even pace’s arithmetic', () => {
  it('divides last, so whole percents and expected figures are not a floating-point hair short', async () => {
    const { paceProgress, periodDays } = await import('../../functions/domain/pace.js');
    const days = periodDays(2031, undefined);
    const done = (activities: number) => ({ activities, participants: 0, materials: 0 });
    // (29 / 100) * 100 is 28.999… in floating point; 57 likewise.
    expect(paceProgress(2031, { activities: 100 }, done(29), days, '2031-06-30').measures[0]?.percent).toBe(29);
    expect(paceProgress(2031, { activities: 100 }, done(57), days, '2031-06-30').measures[0]?.percent).toBe(57);
    // 365 over the year's 365 days: 12 by the twelfth day, not 11.
    expect(paceProgress(2031, { activities: 365 }, done(0), days, '2031-01-12').measures[0]?.expected).toBe(12);
  });
});
