/**
 * @module store/tokens
 * Access tokens in the table. The item is keyed by the secret's hash (lookup on every request
 * is one GetItem); the byParent index lists a county's tokens and finds one by id for revoking.
 */
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tokenRecordSchema, type TokenRecord } from '../domain/access.js';
import type { AuditEntry } from '../domain/audit.js';
import { Conflict, NotFound } from '../domain/errors.js';
import { writeWithAudit } from './audit.js';
import { conditionally, itemExists, itemIsNew } from './conditions.js';
import { keys } from './keys.js';
import type { Page } from './paging.js';
import { queryPage } from './query.js';
import { attr, indexNames } from './table.js';

const ITEM_TYPE = 'token';
/** Expired tokens stay listable for a while (who had access when), then TTL purges them. */
const PURGE_AFTER_EXPIRY_SECONDS = 90 * 24 * 3600;

const notYetRevoked = 'attribute_not_exists(revokedAt)';

export class TokenStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(record: TokenRecord, secretHash: string, audit?: AuditEntry): Promise<void> {
    await writeWithAudit(
      this.db,
      this.tableName,
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.token(secretHash),
            ...keys.tokensOfCounty(record.county),
            ...keys.tokenInCounty(record.id),
            type: ITEM_TYPE,
            ...record,
            ...(record.expiresAt
              ? { [attr.expiresAtEpoch]: Math.floor(Date.parse(record.expiresAt) / 1000) + PURGE_AFTER_EXPIRY_SECONDS }
              : {}),
          },
          ConditionExpression: itemIsNew,
        },
      },
      audit,
    );
  }

  async findBySecretHash(secretHash: string): Promise<TokenRecord | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.token(secretHash) }));
    return result.Item ? toTokenRecord(result.Item) : undefined;
  }

  async list(county: string, options: { limit: number; cursor?: string | undefined }): Promise<Page<TokenRecord>> {
    const page = await queryPage(
      this.db,
      {
        TableName: this.tableName,
        IndexName: indexNames.byParent,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': attr.gsi1pk },
        ExpressionAttributeValues: { ':pk': keys.tokensOfCounty(county).gsi1pk },
      },
      options,
    );
    return { ...page, items: page.items.map(toTokenRecord) };
  }

  /**
   * Revokes a token by id, filing `audit`'s entry with the change. Revoking twice is not an error:
   * the first revocation stands, and the second changes nothing (and files nothing).
   */
  async revoke(county: string, tokenId: string, now: Date, audit?: (before: TokenRecord, after: TokenRecord) => AuditEntry): Promise<TokenRecord> {
    const found = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: indexNames.byParent,
        KeyConditionExpression: '#pk = :pk AND #sk = :sk',
        ExpressionAttributeNames: { '#pk': attr.gsi1pk, '#sk': attr.gsi1sk },
        ExpressionAttributeValues: {
          ':pk': keys.tokensOfCounty(county).gsi1pk,
          ':sk': keys.tokenInCounty(tokenId).gsi1sk,
        },
      }),
    );
    const item = found.Items?.[0];
    if (!item) throw new NotFound(`No token ${tokenId} in this county.`);
    const before = toTokenRecord(item);
    if (before.revokedAt) return before;
    const after: TokenRecord = { ...before, revokedAt: now.toISOString() };
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
            audit?.(before, after),
          ),
        `Token ${tokenId} changed while it was being revoked.`,
      );
      return after;
    } catch (error) {
      // Revoked by someone else in the meantime: theirs is the revocation that stands.
      if (error instanceof Conflict && error.current) return toTokenRecord(error.current);
      throw error;
    }
  }
}

/** Items are parsed, not cast: a malformed item fails loudly here instead of leaking onward. */
function toTokenRecord(item: Record<string, unknown>): TokenRecord {
  return tokenRecordSchema.parse(item);
}
