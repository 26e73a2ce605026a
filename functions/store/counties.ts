/**
 * @module store/counties
 * The deployment's county records: one small partition (a province has under 200 counties),
 * read whole with one Query. A county's creation or change is one transaction: its record, its
 * monthly SMS budget when that is given (kept where `PUT /sms-budget` keeps it), and their audit
 * entries — all of it lands, or none.
 */
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../domain/audit.js';
import { countyRecordSchema, type CountyRecord } from '../domain/county.js';
import { auditPut, type TransactWrite } from './audit.js';
import { conditionally, itemIsNew, versionIs } from './conditions.js';
import { keys } from './keys.js';
import { queryAll } from './query.js';
import { budgetUpdate } from './sms-budget.js';
import { attr } from './table.js';

const ITEM_TYPE = 'county';
/**
 * How long a process trusts a county record it read for a request's settings (time zone, name,
 * signature): a change made elsewhere is seen within this; one made in this process at once.
 */
export const COUNTY_CACHE_MS = 60_000;

/** The budget a write sets with the record (undefined: leave it; null: remove it), and the entries filed with it. */
export interface CountyWrite {
  monthlyBudgetYuan?: number | null | undefined;
  audits: readonly AuditEntry[];
  now: Date;
}

export class CountyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private readonly cache = new Map<string, { at: number; record: CountyRecord | undefined }>();

  /** The county's record for a request's settings: read at most once a minute per county per process. */
  async settings(countyId: string, now: Date): Promise<CountyRecord | undefined> {
    const cached = this.cache.get(countyId);
    const age = cached ? now.getTime() - cached.at : Infinity;
    if (cached && age >= 0 && age < COUNTY_CACHE_MS) return cached.record;
    const record = await this.get(countyId);
    this.remember(countyId, record, now);
    return record;
  }

  private remember(countyId: string, record: CountyRecord | undefined, now: Date): void {
    if (this.cache.size > 1_000) this.cache.clear();
    this.cache.set(countyId, { at: now.getTime(), record });
  }

  /** Creates a county (409, Conflict, when the id is taken), with its budget and entries. */
  async create(record: CountyRecord, write: CountyWrite): Promise<void> {
    const put = { Put: { TableName: this.tableName, Item: { ...keys.county(record.id), type: ITEM_TYPE, ...record }, ConditionExpression: itemIsNew, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } };
    await conditionally(() => this.transact(record.id, put, write), `County "${record.id}" exists already.`);
    this.remember(record.id, record, write.now);
  }

  /** Replaces a county's record if it is still the version read (409 otherwise: read it again), with its budget and entries. */
  async update(record: CountyRecord, expectedVersion: number, write: CountyWrite): Promise<void> {
    const put = {
      Put: {
        TableName: this.tableName,
        Item: { ...keys.county(record.id), type: ITEM_TYPE, ...record },
        ConditionExpression: versionIs,
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':expectedVersion': expectedVersion },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
      },
    };
    await conditionally(() => this.transact(record.id, put, write), `County "${record.id}" changed since it was read; read it again.`);
    this.remember(record.id, record, write.now);
  }

  private async transact(countyId: string, put: TransactWrite, write: CountyWrite): Promise<void> {
    const budget = write.monthlyBudgetYuan === undefined ? [] : [budgetUpdate(this.tableName, countyId, write.monthlyBudgetYuan ?? undefined, write.now)];
    await this.db.send(new TransactWriteCommand({ TransactItems: [put, ...budget, ...write.audits.map((entry) => auditPut(this.tableName, entry))] }));
  }

  async get(countyId: string, options: { consistent?: boolean } = {}): Promise<CountyRecord | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.county(countyId), ConsistentRead: options.consistent ?? false }));
    return result.Item ? countyRecordSchema.parse(result.Item) : undefined;
  }

  /** Every county, in id order. */
  async list(): Promise<CountyRecord[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': attr.pk },
      ExpressionAttributeValues: { ':pk': keys.counties() },
    });
    return items.map((item) => countyRecordSchema.parse(item));
  }
}
