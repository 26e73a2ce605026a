/**
 * @module domain/duty-report
 * The year-end duty report (普法责任制履职情况, 谁执法谁普法): for each county department, its duties
 * of the year's responsibility list against their targets (domain/duty-progress), the activities
 * naming it — counted by kind, township and month, with participants and materials — and a
 * paragraph in the county report's own phrasing; and for the county, one row per department and a
 * paragraph over them all. Pure: plain data and the date it is judged on in, the model out; the
 * Excel workbook (reports/duty-report) and the printable page (pages/duty-report) only render it.
 *
 * Punctuation and numbers follow the reference report and `reportParagraph`: half-width commas,
 * semicolons and brackets, large figures as 1.2万, so a paragraph pastes into the county's report.
 */
import { activityKindLabels, activityKinds, type ActivityKind, type ActivityRecord } from './activity.js';
import { dutyProgress, dutyStateLabels, type DutyMeasure, type DutyProgress, type DutyState } from './duty-progress.js';
import type { Responsibility } from './plan.js';
import type { Department } from './registry.js';
import { chineseAmount } from './tally.js';
import type { TargetProgress, TargetsProgress } from './target-progress.js';

/**
 * One line of a target section (目标): a figure set for the year against what was done. Not filled
 * here: the plan's county / township / department targets are a separate section of the plan, and
 * whoever reads them hands their progress in as `DutyReportInput.targets`; the report carries them
 * to the county summary and each department, and the renderers show them when there are any.
 */
export interface TargetLine {
  /** What the target is of, as the plan names it (e.g. 全县 / 城厢镇 / 县公安局). */
  label: string;
  measure: DutyMeasure;
  target: number;
  done: number;
  /** done / target in whole percent. */
  percent: number;
}

export interface DutyReportInput {
  year: number;
  /** The day the report is judged on (local date, in the year). */
  on: string;
  /** The registry's departments, in the registry's order. */
  departments: readonly Department[];
  /** The year's responsibility list (普法责任清单). */
  duties: readonly Responsibility[];
  /** The year's activities; those after `on` are left out. */
  activities: readonly ActivityRecord[];
  /** Display names for township and theme ids (ids stand in for names not given). */
  townshipNames?: Readonly<Record<string, string>>;
  themeNames?: Readonly<Record<string, string>>;
  /** Progress against the plan's targets, when a later change reads them: the county's, and each department's by id. */
  targets?: { county?: readonly TargetLine[]; departments?: Readonly<Record<string, readonly TargetLine[]>> };
}

export interface Figures {
  activities: number;
  participants: number;
  materials: number;
}

export interface CountRow {
  /** The kind, township or theme id. */
  value: string;
  label: string;
  activities: number;
}

export interface ReportActivity {
  id: string;
  date: string;
  township: string;
  townshipName: string;
  village?: string;
  kind: ActivityKind;
  kindLabel: string;
  theme: string;
  themeName: string;
  title: string;
  participants: number;
  materials: number;
}

export interface DutyLine extends DutyProgress {
  stateLabel: string;
}

/** How many duties stand in each state. */
export type StateCounts = Record<DutyState, number>;

export interface DepartmentReport {
  id: string;
  name: string;
  contact?: string;
  /** Whether the responsibility list names the department at all. */
  listed: boolean;
  duties: DutyLine[];
  states: StateCounts;
  figures: Figures;
  byKind: CountRow[];
  byTownship: CountRow[];
  /** Activities in each month, January first (12 numbers). */
  byMonth: number[];
  /** Its activities by date. */
  activities: ReportActivity[];
  targets: TargetLine[];
  paragraph: string;
}

export interface SummaryRow {
  department: string;
  name: string;
  listed: boolean;
  duties: number;
  states: StateCounts;
  figures: Figures;
}

export interface CountySummary {
  rows: SummaryRow[];
  /** The duties of all departments together, by state. */
  duties: number;
  states: StateCounts;
  /**
   * The activities naming at least one department, each counted once (an activity two departments
   * held together is in both their rows, so the rows add up to more than this).
   */
  figures: Figures;
  /** Departments the list does not name that still held activities. */
  unlisted: { department: string; name: string; figures: Figures }[];
  targets: TargetLine[];
  paragraph: string;
}

export interface DutyReport {
  year: number;
  on: string;
  /** 全年 at the year's end, 截至6月30日 before it. */
  period: string;
  /** Absent in a one-department report. */
  county?: CountySummary;
  departments: DepartmentReport[];
}

/** The day a report is judged on by default: the year's last day once it is over, today while it runs, its first day before it. */
export function defaultReportDate(year: number, today: string): string {
  const first = `${year}-01-01`;
  const last = `${year}-12-31`;
  return today < first ? first : today < last ? today : last;
}

/** 全年, or 截至6月30日 for a report judged before the year's last day. */
export function periodPhrase(year: number, on: string): string {
  if (on >= `${year}-12-31`) return '全年';
  return `截至${Number(on.slice(5, 7))}月${Number(on.slice(8, 10))}日`;
}

const materialsOf = (activity: Pick<ActivityRecord, 'materials'>) => activity.materials.reduce((sum, material) => sum + material.count, 0);

function figuresOf(activities: readonly ActivityRecord[]): Figures {
  return {
    activities: activities.length,
    participants: activities.reduce((sum, activity) => sum + activity.participants, 0),
    materials: activities.reduce((sum, activity) => sum + materialsOf(activity), 0),
  };
}

const noStates = (): StateCounts => ({ 'not-started': 0, 'on-track': 0, behind: 0, done: 0, overdue: 0 });

function statesOf(duties: readonly DutyProgress[]): StateCounts {
  const states = noStates();
  for (const duty of duties) states[duty.state] += 1;
  return states;
}

/** Counts by a key, most first, then in `order` (the registry's, or the kinds' list). */
function countBy(activities: readonly ActivityRecord[], key: (activity: ActivityRecord) => string, label: (value: string) => string, order: readonly string[]): CountRow[] {
  const counts = new Map<string, number>();
  for (const activity of activities) counts.set(key(activity), (counts.get(key(activity)) ?? 0) + 1);
  const rank = (value: string) => (order.includes(value) ? order.indexOf(value) : order.length);
  return [...counts]
    .map(([value, activities]) => ({ value, label: label(value), activities }))
    .sort((a, b) => b.activities - a.activities || rank(a.value) - rank(b.value) || (a.value < b.value ? -1 : 1));
}

/** A measure as the report writes a shortfall: 活动8/12场次. */
const measureWords: Record<DutyMeasure, { name: string; unit: string }> = {
  activities: { name: '活动', unit: '场次' },
  participants: { name: '参与', unit: '人次' },
  materials: { name: '资料', unit: '份' },
};

/** What a duty lacks: its measures short of target (overdue) or of an even pace (behind). */
function shortfall(duty: DutyProgress): string {
  const short = duty.measures.filter((measure) => (duty.state === 'behind' ? measure.done < measure.expected : measure.done < measure.target));
  return `“${duty.duty}”:${short.map((measure) => `${measureWords[measure.measure].name}${measure.done}/${measure.target}${measureWords[measure.measure].unit}`).join('、')}`;
}

/** What a set of figures says: 开展普法宣传活动12场次,参与群众3400人次,发放宣传资料1.2万份 (for at least one activity). */
export function figuresPhrase(figures: Pick<Figures, 'activities' | 'participants' | 'materials'>): string {
  const parts = [`开展普法宣传活动${chineseAmount(figures.activities)}场次`];
  if (figures.participants > 0) parts.push(`参与群众${chineseAmount(figures.participants)}人次`);
  if (figures.materials > 0) parts.push(`发放宣传资料${chineseAmount(figures.materials)}份`);
  return parts.join(',');
}

/** The duties' part of a department's paragraph: 承担的3项普法责任中已完成2项,1项逾期未完成(…). */
function dutiesPhrase(duties: readonly DutyProgress[]): string {
  const states = statesOf(duties);
  const total = duties.length;
  if (states.done === total) return `承担的${total}项普法责任已全部完成`;
  const parts = [states.done > 0 ? `承担的${total}项普法责任中已完成${states.done}项` : `承担的${total}项普法责任尚无一项完成`];
  const detailed = (state: DutyState) => {
    const these = duties.filter((duty) => duty.state === state);
    return these.length === 0 ? [] : [`${these.length}项${dutyStateLabels[state]}(${these.map(shortfall).join(';')})`];
  };
  parts.push(...detailed('overdue'), ...detailed('behind'));
  if (states['on-track'] > 0) parts.push(`${states['on-track']}项进度正常`);
  if (states['not-started'] > 0) parts.push(`${states['not-started']}项尚未开始`);
  return parts.join(',');
}

export function departmentParagraph(name: string, period: string, figures: Figures, duties: readonly DutyProgress[]): string {
  const held = figures.activities === 0 ? `${name}${period}未登记普法宣传活动` : `${name}${period}牵头${figuresPhrase(figures)}`;
  const owed = duties.length === 0 ? '未列入本年度普法责任清单' : dutiesPhrase(duties);
  return `${held};${owed}。`;
}

export function countyParagraph(period: string, summary: Omit<CountySummary, 'paragraph' | 'targets'>): string {
  const listed = summary.rows.filter((row) => row.listed);
  const { states } = summary;
  const parts = [`${period},全县${listed.length}个普法责任单位承担普法责任${summary.duties}项,已完成${states.done}项`];
  if (states['on-track'] > 0) parts.push(`进度正常${states['on-track']}项`);
  if (states.behind > 0) parts.push(`进度滞后${states.behind}项`);
  if (states.overdue > 0) parts.push(`逾期未完成${states.overdue}项`);
  if (states['not-started'] > 0) parts.push(`尚未开始${states['not-started']}项`);
  let text = parts.join(',');
  const concerned = (state: DutyState, words: string) => {
    const names = listed.filter((row) => row.states[state] > 0).map((row) => row.name);
    if (names.length > 0) text += `;${words}的责任涉及${names.join('、')}`;
  };
  concerned('overdue', '逾期未完成');
  concerned('behind', '进度滞后');
  text += summary.figures.activities === 0 ? ';各责任单位均未登记普法宣传活动' : `;各责任单位牵头${figuresPhrase(summary.figures)}`;
  if (summary.unlisted.length > 0) {
    const held = summary.unlisted.reduce((sum, row) => sum + row.figures.activities, 0);
    const count = summary.unlisted.length > 1 ? `${summary.unlisted.length}个单位` : '';
    text += `;未列入责任清单的${summary.unlisted.map((row) => row.name).join('、')}${count}也开展普法宣传活动${chineseAmount(held)}场次`;
  }
  return `${text}。`;
}

/** The whole report: every department the registry, the list or an activity names, and the county's summary. */
export function buildDutyReport(input: DutyReportInput): DutyReport {
  const { year, on } = input;
  const period = periodPhrase(year, on);
  const townshipName = (id: string) => input.townshipNames?.[id] ?? id;
  const themeName = (id: string) => input.themeNames?.[id] ?? id;
  const counted = input.activities.filter((activity) => activity.year === year && activity.date <= on).sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.id < b.id ? -1 : 1));
  // The report speaks of its date as a day gone by: a duty unmet on its last day is not finished in time.
  const progress = dutyProgress(year, input.duties, counted, on).map((duty): DutyProgress => (duty.state !== 'done' && on >= duty.to ? { ...duty, state: 'overdue' } : duty));
  const townshipOrder = Object.keys(input.townshipNames ?? {});

  // Registry order first; then ids the list or an activity names that the registry no longer has.
  const known = new Map(input.departments.map((department) => [department.id, department]));
  const strays = [...new Set([...input.duties.map((duty) => duty.department), ...counted.flatMap((activity) => activity.departments ?? [])])].filter((id) => !known.has(id)).sort();
  const ids = [...known.keys(), ...strays];

  const departments = ids.map((id): DepartmentReport => {
    const department = known.get(id);
    const name = department?.name ?? id;
    const duties = progress.filter((duty) => duty.department === id).map((duty) => ({ ...duty, stateLabel: dutyStateLabels[duty.state] }));
    const own = counted.filter((activity) => (activity.departments ?? []).includes(id));
    const figures = figuresOf(own);
    const byMonth = Array.from({ length: 12 }, (_, index) => own.filter((activity) => activity.month === index + 1).length);
    return {
      id,
      name,
      ...(department?.contact ? { contact: department.contact } : {}),
      listed: duties.length > 0,
      duties,
      states: statesOf(duties),
      figures,
      byKind: countBy(own, (activity) => activity.kind, (kind) => activityKindLabels[kind as ActivityKind] ?? kind, activityKinds),
      byTownship: countBy(own, (activity) => activity.township, townshipName, townshipOrder),
      byMonth,
      activities: own.map((activity) => ({
        id: activity.id,
        date: activity.date,
        township: activity.township,
        townshipName: townshipName(activity.township),
        ...(activity.village ? { village: activity.village } : {}),
        kind: activity.kind,
        kindLabel: activity.kind === 'other' && activity.kindName ? activity.kindName : activityKindLabels[activity.kind],
        theme: activity.theme,
        themeName: themeName(activity.theme),
        title: activity.title ?? '',
        participants: activity.participants,
        materials: materialsOf(activity),
      })),
      targets: [...(input.targets?.departments?.[id] ?? [])],
      paragraph: departmentParagraph(name, period, figures, duties),
    };
  });

  const rows: SummaryRow[] = departments.map((department) => ({
    department: department.id,
    name: department.name,
    listed: department.listed,
    duties: department.duties.length,
    states: department.states,
    figures: department.figures,
  }));
  const base = {
    rows,
    duties: progress.length,
    states: statesOf(progress),
    figures: figuresOf(counted.filter((activity) => (activity.departments ?? []).length > 0)),
    unlisted: rows.filter((row) => !row.listed && row.figures.activities > 0).map((row) => ({ department: row.department, name: row.name, figures: row.figures })),
  };
  return {
    year,
    on,
    period,
    county: { ...base, targets: [...(input.targets?.county ?? [])], paragraph: countyParagraph(period, base) },
    departments,
  };
}

/** One department's part of the report (no county summary); undefined for a department it does not have. */
export function departmentReport(report: DutyReport, department: string): DutyReport | undefined {
  const found = report.departments.find((item) => item.id === department);
  if (!found) return undefined;
  return { year: report.year, on: report.on, period: report.period, departments: [found] };
}

/** Words for the measures, for tables: 活动场次, 参与人次, 发放资料(份). */
export const measureLabels: Record<DutyMeasure, string> = { activities: '活动场次', participants: '参与人次', materials: '发放资料(份)' };

/**
 * The plan's targets as the report's lines: the county's and each township's under the county
 * summary (全县, then townships by name), each department's under its own section.
 */
export function targetLines(
  progress: TargetsProgress,
  names: { townships: Readonly<Record<string, string>>; departments: Readonly<Record<string, string>> },
): NonNullable<DutyReportInput['targets']> {
  const lines = (label: string, target: TargetProgress): TargetLine[] =>
    target.measures.map((measure) => ({ label, measure: measure.measure, target: measure.target, done: measure.done, percent: measure.percent }));
  return {
    county: [...(progress.county ? lines('全县', progress.county) : []), ...progress.townships.flatMap((township) => lines(names.townships[township.id] ?? township.id, township))],
    departments: Object.fromEntries(progress.departments.map((department) => [department.id, lines(names.departments[department.id] ?? department.id, department)])),
  };
}
