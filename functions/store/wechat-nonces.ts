/**
 * @module store/wechat-nonces
 * Replay protection for WeChat's callbacks: a (timestamp, nonce) pair is accepted once. Each pair
 * is one item put with `attribute_not_exists`, so two deliveries of the same request racing each
 * other still see one success. The domain first refuses a timestamp outside ±5 minutes of now
 * (domain/wechat-callback.ts), so a pair only has to be remembered for that long; the item's TTL is
 * set a little past the window and DynamoDB's TTL removes it (it may linger up to two days more,
 * which only keeps refusing a replay longer).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Invalid } from '../domain/errors.js';
import { itemIsNew } from './conditions.js';
import { keys } from './keys.js';
import { attr } from './table.js';

/** The domain's freshness window (±5 min) plus a minute of slack for clocks that differ. */
const NONCE_TTL_SECONDS = 11 * 60;
/** WeChat sends epoch seconds and a numeric nonce; anything else never becomes part of a key. */
const TIMESTAMP = /^\d{1,12}$/;
const NONCE = /^[0-9A-Za-z_-]{1,64}$/;

export class WeChatNonceStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Forgets the pair: its callback failed before it was applied, so WeChat's retry of it must be let in. */
  async forget(county: string, nonce: string, timestamp: string): Promise<void> {
    if (!TIMESTAMP.test(timestamp) || !NONCE.test(nonce)) return;
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.wechatNonce(county, timestamp, nonce) }));
  }

  /** Remembers the pair; false if it was seen before (a replay). Check the timestamp's freshness first. */
  async remember(county: string, nonce: string, timestamp: string, now: Date): Promise<boolean> {
    if (!TIMESTAMP.test(timestamp)) throw new Invalid('a WeChat callback timestamp must be epoch seconds', [{ field: 'query.timestamp', message: 'not epoch seconds' }]);
    if (!NONCE.test(nonce)) throw new Invalid('a WeChat callback nonce must be 1–64 letters or digits', [{ field: 'query.nonce', message: 'not a nonce' }]);
    const ttl = Math.max(Number(timestamp), Math.floor(now.getTime() / 1000)) + NONCE_TTL_SECONDS;
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.wechatNonce(county, timestamp, nonce), type: 'wechat-nonce', county, seenAt: now.toISOString(), [attr.expiresAtEpoch]: ttl },
          ConditionExpression: itemIsNew,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
