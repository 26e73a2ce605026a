/**
 * @module domain/holidays
 * China's public holidays and make-up workdays (法定节假日与调休) as a calendar that schedules ask
 * "what is this day?". The data comes from a `HolidaySource` (domain/holiday-data wraps the
 * chinese-days package; a test hands in a table), and the plan file can add or correct days for
 * its year (`holidays:` / `workdays:`), since the State Council publishes a year only in the
 * November before it. Pure: no library import here, so the source stays replaceable.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';

/** What a day is, when it is not what its weekday says. */
export interface DayMark {
  /** `holiday`: a day off (法定节假日, weekends inside the holiday included); `workday`: a make-up working day (调休上班). */
  kind: 'holiday' | 'workday';
  /** The holiday's name, e.g. 清明节; a make-up workday carries the holiday it makes up for. */
  name: string;
}

/** The replaceable part: where holiday data comes from. */
export interface HolidaySource {
  /** Local date `YYYY-MM-DD` to its mark, or undefined for an ordinary day. */
  mark(date: string): DayMark | undefined;
  /** The years the source has data for. */
  years(): readonly number[];
}

export const holidayPolicies = ['keep', 'next-workday', 'previous-workday', 'skip'] as const;
export type HolidayPolicy = (typeof holidayPolicies)[number];

export const holidayPolicySchema = z
  .enum(holidayPolicies)
  .describe('when a send falls on a public holiday or a make-up workday: keep it, move it to the next or previous ordinary workday, or skip it');

/** A day the plan adds or corrects: `holidays:` and `workdays:` in the plan file (schema in domain/plan). */
export interface DayOverride {
  date: string;
  name: string;
}

export interface DayOverrides {
  holidays?: readonly DayOverride[] | undefined;
  workdays?: readonly DayOverride[] | undefined;
}

export interface HolidayCalendar {
  mark(date: string): DayMark | undefined;
  /** Whether the library or the plan says anything about the year. */
  knowsYear(year: number): boolean;
}

/** The source's data with the plan's days laid over it: a plan entry wins over the library. */
export function holidayCalendar(source: HolidaySource, overrides: DayOverrides = {}): HolidayCalendar {
  const planned = new Map<string, DayMark>();
  for (const day of overrides.holidays ?? []) planned.set(day.date, { kind: 'holiday', name: day.name });
  for (const day of overrides.workdays ?? []) planned.set(day.date, { kind: 'workday', name: day.name });
  const years = new Set([...source.years(), ...[...planned.keys()].map((date) => Number(date.slice(0, 4)))]);
  return {
    mark: (date) => planned.get(date.slice(0, 10)) ?? source.mark(date.slice(0, 10)),
    knowsYear: (year) => years.has(year),
  };
}

const weekday = (date: string) => DateTime.fromISO(date, { zone: 'UTC' }).weekday; // 1 = Monday … 7 = Sunday

/** Monday to Friday, no holiday; a make-up workday is not ordinary (people work, but not as usual). */
export function isOrdinaryWorkday(calendar: HolidayCalendar, date: string): boolean {
  return weekday(date) <= 5 && calendar.mark(date) === undefined;
}

// The longest run of days off is the Spring Festival week with its weekends: a fortnight is ample.
const SEARCH_DAYS = 14;

/** The nearest ordinary workday after (or before) `date`, or undefined within a fortnight. */
export function nearestWorkday(calendar: HolidayCalendar, date: string, direction: 1 | -1): string | undefined {
  let day = DateTime.fromISO(date, { zone: 'UTC' });
  for (let step = 0; step < SEARCH_DAYS; step += 1) {
    day = day.plus({ days: direction });
    const iso = day.toISODate() ?? '';
    if (isOrdinaryWorkday(calendar, iso)) return iso;
  }
  return undefined;
}

/** How a mark reads in a sentence: 清明节 / 国庆节调休上班日. */
export function markLabel(mark: DayMark): string {
  return mark.kind === 'holiday' ? mark.name : `${mark.name}调休上班日`;
}

/** The given years that neither the library nor the plan knows, in order: each is a warning. */
export function unknownYears(calendar: HolidayCalendar, years: Iterable<number>): number[] {
  return [...new Set(years)].filter((year) => !calendar.knowsYear(year)).sort((a, b) => a - b);
}

export function unknownYearWarning(year: number): string {
  return `${year} 年没有法定节假日与调休数据（国务院通知尚未收录）：请在计划中用 holidays / workdays 补充，否则节假日不会被识别`;
}

/** Every marked day of a month (`YYYY-MM`), for calendars. */
export function marksOfMonth(calendar: HolidayCalendar, month: string): (DayMark & { date: string })[] {
  const first = DateTime.fromISO(`${month}-01`, { zone: 'UTC' });
  const marks: (DayMark & { date: string })[] = [];
  for (let day = first; day.month === first.month; day = day.plus({ days: 1 })) {
    const date = day.toISODate() ?? '';
    const mark = calendar.mark(date);
    if (mark) marks.push({ date, ...mark });
  }
  return marks;
}

/** Runs of consecutive days with the same mark: 10.1–10.7 国庆节 rather than seven lines. */
export function markSpans(days: readonly (DayMark & { date: string })[]): (DayMark & { from: string; to: string })[] {
  const spans: (DayMark & { from: string; to: string })[] = [];
  for (const day of days) {
    const last = spans.at(-1);
    const next = last ? DateTime.fromISO(last.to, { zone: 'UTC' }).plus({ days: 1 }).toISODate() : undefined;
    if (last && last.kind === day.kind && last.name === day.name && next === day.date) last.to = day.date;
    else spans.push({ kind: day.kind, name: day.name, from: day.date, to: day.date });
  }
  return spans;
}
