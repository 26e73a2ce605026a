/**
 * @module store/tallies
 * The county's counters. Writers never update a counter on its own: they add `tallyUpdates(...)`
 * to the same TransactWriteItems as the record that moves it, so a record and its counters change
 * together or not at all. Readers get a whole year with one Query.
 */
import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { counters, dimensions, type Counter, type Counts, type StoredCell, type TallyCell, type TallyDelta } from '../domain/tally.js';
import { keys } from './keys.js';
import { queryAll } from './query.js';
import { attr } from './table.js';

/** A few hundred cells at a plan load: enough in flight to take seconds, not minutes. */
const PREPARE_CONCURRENCY = 16;

const cellId = (cell: TallyCell) => `${cell.year}#${cell.dimension}#${cell.value}#${cell.month}`;

export function tallyUpdates(tableName: string, county: string, delta: TallyDelta) {
  // A cell with nothing to add is left alone (an update needs at least one counter).
  const moved = [...delta.values()].filter(({ add }) => Object.values(add).some((amount) => amount !== 0));
  return moved.map(({ cell, add }) => {
    const entries = Object.entries(add).filter(([, amount]) => amount !== 0);
    const names: Record<string, string> = { '#year': 'year', '#dimension': 'dimension', '#value': 'value', '#month': 'month' };
    const values: Record<string, unknown> = { ':year': cell.year, ':dimension': cell.dimension, ':value': cell.value, ':month': cell.month };
    entries.forEach(([counter, amount], index) => {
      names[`#c${index}`] = counter;
      values[`:c${index}`] = amount;
    });
    return {
      Update: {
        TableName: tableName,
        Key: keys.tallyCell(county, cell.year, cell.dimension, cell.value, cell.month),
        UpdateExpression: `SET #year = :year, #dimension = :dimension, #value = :value, #month = :month ADD ${entries.map((_entry, index) => `#c${index} :c${index}`).join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
  });
}

export class TallyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Every counter of a year: one Query, whatever the number of records behind it. */
  async year(county: string, year: number): Promise<StoredCell[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.tallyYear(county, year) },
    });
    return items
      .filter((item) => dimensions.includes(item.dimension as (typeof dimensions)[number]))
      .map((item) => ({
        year: Number(item.year),
        dimension: item.dimension as StoredCell['dimension'],
        value: String(item.value),
        month: Number(item.month),
        counts: Object.fromEntries(counters.map((counter) => [counter, Number(item[counter] ?? 0)])) as Partial<Counts>,
      }));
  }

  /**
   * Creates the cells that do not exist yet, every counter at zero; a cell that exists keeps its
   * counts (`if_not_exists`). Safe to repeat. Zeros written out make an empty cell as large as a
   * counted one, so the year's read costs the same however much has been counted.
   */
  async prepare(county: string, cells: readonly TallyCell[]): Promise<number> {
    // One Query per year says which exist, so a load that finds them all writes nothing.
    const years = [...new Set(cells.map((cell) => cell.year))];
    const existing = new Set((await Promise.all(years.map((year) => this.year(county, year)))).flat().map(cellId));
    const missing = cells.filter((cell) => !existing.has(cellId(cell)));
    for (let start = 0; start < missing.length; start += PREPARE_CONCURRENCY) {
      await Promise.all(
        missing.slice(start, start + PREPARE_CONCURRENCY).map((cell) =>
          this.db.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: keys.tallyCell(county, cell.year, cell.dimension, cell.value, cell.month),
              UpdateExpression: `SET #year = :year, #dimension = :dimension, #value = :value, #month = :month, ${counters.map((_counter, index) => `#c${index} = if_not_exists(#c${index}, :zero)`).join(', ')}`,
              ExpressionAttributeNames: {
                '#year': 'year',
                '#dimension': 'dimension',
                '#value': 'value',
                '#month': 'month',
                ...Object.fromEntries(counters.map((counter, index) => [`#c${index}`, counter])),
              },
              ExpressionAttributeValues: { ':year': cell.year, ':dimension': cell.dimension, ':value': cell.value, ':month': cell.month, ':zero': 0 },
            }),
          ),
        ),
      );
    }
    return missing.length;
  }

  /**
   * Sets these counters of a cell to exact values (reconciliation's repair), and only these: a
   * counter no record can recount (speech characters) is left as it is, and one added meanwhile
   * is not lost.
   */
  async setCounters(county: string, cell: TallyCell, counts: Partial<Counts>, which: readonly Counter[]): Promise<void> {
    const names: Record<string, string> = { '#type': 'type', '#year': 'year', '#dimension': 'dimension', '#value': 'value', '#month': 'month' };
    const values: Record<string, unknown> = { ':type': 'tally', ':year': cell.year, ':dimension': cell.dimension, ':value': cell.value, ':month': cell.month };
    which.forEach((counter, index) => {
      names[`#c${index}`] = counter;
      values[`:c${index}`] = counts[counter] ?? 0;
    });
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.tallyCell(county, cell.year, cell.dimension, cell.value, cell.month),
        UpdateExpression: `SET #type = :type, #year = :year, #dimension = :dimension, #value = :value, #month = :month, ${which.map((_counter, index) => `#c${index} = :c${index}`).join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /**
   * Adds to counters outside any record's transaction: for what no record carries (a recording's
   * synthesized characters, counted when the engine read them, whatever became of the submit).
   */
  async add(county: string, delta: TallyDelta): Promise<void> {
    await Promise.all(tallyUpdates(this.tableName, county, delta).map((update) => this.db.send(new UpdateCommand(update.Update))));
  }

  /** Sets a cell to exact counts (reconciliation's repair). */
  async overwrite(county: string, cell: StoredCell): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.tallyCell(county, cell.year, cell.dimension, cell.value, cell.month), type: 'tally', year: cell.year, dimension: cell.dimension, value: cell.value, month: cell.month, ...cell.counts },
      }),
    );
  }
}
