/**
 * @module domain/holiday-data
 * The holiday source behind domain/holidays: the `chinese-days` package's offline data (State
 * Council notices, 2004 to its latest year). Only its JSON table is read — 37 KB, no code — so
 * the package's lunar and solar-term functions never load. To change library, write another
 * `HolidaySource`; nothing else names the package.
 */
import data from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import type { DayMark, HolidaySource } from './holidays.js';

type Table = Record<string, string>;

// The package's short names, as people write them in a notice: 清明 → 清明节.
const FULL_NAME: Record<string, string> = { 清明: '清明节', 端午: '端午节', 中秋: '中秋节' };

/** `Tomb-sweeping Day,清明,1` → 清明节. */
function chineseName(entry: string): string {
  const short = entry.split(',')[1]?.trim() || entry;
  return FULL_NAME[short] ?? short;
}

function yearsOf(...tables: Table[]): number[] {
  return [...new Set(tables.flatMap((table) => Object.keys(table).map((date) => Number(date.slice(0, 4)))))].sort((a, b) => a - b);
}

export function chineseDaysSource(): HolidaySource {
  const holidays: Table = data.holidays;
  const workdays: Table = data.workdays;
  const years = yearsOf(holidays, workdays);
  return {
    mark(date): DayMark | undefined {
      const holiday = holidays[date];
      if (holiday !== undefined) return { kind: 'holiday', name: chineseName(holiday) };
      const workday = workdays[date];
      return workday !== undefined ? { kind: 'workday', name: chineseName(workday) } : undefined;
    },
    years: () => years,
  };
}

let shared: HolidaySource | undefined;
/** One source per process: the table is read once. */
export const holidaySource = (): HolidaySource => (shared ??= chineseDaysSource());
