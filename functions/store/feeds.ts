/**
 * @module store/feeds
 * Calendar feed secrets in the table, as tokens are: the item is keyed by the secret's hash (the
 * feed's request is one GetItem); the byParent index lists a county's feeds and finds one by id
 * for revoking. Records are parsed with domain/feed's schema, imported on first use.
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../domain/audit.js';
import type { FeedRecord } from '../domain/feed.js';
import { writeWithAudit } from './audit.js';
import { itemIsNew } from './conditions.js';
import { feedModule } from './domain-modules.js';
import { keys } from './keys.js';
import type { Page } from './paging.js';
import { pageOfCounty, revokeInCounty, type RevocableKind } from './revocable.js';

const ITEM_TYPE = 'feed';

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
    return pageOfCounty(this.db, this.tableName, feedKind, county, options);
  }

  /** Revokes a feed by id; revoking twice changes nothing and files nothing. */
  async revoke(county: string, feedId: string, now: Date, audit: (before: FeedRecord, after: FeedRecord) => AuditEntry): Promise<FeedRecord> {
    return revokeInCounty(this.db, this.tableName, feedKind, { county, id: feedId, now, audit });
  }
}

async function toFeedRecord(item: Record<string, unknown>): Promise<FeedRecord> {
  return (await feedModule()).feedRecordSchema.parse(item);
}

const feedKind: RevocableKind<FeedRecord> = { noun: 'calendar feed', ofCounty: keys.feedsOfCounty, inCounty: keys.feedInCounty, parse: toFeedRecord };
