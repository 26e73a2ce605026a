/**
 * @module domain/tally-table
 * The tallies as tables with Chinese headers and a totals row, one per breakdown — the shape the
 * CSV and Excel exports and the dashboard share. Pure.
 */
import { counters, type Breakdown, type Counts, type Tallies } from './tally.js';

export const breakdowns = ['month', 'theme', 'township', 'department', 'kind', 'material'] as const;
export type BreakdownName = (typeof breakdowns)[number];

export const breakdownLabels: Record<BreakdownName, string> = {
  month: '按月份',
  theme: '按主题',
  township: '按乡镇',
  department: '按部门',
  kind: '按形式',
  material: '按资料',
};

const firstColumn: Record<BreakdownName, string> = { month: '月份', theme: '主题', township: '乡镇', department: '责任部门', kind: '宣传形式', material: '资料种类' };

export const counterLabels: Record<(typeof counters)[number], string> = {
  activities: '活动次数',
  participants: '参与人次',
  materials: '发放资料（份）',
  smsSent: '短信发送（条）',
  smsSkipped: '短信未发（退订等）',
  smsFailed: '短信失败',
  smsUncertain: '短信结果不明（发送中断）',
  smsDelivered: '短信送达（条）',
  smsUndelivered: '短信未送达（条）',
  smsCostMicroUsd: '短信实际费用（美元）',
  airings: '广播播出（次）',
  speechCharacters: '广播录音合成（字）',
  wechatPushes: '微信公众号群发（期）',
  wechatReached: '微信送达粉丝（人次）',
  wechatFailed: '微信群发失败（期）',
  activitiesWithEvidence: '有佐证材料的活动',
};

/** A counter's value in a table: the SMS cost is kept in micro-USD and shown in dollars. */
const cellValue = (counter: (typeof counters)[number], counts: Counts) => (counter === 'smsCostMicroUsd' ? counts[counter] / 1_000_000 : counts[counter]);

export interface Table {
  title: string;
  headers: string[];
  rows: (string | number)[][];
  /** False when the last row is not a totals row (the progress sheets). */
  totals?: false;
}

export type Names = Record<string, Record<string, string>>;

function rowsOf(tallies: Tallies, breakdown: BreakdownName): Breakdown[] {
  switch (breakdown) {
    case 'month':
      return tallies.byMonth.map((month) => ({ value: String(month.month), counts: month.counts }));
    case 'theme':
      return tallies.byTheme;
    case 'township':
      return tallies.byTownship;
    case 'department':
      return tallies.byDepartment;
    case 'kind':
      return tallies.byKind;
    case 'material':
      return tallies.byMaterial;
  }
}

function label(breakdown: BreakdownName, value: string, names: Names): string {
  if (breakdown === 'month') return `${value}月`;
  if (breakdown === 'material') return value;
  return names[breakdown]?.[value] ?? value;
}

/** One breakdown as a table: this period, the same period last year, and a totals row. */
export function tallyTable(current: Tallies, previous: Tallies, breakdown: BreakdownName, names: Names): Table {
  const shown = breakdown === 'material' ? (['materials'] as const) : counters;
  const headers = [firstColumn[breakdown], ...shown.map((counter) => counterLabels[counter]), `上年同期${counterLabels.activities}`, `上年同期${counterLabels.materials}`];
  const previousRows = new Map(rowsOf(previous, breakdown).map((row) => [row.value, row.counts]));
  const line = (name: string, counts: Counts, before: Counts | undefined) => [
    name,
    ...shown.map((counter) => cellValue(counter, counts)),
    before?.activities ?? 0,
    before?.materials ?? 0,
  ];
  const rows = rowsOf(current, breakdown).map((row) => line(label(breakdown, row.value, names), row.counts, previousRows.get(row.value)));
  rows.push(line('合计', current.totals, previous.totals));
  const period = current.months.length === 12 ? `${current.year}年` : current.months.length === 1 ? `${current.year}年${current.months[0]}月` : `${current.year}年1-${current.months.at(-1)}月`;
  return { title: `${period}法治宣传统计（${breakdownLabels[breakdown]}）`, headers, rows };
}
