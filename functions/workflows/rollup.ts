/**
 * @module workflows/rollup
 * Reading a city's or a province's counties side by side: the counties in the caller's scope
 * (never another's: a county outside it is not read at all), each one's month totals of the year
 * (one BatchGet per eight counties) and its plan's yearly target (a few plans read at once), each
 * county judged in its own time zone; domain/rollup puts them together.
 */
import type { Caller } from '../domain/access.js';
import { buildRollup, countyYearTarget, type Rollup, type RollupLevel } from '../domain/rollup.js';
import { utcToLocal } from '../domain/schedule.js';
import { counters, type Counts, type StoredCell } from '../domain/tally.js';
import type { Store } from '../store/index.js';
import { COUNTIES_PER_BATCH } from '../store/tally-totals.js';
import { listCounties } from './counties.js';
import { inParallel } from './parallel.js';

/** Plans read at once: a province has some 180 counties; a few GetItems in flight, not 180. */
const PLAN_READS = 8;
/** Month totals are read eight counties to a request (96 keys of BatchGetItem's 100), four requests at once. */
const TOTALS_READS = 4;

export interface RollupQuery {
  year: number;
  /** One month of the year; absent: the whole year. */
  month?: number | undefined;
  /** The day targets are judged on (local); absent: today in each county. */
  date?: string | undefined;
  /** The city's or province's name as the report prints it (雅安市). */
  name?: string | undefined;
}

/** Each county's month totals: a few batches of eight counties in flight at once. */
async function monthTotals(store: Store, counties: readonly string[], year: number): Promise<Map<string, StoredCell[]>> {
  const batches = Array.from({ length: Math.ceil(counties.length / COUNTIES_PER_BATCH) }, (_, index) => counties.slice(index * COUNTIES_PER_BATCH, (index + 1) * COUNTIES_PER_BATCH));
  const read = await inParallel(batches, TOTALS_READS, (batch) => store.tallyTotals.monthTotals(batch, year));
  return new Map(read.flatMap((found) => [...found]));
}

export function levelOf(caller: Caller): RollupLevel {
  return caller.role === 'city' ? 'city' : caller.role === 'province' ? 'province' : 'deployment';
}

export async function readRollup(deps: { store: Store; timeZone: string; now: Date }, caller: Caller, query: RollupQuery): Promise<Rollup> {
  const { store, now } = deps;
  const counties = await listCounties(store, caller);
  const months = query.month ? [query.month] : Array.from({ length: 12 }, (_, index) => index + 1);
  const [totals, plans] = await Promise.all([
    monthTotals(
      store,
      counties.map((county) => county.id),
      query.year,
    ),
    inParallel(counties, PLAN_READS, (county) => store.plans.getYear(county.id, query.year)),
  ]);
  const today = (timeZone: string) => utcToLocal(now.toISOString(), timeZone).slice(0, 10);
  return buildRollup({
    year: query.year,
    months,
    level: levelOf(caller),
    // The page's or the query's spelling, else the one the token was issued with (雅安市).
    regionName: query.name ?? caller.regionName,
    date: query.date ?? today(deps.timeZone),
    counties: counties.map((county, index) => {
      const cells = totals.get(county.id) ?? [];
      const inPeriod: Partial<Counts> = {};
      for (const cell of cells.filter((item) => months.includes(item.month))) {
        for (const counter of counters) inPeriod[counter] = (inPeriod[counter] ?? 0) + (cell.counts[counter] ?? 0);
      }
      const target = countyYearTarget(query.year, county, plans[index]?.targets?.county, cells, query.date ?? today(county.timeZone));
      return { id: county.id, name: county.name, totals: inPeriod, target };
    }),
  });
}
