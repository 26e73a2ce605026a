/**
 * @module store/feeds
 * Calendar feed secrets in the table, as tokens are: the item is keyed by the secret's hash (the
 * feed's request is one GetItem); the byParent index lists a county's feeds and finds one by id
 * for revoking. Records are parsed with domain/feed's schema, imported on first use.
 */
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../domain/audit.js';
import { Conflict, NotFound } from '../domain/errors.js';
import type { FeedRecord } from '../domain/feed.js';
import { writeWithAudit } from './audit.js';
import { conditionally, itemExists, itemIsNew } from './conditions.js';
import { feedModule } from './domain-modules.js';
import { keys } from './keys.js';
import type { Page } from './paging.js';
import { queryPage } from './query.js';
import { attr, indexNames } from './table.js';

const ITEM_TYPE = 'feed';
const notYetRevoked = 'attribute_not_exists(revokedAt)';

export class FeedStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(record: FeedRecord, secretHash: string, audit: AuditEntry): Promise<void> {
    await writeWithAudit(
      this.db,
      this.tableName,
      {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.feed(secretHash), ...keys.feedsOfCounty(record.county), ...keys.feedInCounty(record.id), type: ITEM_TYPE, ...record },
          ConditionExpression: itemIsNew,
        },
      },
      audit,
    );
  }

  async findBySecretHash(secretHash: string): Promise<FeedRecord | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.feed(secretHash) }));
    return result.Item ? toFeedRecord(result.Item) : undefined;
  }

  async list(county: string, options: { limit: number; cursor?: string | undefined }): Promise<Page<FeedRecord>> {
    const page = await queryPage(
      this.db,
      {
        TableName: this.tableName,
        IndexName: indexNames.byParent,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': attr.gsi1pk },
        ExpressionAttributeValues: { ':pk': keys.feedsOfCounty(county).gsi1pk },
      },
      options,
    );
    return { ...page, items: await Promise.all(page.items.map(toFeedRecord)) };
  }

  /** Revokes a feed by id; revoking twice changes nothing and files nothing. */
  async revoke(county: string, feedId: string, now: Date, audit: (before: FeedRecord, after: FeedRecord) => AuditEntry): Promise<FeedRecord> {
    const found = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: indexNames.byParent,
        KeyConditionExpression: '#pk = :pk AND #sk = :sk',
        ExpressionAttributeNames: { '#pk': attr.gsi1pk, '#sk': attr.gsi1sk },
        ExpressionAttributeValues: { ':pk': keys.feedsOfCounty(county).gsi1pk, ':sk': keys.feedInCounty(feedId).gsi1sk },
      }),
    );
    const item = found.Items?.[0];
    if (!item) throw new NotFound(`No calendar feed ${feedId} in this county.`);
    const before = await toFeedRecord(item);
    if (before.revokedAt) return before;
    const after: FeedRecord = { ...before, revokedAt: now.toISOString() };
    try {
      await conditionally(
        () =>
          writeWithAudit(
            this.db,
            this.tableName,
            {
              Update: {
                TableName: this.tableName,
                Key: { [attr.pk]: item[attr.pk], [attr.sk]: item[attr.sk] },
                UpdateExpression: 'SET revokedAt = :now',
                ConditionExpression: `${itemExists} AND ${notYetRevoked}`,
                ExpressionAttributeValues: { ':now': after.revokedAt },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            audit(before, after),
          ),
        `Calendar feed ${feedId} changed while it was being revoked.`,
      );
      return after;
    } catch (error) {
      if (error instanceof Conflict && error.current) return toFeedRecord(error.current);
      throw error;
    }
  }
}

async function toFeedRecord(item: Record<string, unknown>): Promise<FeedRecord> {
  return (await feedModule()).feedRecordSchema.parse(item);
}
