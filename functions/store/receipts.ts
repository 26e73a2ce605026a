/**
 * @module store/receipts
 * Carrier receipts in the table. A receipt names only SNS's message id, so the sent outcome of an
 * SMS writes a lookup item `SMS#<message id>` -> its delivery, in the same transaction
 * (`messageLookupPut`, used by `DeliveryStore.finishAll`). Applying a receipt is one transaction:
 * the delivery `sent -> delivered | undelivered` (on condition `state = sent`, so a second receipt
 * changes nothing), the notice's counters, the month's tally cells, and the number's failure streak.
 *
 * A receipt that finds no delivery yet — it came before the sent outcome was written, or it is
 * another system's SMS in the same account — is kept on the lookup item, which expires like the
 * others. The sent outcome's Put carries `attribute_not_exists(receipt)`; when that fails, the
 * outcome is recorded with the receipt applied (`finishWithReceipt`).
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { DeliveryRecord } from '../domain/delivery.js';
import type { Receipt, ReceiptOutcome } from '../domain/receipt.js';
import { recipientKey } from '../domain/recipient-key.js';
import type { SubscriberRecord } from '../domain/subscriber.js';
import { deliveryDelta, receiptCounts, type Counts } from '../domain/tally.js';
import { onFirstUse } from '../on-first-use.js';
import { deliveryModule, receiptModule, subscriberModule } from './domain-modules.js';
import { keys } from './keys.js';
import { statsUpdates } from './notice-stats.js';
import { attr, indexNames } from './table.js';
import { spendAdjustment } from './sms-budget.js';
import { tallyUpdates } from './tallies.js';

/** SNS logs a receipt within minutes, rarely up to 72 hours; 90 days leaves room for a late one and a retry. */
export const MESSAGE_LOOKUP_DAYS = 90;
/** Rounds of read-and-write when a concurrent receipt moved the same number's streak meanwhile. */
const ROUNDS = 4;

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];
type Period = { year: number; month: number };

/** Built on first use, like the domain's schemas it holds (store/domain-modules). */
const lookupSchema = onFirstUse(async () => {
  const { receiptSchema } = await receiptModule();
  return z.object({
    messageId: z.string(),
    delivery: z.object({ county: z.string(), campaignId: z.string(), noticeId: z.string(), sendIndex: z.number().int(), recipient: z.string() }).optional(),
    period: z.object({ year: z.number().int(), month: z.number().int() }).optional(),
    receipt: receiptSchema.optional(),
    receivedAt: z.string().optional(),
  });
});
type Lookup = z.infer<Awaited<ReturnType<typeof lookupSchema>>>;

/** What applying one receipt did. */
export type ReceiptResult =
  | { kind: 'applied'; deliveryId: string; county: string; outcome: ReceiptOutcome; numberToCheck?: 'flagged' | 'cleared' }
  /** Already applied: a repeated receipt (Lambda retries, a log line sent twice). */
  | { kind: 'duplicate'; deliveryId?: string }
  /** No sent outcome carries this message id (yet): kept on its lookup item. */
  | { kind: 'unmatched'; first: boolean }
  /** The delivery is in a state a receipt does not move. */
  | { kind: 'ignored'; deliveryId: string; state: string };

const expiresAtEpoch = (now: Date) => Math.floor(now.getTime() / 1000) + MESSAGE_LOOKUP_DAYS * 86_400;
const deliveryKeyOf = (record: DeliveryRecord) => keys.delivery(record.county, record.campaignId, record.noticeId, record.sendIndex, recipientKey(record.recipient));

/** What a sent SMS's lookup item says: where its delivery is and in which month it is tallied. */
function lookupFields(record: DeliveryRecord, messageId: string, period: Period | undefined, now: Date) {
  return {
    type: 'sms-message',
    messageId,
    delivery: { county: record.county, campaignId: record.campaignId, noticeId: record.noticeId, sendIndex: record.sendIndex, recipient: recipientKey(record.recipient) },
    ...(period ? { period } : {}),
    sentAt: now.toISOString(),
    [attr.expiresAtEpoch]: expiresAtEpoch(now),
  };
}

/**
 * The lookup item for a sent SMS, for the sent outcome's transaction. Without `receipt`: the usual
 * case, which fails (and so cancels the transaction) if a receipt came first. With it: the outcome
 * written with that early receipt applied.
 */
export function messageLookupPut(tableName: string, record: DeliveryRecord, messageId: string, period: Period | undefined, now: Date, receipt?: Receipt): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: { ...keys.smsMessage(messageId), ...lookupFields(record, messageId, period, now), ...(receipt ? { receipt } : {}) },
      ConditionExpression: receipt ? 'attribute_exists(receipt)' : 'attribute_not_exists(receipt)',
    },
  };
}

/** The same lookup, set without replacing a receipt that may be waiting on the item (a late outcome, `settleUncertain`). */
export function messageLookupUpdate(tableName: string, record: DeliveryRecord, messageId: string, period: Period | undefined, now: Date): TransactItem {
  const fields = Object.entries(lookupFields(record, messageId, period, now));
  return {
    Update: {
      TableName: tableName,
      Key: keys.smsMessage(messageId),
      UpdateExpression: `SET ${fields.map((_, index) => `#f${index} = :f${index}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(fields.map(([name], index) => [`#f${index}`, name])),
      ExpressionAttributeValues: Object.fromEntries(fields.map(([, value], index) => [`:f${index}`, value])),
    },
  };
}

/** The cancellation reason of the item at `index` was its condition. */
const conditionFailedAt = (error: unknown, index: number) =>
  error instanceof TransactionCanceledException && error.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed';


/** The counters a receipt moves on the notice (`sent` too when the outcome is written with it). */
function receiptStats(receipt: Receipt, withSent: boolean): Record<string, number> {
  return { ...(withSent ? { sent: 1 } : {}), [receipt.outcome]: 1, costMicroUsd: receipt.priceMicroUsd };
}

function receiptTally(tableName: string, record: DeliveryRecord, receipt: Receipt, period: Period | undefined, withSent: boolean): TransactItem[] {
  if (!period || record.recipient.kind !== 'sms') return [];
  const add: Partial<Counts> = { ...(withSent ? { smsSent: 1 } : {}), ...receiptCounts(receipt.outcome, receipt.priceMicroUsd) };
  return tallyUpdates(tableName, record.county, deliveryDelta(add, { ...period, township: record.recipient.township }));
}

const storedReceipt = ({ messageId: _messageId, ...kept }: Receipt) => kept;

/** The subscriber a delivery went to, where it is now (it may have moved township or village since). */
async function subscriberOf(db: DynamoDBDocumentClient, tableName: string, record: DeliveryRecord): Promise<SubscriberRecord | undefined> {
  if (record.recipient.kind !== 'sms') return undefined;
  const { township, village, phoneKey } = record.recipient;
  const { subscriberRecordSchema } = await subscriberModule();
  const direct = await db.send(new GetCommand({ TableName: tableName, Key: keys.subscriber(record.county, township, village, phoneKey), ConsistentRead: true }));
  if (direct.Item) return subscriberRecordSchema.parse(direct.Item);
  const moved = await db.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: indexNames.byParent,
      KeyConditionExpression: '#pk = :pk AND #sk = :sk',
      ExpressionAttributeNames: { '#pk': attr.gsi1pk, '#sk': attr.gsi1sk },
      ExpressionAttributeValues: { ':pk': keys.subscriberByPhone(record.county, phoneKey).gsi1pk, ':sk': 'SUB' },
    }),
  );
  const item = moved.Items?.[0];
  return item ? subscriberRecordSchema.parse(item) : undefined;
}

/**
 * The number's failure streak, as read, moved by this receipt: guarded by the streak it was read
 * with, so two receipts for one number never both count from the same value. Crossing into or out
 * of "check this number" also puts or deletes its entry in the county's list.
 */
async function streakItems(tableName: string, subscriber: SubscriberRecord | undefined, outcome: ReceiptOutcome, now: Date): Promise<{ items: TransactItem[]; change?: 'flagged' | 'cleared' }> {
  if (!subscriber) return { items: [] };
  const { streakAfter } = await subscriberModule();
  const key = keys.subscriber(subscriber.county, subscriber.township, subscriber.village, subscriber.phoneKey);
  const seen = subscriber.undeliveredStreak ?? 0;
  const streakIsAsRead = `attribute_exists(${attr.pk}) AND ${seen === 0 ? '(attribute_not_exists(undeliveredStreak) OR undeliveredStreak = :seen)' : 'undeliveredStreak = :seen'}`;
  const next = streakAfter(subscriber, outcome, now);
  const unchanged = next.undeliveredStreak === seen && next.checkNumberSince === subscriber.checkNumberSince;
  if (unchanged) {
    // Nothing to write, but the streak must still be what was read when the receipt lands.
    return { items: [{ ConditionCheck: { TableName: tableName, Key: key, ConditionExpression: streakIsAsRead, ExpressionAttributeValues: { ':seen': seen } } }] };
  }
  const items: TransactItem[] = [
    {
      Update: {
        TableName: tableName,
        Key: key,
        UpdateExpression: next.checkNumberSince ? 'SET undeliveredStreak = :next, checkNumberSince = :since' : 'SET undeliveredStreak = :next REMOVE checkNumberSince',
        ConditionExpression: streakIsAsRead,
        ExpressionAttributeValues: { ':seen': seen, ':next': next.undeliveredStreak, ...(next.checkNumberSince ? { ':since': next.checkNumberSince } : {}) },
      },
    },
  ];
  const flagKey = keys.numberToCheck(subscriber.county, subscriber.phoneKey);
  if (next.checkNumberSince && !subscriber.checkNumberSince) {
    items.push({
      Put: {
        TableName: tableName,
        Item: { ...flagKey, type: 'number-to-check', phoneKey: subscriber.phoneKey, township: subscriber.township, village: subscriber.village, since: next.checkNumberSince },
      },
    });
    return { items, change: 'flagged' };
  }
  if (!next.checkNumberSince && subscriber.checkNumberSince) {
    items.push({ Delete: { TableName: tableName, Key: flagKey } });
    return { items, change: 'cleared' };
  }
  return { items };
}

async function readLookup(db: DynamoDBDocumentClient, tableName: string, messageId: string): Promise<Lookup | undefined> {
  const result = await db.send(new GetCommand({ TableName: tableName, Key: keys.smsMessage(messageId), ConsistentRead: true }));
  return result.Item ? (await lookupSchema()).parse(result.Item) : undefined;
}

/** Applies one carrier receipt (see the module's comment). Safe to repeat. */
export async function applyReceipt(db: DynamoDBDocumentClient, tableName: string, receipt: Receipt, now: Date): Promise<ReceiptResult> {
  for (let round = 0; round < ROUNDS; round += 1) {
    const lookup = await readLookup(db, tableName, receipt.messageId);
    if (!lookup?.delivery) {
      if (lookup?.receipt) return { kind: 'unmatched', first: false };
      if (await parkReceipt(db, tableName, receipt, now)) return { kind: 'unmatched', first: true };
      continue; // the sent outcome was written meanwhile: read it
    }
    const { county, campaignId, noticeId, sendIndex, recipient } = lookup.delivery;
    const found = await db.send(new GetCommand({ TableName: tableName, Key: keys.delivery(county, campaignId, noticeId, sendIndex, recipient), ConsistentRead: true }));
    if (!found.Item) return { kind: 'ignored', deliveryId: `${campaignId}~${noticeId}~${sendIndex}~${recipient}`, state: 'gone' };
    const { deliveryRecordSchema } = await deliveryModule();
    const record = deliveryRecordSchema.parse(found.Item);
    if (record.state === 'delivered' || record.state === 'undelivered') return { kind: 'duplicate', deliveryId: record.id };
    if (record.state !== 'sent' || record.messageId !== receipt.messageId) return { kind: 'ignored', deliveryId: record.id, state: record.state };

    const streak = await streakItems(tableName, await subscriberOf(db, tableName, record), receipt.outcome, now);
    const items: TransactItem[] = [
      {
        Update: {
          TableName: tableName,
          Key: deliveryKeyOf(record),
          UpdateExpression: 'SET #state = :outcome, receipt = :receipt, updatedAt = :now',
          ConditionExpression: '#state = :sent AND messageId = :messageId',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':outcome': receipt.outcome, ':receipt': storedReceipt(receipt), ':now': now.toISOString(), ':sent': 'sent', ':messageId': receipt.messageId },
        },
      },
      statsUpdates(tableName, record, receiptStats(receipt, false)),
      ...receiptTally(tableName, record, receipt, lookup.period, false),
      // The month's spend: this SMS's estimate replaced by what SNS charged.
      ...(record.spend ? [spendAdjustment(tableName, record.county, record.spend, receipt.priceMicroUsd)] : []),
    ];
    const streakAt = items.length;
    items.push(...streak.items);
    try {
      await db.send(new TransactWriteCommand({ TransactItems: items }));
      return { kind: 'applied', deliveryId: record.id, county: record.county, outcome: receipt.outcome, ...(streak.change ? { numberToCheck: streak.change } : {}) };
    } catch (error) {
      // Another receipt got there first (read again: a duplicate), or moved the number's streak (again, from its value).
      if (conditionFailedAt(error, 0) || streak.items.some((_item, index) => conditionFailedAt(error, streakAt + index))) continue;
      throw error;
    }
  }
  throw new Error(`receipt for ${receipt.messageId}: still contended after ${ROUNDS} rounds`);
}

/** Keeps a receipt that found no sent outcome; false if the outcome's lookup item appeared meanwhile. */
async function parkReceipt(db: DynamoDBDocumentClient, tableName: string, receipt: Receipt, now: Date): Promise<boolean> {
  try {
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...keys.smsMessage(receipt.messageId), type: 'sms-message', messageId: receipt.messageId, receipt, receivedAt: now.toISOString(), [attr.expiresAtEpoch]: expiresAtEpoch(now) },
        ConditionExpression: `attribute_not_exists(${attr.pk})`,
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * The sent outcome of an SMS whose receipt came first: written delivered or undelivered at once,
 * counted as sent and as the receipt says, under the claim's lease. False if the lease was lost.
 */
export async function finishWithReceipt(
  db: DynamoDBDocumentClient,
  tableName: string,
  sent: { record: DeliveryRecord; leaseId: string; messageId: string; attempts?: number | undefined; period?: Period | undefined; spend?: { month: string; estimateMicroUsd: number } | undefined },
  now: Date,
): Promise<boolean> {
  const { record, leaseId, messageId, period } = sent;
  for (let round = 0; round < ROUNDS; round += 1) {
    const receipt = (await readLookup(db, tableName, messageId))?.receipt;
    if (!receipt) throw new Error(`the sent outcome of ${record.id} was refused for an early receipt that is not there`);
    const streak = await streakItems(tableName, await subscriberOf(db, tableName, record), receipt.outcome, now);
    const at = now.toISOString();
    const items: TransactItem[] = [
      {
        Update: {
          TableName: tableName,
          Key: deliveryKeyOf(record),
          UpdateExpression: `SET #state = :outcome, updatedAt = :now, sentAt = :now, messageId = :messageId, receipt = :receipt${sent.attempts !== undefined ? ', attempts = :attempts' : ''}${sent.spend ? ', spend = :spend' : ''} REMOVE #duePk, #dueAt, leaseId, leaseUntil, inFlight`,
          ConditionExpression: '#state = :sending AND leaseId = :lease',
          ExpressionAttributeNames: { '#state': 'state', '#duePk': attr.duePk, '#dueAt': attr.dueAt },
          ExpressionAttributeValues: {
            ':outcome': receipt.outcome,
            ':now': at,
            ':messageId': messageId,
            ':receipt': storedReceipt(receipt),
            ':sending': 'sending',
            ':lease': leaseId,
            ...(sent.attempts !== undefined ? { ':attempts': sent.attempts } : {}),
            ...(sent.spend ? { ':spend': sent.spend } : {}),
          },
        },
      },
      statsUpdates(tableName, record, receiptStats(receipt, true)),
      ...receiptTally(tableName, record, receipt, period, true),
      ...(sent.spend ? [spendAdjustment(tableName, record.county, sent.spend, receipt.priceMicroUsd)] : []),
      messageLookupPut(tableName, record, messageId, period, now, receipt),
    ];
    const streakAt = items.length;
    items.push(...streak.items);
    try {
      await db.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (error) {
      if (conditionFailedAt(error, 0)) return false;
      if (streak.items.some((_item, index) => conditionFailedAt(error, streakAt + index))) continue;
      throw error;
    }
  }
  throw new Error(`sent outcome of ${record.id}: the number's streak still contended after ${ROUNDS} rounds`);
}

/** A receipt kept on a lookup item, if one is waiting there (after a late outcome recorded elsewhere). */
export async function waitingReceipt(db: DynamoDBDocumentClient, tableName: string, messageId: string): Promise<Receipt | undefined> {
  return (await readLookup(db, tableName, messageId))?.receipt;
}

/** How many numbers a county has flagged to check: one small Query, counted. */
export async function numbersToCheckCount(db: DynamoDBDocumentClient, tableName: string, county: string): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': attr.pk },
        ExpressionAttributeValues: { ':pk': keys.numbersToCheck(county) },
        Select: 'COUNT',
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}
