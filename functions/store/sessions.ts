/**
 * @module store/sessions
 * The web pages' sessions in the table, keyed by the hash of the session secret (one GetItem per
 * page request). Signing out deletes the item; DynamoDB's TTL purges the ones nobody signed out of.
 */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../domain/audit.js';
import { sessionRecordSchema, type SessionRecord } from '../domain/session.js';
import { writeWithAudit } from './audit.js';
import { isConditionFailure, itemExists, itemIsNew } from './conditions.js';
import { keys } from './keys.js';
import { attr } from './table.js';

const ITEM_TYPE = 'session';
const seenBefore = 'lastSeenAt < :now';

export class SessionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(record: SessionRecord, secretHash: string, audit?: AuditEntry): Promise<void> {
    await writeWithAudit(
      this.db,
      this.tableName,
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.session(secretHash),
            type: ITEM_TYPE,
            ...record,
            [attr.expiresAtEpoch]: Math.ceil(Date.parse(record.expiresAt) / 1000),
          },
          ConditionExpression: itemIsNew,
        },
      },
      audit,
    );
  }

  /** Strongly consistent: a session signed out a moment ago must not be found by the next request. */
  async find(secretHash: string): Promise<SessionRecord | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.session(secretHash), ConsistentRead: true }));
    return result.Item ? sessionRecordSchema.parse(result.Item) : undefined;
  }

  /**
   * Moves the session's last activity to `now`. Losing the race (signed out meanwhile, or another
   * request already moved it later) changes nothing worth reporting: that request's answer stands.
   */
  async touch(secretHash: string, now: Date): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.session(secretHash),
          UpdateExpression: 'SET lastSeenAt = :now',
          ConditionExpression: `${itemExists} AND ${seenBefore}`,
          ExpressionAttributeValues: { ':now': now.toISOString() },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /**
   * Ends a session, filing `audit`'s entry with the deletion. Ending one that is already gone
   * (signed out twice, or purged) is not an error: it returns false and files nothing.
   */
  async end(secretHash: string, audit?: AuditEntry): Promise<boolean> {
    try {
      await writeWithAudit(
        this.db,
        this.tableName,
        { Delete: { TableName: this.tableName, Key: keys.session(secretHash), ConditionExpression: itemExists } },
        audit,
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
