/**
 * @module store/rate
 * The send-rate cap, held in the table so it holds across dispatcher runs and concurrent Lambda
 * invocations: one counter item per channel per second. A dispatcher takes send slots in bulk
 * (one conditional ADD for up to `perSecond` slots), so the cap costs about one write per second
 * per dispatcher, not one per message. Slots are only good within their second.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { keys } from './keys.js';
import { attr } from './table.js';

/** Buckets are kept a day for inspection, then DynamoDB's TTL removes them. */
const BUCKET_TTL_SECONDS = 24 * 3600;

export class RateLimiter {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly channel: string,
    readonly perSecond: number,
  ) {}

  /** Takes up to `wanted` slots in the second `now` falls in; returns how many were granted. */
  async take(wanted: number, now: Date): Promise<{ granted: number; second: number }> {
    const second = Math.floor(now.getTime() / 1000);
    let ask = Math.min(wanted, this.perSecond);
    for (let attempt = 0; attempt < 2 && ask > 0; attempt += 1) {
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.rateBucket(this.channel, second),
            UpdateExpression: 'ADD used :ask SET #ttl = :ttl',
            ConditionExpression: 'attribute_not_exists(used) OR used <= :room',
            ExpressionAttributeNames: { '#ttl': attr.expiresAtEpoch },
            ExpressionAttributeValues: { ':ask': ask, ':room': this.perSecond - ask, ':ttl': second + BUCKET_TTL_SECONDS },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { granted: ask, second };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // Someone else took slots this second: ask once more for what is left.
        const used = Number(error.Item ? unmarshall(error.Item).used : this.perSecond);
        ask = Math.min(ask, this.perSecond - used);
      }
    }
    return { granted: 0, second };
  }
}
