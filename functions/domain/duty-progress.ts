/**
 * @module domain/duty-progress
 * How far each department's duty of the year's responsibility list (普法责任清单) has come on a
 * given date: what its activities add up to against each target, what share of the duty's time
 * has passed, and so whether it is done, on track, behind or overdue. Pure.
 *
 * A duty's time is its months (default the whole year), cut at its deadline. What counts for it:
 * the activities that name its department, dated in its time and not after the date asked about,
 * of its kinds and themes when it lists any. The even pace and the states are domain/pace's.
 */
import type { ActivityRecord } from './activity.js';
import { figuresOf, measures, paceProgress, periodDays, progressStateLabels, type Measure, type MeasureProgress, type PaceProgress, type ProgressState } from './pace.js';
import type { Responsibility } from './plan.js';

export const dutyMeasures = measures;
export type DutyMeasure = Measure;
export type DutyState = ProgressState;
export type { MeasureProgress };
export const dutyStateLabels = progressStateLabels;

export interface DutyProgress extends PaceProgress {
  /** The duty's place in the list. */
  index: number;
  department: string;
  duty: string;
}

export function dutyProgress(year: number, duties: readonly Responsibility[], activities: readonly ActivityRecord[], on: string): DutyProgress[] {
  return duties.map((duty, index) => {
    const days = periodDays(year, duty.months, duty.deadline);
    const inTime = new Set(days);
    const counted = activities.filter(
      (activity) =>
        (activity.departments ?? []).includes(duty.department) &&
        inTime.has(activity.date) &&
        activity.date <= on &&
        (duty.kinds === undefined || duty.kinds.includes(activity.kind)) &&
        (duty.themes === undefined || duty.themes.includes(activity.theme)),
    );
    const { from, to, elapsed, measures: judged, state } = paceProgress(year, duty.targets, figuresOf(counted), days, on);
    return { index, department: duty.department, duty: duty.duty, from, to, elapsed, measures: judged, state };
  });
}
