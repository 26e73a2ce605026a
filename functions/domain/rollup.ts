/**
 * @module domain/rollup
 * A city's or a province's figures (汇总): each county's tallies side by side, the totals, each
 * county's share of them, each county's yearly target (where its plan sets one) judged on a date,
 * and the roll-up paragraph for the city's or province's annual report, in the county report's
 * own phrasing (half-width punctuation, 1.2万). Pure: the counties' month totals and targets in,
 * the roll-up out.
 */
import { measureLabels, paceProgress, periodDays, progressStateLabels, type Measure, type MeasureTargets, type ProgressState } from './pace.js';
import { labelTargets, type LabelledTarget } from './progress-table.js';
import { channelParts, chineseAmount, zeroCounts, type Counts } from './tally.js';
import { figuresPhrase } from './duty-report.js';
import { counterLabels, type Table } from './tally-table.js';

/** What the roll-up shows of each county's totals: what a city or a province reports. */
export const rollupMeasures = ['activities', 'participants', 'materials', 'smsSent', 'smsDelivered', 'smsUndelivered', 'airings', 'wechatPushes', 'wechatReached', 'activitiesWithEvidence'] as const;
export type RollupMeasure = (typeof rollupMeasures)[number];
export type RollupFigures = Record<RollupMeasure, number>;

/** The measures a county's share of the whole is given for. */
export const shareMeasures = ['activities', 'participants', 'materials'] as const satisfies readonly RollupMeasure[];
export type ShareMeasure = (typeof shareMeasures)[number];

export const rollupMeasureLabels: Record<RollupMeasure, string> = Object.fromEntries(rollupMeasures.map((measure) => [measure, counterLabels[measure]])) as Record<RollupMeasure, string>;

/** Whose counties: a city's, a province's, or every county of the deployment (the operator's). */
export type RollupLevel = 'city' | 'province' | 'deployment';

/** How the paragraph names the level when the region's name is not given: 全市, 全省, 全部. */
export const levelWords: Record<RollupLevel, string> = { city: '全市', province: '全省', deployment: '全部' };

export interface CountyFigures {
  id: string;
  name: string;
  /** The county's totals over the roll-up's months (a missing counter is 0). */
  totals: Partial<Counts>;
  /** The county's yearly target judged on the roll-up's date; absent when its plan sets none. */
  target?: LabelledTarget | undefined;
}

export interface RollupInput {
  year: number;
  /** The months read (all twelve for a year). */
  months: readonly number[];
  level: RollupLevel;
  /** The city's or province's name as the report prints it (雅安市); without it the paragraph says 全市. */
  regionName?: string | undefined;
  /** The date the targets are judged on. */
  date: string;
  counties: readonly CountyFigures[];
}

export interface RollupRow {
  id: string;
  name: string;
  figures: RollupFigures;
  /** The county's part of the whole, in percent with one decimal (0 when the whole is 0). */
  share: Record<ShareMeasure, number>;
  target: LabelledTarget | null;
}

export interface Rollup {
  year: number;
  months: number[];
  /** 2031年, 2031年3月, 2031年1-6月. */
  period: string;
  level: RollupLevel;
  regionName: string | null;
  date: string;
  counties: RollupRow[];
  totals: RollupFigures;
  /** Of the counties with a yearly target: how many, and how many in each state. */
  targets: { counties: number; states: Record<ProgressState, number> };
  paragraph: string;
}

export function figuresOf(totals: Partial<Counts>): RollupFigures {
  return Object.fromEntries(rollupMeasures.map((measure) => [measure, totals[measure] ?? 0])) as RollupFigures;
}

/** A part of a whole in percent, one decimal: 12.5. */
export function shareOf(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part * 1000) / whole) / 10;
}

export function periodPhrase(year: number, months: readonly number[]): string {
  if (months.length === 12) return `${year}年`;
  if (months.length === 1) return `${year}年${months[0]}月`;
  return `${year}年${months[0]}-${months.at(-1)}月`;
}

/**
 * A county's yearly target on a date, from its month totals: what the months up to the date's
 * month add up to (all of them after the year, none before it). Counting whole months keeps the
 * read to the county's twelve total cells; an activity dated later in the date's own month (a
 * record may be a day ahead at most) is counted with it.
 */
export function countyYearTarget(
  year: number,
  county: { id: string; name: string },
  target: MeasureTargets | undefined,
  byMonth: readonly { month: number; counts: Partial<Counts> }[],
  on: string,
): LabelledTarget | undefined {
  if (!target || (target.activities === undefined && target.participants === undefined && target.materials === undefined)) return undefined;
  const last = on < `${year}-01-01` ? 0 : on > `${year}-12-31` ? 12 : Number(on.slice(5, 7));
  const done: Record<Measure, number> = { activities: 0, participants: 0, materials: 0 };
  for (const { month, counts } of byMonth) {
    if (month > last) continue;
    done.activities += counts.activities ?? 0;
    done.participants += counts.participants ?? 0;
    done.materials += counts.materials ?? 0;
  }
  const progress = { scope: 'county' as const, id: county.id, ...paceProgress(year, target, done, periodDays(year, undefined), on), months: [] };
  return labelTargets({ county: progress, townships: [], departments: [] }, { county: county.name, townships: new Map(), departments: new Map() }, on).county;
}

const noStates = (): Record<ProgressState, number> => ({ 'not-started': 0, 'on-track': 0, behind: 0, done: 0, overdue: 0 });

export function buildRollup(input: RollupInput): Rollup {
  const figures = input.counties.map((county) => ({ county, figures: figuresOf(county.totals) }));
  const totals = figuresOf(zeroCounts());
  for (const row of figures) for (const measure of rollupMeasures) totals[measure] += row.figures[measure];
  const counties: RollupRow[] = figures.map(({ county, figures: own }) => ({
    id: county.id,
    name: county.name,
    figures: own,
    share: Object.fromEntries(shareMeasures.map((measure) => [measure, shareOf(own[measure], totals[measure])])) as Record<ShareMeasure, number>,
    target: county.target ?? null,
  }));
  const states = noStates();
  let withTargets = 0;
  for (const row of counties) {
    if (!row.target) continue;
    withTargets += 1;
    states[row.target.state] += 1;
  }
  const base = {
    year: input.year,
    months: [...input.months],
    period: periodPhrase(input.year, input.months),
    level: input.level,
    regionName: input.regionName ?? null,
    date: input.date,
    counties,
    totals,
    targets: { counties: withTargets, states },
  };
  return { ...base, paragraph: rollupParagraph(base) };
}

const stateOrder: ProgressState[] = ['done', 'on-track', 'behind', 'overdue', 'not-started'];

/**
 * The roll-up as a paragraph for the city's or province's report:
 * `2031年,雅安市3个县(区)共开展普法宣传活动12场次,参与群众3400人次,发放宣传资料1.2万份,发送普法短信500条,送达480条;
 * 其中天全县开展普法宣传活动5场次,…;荥经县尚未登记普法宣传活动;设定年度目标的2个县(区)中,已完成1个,进度滞后1个。`
 */
export function rollupParagraph(rollup: Omit<Rollup, 'paragraph'>): string {
  const who = rollup.regionName ?? levelWords[rollup.level];
  const count = rollup.counties.length;
  if (count === 0) return `${rollup.period},${who}暂无县(区)数据。`;
  const { totals } = rollup;
  const held = totals.activities === 0 ? ['尚未登记普法宣传活动', ...channelParts(totals)].join(',') : `共${[figuresPhrase(totals), ...channelParts(totals)].join(',')}`;
  const clauses = [`${rollup.period},${who}${count}个县(区)${held}`];
  if (totals.activities > 0 && count > 1) {
    const active = rollup.counties.filter((row) => row.figures.activities > 0);
    const idle = rollup.counties.filter((row) => row.figures.activities === 0);
    clauses.push(`其中${active.map((row) => `${row.name}${figuresPhrase(row.figures)}`).join(';')}`);
    if (idle.length > 0) clauses.push(`${idle.map((row) => row.name).join('、')}尚未登记普法宣传活动`);
  }
  const { targets } = rollup;
  if (targets.counties > 0) {
    const inState = stateOrder.filter((state) => targets.states[state] > 0).map((state) => `${progressStateLabels[state]}${targets.states[state]}个`);
    clauses.push(`设定年度目标的${targets.counties}个县(区)中,${inState.join(',')}`);
  }
  return `${clauses.join(';')}。`;
}

/** The counties side by side as a table (CSV, Excel): figures, shares, the yearly target's state; a totals row. */
export function rollupTable(rollup: Rollup): Table {
  const headers = ['县(区)', ...rollupMeasures.map((measure) => rollupMeasureLabels[measure]), ...shareMeasures.map((measure) => `${rollupMeasureLabels[measure]}占比(%)`), '年度目标完成情况'];
  const targetCell = (target: LabelledTarget | null) => (target ? `${target.stateLabel}:${target.measures.map((measure) => measure.text).join(';')}` : '未设定');
  const rows: (string | number)[][] = rollup.counties.map((row) => [row.name, ...rollupMeasures.map((measure) => row.figures[measure]), ...shareMeasures.map((measure) => row.share[measure]), targetCell(row.target)]);
  rows.push([
    '合计',
    ...rollupMeasures.map((measure) => rollup.totals[measure]),
    ...shareMeasures.map((measure) => (rollup.totals[measure] === 0 ? 0 : 100)),
    rollup.targets.counties === 0 ? '' : `${rollup.targets.counties}个县(区)设定目标,已完成${rollup.targets.states.done}个`,
  ]);
  return { title: `${rollup.regionName ?? levelWords[rollup.level]}${rollup.period}法治宣传统计汇总(各县区)`, headers, rows };
}

/** The counties' yearly targets: one row per measure of each county that has one. */
export function rollupTargetsTable(rollup: Rollup): Table {
  const rows = rollup.counties.flatMap((row) =>
    (row.target?.measures ?? []).map((measure) => [row.name, `${measureLabels[measure.measure]}(${measure.unit})`, measure.target, measure.done, measure.percent, measure.expected, measure.stateLabel]),
  );
  return {
    title: `${rollup.regionName ?? levelWords[rollup.level]}${rollup.year}年各县(区)年度目标完成情况(截至 ${rollup.date})`,
    headers: ['县(区)', '指标', '目标', '已完成', '完成率(%)', '按进度应完成', '状态'],
    rows,
    totals: false,
  };
}
