/**
 * @module store/subscribers
 * Subscribers live in their township's partition, sorted by village, so an audience of townships
 * or villages is read as Queries, page by page; the byParent index finds one by number. Opt-outs
 * are also kept account-wide by number (like SNS's list), so they hold for numbers we do not know.
 */
import {
  BatchGetCommand,
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../domain/audit.js';
import { NotFound } from '../domain/errors.js';
import type { SubscriberRecord } from '../domain/subscriber.js';
import { subscriberModule } from './domain-modules.js';
import { auditPut, writeWithAudit } from './audit.js';
import { isConditionFailure, itemIsNew } from './conditions.js';
import { keys } from './keys.js';
import { queryPage } from './query.js';
import { numbersToCheckCount } from './receipts.js';
import { attr, indexNames } from './table.js';

const BATCH_GET = 100;
/** Marks opt-out items keyed with the deployment's secret; items without it predate it (see store/rekey). */
export const OPT_OUT_KEYING = 'hmac';
const BATCH_WRITE = 25;

export function subscriberItem(record: SubscriberRecord) {
  return {
    ...keys.subscriber(record.county, record.township, record.village, record.phoneKey),
    ...keys.subscriberByPhone(record.county, record.phoneKey),
    type: 'subscriber',
    ...record,
  };
}

export class SubscriberStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async findByPhoneKey(county: string, phoneKey: string): Promise<SubscriberRecord | undefined> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: indexNames.byParent,
        KeyConditionExpression: '#pk = :pk AND #sk = :sk',
        ExpressionAttributeNames: { '#pk': attr.gsi1pk, '#sk': attr.gsi1sk },
        ExpressionAttributeValues: { ':pk': keys.subscriberByPhone(county, phoneKey).gsi1pk, ':sk': 'SUB' },
      }),
    );
    const item = result.Items?.[0];
    const { subscriberRecordSchema } = await subscriberModule();
    return item ? subscriberRecordSchema.parse(item) : undefined;
  }

  /**
   * Adds or replaces a subscriber. Moving to another village or township moves the item, in one
   * transaction, so the number is never listed twice or lost.
   */
  async upsert(record: SubscriberRecord, existing: SubscriberRecord | undefined, audit?: AuditEntry): Promise<'created' | 'updated' | 'unchanged'> {
    const { sameSubscriber } = await subscriberModule();
    if (existing && sameSubscriber(existing, record)) return 'unchanged';
    const moved = existing && (existing.township !== record.township || existing.village !== record.village);
    if (moved) {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: this.tableName, Key: keys.subscriber(existing.county, existing.township, existing.village, existing.phoneKey) } },
            { Put: { TableName: this.tableName, Item: subscriberItem(record) } },
            ...(audit ? [auditPut(this.tableName, audit)] : []),
          ],
        }),
      );
    } else {
      await writeWithAudit(this.db, this.tableName, { Put: { TableName: this.tableName, Item: subscriberItem(record) } }, audit);
    }
    return existing ? 'updated' : 'created';
  }

  async remove(record: SubscriberRecord, audit?: AuditEntry): Promise<void> {
    const subscriber = { Delete: { TableName: this.tableName, Key: keys.subscriber(record.county, record.township, record.village, record.phoneKey) } };
    if (!record.checkNumberSince) {
      await writeWithAudit(this.db, this.tableName, subscriber, audit);
      return;
    }
    // A flagged number leaves the county's list of numbers to check with it.
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [subscriber, { Delete: { TableName: this.tableName, Key: keys.numberToCheck(record.county, record.phoneKey) } }, ...(audit ? [auditPut(this.tableName, audit)] : [])],
      }),
    );
  }

  /** How many of the county's numbers the carrier failed to reach several times in a row (store/receipts.ts). */
  async numbersToCheck(county: string): Promise<number> {
    return numbersToCheckCount(this.db, this.tableName, county);
  }

  /** One page of a township's subscribers, optionally of one village. */
  async page(
    county: string,
    township: string,
    options: { village?: string | undefined; limit: number; cursor?: string | undefined },
  ): Promise<{ items: SubscriberRecord[]; nextCursor?: string }> {
    const page = await queryPage(
      this.db,
      {
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': attr.pk, '#sk': attr.sk },
        ExpressionAttributeValues: {
          ':pk': keys.subscribersOfTownship(county, township),
          ':prefix': options.village ? keys.subscriberVillagePrefix(options.village) : 'SUB#',
        },
      },
      options,
    );
    const { subscriberRecordSchema } = await subscriberModule();
    return { ...page, items: page.items.map((item) => subscriberRecordSchema.parse(item)) };
  }

  /**
   * How many of these townships' subscribers `counts` accepts: the audience size the composer
   * costs a notice at. Reads only the fields it needs, and stops at `max` read.
   */
  async countWhere(
    county: string,
    townships: readonly string[],
    counts: (subscriber: { township: string; village: string; groups: string[]; consent: boolean; optedOut: boolean }) => boolean,
    max = 200_000,
  ): Promise<{ count: number; complete: boolean }> {
    let count = 0;
    let read = 0;
    for (const township of townships) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
            ProjectionExpression: '#township, #village, #groups, #consent, #optedOut',
            ExpressionAttributeNames: { '#pk': attr.pk, '#sk': attr.sk, '#township': 'township', '#village': 'village', '#groups': 'groups', '#consent': 'consent', '#optedOut': 'optedOut' },
            ExpressionAttributeValues: { ':pk': keys.subscribersOfTownship(county, township), ':prefix': 'SUB#' },
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) {
          read += 1;
          const subscriber = {
            township: String(item.township ?? township),
            village: String(item.village ?? ''),
            groups: Array.isArray(item.groups) ? item.groups.map(String) : [],
            consent: item.consent !== false,
            optedOut: item.optedOut === true,
          };
          if (counts(subscriber)) count += 1;
        }
        startKey = page.LastEvaluatedKey;
        if (read >= max) return { count, complete: false };
      } while (startKey);
    }
    return { count, complete: true };
  }

  /** Marks a number opted out: on its subscriber record if we know it, and account-wide. */
  async optOut(county: string, phone: string, phoneKey: string, now: Date, audit?: AuditEntry): Promise<SubscriberRecord | undefined> {
    const at = now.toISOString();
    // The account-wide mark is what the dispatcher honours: it and its audit entry go together,
    // and only the first opt-out of a number makes (and files) it.
    try {
      await writeWithAudit(
        this.db,
        this.tableName,
        { Put: { TableName: this.tableName, Item: { ...keys.optOut(phoneKey), type: 'optout', phoneKey, keying: OPT_OUT_KEYING, optedOutAt: at }, ConditionExpression: itemIsNew } },
        audit,
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error; // already opted out: nothing changes, nothing to file
    }
    const existing = await this.findByPhoneKey(county, phoneKey);
    if (!existing) return undefined;
    const record = { ...existing, optedOut: true, optedOutAt: existing.optedOutAt ?? at, updatedAt: at, phone };
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: subscriberItem(record) }));
    return record;
  }

  /** Which of these numbers are opted out account-wide: one BatchGet per 100. */
  async optedOut(phoneKeys: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    const unique = [...new Set(phoneKeys)];
    for (let start = 0; start < unique.length; start += BATCH_GET) {
      let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
        [this.tableName]: { Keys: unique.slice(start, start + BATCH_GET).map((key) => keys.optOut(key)) },
      };
      for (let attempt = 0; request && Object.keys(request).length > 0; attempt += 1) {
        if (attempt > 5) throw new Error('opt-out lookups stayed unprocessed after 5 attempts');
        const result = await this.db.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of result.Responses?.[this.tableName] ?? []) found.add(String(item.phoneKey));
        request = result.UnprocessedKeys as typeof request;
        if (request && Object.keys(request).length > 0) await new Promise((wake) => setTimeout(wake, 50 * 2 ** attempt));
      }
    }
    return found;
  }

  /** Records numbers from SNS's opt-out list (idempotent). */
  async recordOptOuts(phoneKeys: readonly string[], now: Date): Promise<void> {
    const at = now.toISOString();
    for (let start = 0; start < phoneKeys.length; start += BATCH_WRITE) {
      let pending = phoneKeys
        .slice(start, start + BATCH_WRITE)
        .map((phoneKey) => ({ PutRequest: { Item: { ...keys.optOut(phoneKey), type: 'optout', phoneKey, keying: OPT_OUT_KEYING, optedOutAt: at, source: 'sns' } } }));
      for (let attempt = 0; pending.length > 0; attempt += 1) {
        if (attempt > 5) throw new Error('opt-out writes stayed unprocessed after 5 attempts');
        const result = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
        pending = (result.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
        if (pending.length > 0) await new Promise((wake) => setTimeout(wake, 50 * 2 ** attempt));
      }
    }
  }

  async lastOptOutSync(): Promise<string | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.optOutSync() }));
    return typeof result.Item?.syncedAt === 'string' ? result.Item.syncedAt : undefined;
  }

  async markOptOutSync(now: Date, count: number): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.optOutSync(), syncedAt: now.toISOString(), count } }));
  }

  async require(county: string, phoneKey: string): Promise<SubscriberRecord> {
    const found = await this.findByPhoneKey(county, phoneKey);
    if (!found) throw new NotFound('No subscriber with that number.');
    return found;
  }
}
