/**
 * @module store/station-pushes
 * Stations' push subscriptions (the SNS subscription ARN and its state, per station) and what
 * their receivers reported (the last push received, the last airing confirmed). One small
 * partition per county, read whole with one Query (pattern 25).
 */
import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StationPushSeen, StationSubscription } from '../domain/station-push.js';
import { stationPushModule } from './domain-modules.js';
import { publicFields } from './conditions.js';
import { keys } from './keys.js';
import { queryAll } from './query.js';
import { attr } from './table.js';

export interface StationPushes {
  subscriptions: Map<string, StationSubscription>;
  seen: Map<string, StationPushSeen>;
}

export class StationPushStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(county: string): Promise<StationPushes> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': attr.pk },
      ExpressionAttributeValues: { ':pk': keys.stationPushes(county) },
    });
    const of = (prefix: string) => items.filter((item) => String(item[attr.sk]).startsWith(prefix)).map(publicFields);
    const { stationPushSeenSchema, stationSubscriptionSchema } = await stationPushModule();
    return {
      subscriptions: new Map(of(keys.stationSubscriptionPrefix).map((item) => stationSubscriptionSchema.parse(item)).map((record) => [record.stationId, record])),
      seen: new Map(of(keys.stationPushSeenPrefix).map((item) => stationPushSeenSchema.parse(item)).map((record) => [record.stationId, record])),
    };
  }

  /** Records a subscription as it now is (the last SNS answer wins: SNS is the source of truth). */
  async putSubscription(county: string, record: StationSubscription): Promise<void> {
    const { stationSubscriptionSchema } = await stationPushModule();
    const item = stationSubscriptionSchema.parse(record);
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.stationSubscription(county, record.stationId), type: 'station-subscription', ...item } }));
  }

  async removeSubscription(county: string, stationId: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.stationSubscription(county, stationId) }));
  }

  /** The receiver said it got a push (its receipt); SET, so the airing field stays. */
  async recordPushReceived(county: string, stationId: string, at: string, scriptId: string): Promise<void> {
    await this.setSeen(county, stationId, { lastPushReceivedAt: at, lastPushScriptId: scriptId });
  }

  async recordAiringConfirmed(county: string, stationId: string, at: string): Promise<void> {
    await this.setSeen(county, stationId, { lastAiringConfirmedAt: at });
  }

  private async setSeen(county: string, stationId: string, fields: Record<string, string>): Promise<void> {
    const entries = Object.entries({ type: 'station-push-seen', stationId, ...fields });
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.stationPushSeen(county, stationId),
        UpdateExpression: `SET ${entries.map((_, index) => `#f${index} = :v${index}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(entries.map(([name], index) => [`#f${index}`, name])),
        ExpressionAttributeValues: Object.fromEntries(entries.map(([, value], index) => [`:v${index}`, value])),
      }),
    );
  }
}
