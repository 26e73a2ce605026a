/**
 * @module store/activities
 * Activity records. Creating, changing or deleting one is a single TransactWriteItems: the record
 * (guarded by its version, or by not existing yet) and the exact tally changes it causes. A
 * retried request, a crash between two writes or two edits at once cannot leave the tallies off:
 * either the whole transaction happened, or none of it.
 */
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ActivityRecord } from '../domain/activity.js';
import type { AuditEntry } from '../domain/audit.js';
import { NotFound } from '../domain/errors.js';
import { activityDelta } from '../domain/tally.js';
import { auditPut } from './audit.js';
import { activityModule } from './domain-modules.js';
import { conditionally, itemIsNew } from './conditions.js';
import { keys } from './keys.js';
import type { Page } from './paging.js';
import { queryAll, queryPage } from './query.js';
import { tallyUpdates } from './tallies.js';
import { attr, indexNames } from './table.js';

function activityItem(record: ActivityRecord) {
  return {
    ...keys.activity(record.county, record.id),
    ...keys.activitiesOfYear(record.county, record.year),
    ...keys.activityInYear(record.date, record.id),
    type: 'activity',
    ...record,
  };
}

const versionGuard = (version: number) => ({
  ConditionExpression: '#version = :expectedVersion',
  ExpressionAttributeNames: { '#version': 'version' },
  ExpressionAttributeValues: { ':expectedVersion': version },
});

export class ActivityStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(record: ActivityRecord, audit?: AuditEntry): Promise<void> {
    await conditionally(
      () =>
        this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: this.tableName, Item: activityItem(record), ConditionExpression: itemIsNew } },
              ...tallyUpdates(this.tableName, record.county, activityDelta(undefined, record)),
              ...(audit ? [auditPut(this.tableName, audit)] : []),
            ],
          }),
        ),
      `An activity with id "${record.id}" already exists.`,
    );
  }

  async replace(before: ActivityRecord, after: ActivityRecord, audit?: AuditEntry): Promise<void> {
    await conditionally(
      () =>
        this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: this.tableName, Item: activityItem(after), ...versionGuard(before.version) } },
              ...tallyUpdates(this.tableName, after.county, activityDelta(before, after)),
              ...(audit ? [auditPut(this.tableName, audit)] : []),
            ],
          }),
        ),
      `Activity "${before.id}" was changed by someone else; reload and try again.`,
    );
  }

  async remove(before: ActivityRecord, audit?: AuditEntry): Promise<void> {
    await conditionally(
      () =>
        this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Delete: { TableName: this.tableName, Key: keys.activity(before.county, before.id), ...versionGuard(before.version) } },
              ...tallyUpdates(this.tableName, before.county, activityDelta(before, undefined)),
              ...(audit ? [auditPut(this.tableName, audit)] : []),
            ],
          }),
        ),
      `Activity "${before.id}" was changed or deleted by someone else.`,
    );
  }

  async get(county: string, id: string): Promise<ActivityRecord | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.activity(county, id) }));
    const { activityRecordSchema } = await activityModule();
    return result.Item ? activityRecordSchema.parse(result.Item) : undefined;
  }

  async require(county: string, id: string): Promise<ActivityRecord> {
    const found = await this.get(county, id);
    if (!found) throw new NotFound(`No activity "${id}".`);
    return found;
  }

  /** A page of a year's activities in date order, optionally one month, township, theme or department. */
  async page(
    county: string,
    filter: { year: number; month?: number | undefined; township?: string | undefined; theme?: string | undefined; department?: string | undefined },
    page: { limit: number; cursor?: string | undefined },
  ): Promise<Page<ActivityRecord>> {
    const filters = [
      ...(filter.township ? ['township = :township'] : []),
      ...(filter.theme ? ['theme = :theme'] : []),
      ...(filter.department ? ['contains(departments, :department)'] : []),
    ];
    const result = await queryPage(
      this.db,
      {
        TableName: this.tableName,
        IndexName: indexNames.byParent,
        KeyConditionExpression: filter.month ? '#pk = :pk AND begins_with(#sk, :month)' : '#pk = :pk',
        ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
        ExpressionAttributeNames: { '#pk': attr.gsi1pk, ...(filter.month ? { '#sk': attr.gsi1sk } : {}) },
        ExpressionAttributeValues: {
          ':pk': keys.activitiesOfYear(county, filter.year).gsi1pk,
          ...(filter.month ? { ':month': `${filter.year}-${String(filter.month).padStart(2, '0')}` } : {}),
          ...(filter.township ? { ':township': filter.township } : {}),
          ...(filter.theme ? { ':theme': filter.theme } : {}),
          ...(filter.department ? { ':department': filter.department } : {}),
        },
      },
      page,
    );
    const { activityRecordSchema } = await activityModule();
    return { ...result, items: result.items.map((item) => activityRecordSchema.parse(item)) };
  }

  /** Every activity of a year (reconciliation only: it reads them all by design). */
  async allOfYear(county: string, year: number): Promise<ActivityRecord[]> {
    const items = await queryAll(
      this.db,
      {
        TableName: this.tableName,
        IndexName: indexNames.byParent,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': attr.gsi1pk },
        ExpressionAttributeValues: { ':pk': keys.activitiesOfYear(county, year).gsi1pk },
      },
      10_000_000,
    );
    const { activityRecordSchema } = await activityModule();
    return items.map((item) => activityRecordSchema.parse(item));
  }
}
