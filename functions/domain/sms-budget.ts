/**
 * @module domain/sms-budget
 * The county's monthly SMS budget (yuan) and what the dispatcher makes of it. Spend is kept in
 * integer micro-USD, the unit SNS charges in (a receipt's `priceInUSD`), so a real price replaces an
 * estimate without converting; the budget, set in yuan, is turned into micro-USD with the
 * configured rate (PUFA_YUAN_PER_USD) when it is compared. The month is the county's calendar
 * month in its time zone. Pure.
 */
import { z } from 'zod';
import { plainNumberSchema } from './planning.js';
import { utcToLocal } from './schedule.js';
import { countSegments, defaultSmsSettings } from './sms.js';

/** The budget a county office sets: yuan per calendar month; null takes it away (the deployment's default applies). */
export const smsBudgetInputSchema = z
  .object({
    monthlyYuan: plainNumberSchema.min(0).max(10_000_000).nullable().describe('yuan per calendar month (county time); 0 stops all SMS; null: the deployment’s default (PUFA_SMS_MONTHLY_BUDGET_YUAN)'),
  })
  .strict();
export type SmsBudgetInput = z.infer<typeof smsBudgetInputSchema>;

/** A county's month, `YYYY-MM`, in its own time zone. */
export function budgetMonth(now: Date, timeZone: string): string {
  return utcToLocal(now.toISOString(), timeZone).slice(0, 7);
}

/** The first instant of the next local month, for "resumes on …". */
export function nextMonthStartLocal(month: string): string {
  const [year = 0, number = 0] = month.split('-').map(Number);
  return number === 12 ? `${year + 1}-01-01` : `${year}-${String(number + 1).padStart(2, '0')}-01`;
}

export const microUsdFromYuan = (yuan: number, yuanPerUsd: number): number => Math.floor((yuan / yuanPerUsd) * 1_000_000);
export const yuanFromMicroUsd = (microUsd: number, yuanPerUsd: number): number => (microUsd / 1_000_000) * yuanPerUsd;
export const formatYuan = (yuan: number): string => `¥${yuan.toFixed(2)}`;
export const formatUsd = (usd: number): string => `$${usd.toFixed(2)}`;

/**
 * What one SMS of a notice is reserved at before it is sent: its segments at the plan's price per
 * segment (yuan) in micro-USD, rounded up so estimates never undershoot. Notices scheduled before
 * the price was fixed on them are costed at their text's segments and the default price.
 */
export function smsEstimateMicroUsd(notice: { smsText?: string | undefined; smsCostYuan?: number | undefined }, yuanPerUsd: number): number {
  const yuan = notice.smsCostYuan ?? countSegments(notice.smsText ?? '').segments * defaultSmsSettings.pricePerSegment;
  return Math.ceil((yuan / yuanPerUsd) * 1_000_000);
}

/** How many of `amounts`, in order, fit into `room` (a prefix: the oldest due go first). */
export function fittingPrefix(amounts: readonly number[], room: number): number {
  let used = 0;
  for (const [index, amount] of amounts.entries()) {
    if (used + amount > room) return index;
    used += amount;
  }
  return amounts.length;
}

/** A month's spend as kept in the table. */
export interface MonthSpend {
  month: string;
  /** Counted against the budget: the real price of SMS with a receipt, the estimate of the rest (micro-USD). */
  spentMicroUsd: number;
  /** What SNS charged, from receipts so far (micro-USD). */
  realMicroUsd: number;
  /** SMS reserved this month (sent or being sent). */
  sms: number;
  /** SMS whose receipt replaced the estimate with the real price. */
  receipts: number;
}

/** Why SMS stopped, as the dispatcher recorded it. */
export const budgetStopSchema = z.object({
  month: z.string(),
  since: z.string(),
  /** The SMS that did not fit: sending resumes once this much is free again. */
  neededMicroUsd: z.number().int(),
  spentMicroUsd: z.number().int(),
  budgetMicroUsd: z.number().int(),
});
export type BudgetStop = z.infer<typeof budgetStopSchema>;

/** May held SMS go again? In a later month, or once the room left is enough for the SMS that did not fit. */
export function budgetReopened(stop: BudgetStop, now: { month: string; spentMicroUsd: number; budgetMicroUsd: number | undefined }): boolean {
  if (now.budgetMicroUsd === undefined) return true;
  if (now.month !== stop.month) return now.budgetMicroUsd - now.spentMicroUsd >= Math.min(stop.neededMicroUsd, now.budgetMicroUsd) && now.budgetMicroUsd > 0;
  return now.budgetMicroUsd - now.spentMicroUsd >= stop.neededMicroUsd;
}

/** What the dashboard and `GET /sms-budget` show. */
export interface BudgetView {
  month: string;
  /** Undefined: no budget (neither the county's nor the deployment's). */
  monthlyYuan: number | undefined;
  source: 'county' | 'default' | 'none';
  spentYuan: number;
  realYuan: number;
  spentUsd: number;
  remainingYuan: number | undefined;
  sms: number;
  receipts: number;
  yuanPerUsd: number;
  stopped: boolean;
  /** In Chinese, for staff: why SMS are not going out and when they resume. */
  reason?: string;
  stoppedSince?: string;
  heldNotices: number;
}

export function budgetView(input: {
  month: string;
  countyYuan: number | undefined;
  defaultYuan: number | undefined;
  spend: MonthSpend;
  stop: BudgetStop | undefined;
  heldNotices: number;
  yuanPerUsd: number;
}): BudgetView {
  const { spend, yuanPerUsd, stop } = input;
  const monthlyYuan = input.countyYuan ?? input.defaultYuan;
  const spentYuan = yuanFromMicroUsd(spend.spentMicroUsd, yuanPerUsd);
  const budgetMicroUsd = monthlyYuan === undefined ? undefined : microUsdFromYuan(monthlyYuan, yuanPerUsd);
  const stopped = stop !== undefined && !budgetReopened(stop, { month: input.month, spentMicroUsd: spend.spentMicroUsd, budgetMicroUsd });
  return {
    month: input.month,
    monthlyYuan,
    source: input.countyYuan !== undefined ? 'county' : input.defaultYuan !== undefined ? 'default' : 'none',
    spentYuan: round2(spentYuan),
    realYuan: round2(yuanFromMicroUsd(spend.realMicroUsd, yuanPerUsd)),
    spentUsd: round2(spend.spentMicroUsd / 1_000_000),
    remainingYuan: monthlyYuan === undefined ? undefined : round2(Math.max(0, monthlyYuan - spentYuan)),
    sms: spend.sms,
    receipts: spend.receipts,
    yuanPerUsd,
    stopped,
    ...(stopped && stop ? { reason: stopReason(stop, monthlyYuan ?? 0, yuanPerUsd), stoppedSince: stop.since } : {}),
    heldNotices: input.heldNotices,
  };
}

/** The reason staff read on the dashboard and the notice page. */
export function stopReason(stop: BudgetStop, monthlyYuan: number, yuanPerUsd: number): string {
  const spent = formatYuan(yuanFromMicroUsd(stop.spentMicroUsd, yuanPerUsd));
  return `本月短信预算已用完：${stop.month} 已用 ${spent}（有回执的按实际费用，其余按估算），预算 ${formatYuan(monthlyYuan)}。短信已暂停发送（未发的仍在等待，不算失败），下月 ${nextMonthStartLocal(stop.month)} 起或提高预算后自动恢复；村村通广播不受影响。`;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/** A notice's estimated total: audience × sends × (segments × price per segment), in yuan and US dollars. */
export interface NoticeCost {
  recipients: number;
  /** False when the audience was too large to count whole: the total is at least this. */
  complete: boolean;
  sends: number;
  messages: number;
  segments: number;
  costPerRecipientYuan: number;
  totalYuan: number;
  totalUsd: number;
  /** Undefined without a budget. */
  remainingYuan: number | undefined;
  exceedsRemaining: boolean;
}

export function noticeCost(input: { recipients: number; complete?: boolean; sends: number; segments: number; costPerRecipientYuan: number; yuanPerUsd: number; remainingYuan: number | undefined }): NoticeCost {
  const messages = input.recipients * input.sends;
  const totalYuan = round2(messages * input.costPerRecipientYuan);
  return {
    recipients: input.recipients,
    complete: input.complete ?? true,
    sends: input.sends,
    messages,
    segments: input.segments,
    costPerRecipientYuan: input.costPerRecipientYuan,
    totalYuan,
    // Cents hide a small notice's cost: dollars to four places.
    totalUsd: Math.round((totalYuan / input.yuanPerUsd) * 10_000) / 10_000,
    remainingYuan: input.remainingYuan,
    exceedsRemaining: input.remainingYuan !== undefined && totalYuan > input.remainingYuan,
  };
}
