/**
 * @module domain/progress-table
 * Targets and the responsibility list's duties judged on a date, with names and labels — the
 * shape the API answers, the dashboard draws as bars and the exports write as the sheets
 * 目标完成情况 and 责任清单进度. Pure.
 */
import type { DutyProgress } from './duty-progress.js';
import { measureLabels, measureState, measureUnits, progressStateLabels, type MeasureProgress, type PaceProgress, type ProgressState } from './pace.js';
import type { Table } from './tally-table.js';
import type { TargetProgress, TargetScope, TargetsProgress } from './target-progress.js';

export interface LabelledMeasure extends MeasureProgress {
  unit: string;
  state: ProgressState;
  stateLabel: string;
  /** `126/120 场次 105% 已完成`: the bar's text. */
  text: string;
}

export interface LabelledPeriod extends Omit<PaceProgress, 'measures'> {
  stateLabel: string;
  measures: LabelledMeasure[];
}

export interface LabelledTarget extends LabelledPeriod {
  scope: TargetScope;
  id: string;
  name: string;
  months: (LabelledPeriod & { month: number })[];
}

export interface LabelledDuty extends LabelledPeriod {
  index: number;
  department: string;
  departmentName: string;
  duty: string;
}

export interface LabelledTargets {
  county?: LabelledTarget;
  townships: LabelledTarget[];
  departments: LabelledTarget[];
}

export const scopeLabels: Record<TargetScope, string> = { county: '全县', township: '乡镇', department: '部门' };

/** A bar's text: done/target, unit, percent, state. */
export function measureText(measure: MeasureProgress, stateLabel: string): string {
  return `${measure.done}/${measure.target} ${measureUnits[measure.measure]} ${measure.percent}% ${stateLabel}`;
}

function labelled<P extends PaceProgress>(period: P, on: string): Omit<P, 'measures'> & LabelledPeriod {
  return {
    ...period,
    stateLabel: progressStateLabels[period.state],
    measures: period.measures.map((measure) => {
      const state = measureState(measure, period, on);
      return { ...measure, unit: measureUnits[measure.measure], state, stateLabel: progressStateLabels[state], text: measureText(measure, progressStateLabels[state]) };
    }),
  };
}

export function labelTargets(progress: TargetsProgress, names: { county: string; townships: ReadonlyMap<string, string>; departments: ReadonlyMap<string, string> }, on: string): LabelledTargets {
  const label = (target: TargetProgress, name: string): LabelledTarget => ({
    ...labelled(target, on),
    name,
    months: target.months.map((month) => labelled(month, on)),
  });
  // In the registry's order (a stored plan's maps keep no order of their own); ids it lacks last.
  const inOrder = (targets: readonly TargetProgress[], known: ReadonlyMap<string, string>) => {
    const rank = new Map([...known.keys()].map((id, index) => [id, index]));
    return [...targets].sort((a, b) => (rank.get(a.id) ?? rank.size) - (rank.get(b.id) ?? rank.size) || (a.id < b.id ? -1 : 1)).map((target) => label(target, known.get(target.id) ?? target.id));
  };
  return {
    ...(progress.county ? { county: label(progress.county, names.county) } : {}),
    townships: inOrder(progress.townships, names.townships),
    departments: inOrder(progress.departments, names.departments),
  };
}

export function labelDuties(duties: readonly DutyProgress[], departments: ReadonlyMap<string, string>, on: string): LabelledDuty[] {
  return duties.map((duty) => ({ ...labelled(duty, on), departmentName: departments.get(duty.department) ?? duty.department }));
}

const measureColumns = ['指标', '目标', '已完成', '完成率（%）', '按进度应完成', '状态'];
const measureCells = (measure: LabelledMeasure) => [`${measureLabels[measure.measure]}（${measure.unit}）`, measure.target, measure.done, measure.percent, measure.expected, measure.stateLabel];

/** 目标完成情况: one row per measure of each target, for the year and each month with a target. */
export function targetsTable(year: number, targets: LabelledTargets, on: string): Table {
  const all = [...(targets.county ? [targets.county] : []), ...targets.townships, ...targets.departments];
  const rows = all.flatMap((target) => [
    ...target.measures.map((measure) => [scopeLabels[target.scope], target.name, '全年', ...measureCells(measure)]),
    ...target.months.flatMap((month) => month.measures.map((measure) => [scopeLabels[target.scope], target.name, `${month.month}月`, ...measureCells(measure)])),
  ]);
  return { title: `${year}年目标完成情况（截至 ${on}）`, headers: ['范围', '名称', '时段', ...measureColumns], rows, totals: false };
}

/** 责任清单进度: one row per measure of each duty. */
export function dutiesTable(year: number, duties: readonly LabelledDuty[], on: string): Table {
  const rows = duties.flatMap((duty) => duty.measures.map((measure) => [duty.departmentName, duty.duty, `${duty.from} 至 ${duty.to}`, ...measureCells(measure)]));
  return { title: `${year}年普法责任清单进度（截至 ${on}）`, headers: ['责任部门', '责任事项', '时段', ...measureColumns], rows, totals: false };
}
