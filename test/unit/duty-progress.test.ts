/**
 * Progress of the responsibility list's duties on a given date: what counts for a duty, the even
 * pace it is judged by, and its state.
 */
import { describe, expect, it } from 'vitest';
import { dutyProgress } from '../../functions/domain/duty-progress.js';
import type { Responsibility } from '../../functions/domain/plan.js';
import { anActivity } from '../support/builders.js';

const march: Responsibility = { department: 'shichang', duty: '3·15 宣传', kinds: ['event', 'consultation'], themes: ['consumer-rights'], targets: { activities: 4, participants: 400 }, months: [3] };

describe('a duty’s progress on a date', () => {
  it('counts the activities of its department, kinds, themes and months up to the date, against an even pace', () => {
    const activities = [
      anActivity({ date: '2031-03-02' }),
      anActivity({ date: '2031-03-09', kind: 'consultation', participants: 50 }),
      anActivity({ date: '2031-03-12', kind: 'banner' }), // not one of its kinds
      anActivity({ date: '2031-03-13', theme: 'constitution' }), // not one of its themes
      anActivity({ date: '2031-03-14', departments: ['sifa'] }), // another department's
      anActivity({ date: '2031-04-02' }), // outside its months
      anActivity({ date: '2031-03-20' }), // after the date asked about
    ];
    const [progress] = dutyProgress(2031, [march], activities, '2031-03-16');
    // Activities keep pace (2 of 4 by mid-month); participants do not (150 where 206 were due): behind.
    expect(progress).toMatchObject({ from: '2031-03-01', to: '2031-03-31', state: 'behind' });
    expect(progress?.elapsed).toBeCloseTo(16 / 31, 5);
    expect(progress?.measures).toEqual([
      { measure: 'activities', target: 4, done: 2, percent: 50, expected: 2 },
      { measure: 'participants', target: 400, done: 150, percent: 37, expected: 206 },
    ]);
  });

  it('is behind when a measure trails the even pace, overdue past its time unmet, done once every target is met', () => {
    const two = [anActivity({ date: '2031-03-02' }), anActivity({ date: '2031-03-03' })];
    expect(dutyProgress(2031, [{ ...march, targets: { activities: 4 } }], two, '2031-03-25')[0]?.state).toBe('behind');
    expect(dutyProgress(2031, [{ ...march, targets: { activities: 4 } }], two, '2031-04-01')[0]?.state).toBe('overdue');
    expect(dutyProgress(2031, [{ ...march, targets: { activities: 2 } }], two, '2031-03-05')[0]?.state).toBe('done');
    expect(dutyProgress(2031, [{ ...march, targets: { activities: 2 } }], [], '2031-02-20')[0]?.state).toBe('not-started');
  });

  it('ends at its deadline, and without months runs the whole year', () => {
    const [byDeadline] = dutyProgress(2031, [{ ...march, deadline: '2031-03-15' }], [anActivity({ date: '2031-03-20' })], '2031-03-31');
    expect(byDeadline).toMatchObject({ to: '2031-03-15', state: 'overdue' });
    expect(byDeadline?.measures[0]?.done).toBe(0);
    const [yearLong] = dutyProgress(2031, [{ department: 'shichang', duty: '全年', targets: { materials: 1000 } }], [anActivity({ date: '2031-07-01', materials: [{ kind: '手册', count: 600 }] })], '2031-07-02');
    expect(yearLong).toMatchObject({ from: '2031-01-01', to: '2031-12-31', state: 'on-track' });
    expect(yearLong?.measures).toEqual([{ measure: 'materials', target: 1000, done: 600, percent: 60, expected: Math.floor((1000 * 183) / 365) }]);
  });
});
