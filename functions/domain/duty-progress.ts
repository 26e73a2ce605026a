/**
 * @module domain/duty-progress
 * How far each department's duty of the year's responsibility list (普法责任清单) has come on a
 * given date: what its activities add up to against each target, what share of the duty's time
 * has passed, and so whether it is done, on track, behind or overdue. Pure.
 *
 * A duty's time is its months (default the whole year), cut at its deadline. What counts for it:
 * the activities that name its department, dated in its time and not after the date asked about,
 * of its kinds and themes when it lists any. "Behind" compares with an even pace: by the time
 * half the duty's days have passed, half of each target should be done.
 */
import { DateTime } from 'luxon';
import type { ActivityRecord } from './activity.js';
import type { Responsibility } from './plan.js';

export const dutyMeasures = ['activities', 'participants', 'materials'] as const;
export type DutyMeasure = (typeof dutyMeasures)[number];

export type DutyState = 'not-started' | 'on-track' | 'behind' | 'done' | 'overdue';

export interface MeasureProgress {
  measure: DutyMeasure;
  target: number;
  done: number;
  /** done / target, in whole percent (capped at neither end: 130 means over-fulfilled). */
  percent: number;
  /** What an even pace would have done by the date. */
  expected: number;
}

export interface DutyProgress {
  /** The duty's place in the list. */
  index: number;
  department: string;
  duty: string;
  /** The duty's first and last day (local dates). */
  from: string;
  to: string;
  /** Share of the duty's days passed by the date, 0 to 1. */
  elapsed: number;
  measures: MeasureProgress[];
  state: DutyState;
}

const materialsOf = (activity: Pick<ActivityRecord, 'materials'>) => activity.materials.reduce((sum, material) => sum + material.count, 0);

/** The duty's days: each listed month's days (or every day of the year), up to its deadline. */
function dutyDays(year: number, duty: Pick<Responsibility, 'months' | 'deadline'>): string[] {
  const months = duty.months ? [...new Set(duty.months)].sort((a, b) => a - b) : Array.from({ length: 12 }, (_, index) => index + 1);
  const days: string[] = [];
  for (const month of months) {
    const first = DateTime.fromObject({ year, month, day: 1 });
    for (let day = 0; day < (first.daysInMonth ?? 0); day += 1) days.push(first.plus({ days: day }).toISODate() ?? '');
  }
  return duty.deadline === undefined ? days : days.filter((day) => day <= (duty.deadline ?? ''));
}

export function dutyProgress(year: number, duties: readonly Responsibility[], activities: readonly ActivityRecord[], on: string): DutyProgress[] {
  return duties.map((duty, index) => {
    const days = dutyDays(year, duty);
    const inTime = new Set(days);
    const from = days[0] ?? `${year}-01-01`;
    const to = days.at(-1) ?? from;
    const passed = days.filter((day) => day <= on).length;
    const elapsed = days.length === 0 ? 1 : passed / days.length;
    const counted = activities.filter(
      (activity) =>
        (activity.departments ?? []).includes(duty.department) &&
        inTime.has(activity.date) &&
        activity.date <= on &&
        (duty.kinds === undefined || duty.kinds.includes(activity.kind)) &&
        (duty.themes === undefined || duty.themes.includes(activity.theme)),
    );
    const done: Record<DutyMeasure, number> = {
      activities: counted.length,
      participants: counted.reduce((sum, activity) => sum + activity.participants, 0),
      materials: counted.reduce((sum, activity) => sum + materialsOf(activity), 0),
    };
    const measures = dutyMeasures.flatMap((measure): MeasureProgress[] => {
      const target = duty.targets[measure];
      if (target === undefined) return [];
      return [{ measure, target, done: done[measure], percent: target === 0 ? 100 : Math.floor((done[measure] / target) * 100), expected: Math.floor(target * elapsed) }];
    });
    return { index, department: duty.department, duty: duty.duty, from, to, elapsed, measures, state: stateOf(measures, on, from, to) };
  });
}

function stateOf(measures: readonly MeasureProgress[], on: string, from: string, to: string): DutyState {
  if (measures.every((measure) => measure.done >= measure.target)) return 'done';
  if (on > to) return 'overdue';
  if (on < from) return 'not-started';
  return measures.some((measure) => measure.done < measure.expected) ? 'behind' : 'on-track';
}

export const dutyStateLabels: Record<DutyState, string> = {
  'not-started': '未开始',
  'on-track': '进度正常',
  behind: '进度滞后',
  done: '已完成',
  overdue: '逾期未完成',
};
