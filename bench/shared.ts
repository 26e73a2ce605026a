/**
 * @module bench/shared
 * What the benchmarks share: the `bench:` line format, `--quick` sizes, a DynamoDB Local with a
 * fresh table, a meter that counts AWS requests and DynamoDB consumed capacity through SDK
 * middleware, and percentiles. Figures describe this machine and DynamoDB Local, not AWS.
 */
import '../functions/local/quiet-sdk-warning.js';
import { readdirSync, readFileSync } from 'node:fs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '../functions/local/dynamodb-local.js';
import { localDeps, type LocalDeps } from '../functions/local/runtime.js';
import { newPhoneKeySecret } from '../functions/local/phone-secret.js';
import { tableDefinition } from '../functions/store/table.js';

/** `--quick`: small sizes, for developing the benchmarks themselves. */
export const quick = process.argv.includes('--quick');

/** The one output format the runner and RESULTS.md read: `bench: <name> <value> <unit>`. */
export function report(name: string, value: number | string, unit: string): void {
  const shown = typeof value === 'number' ? formatNumber(value) : value;
  console.log(`bench: ${name} ${shown} ${unit}`);
}

/** A line of context that is not a figure (sizes, what was measured), kept out of `bench:` lines. */
export function note(text: string): void {
  console.log(`  ${text}`);
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  const magnitude = Math.abs(value);
  return value.toFixed(magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3);
}

/** The q-quantile (0..1) of samples, nearest rank. Sorts a copy. */
export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export const median = (samples: readonly number[]) => percentile(samples, 0.5);

export const seconds = (fromMs: number) => (performance.now() - fromMs) / 1000;

// --- Metering AWS requests

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

export interface MeterReading {
  /** Requests by service and command, e.g. `dynamodb UpdateItem`. */
  requests: Map<string, number>;
  /** DynamoDB capacity units consumed by command, e.g. `TransactWriteItems`. */
  units: Map<string, number>;
  /** DynamoDB capacity units consumed, table and indexes together, by kind of request. */
  readUnits: number;
  writeUnits: number;
}

/** Commands that read: their consumed capacity is read capacity, the rest is write capacity. */
const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
/** Commands DynamoDB accepts `ReturnConsumedCapacity` on. */
const RETURNS_CAPACITY = new Set([...READS, 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/**
 * Counts every request the clients it is attached to send, and asks DynamoDB for the capacity
 * each one consumed (`ReturnConsumedCapacity: INDEXES`, so index writes are included).
 *
 * Checked against DynamoDB Local before relying on it: for GetItem, Query, BatchGetItem,
 * PutItem, UpdateItem and BatchWriteItem it reports what AWS bills (per item and KB, index
 * writes included). For TransactWriteItems it does not: it reports a flat 2 units per table
 * whatever the number of items (10 Puts: 2). So transactions are costed here from the request by
 * AWS's rule instead: see `transactionWriteUnits`.
 */
export class Meter {
  private requests = new Map<string, number>();
  private units = new Map<string, number>();
  private readUnits = 0;
  private writeUnits = 0;

  attachDynamoDb(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        const input = args.input as Record<string, unknown>;
        if (RETURNS_CAPACITY.has(command)) input.ReturnConsumedCapacity = 'INDEXES';
        this.count(`dynamodb ${command}`);
        const estimated = command === 'TransactWriteItems' ? transactionWriteUnits(input) : undefined;
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity;
        const reported = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce((sum, item) => sum + (item.CapacityUnits ?? 0), 0);
        const units = estimated ?? reported;
        if (READS.has(command)) this.readUnits += units;
        else this.writeUnits += units;
        this.units.set(command, (this.units.get(command) ?? 0) + units);
        return result;
      },
      // Before the serializer, so the added parameter goes on the wire.
      { step: 'serialize', priority: 'high', name: 'benchMeter' },
    );
  }

  attachSns(client: SNSClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        this.count(`sns ${(context.commandName ?? 'Unknown').replace(/Command$/, '')}`);
        return next(args);
      },
      { step: 'initialize', priority: 'high', name: 'benchMeter' },
    );
  }

  private count(key: string): void {
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  reading(): MeterReading {
    return { requests: new Map(this.requests), units: new Map(this.units), readUnits: this.readUnits, writeUnits: this.writeUnits };
  }

  /** What happened between an earlier reading and now. */
  since(before: MeterReading): MeterReading {
    const now = this.reading();
    const minus = (after: Map<string, number>, earlier: Map<string, number>) => {
      const delta = new Map<string, number>();
      for (const [key, value] of after) if (value - (earlier.get(key) ?? 0) > 0) delta.set(key, value - (earlier.get(key) ?? 0));
      return delta;
    };
    return {
      requests: minus(now.requests, before.requests),
      units: minus(now.units, before.units),
      readUnits: now.readUnits - before.readUnits,
      writeUnits: now.writeUnits - before.writeUnits,
    };
  }
}

/** The key attributes of the table's secondary indexes: an item carrying both is in that index. */
const INDEX_KEYS = tableDefinition.indexes.map((index) => [index.partitionKey.name, index.sortKey.name] as const);

type AttributeValue = { S?: string; N?: string; B?: Uint8Array; BOOL?: boolean; NULL?: boolean; M?: Record<string, AttributeValue>; L?: AttributeValue[]; SS?: string[]; NS?: string[] };

/** An attribute value's size as DynamoDB counts it, near enough (strings as UTF-8, numbers ~ digits/2). */
function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.length / 2) + 1;
  if (value.B !== undefined) return value.B.length;
  if (value.M) return 3 + Object.entries(value.M).reduce((sum, [name, inner]) => sum + Buffer.byteLength(name) + valueBytes(inner), 0);
  if (value.L) return 3 + value.L.reduce((sum, inner) => sum + 1 + valueBytes(inner), 0);
  if (value.SS) return value.SS.reduce((sum, item) => sum + Buffer.byteLength(item), 0);
  if (value.NS) return value.NS.reduce((sum, item) => sum + Math.ceil(item.length / 2) + 1, 0);
  return 1;
}

/**
 * A TransactWriteItems request's write units by AWS's rule: 2 per started KB per action (an
 * updated or deleted item is taken as under 1 KB, which every item pufa updates in a
 * transaction is: deliveries, counters, records), plus 1 per index entry a Put creates or an
 * update removes by REMOVEing an index key. Index entries an update rewrites without touching
 * their keys are not seen from the request, so this is a slight underestimate for items that are
 * also in the byParent index (station scripts, activity records).
 */
export function transactionWriteUnits(input: Record<string, unknown>): number {
  type Update = { UpdateExpression?: string; ExpressionAttributeNames?: Record<string, string> };
  const actions = (input.TransactItems ?? []) as { Put?: { Item?: Record<string, AttributeValue> }; Update?: Update; Delete?: unknown; ConditionCheck?: unknown }[];
  const indexKeys = new Set(INDEX_KEYS.flat());
  /** Does this update REMOVE an attribute some index is keyed on (so the item leaves that index)? */
  const leavesAnIndex = (update: Update) => {
    const removed = update.UpdateExpression?.match(/\bREMOVE\s+(.*?)(?:\s+(?:SET|ADD|DELETE)\s|$)/)?.[1] ?? '';
    return removed.split(',').some((name) => indexKeys.has(update.ExpressionAttributeNames?.[name.trim()] ?? name.trim()));
  };
  let units = 0;
  for (const action of actions) {
    if (action.Put?.Item) {
      const item = action.Put.Item;
      const bytes = Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value), 0);
      units += 2 * Math.max(1, Math.ceil(bytes / 1024));
      units += INDEX_KEYS.filter(([partition, sort]) => partition in item && sort in item).length;
    } else if (action.Update || action.Delete) {
      units += 2;
      if (action.Update && leavesAnIndex(action.Update)) units += 1;
    } else if (action.ConditionCheck) {
      units += 2;
    }
  }
  return units;
}

/** Requests of one service (`dynamodb`, `sns`) in a reading, optionally only some commands. */
export function requestsOf(reading: MeterReading, service: 'dynamodb' | 'sns', commands?: readonly string[]): number {
  let total = 0;
  for (const [key, count] of reading.requests) {
    const [from, command = ''] = key.split(' ');
    if (from === service && (!commands || commands.includes(command))) total += count;
  }
  return total;
}

/**
 * `UpdateItem 2000 (4000 units), TransactWriteItems 2000 (…)`, busiest first, each divided by
 * `per` (e.g. the deliveries): for the notes under a figure.
 */
export function describeRequests(reading: MeterReading, service: 'dynamodb' | 'sns', per = 1): string {
  const show = (value: number) => (per === 1 ? String(value) : (value / per).toFixed(3));
  return [...reading.requests]
    .filter(([key]) => key.startsWith(`${service} `))
    .sort((a, b) => b[1] - a[1])
    .map(([key, count]) => {
      const command = key.slice(service.length + 1);
      const units = reading.units.get(command);
      return `${command} ${show(count)}${units ? ` (${show(units)} units)` : ''}`;
    })
    .join(', ');
}

// --- DynamoDB Local

/** Linux reports process CPU time in clock ticks of 10 ms (USER_HZ = 100). */
const MS_PER_TICK = 10;

/**
 * CPU time used so far by the DynamoDB Local JVM listening on `port`, read from /proc (Linux
 * only; undefined elsewhere or when not found). Tells apart the database's share of a
 * benchmark's CPU from the app's (`process.cpuUsage()`), on a machine where both share 2 cores.
 */
export function databaseCpuMs(port: number): number | undefined {
  try {
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      let args: string[];
      try {
        args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      } catch {
        continue; // the process ended while we looked
      }
      if (args[0] !== 'java' || !args.some((arg) => arg.endsWith('DynamoDBLocal.jar'))) continue;
      if (args[args.indexOf('-port') + 1] !== String(port)) continue;
      const fields = (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ');
      return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
    }
  } catch {
    return undefined; // no /proc: not Linux
  }
  return undefined;
}

export interface BenchDatabase {
  local: LocalDeps;
  meter: Meter;
  endpoint: string;
  /** CPU used by the database process so far, in ms (see `databaseCpuMs`). */
  cpuMs(): number | undefined;
  stop(): Promise<void>;
}

/**
 * A DynamoDB Local of its own (in memory) with the app's table, and the app's dependencies on
 * it, metered. `env` is the config a benchmark wants (county, SMS cap...).
 */
export async function startDatabase(options: { tableName: string; env?: Record<string, string> }): Promise<BenchDatabase> {
  const database = await startDynamoDbLocal();
  try {
    const local = await localDeps({ dynamoDbEndpoint: database.endpoint, tableName: options.tableName, logLevel: 'silent', env: options.env ?? {}, phoneKeySecret: newPhoneKeySecret() });
    const meter = new Meter();
    meter.attachDynamoDb(local.client);
    return {
      local,
      meter,
      endpoint: database.endpoint,
      cpuMs: () => databaseCpuMs(database.port),
      stop: async () => {
        local.client.destroy();
        await database.stop();
      },
    };
  } catch (error) {
    await database.stop();
    throw error;
  }
}

/** BatchWriteItem takes 25 puts a call. */
const BATCH_WRITE = 25;

/**
 * Setup only: puts items in bulk, `parallel` BatchWrites at a time, retrying what DynamoDB leaves
 * unprocessed. Benchmarks use it to create what they do not measure (subscribers, records).
 */
export async function putAll(db: DynamoDBDocumentClient, tableName: string, items: readonly Record<string, unknown>[], parallel = 6): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const start = next;
      next += BATCH_WRITE;
      if (start >= items.length) return;
      let pending = items.slice(start, start + BATCH_WRITE).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending.length > 0; attempt += 1) {
        if (attempt > 8) throw new Error('BatchWrite left items unprocessed 8 times');
        const result = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
        pending = (result.UnprocessedItems?.[tableName] ?? []) as typeof pending;
        if (pending.length > 0) await new Promise((wake) => setTimeout(wake, 20 * 2 ** attempt));
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}
