/**
 * @module domain/tally
 * The county's figures as counters. Every activity and every delivery outcome adds to a few
 * counter items — one per (year, breakdown, value, month) — so reading a year costs the same for
 * 10 records as for 100,000. This module says which counters a record moves and by how much,
 * works out the exact difference when a record changes, assembles the breakdowns, and writes the
 * year's figures the way the annual report does (6.9万). Pure.
 */
import type { ActivityRecord } from './activity.js';

/**
 * `smsDelivered` / `smsUndelivered` come from carrier receipts and are counted on top of `smsSent`
 * (a delivered SMS was sent); `smsCostMicroUsd` is what SNS charged for them, in millionths of a
 * US dollar, kept as an integer so sums stay exact.
 *
 * `wechatPushes`: WeChat articles mass-sent (WeChat took the job, and has not said it failed);
 * `wechatReached`: the followers WeChat's result event says it sent them to (SentCount);
 * `wechatFailed`: mass sends that failed — refused when sent, or failed by WeChat afterwards (then
 * moved here from the pushes).
 *
 * `activitiesWithEvidence`: activities with at least one photo, sign-in sheet or other file kept as
 * evidence (台账, evidence/workflow), counted where the activity is (month, theme, township, …).
 */
export const counters = [
  'activities',
  'participants',
  'materials',
  'smsSent',
  'smsSkipped',
  'smsFailed',
  'smsUncertain',
  'smsDelivered',
  'smsUndelivered',
  'smsCostMicroUsd',
  'airings',
  'speechCharacters',
  'wechatPushes',
  'wechatReached',
  'wechatFailed',
  'activitiesWithEvidence',
] as const;
export type Counter = (typeof counters)[number];

/**
 * The counters reconciliation can recount from records. Not `speechCharacters`: it is counted when
 * a recording is made, and a kept recording serves every notice with the same script (and goes
 * from a notice when it is edited), so no record is left to count it again from.
 */
export const recountedCounters: readonly Counter[] = counters.filter((counter) => counter !== 'speechCharacters');
export type Counts = Record<Counter, number>;

export const dimensions = ['total', 'theme', 'township', 'department', 'kind', 'material'] as const;
export type Dimension = (typeof dimensions)[number];

/** Where a counter lives: one tally item per year, breakdown, value and month. */
export interface TallyCell {
  year: number;
  dimension: Dimension;
  value: string;
  month: number;
}

export const cellKey = (cell: TallyCell) => `${cell.year}|${cell.dimension}|${cell.value}|${cell.month}`;

export function zeroCounts(): Counts {
  return Object.fromEntries(counters.map((counter) => [counter, 0])) as Counts;
}

/** Materials handed out at an activity, all kinds together. */
function materialsTotal(activity: Pick<ActivityRecord, 'materials'>): number {
  return activity.materials.reduce((sum, material) => sum + material.count, 0);
}

/** Changes to apply: cell -> counter -> amount (negative to take back). */
export type TallyDelta = Map<string, { cell: TallyCell; add: Partial<Counts> }>;

function addTo(delta: TallyDelta, cell: TallyCell, add: Partial<Counts>, sign: 1 | -1): void {
  const key = cellKey(cell);
  const entry = delta.get(key) ?? { cell, add: {} };
  for (const [counter, amount] of Object.entries(add) as [Counter, number][]) {
    entry.add[counter] = (entry.add[counter] ?? 0) + sign * amount;
  }
  delta.set(key, entry);
}

function activityCells(activity: ActivityRecord, delta: TallyDelta, sign: 1 | -1): void {
  const at = { year: activity.year, month: activity.month };
  const figures = { activities: 1, participants: activity.participants, materials: materialsTotal(activity), activitiesWithEvidence: (activity.evidence?.length ?? 0) > 0 ? 1 : 0 };
  addTo(delta, { ...at, dimension: 'total', value: '-' }, figures, sign);
  addTo(delta, { ...at, dimension: 'theme', value: activity.theme }, figures, sign);
  addTo(delta, { ...at, dimension: 'township', value: activity.township }, figures, sign);
  // Each department responsible gets the whole activity, as its township does (谁执法谁普法);
  // a record naming none counts for no department. A repeated id (not accepted, but cheap to
  // guard) counts once, in the deltas and so in the recount.
  for (const department of new Set(activity.departments ?? [])) {
    addTo(delta, { ...at, dimension: 'department', value: department }, figures, sign);
  }
  addTo(delta, { ...at, dimension: 'kind', value: activity.kind }, figures, sign);
  for (const material of activity.materials) {
    addTo(delta, { ...at, dimension: 'material', value: material.kind }, { materials: material.count }, sign);
  }
}

/** What replacing `before` by `after` (either may be absent: create, delete) does to the counters. */
export function activityDelta(before: ActivityRecord | undefined, after: ActivityRecord | undefined): TallyDelta {
  const delta: TallyDelta = new Map();
  if (before) activityCells(before, delta, -1);
  if (after) activityCells(after, delta, 1);
  // Cells whose changes cancel out are not written at all.
  for (const [key, entry] of delta) {
    const nonZero = Object.entries(entry.add).filter(([, amount]) => amount !== 0);
    if (nonZero.length === 0) delta.delete(key);
    else entry.add = Object.fromEntries(nonZero) as Partial<Counts>;
  }
  return delta;
}

export type DeliveryTally = 'smsSent' | 'smsSkipped' | 'smsFailed' | 'smsUncertain' | 'smsDelivered' | 'smsUndelivered' | 'airings' | 'wechatPushes' | 'wechatFailed';

/**
 * A delivery outcome counts for the month and township it was meant for (-1 takes it back: an
 * uncertain SMS resent). One counter by one, or several amounts (a receipt: delivered and its price).
 */
export function deliveryDelta(outcome: DeliveryTally | Partial<Counts>, at: { year: number; month: number; township?: string | undefined }, sign: 1 | -1 = 1): TallyDelta {
  const add: Partial<Counts> = typeof outcome === 'string' ? { [outcome]: 1 } : outcome;
  const delta: TallyDelta = new Map();
  addTo(delta, { year: at.year, month: at.month, dimension: 'total', value: '-' }, add, sign);
  // A WeChat mass send reaches followers, who have no township here: counted in the county's total only.
  if (at.township !== undefined) addTo(delta, { year: at.year, month: at.month, dimension: 'township', value: at.township }, add, sign);
  return delta;
}

/**
 * A broadcast's recording made (not found kept): the characters the engine read, which is what
 * Polly bills, for the month it was made and the notice's theme.
 */
export function speechDelta(characters: number, at: { year: number; month: number; theme: string }): TallyDelta {
  const delta: TallyDelta = new Map();
  addTo(delta, { year: at.year, month: at.month, dimension: 'total', value: '-' }, { speechCharacters: characters }, 1);
  addTo(delta, { year: at.year, month: at.month, dimension: 'theme', value: at.theme }, { speechCharacters: characters }, 1);
  return delta;
}

/** What a carrier receipt adds to the tallies of a sent SMS. */
export function receiptCounts(outcome: 'delivered' | 'undelivered', priceMicroUsd: number): Partial<Counts> {
  return { [outcome === 'delivered' ? 'smsDelivered' : 'smsUndelivered']: 1, ...(priceMicroUsd > 0 ? { smsCostMicroUsd: priceMicroUsd } : {}) };
}

/** Share of the SMS sent that the carrier reported delivered, in whole percent; undefined before any receipt. */
export function smsDeliveryRate(counts: Pick<Counts, 'smsSent' | 'smsDelivered' | 'smsUndelivered'>): number | undefined {
  if (counts.smsSent === 0 || counts.smsDelivered + counts.smsUndelivered === 0) return undefined;
  return Math.round((counts.smsDelivered / counts.smsSent) * 100);
}

/** Micro-USD as dollars for people: "$1.29", "$0.00645" (SNS prices have five decimals). */
export function usdFromMicro(micro: number): string {
  return `$${(micro / 1_000_000).toFixed(5).replace(/0{1,3}$/, '')}`;
}

export interface StoredCell extends TallyCell {
  counts: Partial<Counts>;
}

export interface Breakdown {
  value: string;
  counts: Counts;
}

export interface Tallies {
  year: number;
  months: number[];
  totals: Counts;
  byMonth: { month: number; counts: Counts }[];
  byTheme: Breakdown[];
  byTownship: Breakdown[];
  byDepartment: Breakdown[];
  byKind: Breakdown[];
  byMaterial: Breakdown[];
}

function sum(into: Counts, add: Partial<Counts>): Counts {
  for (const counter of counters) into[counter] += add[counter] ?? 0;
  return into;
}

/**
 * The counter cells a planned year will use, before anything is counted: every month of the total,
 * of each theme, township, department and kind. Created empty when the plan is loaded, they make a year's read
 * the same size with 10 records as with 100,000, and let every township and department show its zero.
 * (Material kinds are free text and get their cells as they are first counted.)
 */
export function plannedCells(
  year: number,
  values: { themes: readonly string[]; townships: readonly string[]; departments: readonly string[]; kinds: readonly string[] },
): TallyCell[] {
  const byDimension: [Dimension, readonly string[]][] = [
    ['total', ['-']],
    ['theme', values.themes],
    ['township', values.townships],
    ['department', values.departments],
    ['kind', values.kinds],
  ];
  return byDimension.flatMap(([dimension, list]) => list.flatMap((value) => Array.from({ length: 12 }, (_, index) => ({ year, dimension, value, month: index + 1 }))));
}

/** Assembles the breakdowns for some months of a year from its stored cells. */
export function assemble(year: number, months: readonly number[], cells: readonly StoredCell[]): Tallies {
  const inPeriod = cells.filter((cell) => cell.year === year && months.includes(cell.month));
  const by = (dimension: Dimension): Breakdown[] => {
    const groups = new Map<string, Counts>();
    for (const cell of inPeriod.filter((item) => item.dimension === dimension)) {
      groups.set(cell.value, sum(groups.get(cell.value) ?? zeroCounts(), cell.counts));
    }
    return [...groups].map(([value, counts]) => ({ value, counts })).sort((a, b) => b.counts.activities - a.counts.activities || (a.value < b.value ? -1 : 1));
  };
  const totalCells = inPeriod.filter((cell) => cell.dimension === 'total');
  return {
    year,
    months: [...months],
    totals: totalCells.reduce((counts, cell) => sum(counts, cell.counts), zeroCounts()),
    byMonth: months.map((month) => ({ month, counts: totalCells.filter((cell) => cell.month === month).reduce((counts, cell) => sum(counts, cell.counts), zeroCounts()) })),
    byTheme: by('theme'),
    byTownship: by('township'),
    byDepartment: by('department'),
    byKind: by('kind'),
    byMaterial: by('material'),
  };
}

/** Numbers the Chinese way, as the report writes them: 258, 6.9万, 12万, 1.2亿. */
export function chineseAmount(value: number): string {
  const trim = (amount: number) => String(Math.round(amount * 10) / 10);
  if (Math.abs(value) >= 100_000_000) return `${trim(value / 100_000_000)}亿`;
  if (Math.abs(value) >= 10_000) return `${trim(value / 10_000)}万`;
  return String(value);
}

/**
 * The year's figures as a paragraph for the annual report, in the report's own style — down to
 * its half-width commas ("截至目前,开展法治宣传活动258次,发放宣传资料6.9万份。"), so it pastes in cleanly.
 */
export function reportParagraph(totals: Counts): string {
  const parts = [`开展法治宣传活动${chineseAmount(totals.activities)}次`, `发放宣传资料${chineseAmount(totals.materials)}份`];
  if (totals.participants > 0) parts.push(`受众${chineseAmount(totals.participants)}人次`);
  parts.push(...channelParts(totals));
  return `截至目前,${parts.join(',')}。`;
}

/**
 * The SMS, broadcast and WeChat parts of a report's paragraph, where there are any: the county's
 * (reportParagraph) and a city's or province's roll-up say them alike.
 */
export function channelParts(totals: Pick<Counts, 'smsSent' | 'smsDelivered' | 'smsUndelivered' | 'airings' | 'wechatPushes' | 'wechatReached'>): string[] {
  const parts: string[] = [];
  // Delivered only where receipts are known: a year sent before receipts says nothing of it.
  if (totals.smsSent > 0) {
    const receipts = totals.smsDelivered + totals.smsUndelivered > 0;
    parts.push(`发送普法短信${chineseAmount(totals.smsSent)}条${receipts ? `,送达${chineseAmount(totals.smsDelivered)}条` : ''}`);
  }
  if (totals.airings > 0) parts.push(`村村通普法广播播出${chineseAmount(totals.airings)}次`);
  // Followers reached only where WeChat's result events came back.
  if (totals.wechatPushes > 0) parts.push(`微信公众号推送普法文章${chineseAmount(totals.wechatPushes)}期${totals.wechatReached > 0 ? `,送达粉丝${chineseAmount(totals.wechatReached)}人次` : ''}`);
  return parts;
}

/** The counters the records say there should be: the ground truth reconciliation compares with. */
export function recount(
  activities: readonly ActivityRecord[],
  deliveries: readonly { tally: DeliveryTally | Partial<Counts>; year: number; month: number; township?: string | undefined }[] = [],
): Map<string, StoredCell> {
  const expected = new Map<string, StoredCell>();
  const apply = (delta: TallyDelta) => {
    for (const [key, { cell, add }] of delta) {
      const entry = expected.get(key) ?? { ...cell, counts: {} };
      for (const [counter, amount] of Object.entries(add) as [Counter, number][]) entry.counts[counter] = (entry.counts[counter] ?? 0) + amount;
      expected.set(key, entry);
    }
  };
  for (const activity of activities) apply(activityDelta(undefined, activity));
  for (const delivery of deliveries) apply(deliveryDelta(delivery.tally, delivery));
  return expected;
}

export interface TallyDifference {
  cell: TallyCell;
  counter: Counter;
  stored: number;
  expected: number;
}

/** Every counter where what is stored differs from what the records say. */
export function differences(stored: readonly StoredCell[], expected: ReadonlyMap<string, StoredCell>): TallyDifference[] {
  const found: TallyDifference[] = [];
  const storedByKey = new Map(stored.map((cell) => [cellKey(cell), cell]));
  for (const key of new Set([...storedByKey.keys(), ...expected.keys()])) {
    const have = storedByKey.get(key);
    const want = expected.get(key);
    const cell = (have ?? want) as TallyCell;
    for (const counter of recountedCounters) {
      const storedValue = have?.counts[counter] ?? 0;
      const expectedValue = want?.counts[counter] ?? 0;
      if (storedValue !== expectedValue) {
        found.push({ cell: { year: cell.year, dimension: cell.dimension, value: cell.value, month: cell.month }, counter, stored: storedValue, expected: expectedValue });
      }
    }
  }
  return found;
}
