/**
 * @module store/rekey
 * The table side of re-keying phone numbers (from the old unkeyed SHA-256 to the deployment's
 * HMAC): a resumable Scan over subscribers, SMS deliveries and opt-outs, and the moves that put
 * an item under its new key. An admin tool, run from the command line: it Scans on purpose and is
 * kept out of the Lambda functions' imports (so they hold no Scan grant).
 */
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, ScanCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeliveryRecord } from '../domain/delivery.js';
import type { SubscriberRecord } from '../domain/subscriber.js';
import { deliveryModule, subscriberModule } from './domain-modules.js';
import { isConditionFailure, itemIsNew } from './conditions.js';
import { deliveryItem, deliveryKey } from './deliveries.js';
import { keys } from './keys.js';
import { decodeCursor, encodeCursor } from './paging.js';
import { OPT_OUT_KEYING, subscriberItem } from './subscribers.js';
import { tableOf } from './internal.js';
import { attr } from './table.js';

const SCAN_PAGE = 200;
const BATCH_GET = 100;

export type RekeyItem =
  | { kind: 'subscriber'; record: SubscriberRecord }
  | { kind: 'delivery'; record: DeliveryRecord; dueAt: string | undefined }
  | { kind: 'optout'; phoneKey: string; keyed: boolean; source: string | undefined };

/** The re-keying repository over a store's table (built apart from `Store`, so the Lambdas never reach its Scan). */
export function rekeyStoreOf(store: object): RekeyStore {
  const { db, tableName } = tableOf(store);
  return new RekeyStore(db, tableName);
}

export class RekeyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** One page of the items that carry phone keys, from `cursor` (undefined: the start). */
  async scanPage(cursor: string | undefined, limit = SCAN_PAGE): Promise<{ items: RekeyItem[]; nextCursor: string | undefined }> {
    const result = await this.db.send(
      new ScanCommand({
        TableName: this.tableName,
        Limit: limit,
        FilterExpression: '#type IN (:subscriber, :delivery, :optout)',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':subscriber': 'subscriber', ':delivery': 'delivery', ':optout': 'optout' },
        ...(cursor ? { ExclusiveStartKey: decodeCursor(cursor) } : {}),
      }),
    );
    const [{ subscriberRecordSchema }, { deliveryRecordSchema }] = await Promise.all([subscriberModule(), deliveryModule()]);
    const items = (result.Items ?? []).flatMap((item): RekeyItem[] => {
      if (item.type === 'subscriber') return [{ kind: 'subscriber', record: subscriberRecordSchema.parse(item) }];
      if (item.type === 'optout') return [{ kind: 'optout', phoneKey: String(item.phoneKey), keyed: item.keying === OPT_OUT_KEYING, source: typeof item.source === 'string' ? item.source : undefined }];
      const record = deliveryRecordSchema.parse(item);
      const due = typeof item[attr.dueAt] === 'string' ? keys.dueKeyTime(String(item[attr.dueAt])) : undefined;
      return [{ kind: 'delivery', record, dueAt: due }];
    });
    return { items, nextCursor: result.LastEvaluatedKey ? encodeCursor(result.LastEvaluatedKey) : undefined };
  }

  /**
   * Moves a subscriber to its new key: the old item goes only if it still has the old key, the new
   * one comes only if none is there yet. False when either condition fails (someone re-added the
   * number meanwhile, or another run moved it): nothing is written then.
   */
  async moveSubscriber(before: SubscriberRecord, after: SubscriberRecord): Promise<boolean> {
    return this.moved([
      { Delete: { TableName: this.tableName, Key: keys.subscriber(before.county, before.township, before.village, before.phoneKey), ConditionExpression: '#phoneKey = :old', ExpressionAttributeNames: { '#phoneKey': 'phoneKey' }, ExpressionAttributeValues: { ':old': before.phoneKey } } },
      { Put: { TableName: this.tableName, Item: subscriberItem(after), ConditionExpression: itemIsNew } },
    ]);
  }

  /**
   * Moves a delivery to its new id (which ends with the recipient's key): only if it is in the
   * state it was read in and unchanged since (never one a dispatcher holds), keeping its place in
   * the due index.
   */
  async moveDelivery(before: DeliveryRecord, after: DeliveryRecord, dueAt: string | undefined): Promise<boolean> {
    return this.moved([
      {
        Delete: {
          TableName: this.tableName,
          Key: deliveryKey(before),
          ConditionExpression: '#state = :state AND #updatedAt = :updatedAt',
          ExpressionAttributeNames: { '#state': 'state', '#updatedAt': 'updatedAt' },
          ExpressionAttributeValues: { ':state': before.state, ':updatedAt': before.updatedAt },
        },
      },
      { Put: { TableName: this.tableName, Item: deliveryItem(after, dueAt), ConditionExpression: itemIsNew } },
    ]);
  }

  /** Which of these opt-out keys exist. */
  async existingOptOuts(phoneKeys: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
    const found = new Map<string, Record<string, unknown>>();
    const unique = [...new Set(phoneKeys)];
    for (let start = 0; start < unique.length; start += BATCH_GET) {
      let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = { [this.tableName]: { Keys: unique.slice(start, start + BATCH_GET).map((key) => keys.optOut(key)) } };
      for (let attempt = 0; request && Object.keys(request).length > 0; attempt += 1) {
        if (attempt > 5) throw new Error('opt-out lookups stayed unprocessed after 5 attempts');
        const result = await this.db.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of result.Responses?.[this.tableName] ?? []) found.set(String(item.phoneKey), item);
        request = result.UnprocessedKeys as typeof request;
        if (request && Object.keys(request).length > 0) await new Promise((wake) => setTimeout(wake, 50 * 2 ** attempt));
      }
    }
    return found;
  }

  /** Puts an old opt-out under its new key (keeping its date and source) and removes the old one. */
  async moveOptOut(oldKey: string, newKey: string, item: Record<string, unknown>): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...item, ...keys.optOut(newKey), phoneKey: newKey, keying: OPT_OUT_KEYING },
          ConditionExpression: itemIsNew,
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error; // already opted out under the new key: keep that one
    }
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.optOut(oldKey) }));
  }

  /** Forgets when SNS's opt-out list was last read, so the next dispatcher run reads it again (under the new keys). */
  async forgetOptOutSync(): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.optOutSync() }));
  }

  async progress(name: string): Promise<{ cursor: string | undefined; done: boolean } | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.migration(name) }));
    if (!result.Item) return undefined;
    return { cursor: typeof result.Item.cursor === 'string' ? result.Item.cursor : undefined, done: result.Item.done === true };
  }

  async saveProgress(name: string, progress: { cursor: string | undefined; done: boolean }, now: Date): Promise<void> {
    await this.db.send(
      new PutCommand({ TableName: this.tableName, Item: { ...keys.migration(name), ...(progress.cursor ? { cursor: progress.cursor } : {}), done: progress.done, updatedAt: now.toISOString() } }),
    );
  }

  private async moved(items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>): Promise<boolean> {
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
