/**
 * @module domain/target-progress
 * How far the plan's targets (`targets:`) have come on a given date: the county's, each
 * township's and each department's, for the year and for each month that has its own target.
 * What counts: the year's activities up to the date — all of them for the county, a township's
 * own, and those naming a department (each named department gets the whole activity, as in the
 * tallies). The even pace and the states are domain/pace's, as for the responsibility list. Pure.
 */
import type { ActivityRecord } from './activity.js';
import { figuresOf, paceProgress, periodDays, type PaceProgress } from './pace.js';
import type { PlanTargets, ScopeTarget } from './plan.js';

export type TargetScope = 'county' | 'township' | 'department';

export interface MonthTargetProgress extends PaceProgress {
  month: number;
}

export interface TargetProgress extends PaceProgress {
  scope: TargetScope;
  /** The township or department id; the county's id for the county. */
  id: string;
  /** Each month with a target of its own, in month order. */
  months: MonthTargetProgress[];
}

export interface TargetsProgress {
  county?: TargetProgress;
  townships: TargetProgress[];
  departments: TargetProgress[];
}

function scopeProgress(year: number, scope: TargetScope, id: string, target: ScopeTarget, activities: readonly ActivityRecord[], on: string): TargetProgress {
  const upToDate = activities.filter((activity) => activity.year === year && activity.date <= on);
  const yearly = paceProgress(year, target, figuresOf(upToDate), periodDays(year, undefined), on);
  const months = Object.entries(target.months ?? {})
    .map(([month, monthTargets]) => ({ month: Number(month), monthTargets }))
    .sort((a, b) => a.month - b.month)
    .map(({ month, monthTargets }): MonthTargetProgress => {
      const inMonth = upToDate.filter((activity) => activity.month === month);
      return { month, ...paceProgress(year, monthTargets, figuresOf(inMonth), periodDays(year, [month]), on) };
    });
  return { scope, id, ...yearly, months };
}

/** Every target of the year on the date `on` (a local date). */
export function targetProgress(year: number, county: string, targets: PlanTargets | undefined, activities: readonly ActivityRecord[], on: string): TargetsProgress {
  return {
    ...(targets?.county ? { county: scopeProgress(year, 'county', county, targets.county, activities, on) } : {}),
    townships: Object.entries(targets?.townships ?? {}).map(([id, target]) =>
      scopeProgress(year, 'township', id, target, activities.filter((activity) => activity.township === id), on),
    ),
    departments: Object.entries(targets?.departments ?? {}).map(([id, target]) =>
      scopeProgress(year, 'department', id, target, activities.filter((activity) => (activity.departments ?? []).includes(id)), on),
    ),
  };
}
