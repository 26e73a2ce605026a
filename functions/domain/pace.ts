/**
 * @module domain/pace
 * Progress against a target on a given date, judged by an even pace: by the time half a period's
 * days have passed, half of each target should be done. Shared by the responsibility list's
 * duties (duty-progress) and the plan's targets for the county, townships and departments
 * (target-progress): the measures, the period's days, what activities add up to, and the states
 * 未开始 / 进度正常 / 进度滞后 / 已完成 / 逾期未完成. Pure.
 */
import { DateTime } from 'luxon';
import type { ActivityRecord } from './activity.js';

export const measures = ['activities', 'participants', 'materials'] as const;
export type Measure = (typeof measures)[number];
export type MeasureTargets = Partial<Record<Measure, number>>;

/** How a measure is counted, for bars and tables: 120 场次, 5000 人次, 3000 份. */
export const measureUnits: Record<Measure, string> = { activities: '场次', participants: '人次', materials: '份' };
export const measureLabels: Record<Measure, string> = { activities: '活动', participants: '受众', materials: '资料' };

export type ProgressState = 'not-started' | 'on-track' | 'behind' | 'done' | 'overdue';

export const progressStateLabels: Record<ProgressState, string> = {
  'not-started': '未开始',
  'on-track': '进度正常',
  behind: '进度滞后',
  done: '已完成',
  overdue: '逾期未完成',
};

export interface MeasureProgress {
  measure: Measure;
  target: number;
  done: number;
  /** done / target, in whole percent (capped at neither end: 130 means over-fulfilled). */
  percent: number;
  /** What an even pace would have done by the date. */
  expected: number;
}

/** A period judged on a date: its first and last day, the share of it passed, each measure, and its state. */
export interface PaceProgress {
  from: string;
  to: string;
  /** Share of the period's days passed by the date, 0 to 1. */
  elapsed: number;
  measures: MeasureProgress[];
  state: ProgressState;
}

const materialsOf = (activity: Pick<ActivityRecord, 'materials'>) => activity.materials.reduce((sum, material) => sum + material.count, 0);

/** What activities add up to, by measure. */
export function figuresOf(activities: readonly ActivityRecord[]): Record<Measure, number> {
  return {
    activities: activities.length,
    participants: activities.reduce((sum, activity) => sum + activity.participants, 0),
    materials: activities.reduce((sum, activity) => sum + materialsOf(activity), 0),
  };
}

/** A period's days (local dates): each listed month's days (or every day of the year), up to a deadline. */
export function periodDays(year: number, months: readonly number[] | undefined, deadline?: string): string[] {
  const listed = months ? [...new Set(months)].sort((a, b) => a - b) : Array.from({ length: 12 }, (_, index) => index + 1);
  const days: string[] = [];
  for (const month of listed) {
    const first = DateTime.fromObject({ year, month, day: 1 });
    for (let day = 0; day < (first.daysInMonth ?? 0); day += 1) days.push(first.plus({ days: day }).toISODate() ?? '');
  }
  return deadline === undefined ? days : days.filter((day) => day <= deadline);
}

/**
 * Each target against what was done, on the date `on`, over the period `days`. `done` counts
 * only what fell in the period up to `on`; the caller filters.
 */
export function paceProgress(year: number, targets: MeasureTargets, done: Record<Measure, number>, days: readonly string[], on: string): PaceProgress {
  const from = days[0] ?? `${year}-01-01`;
  const to = days.at(-1) ?? from;
  const passed = days.filter((day) => day <= on).length;
  const elapsed = days.length === 0 ? 1 : passed / days.length;
  const judged = measures.flatMap((measure): MeasureProgress[] => {
    const target = targets[measure];
    if (target === undefined) return [];
    // Integers first, divided last: (29 / 100) * 100 is 28.999… in floating point.
    const expected = days.length === 0 ? target : Math.floor((target * passed) / days.length);
    return [{ measure, target, done: done[measure], percent: target === 0 ? 100 : Math.floor((done[measure] * 100) / target), expected }];
  });
  return { from, to, elapsed, measures: judged, state: stateOf(judged, on, from, to) };
}

/** The state of a whole period: done only when every target is met, behind when any trails the pace. */
function stateOf(judged: readonly MeasureProgress[], on: string, from: string, to: string): ProgressState {
  if (judged.every((measure) => measure.done >= measure.target)) return 'done';
  if (on > to) return 'overdue';
  if (on < from) return 'not-started';
  return judged.some((measure) => measure.done < measure.expected) ? 'behind' : 'on-track';
}

/** One measure's own state, for its bar: the same rules as the period's, for that measure alone. */
export function measureState(measure: MeasureProgress, period: Pick<PaceProgress, 'from' | 'to'>, on: string): ProgressState {
  return stateOf([measure], on, period.from, period.to);
}
