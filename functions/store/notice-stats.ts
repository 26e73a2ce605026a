/**
 * @module store/notice-stats
 * A notice's delivery counters (the stats item) as one Update in a transaction: several counters
 * at once, since a transaction may touch the stats item only once. Zero moves are left out.
 */
import type { DeliveryRecord } from '../domain/delivery.js';
import { keys } from './keys.js';

export function statsUpdates(tableName: string, record: Pick<DeliveryRecord, 'county' | 'campaignId' | 'noticeId'>, counters: Record<string, number>) {
  const entries = Object.entries(counters).filter(([, by]) => by !== 0);
  return {
    Update: {
      TableName: tableName,
      Key: keys.noticeStats(record.county, record.campaignId, record.noticeId),
      UpdateExpression: `ADD ${entries.map((_, index) => `#counter${index} :by${index}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(entries.map(([counter], index) => [`#counter${index}`, counter])),
      ExpressionAttributeValues: Object.fromEntries(entries.map(([, by], index) => [`:by${index}`, by])),
    },
  };
}
