/**
 * @module store/tally-totals
 * Several counties' month totals at once, for a city's or a province's roll-up: a module of its
 * own, so that the functions that only count (receipts, dispatch) do not carry a BatchGetItem
 * their roles are not granted.
 */
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { counters, type Counts, type StoredCell } from '../domain/tally.js';
import { keys } from './keys.js';
import { attr } from './table.js';

/** A BatchGetItem takes 100 keys: eight counties' twelve month totals. */
export const COUNTIES_PER_BATCH = 8;
const MAX_BATCH_ATTEMPTS = 6;

export class TallyTotalsStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * At most eight counties' (COUNTIES_PER_BATCH) twelve month totals of a year (the `total` cells
   * only), for a city's or a province's roll-up: one BatchGetItem (and its retries of unprocessed
   * keys), however many records and breakdowns each has; the caller runs several at once. A county
   * without a cell has none in its list (nothing counted, no plan loaded).
   */
  async monthTotals(counties: readonly string[], year: number): Promise<Map<string, StoredCell[]>> {
    const found = new Map<string, StoredCell[]>(counties.map((county) => [county, []]));
    const countyOfPk = new Map(counties.map((county) => [keys.tallyYear(county, year), county]));
    if (counties.length > COUNTIES_PER_BATCH) throw new RangeError(`monthTotals reads at most ${COUNTIES_PER_BATCH} counties at once, not ${counties.length}`);
    let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
      [this.tableName]: { Keys: counties.flatMap((county) => Array.from({ length: 12 }, (_, index) => keys.tallyCell(county, year, 'total', '-', index + 1))) },
    };
    for (let attempt = 0; request && Object.keys(request).length > 0; attempt += 1) {
      if (attempt >= MAX_BATCH_ATTEMPTS) throw new Error(`tally totals stayed unprocessed after ${MAX_BATCH_ATTEMPTS} attempts`);
      const result = await this.db.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of result.Responses?.[this.tableName] ?? []) {
        const county = countyOfPk.get(String(item[attr.pk]));
        if (county === undefined) continue;
        found.get(county)?.push({
          year: Number(item.year),
          dimension: 'total',
          value: '-',
          month: Number(item.month),
          counts: Object.fromEntries(counters.map((counter) => [counter, Number(item[counter] ?? 0)])) as Partial<Counts>,
        });
      }
      request = result.UnprocessedKeys as typeof request;
      if (request && Object.keys(request).length > 0) await new Promise((wake) => setTimeout(wake, 50 * 2 ** attempt));
    }
    for (const cells of found.values()) cells.sort((a, b) => a.month - b.month);
    return found;
  }
}
