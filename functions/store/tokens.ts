/**
 * @module store/tokens
 * Access tokens in the table. The item is keyed by the secret's hash (lookup on every request
 * is one GetItem); the byParent index lists a county's tokens and finds one by id for revoking.
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tokenRecordSchema, type TokenRecord } from '../domain/access.js';
import type { AuditEntry } from '../domain/audit.js';
import { writeWithAudit } from './audit.js';
import { itemIsNew } from './conditions.js';
import { keys } from './keys.js';
import type { Page } from './paging.js';
import { pageOfCounty, revokeInCounty, type RevocableKind } from './revocable.js';
import { attr } from './table.js';

const ITEM_TYPE = 'token';
/** Expired tokens stay listable for a while (who had access when), then TTL purges them. */
const PURGE_AFTER_EXPIRY_SECONDS = 90 * 24 * 3600;


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
    return pageOfCounty(this.db, this.tableName, tokenKind, county, options);
  }

  /**
   * Revokes a token by id, filing `audit`'s entry with the change. Revoking twice is not an error:
   * the first revocation stands, and the second changes nothing (and files nothing).
   */
  async revoke(county: string, tokenId: string, now: Date, audit?: (before: TokenRecord, after: TokenRecord) => AuditEntry): Promise<TokenRecord> {
    return revokeInCounty(this.db, this.tableName, tokenKind, { county, id: tokenId, now, audit });
  }
}

/** Items are parsed, not cast: a malformed item fails loudly here instead of leaking onward. */
function toTokenRecord(item: Record<string, unknown>): TokenRecord {
  return tokenRecordSchema.parse(item);
}

const tokenKind: RevocableKind<TokenRecord> = { noun: 'token', ofCounty: keys.tokensOfCounty, inCounty: keys.tokenInCounty, parse: toTokenRecord };
