/**
 * @module store/counties
 * The deployment's county records: one small partition (a province has under 200 counties),
 * read whole with one Query; each record is one item, written with its audit entry.
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../domain/audit.js';
import { countyRecordSchema, type CountyRecord } from '../domain/county.js';
import { writeWithAudit } from './audit.js';
import { conditionally, itemIsNew, versionIs } from './conditions.js';
import { keys } from './keys.js';
import { queryAll } from './query.js';
import { attr } from './table.js';

const ITEM_TYPE = 'county';
/**
 * How long a process trusts a county record it read for a request's settings (time zone, name,
 * signature): a change made elsewhere is seen within this; one made in this process at once.
 */
export const COUNTY_CACHE_MS = 60_000;

export class CountyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private readonly cache = new Map<string, { at: number; record: CountyRecord | undefined }>();

  /** The county's record for a request's settings: read at most once a minute per county per process. */
  async settings(countyId: string, now: Date): Promise<CountyRecord | undefined> {
    const cached = this.cache.get(countyId);
    if (cached && now.getTime() - cached.at >= 0 && now.getTime() - cached.at < COUNTY_CACHE_MS) return cached.record;
    const record = await this.get(countyId);
    if (this.cache.size > 1_000) this.cache.clear();
    this.cache.set(countyId, { at: now.getTime(), record });
    return record;
  }

  /** Creates a county; 409 (Conflict) when the id is taken. */
  async create(record: CountyRecord, audit: AuditEntry | undefined): Promise<void> {
    await conditionally(
      () =>
        writeWithAudit(
          this.db,
          this.tableName,
          { Put: { TableName: this.tableName, Item: { ...keys.county(record.id), type: ITEM_TYPE, ...record }, ConditionExpression: itemIsNew, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
          audit,
        ),
      `County "${record.id}" exists already.`,
    );
    this.cache.delete(record.id);
  }

  /** Replaces a county's record if it is still the version read (409 otherwise: read it again). */
  async update(record: CountyRecord, expectedVersion: number, audit: AuditEntry | undefined): Promise<void> {
    await conditionally(
      () =>
        writeWithAudit(
          this.db,
          this.tableName,
          {
            Put: {
              TableName: this.tableName,
              Item: { ...keys.county(record.id), type: ITEM_TYPE, ...record },
              ConditionExpression: versionIs,
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':expectedVersion': expectedVersion },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          audit,
        ),
      `County "${record.id}" changed since it was read; read it again.`,
    );
    this.cache.delete(record.id);
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
