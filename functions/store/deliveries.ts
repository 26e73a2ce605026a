/**
 * @module store/deliveries
 * Deliveries and their life in the table. A pending delivery carries `duePk`/`dueAt` and so sits
 * in the sparse due index; claiming it moves `dueAt` to the end of the claim's lease (a crashed
 * run's claims come back by themselves); finishing it removes it from the index. Every outcome is
 * written in one transaction with the notice's counters, guarded by the claim's lease id, so a
 * retry or a run that lost its lease can never count a delivery twice.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { Conflict } from '../domain/errors.js';
import type { DeliveryCounts, DeliveryRecord, DeliveryState, WeChatSend } from '../domain/delivery.js';
import { fairOrder } from '../domain/fair-queue.js';
import { recipientKey } from '../domain/recipient-key.js';
import { deliveryDelta, type DeliveryTally } from '../domain/tally.js';
import { deliveryModule } from './domain-modules.js';
import { keys } from './keys.js';
import { wechatSendPuts } from './wechat-sends.js';
import { statsUpdates } from './notice-stats.js';
import { tallyUpdates } from './tallies.js';
import { applyReceipt, finishWithReceipt, messageLookupPut, messageLookupUpdate, waitingReceipt, type ReceiptResult } from './receipts.js';
import type { Receipt } from '../domain/receipt.js';
import type { Page } from './paging.js';
import { queryAll, queryPage } from './query.js';
import { attr, indexNames } from './table.js';

/** What a delivery held for the month's SMS budget says (stored as its reason; the dashboard says it in Chinese). */
export const BUDGET_HOLD_REASON = 'waiting for the monthly SMS budget';

/** A confirmation re-reads a script the dispatcher moved meanwhile; it only ever moves forward. */
const AIRED_ROUNDS = 3;

/**
 * Due minutes read per shard per round at most: the oldest, and the next ones when a full page
 * shows a backlog. Each further minute costs one Query per shard, only while a backlog lasts.
 */
export const DUE_MINUTES_PER_ROUND = 4;
/** Entries a shard's idle check reads at a time: enough to see past a few not yet due. */
const IDLE_CHECK_PAGE = 25;

/** TransactWriteItems takes 100 items: 99 deliveries and the counter they move. */
const CREATE_CHUNK = 99;

export type Outcome = 'sent' | 'failed' | 'skipped' | 'expired' | 'cancelled' | 'uncertain';

/** What an outcome records besides its state; `spend` only on a sent SMS (its budget month and estimate). */
export interface FinishDetails {
  messageId?: string;
  /** A WeChat mass send: what WeChat said when it took the job. */
  wechat?: WeChatSend | undefined;
  reason?: string;
  attempts?: number;
  spend?: { month: string; estimateMicroUsd: number } | undefined;
}

/** The local year and month a delivery was meant for: where its outcome is tallied. */
export interface TallyPeriod {
  year: number;
  month: number;
}

const smsTally: Partial<Record<Outcome, DeliveryTally>> = { sent: 'smsSent', skipped: 'smsSkipped', failed: 'smsFailed', uncertain: 'smsUncertain' };

const wechatTally: Partial<Record<Outcome, DeliveryTally>> = { sent: 'wechatPushes', failed: 'wechatFailed' };

const tallyCounter = (record: DeliveryRecord, outcome: Outcome | 'aired') =>
  outcome === 'aired'
    ? record.recipient.kind === 'station'
      ? 'airings'
      : undefined
    : record.recipient.kind === 'sms'
      ? smsTally[outcome]
      : record.recipient.kind === 'wechat'
        ? wechatTally[outcome]
        : undefined;

/** The township a delivery counts for; none for a WeChat mass send. */
const townshipOf = (record: DeliveryRecord) => (record.recipient.kind === 'wechat' ? undefined : record.recipient.township);

function outcomeTally(tableName: string, record: DeliveryRecord, outcome: Outcome | 'aired', period: TallyPeriod | undefined, sign: 1 | -1 = 1) {
  const counter = tallyCounter(record, outcome);
  if (!period || !counter) return [];
  return tallyUpdates(tableName, record.county, deliveryDelta(counter, { ...period, township: townshipOf(record) }, sign));
}

/**
 * One outcome counted in place of another (uncertain -> what really happened), as one update per
 * cell: a transaction may touch each tally cell only once.
 */
function outcomeTallyMoved(tableName: string, record: DeliveryRecord, from: Outcome, to: Outcome, period: TallyPeriod | undefined) {
  const [added, taken] = [tallyCounter(record, to), tallyCounter(record, from)];
  if (!period || (!added && !taken)) return [];
  const add: Partial<Record<DeliveryTally, number>> = {};
  if (added) add[added] = (add[added] ?? 0) + 1;
  if (taken) add[taken] = (add[taken] ?? 0) - 1;
  return tallyUpdates(tableName, record.county, deliveryDelta(add, { ...period, township: townshipOf(record) }));
}

/** The due shard a delivery's entry goes to: its id hashed over `keys.dueShards`. */
/** Where a delivery's entry sorts in its shard at `at`: its rank always with it (the shard is fixed when it enters the index). */
function dueSortKey(record: Pick<DeliveryRecord, 'id' | 'fairRank'>, at: string): string {
  return keys.due(0, at, record.id, record.fairRank).dueAt;
}

export function shardOf(id: string): number {
  let hash = 0;
  for (const character of id) hash = (hash * 31 + character.charCodeAt(0)) >>> 0;
  return hash % keys.dueShards;
}

export function deliveryKey(delivery: Pick<DeliveryRecord, 'county' | 'campaignId' | 'noticeId' | 'sendIndex' | 'recipient'>) {
  return keys.delivery(delivery.county, delivery.campaignId, delivery.noticeId, delivery.sendIndex, recipientKey(delivery.recipient));
}

export function deliveryItem(record: DeliveryRecord, dueAt: string | undefined) {
  return {
    ...deliveryKey(record),
    ...(dueAt ? keys.due(shardOf(record.id), dueAt, record.id, record.fairRank) : {}),
    ...(record.recipient.kind === 'station' && record.availableUntil
      ? {
          [attr.gsi1pk]: keys.stationScripts(record.county, record.recipient.stationId),
          [attr.gsi1sk]: keys.stationScript(record.availableUntil, record.id),
        }
      : {}),
    type: 'delivery',
    ...record,
  };
}

const statsUpdate = (tableName: string, record: Pick<DeliveryRecord, 'county' | 'campaignId' | 'noticeId'>, counter: string, by: number) =>
  statsUpdates(tableName, record, { [counter]: by });


export class DeliveryStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Writes new deliveries, 99 to a transaction with the notice's `total` counter. A delivery that
   * already exists (a resumed expansion) is left exactly as it is and not counted again.
   */
  async createMany(records: readonly DeliveryRecord[]): Promise<{ created: number; existed: number; requests: number }> {
    let created = 0;
    let existed = 0;
    let requests = 0;
    for (let start = 0; start < records.length; start += CREATE_CHUNK) {
      let chunk = records.slice(start, start + CREATE_CHUNK);
      while (chunk.length > 0) {
        const first = chunk[0];
        if (!first) break;
        requests += 1;
        try {
          await this.db.send(
            new TransactWriteCommand({
              TransactItems: [
                ...chunk.map((record) => ({
                  Put: {
                    TableName: this.tableName,
                    Item: deliveryItem(record, record.scheduledAt),
                    ConditionExpression: `attribute_not_exists(${attr.pk})`,
                  },
                })),
                statsUpdate(this.tableName, first, 'total', chunk.length),
              ],
            }),
          );
          created += chunk.length;
          chunk = [];
        } catch (error) {
          if (!(error instanceof TransactionCanceledException)) throw error;
          const reasons = error.CancellationReasons ?? [];
          const already = new Set(reasons.flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' ? [index] : [])));
          if (already.size === 0) throw error; // conflicts or throttling: let the caller retry the whole step
          existed += already.size;
          chunk = chunk.filter((_record, index) => !already.has(index));
        }
      }
    }
    return { created, existed, requests };
  }

  /**
   * Deliveries whose time (or whose claim's lease) has come, from every shard, in fair order
   * (domain/fair-queue): round-robin by county, each county's in index order. Each shard is read
   * from its oldest entry, `limitPerShard` at a time; when that page is full, the next due minute
   * is read too (up to `DUE_MINUTES_PER_ROUND` queries a shard), so a push due later is served
   * beside an older backlog rather than behind it. Entries of the current minute not yet due are
   * left out.
   */
  async due(now: Date, limitPerShard: number): Promise<DeliveryRecord[]> {
    const { deliveryRecordSchema } = await deliveryModule();
    const shardItems = await Promise.all(Array.from({ length: keys.dueShards }, (_shard, shard) => this.dueInShard(shard, now, limitPerShard, false)));
    const due = shardItems
      .flat()
      .map(({ item, key }) => ({ record: deliveryRecordSchema.parse(item), key }))
      .sort((a, b) => (a.key < b.key ? -1 : 1))
      .map(({ record }) => record);
    return fairOrder(due, (record) => record.county);
  }

  /** Whether anything is due now, in any shard: the dispatch handler's "run again?", one small Query a shard as a rule. */
  async anyDue(now: Date): Promise<boolean> {
    const found = await Promise.all(Array.from({ length: keys.dueShards }, (_shard, shard) => this.dueInShard(shard, now, IDLE_CHECK_PAGE, true)));
    return found.some((items) => items.length > 0);
  }

  /**
   * One shard's due entries. Within a minute entries sort by rank, not time, so a page of the
   * current minute may hold entries not yet due (retries, leases) ahead of due ones: it reads on
   * from where the page ended. A full page of a past minute (all due: a backlog) skips to the next
   * minute with entries instead. At most DUE_MINUTES_PER_ROUND queries; `firstOnly` stops at the
   * first page with a due entry.
   */
  private async dueInShard(shard: number, now: Date, limit: number, firstOnly: boolean): Promise<{ item: Record<string, unknown>; key: string }[]> {
    const upTo = `${now.toISOString()}#~`;
    const thisMinute = now.toISOString().slice(0, 16);
    const nowMs = now.getTime();
    const due: { item: Record<string, unknown>; key: string }[] = [];
    let from: string | undefined;
    let startKey: Record<string, unknown> | undefined;
    for (let queries = 0; queries < DUE_MINUTES_PER_ROUND; queries += 1) {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: indexNames.due,
          KeyConditionExpression: from ? '#duePk = :shard AND #dueAt BETWEEN :from AND :upTo' : '#duePk = :shard AND #dueAt <= :upTo',
          ExpressionAttributeNames: { '#duePk': attr.duePk, '#dueAt': attr.dueAt },
          ExpressionAttributeValues: { ':shard': keys.dueShard(shard), ':upTo': upTo, ...(from ? { ':from': from } : {}) },
          ExclusiveStartKey: startKey,
          Limit: limit,
        }),
      );
      const found = page.Items ?? [];
      for (const item of found) {
        const key = String(item[attr.dueAt]);
        if (Date.parse(keys.dueKeyTime(key)) <= nowMs) due.push({ item, key });
      }
      const last = found[found.length - 1];
      if (!page.LastEvaluatedKey || !last || (firstOnly && due.length > 0)) break;
      const lastMinute = String(last[attr.dueAt]).slice(0, 16);
      if (lastMinute === thisMinute) {
        // The current minute: read on past the entries not yet due.
        startKey = page.LastEvaluatedKey;
      } else {
        // A full page of a past minute: skip the rest of it and read the next minute that has entries.
        startKey = undefined;
        from = keys.dueAfterMinute(lastMinute);
        if (from > upTo) break;
      }
    }
    return due;
  }

  /**
   * Claims a delivery for one send attempt: only if it is still pending, or its previous claim's
   * lease has run out before any send began (an SMS whose send began is settled by
   * `markUncertain` instead). Returns the claimed record, or undefined when another run has it.
   */
  async claim(record: DeliveryRecord, lease: { id: string; until: Date }, now: Date): Promise<DeliveryRecord | undefined> {
    const leaseUntil = lease.until.toISOString();
    try {
      const result = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: deliveryKey(record),
          UpdateExpression: 'SET #state = :sending, leaseId = :lease, leaseUntil = :until, #dueAt = :leaseDue, updatedAt = :now',
          ConditionExpression:
            '(#state = :pending AND attribute_exists(#dueAt) AND attribute_not_exists(parked)) OR (#state = :sending AND leaseUntil <= :nowIso AND attribute_not_exists(inFlight))',
          ExpressionAttributeNames: { '#state': 'state', '#dueAt': attr.dueAt },
          ExpressionAttributeValues: {
            ':sending': 'sending',
            ':pending': 'pending',
            ':lease': lease.id,
            ':until': leaseUntil,
            ':leaseDue': dueSortKey(record, leaseUntil),
            ':now': now.toISOString(),
            ':nowIso': now.toISOString(),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const { deliveryRecordSchema } = await deliveryModule();
      return deliveryRecordSchema.parse(result.Attributes);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /**
   * Ends a claimed delivery, with its counter, if this claim still holds the lease. Returns false
   * when the lease was lost (another run re-claimed it after it ran out).
   */
  async finish(
    record: DeliveryRecord,
    leaseId: string,
    outcome: Outcome,
    details: FinishDetails,
    now: Date,
    period?: TallyPeriod,
  ): Promise<boolean> {
    return this.finishAll([{ record, outcome, details, period }], leaseId, now).then((results) => results[0] ?? false);
  }

  /** Several outcomes of one claim, one transaction each, counters folded per outcome. */
  async finishAll(
    results: readonly { record: DeliveryRecord; outcome: Outcome; details: FinishDetails; period?: TallyPeriod | undefined }[],
    leaseId: string,
    now: Date,
  ): Promise<boolean[]> {
    return Promise.all(
      results.map(async ({ record, outcome, details, period }) => {
        const at = now.toISOString();
        const sets = ['#state = :outcome', 'updatedAt = :now'];
        const values: Record<string, unknown> = { ':outcome': outcome, ':now': at, ':sending': 'sending', ':lease': leaseId };
        if (outcome === 'sent') {
          sets.push('sentAt = :now');
          values[':messageId'] = details.messageId ?? '';
          sets.push('messageId = :messageId');
        }
        if (details.reason) {
          sets.push('reason = :reason');
          values[':reason'] = details.reason;
        }
        if (details.attempts !== undefined) {
          sets.push('attempts = :attempts');
          values[':attempts'] = details.attempts;
        }
        if (outcome === 'sent' && details.wechat) {
          sets.push('wechat = :wechat');
          values[':wechat'] = details.wechat;
        }
        if (outcome === 'sent' && details.spend) {
          sets.push('spend = :spend');
          values[':spend'] = details.spend;
        }
        const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [
          {
            Update: {
              TableName: this.tableName,
              Key: deliveryKey(record),
              UpdateExpression: `SET ${sets.join(', ')} REMOVE #duePk, #dueAt, leaseId, leaseUntil, inFlight`,
              ConditionExpression: '#state = :sending AND leaseId = :lease',
              ExpressionAttributeNames: { '#state': 'state', '#duePk': attr.duePk, '#dueAt': attr.dueAt },
              ExpressionAttributeValues: values,
            },
          },
          statsUpdate(this.tableName, record, outcome, 1),
          ...outcomeTally(this.tableName, record, outcome, period),
        ];
        // A sent SMS: its message id -> this delivery, for the carrier's receipt (store/receipts.ts).
        const lookupAt = outcome === 'sent' && record.recipient.kind === 'sms' && details.messageId ? items.length : undefined;
        if (lookupAt !== undefined && details.messageId) items.push(messageLookupPut(this.tableName, record, details.messageId, period, now));
        // A sent WeChat mass send: its msg_id -> this delivery, for WeChat's result event (store/wechat-sends.ts).
        if (outcome === 'sent' && record.recipient.kind === 'wechat' && details.messageId) {
          items.push(...wechatSendPuts(this.tableName, { ...record, ...(details.wechat ? { wechat: details.wechat } : {}) }, details.messageId, period, now));
        }
        try {
          await this.db.send(new TransactWriteCommand({ TransactItems: items }));
          return true;
        } catch (error) {
          if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return false;
          // The receipt came before this outcome: record it delivered or undelivered at once.
          if (lookupAt !== undefined && details.messageId && error instanceof TransactionCanceledException && error.CancellationReasons?.[lookupAt]?.Code === 'ConditionalCheckFailed') {
            return finishWithReceipt(this.db, this.tableName, { record, leaseId, messageId: details.messageId, attempts: details.attempts, period, spend: details.spend }, now);
          }
          throw error;
        }
      }),
    );
  }

  /** Gives a claimed delivery back to pending, to be tried again at `retryAt`. */
  async release(record: DeliveryRecord, leaseId: string, retryAt: string, details: { attempts: number; reason?: string }, now: Date): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: deliveryKey(record),
          UpdateExpression: `SET #state = :pending, #dueAt = :due, attempts = :attempts, updatedAt = :now${details.reason ? ', reason = :reason' : ''} REMOVE leaseId, leaseUntil, inFlight`,
          ConditionExpression: '#state = :sending AND leaseId = :lease',
          ExpressionAttributeNames: { '#state': 'state', '#dueAt': attr.dueAt },
          ExpressionAttributeValues: {
            ':pending': 'pending',
            ':sending': 'sending',
            ':lease': leaseId,
            ':due': dueSortKey(record, retryAt),
            ':attempts': details.attempts,
            ':now': now.toISOString(),
            ...(details.reason ? { ':reason': details.reason } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Records, under the claim's lease, that the SMS's send begins now: from here on, if the run
   * dies, nobody knows whether SNS took it. False when the lease was lost (do not send).
   */
  async markInFlight(record: DeliveryRecord, leaseId: string, now: Date): Promise<boolean> {
    return this.conditionalUpdate(record, {
      UpdateExpression: 'SET inFlight = :now',
      ConditionExpression: '#state = :sending AND leaseId = :lease',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':sending': 'sending', ':lease': leaseId, ':now': now.toISOString() },
    });
  }

  /**
   * Settles an SMS whose run stopped after its send began (its lease ran out with `inFlight` set):
   * `uncertain`, counted, out of the due index, and not sent again unless staff ask. The lease id
   * stays, so a run that was only slow can still record what really happened (`finish`).
   */
  async markUncertain(record: DeliveryRecord, now: Date, period?: TallyPeriod): Promise<boolean> {
    if (!record.leaseId || !record.inFlight) return false;
    return this.transactOne([
      {
        Update: {
          TableName: this.tableName,
          Key: deliveryKey(record),
          UpdateExpression: 'SET #state = :uncertain, updatedAt = :now, reason = :reason REMOVE #duePk, #dueAt, leaseUntil',
          ConditionExpression: '#state = :sending AND leaseId = :lease AND leaseUntil <= :now AND attribute_exists(inFlight)',
          ExpressionAttributeNames: { '#state': 'state', '#duePk': attr.duePk, '#dueAt': attr.dueAt },
          ExpressionAttributeValues: {
            ':uncertain': 'uncertain',
            ':sending': 'sending',
            ':lease': record.leaseId,
            ':now': now.toISOString(),
            ':reason': `the run sending it stopped after its send began (${record.inFlight}); SNS may or may not have taken it`,
          },
        },
      },
      statsUpdate(this.tableName, record, 'uncertain', 1),
      ...outcomeTally(this.tableName, record, 'uncertain', period),
    ]);
  }

  /**
   * A slow run's outcome for an SMS another run already marked uncertain (same lease): what really
   * happened replaces "uncertain", counters moved across in the same transaction.
   */
  async settleUncertain(
    record: DeliveryRecord,
    leaseId: string,
    outcome: Exclude<Outcome, 'uncertain'>,
    details: { messageId?: string; reason?: string; attempts?: number },
    now: Date,
    period?: TallyPeriod,
  ): Promise<boolean> {
    const sentSms = outcome === 'sent' && record.recipient.kind === 'sms' && details.messageId ? details.messageId : undefined;
    const settled = await this.settleUncertainOutcome(record, leaseId, outcome, details, now, period, sentSms);
    // Rare twice over (a slow run, and a receipt before its outcome): the waiting receipt is applied now.
    if (settled && sentSms) {
      const receipt = await waitingReceipt(this.db, this.tableName, sentSms);
      if (receipt) await this.applyReceipt(receipt, now);
    }
    return settled;
  }

  private async settleUncertainOutcome(
    record: DeliveryRecord,
    leaseId: string,
    outcome: Exclude<Outcome, 'uncertain'>,
    details: { messageId?: string; reason?: string; attempts?: number },
    now: Date,
    period: TallyPeriod | undefined,
    sentSms: string | undefined,
  ): Promise<boolean> {
    return this.transactOne([
      {
        Update: {
          TableName: this.tableName,
          Key: deliveryKey(record),
          UpdateExpression: `SET #state = :outcome, updatedAt = :now, reason = :reason${details.messageId ? ', messageId = :messageId, sentAt = :now' : ''}${details.attempts !== undefined ? ', attempts = :attempts' : ''} REMOVE leaseId, inFlight`,
          ConditionExpression: '#state = :uncertain AND leaseId = :lease',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':outcome': outcome,
            ':uncertain': 'uncertain',
            ':lease': leaseId,
            ':now': now.toISOString(),
            ':reason': details.reason ?? `recorded late by the run that sent it (${outcome})`,
            ...(details.messageId ? { ':messageId': details.messageId } : {}),
            ...(details.attempts !== undefined ? { ':attempts': details.attempts } : {}),
          },
        },
      },
      statsUpdates(this.tableName, record, { [outcome]: 1, uncertain: -1 }),
      ...outcomeTallyMoved(this.tableName, record, 'uncertain', outcome, period),
      // The lookup is set without replacing a receipt that may be waiting on it (applied just after).
      ...(sentSms ? [messageLookupUpdate(this.tableName, record, sentSms, period, now)] : []),
    ]);
  }

  /** Applies a carrier receipt to the SMS it is for (store/receipts.ts): at most once. */
  async applyReceipt(receipt: Receipt, now: Date): Promise<ReceiptResult> {
    return applyReceipt(this.db, this.tableName, receipt, now);
  }

  /** Staff chose to send an uncertain SMS again: back to pending, due now, its counters taken back. */
  async resendUncertain(record: DeliveryRecord, now: Date, period?: TallyPeriod): Promise<boolean> {
    const at = now.toISOString();
    return this.transactOne([
      {
        Update: {
          TableName: this.tableName,
          Key: deliveryKey(record),
          UpdateExpression: 'SET #state = :pending, #duePk = :shard, #dueAt = :due, updatedAt = :now, reason = :reason REMOVE leaseId, leaseUntil, inFlight',
          ConditionExpression: '#state = :uncertain',
          ExpressionAttributeNames: { '#state': 'state', '#duePk': attr.duePk, '#dueAt': attr.dueAt },
          ExpressionAttributeValues: {
            ':pending': 'pending',
            ':uncertain': 'uncertain',
            ':shard': keys.dueShard(shardOf(record.id)),
            ':due': dueSortKey(record, at),
            ':now': at,
            ':reason': 'resent by staff after an uncertain outcome',
          },
        },
      },
      statsUpdate(this.tableName, record, 'uncertain', -1),
      ...outcomeTally(this.tableName, record, 'uncertain', period, -1),
    ]);
  }

  /** One transaction whose first item is the delivery's conditional write: false if that condition failed. */
  private async transactOne(items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>): Promise<boolean> {
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return false;
      throw error;
    }
  }

  /**
   * A claimed SMS that the month's budget cannot pay for: back to pending (not failed, no attempt
   * used) and parked out of the due index until the budget opens again (workflows/sms-spend.ts).
   */
  async holdForBudget(record: DeliveryRecord, leaseId: string, now: Date): Promise<boolean> {
    return this.conditionalUpdate(record, {
      UpdateExpression: 'SET #state = :pending, parked = :true, updatedAt = :now, reason = :reason REMOVE #duePk, #dueAt, leaseId, leaseUntil, inFlight',
      ConditionExpression: '#state = :sending AND leaseId = :lease',
      ExpressionAttributeNames: { '#state': 'state', '#duePk': attr.duePk, '#dueAt': attr.dueAt },
      ExpressionAttributeValues: { ':pending': 'pending', ':sending': 'sending', ':lease': leaseId, ':true': true, ':now': now.toISOString(), ':reason': BUDGET_HOLD_REASON },
    });
  }

  /** Takes a pending delivery out of the due index while its notice is paused (or its SMS wait for the budget). */
  async park(record: DeliveryRecord, now: Date, reason?: string): Promise<boolean> {
    return this.conditionalUpdate(record, {
      UpdateExpression: `SET parked = :true, updatedAt = :now${reason ? ', reason = :reason' : ''} REMOVE #duePk, #dueAt`,
      ConditionExpression: '#state = :pending',
      ExpressionAttributeNames: { '#state': 'state', '#duePk': attr.duePk, '#dueAt': attr.dueAt },
      ExpressionAttributeValues: { ':true': true, ':pending': 'pending', ':now': now.toISOString(), ...(reason ? { ':reason': reason } : {}) },
    });
  }

  /** Puts a parked delivery back in the due index: only what was never sent goes out. */
  async unpark(record: DeliveryRecord, now: Date): Promise<boolean> {
    return this.conditionalUpdate(record, {
      UpdateExpression: 'SET #duePk = :shard, #dueAt = :due, updatedAt = :now REMOVE parked',
      ConditionExpression: '#state = :pending AND parked = :true',
      ExpressionAttributeNames: { '#state': 'state', '#duePk': attr.duePk, '#dueAt': attr.dueAt },
      ExpressionAttributeValues: {
        ':shard': keys.dueShard(shardOf(record.id)),
        ':due': dueSortKey(record, record.scheduledAt),
        ':pending': 'pending',
        ':true': true,
        ':now': now.toISOString(),
      },
    });
  }

  /** Cancels a delivery that has not been sent (pending or parked), with its counter. */
  async cancelPending(record: DeliveryRecord, now: Date): Promise<boolean> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: deliveryKey(record),
                UpdateExpression: 'SET #state = :cancelled, updatedAt = :now, reason = :reason REMOVE #duePk, #dueAt, parked',
                ConditionExpression: '#state = :pending',
                ExpressionAttributeNames: { '#state': 'state', '#duePk': attr.duePk, '#dueAt': attr.dueAt },
                ExpressionAttributeValues: { ':cancelled': 'cancelled', ':pending': 'pending', ':now': now.toISOString(), ':reason': 'the notice was cancelled' },
              },
            },
            statsUpdate(this.tableName, record, 'cancelled', 1),
          ],
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return false;
      throw error;
    }
  }

  /**
   * A station confirms an airing. Counted once: a repeated confirmation finds it already aired
   * and changes nothing. Returns the delivery as it now is.
   */
  async markAired(record: DeliveryRecord, airedAt: string, now: Date, period?: TallyPeriod): Promise<{ record: DeliveryRecord; first: boolean }> {
    let current: DeliveryRecord | undefined = record;
    // The counters a confirmation moves depend on the state it finds (a script not yet pushed is
    // counted as sent too), so the write pins that state; if the dispatcher moved it meanwhile,
    // read it again and decide again. Two rounds settle it: a delivery moves forward only.
    for (let round = 0; current && round < AIRED_ROUNDS; round += 1) {
      if (current.state === 'aired') return { record: current, first: false };
      if (!['pending', 'sending', 'sent'].includes(current.state)) break;
      if (await this.tryMarkAired(current, airedAt, now, period)) {
        return { record: { ...current, state: 'aired', airedAt, confirmedAt: now.toISOString() }, first: true };
      }
      current = await this.get(current);
    }
    if (current?.state === 'aired') return { record: current, first: false };
    // Cancelled, expired or failed: the station's word cannot change that; the caller gets 409.
    throw new Conflict(`This script is ${current?.state ?? 'gone'}: it can no longer be confirmed.`, current ? { id: current.id, state: current.state } : undefined);
  }

  /** One attempt at the confirmation, on the state `record` was read in; false if it has moved. */
  private async tryMarkAired(record: DeliveryRecord, airedAt: string, now: Date, period?: TallyPeriod): Promise<boolean> {
    const confirmedAt = now.toISOString();
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: deliveryKey(record),
                // A station may air a script before the push reached it: a pending or sending
                // script is finished here too, and counted as sent as well as aired.
                UpdateExpression: 'SET #state = :aired, airedAt = :airedAt, confirmedAt = :confirmedAt, updatedAt = :confirmedAt REMOVE #duePk, #dueAt, leaseId, leaseUntil, parked',
                ConditionExpression: '#state = :readState',
                ExpressionAttributeNames: { '#state': 'state', '#duePk': attr.duePk, '#dueAt': attr.dueAt },
                ExpressionAttributeValues: { ':aired': 'aired', ':readState': record.state, ':airedAt': airedAt, ':confirmedAt': confirmedAt },
              },
            },
            statsUpdates(this.tableName, record, record.state === 'sent' ? { aired: 1 } : { aired: 1, sent: 1 }),
            ...outcomeTally(this.tableName, record, 'aired', period),
          ],
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return false;
      throw error;
    }
  }

  async get(record: Pick<DeliveryRecord, 'county' | 'campaignId' | 'noticeId' | 'sendIndex' | 'recipient'>): Promise<DeliveryRecord | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: deliveryKey(record) }));
    const { deliveryRecordSchema } = await deliveryModule();
    return result.Item ? deliveryRecordSchema.parse(result.Item) : undefined;
  }

  async getByKey(county: string, campaignId: string, noticeId: string, sendIndex: number, recipient: string): Promise<DeliveryRecord | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.delivery(county, campaignId, noticeId, sendIndex, recipient) }));
    const { deliveryRecordSchema } = await deliveryModule();
    return result.Item ? deliveryRecordSchema.parse(result.Item) : undefined;
  }

  async counts(county: string, campaignId: string, noticeId: string): Promise<DeliveryCounts> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.noticeStats(county, campaignId, noticeId) }));
    const { countsFrom } = await deliveryModule();
    return countsFrom((result.Item ?? {}) as Partial<Record<keyof DeliveryCounts, number>>);
  }

  /** A page of a notice's deliveries, optionally only those in one state (e.g. failed). */
  async page(
    county: string,
    campaignId: string,
    noticeId: string,
    options: { state?: DeliveryState | undefined; limit: number; cursor?: string | undefined },
  ): Promise<Page<DeliveryRecord>> {
    const page = await queryPage(
      this.db,
      {
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ...(options.state ? { FilterExpression: '#state = :state' } : {}),
        ExpressionAttributeNames: { '#pk': attr.pk, '#sk': attr.sk, ...(options.state ? { '#state': 'state' } : {}) },
        ExpressionAttributeValues: {
          ':pk': keys.deliveriesOfNotice(county, campaignId, noticeId),
          ':prefix': keys.deliveryPrefix,
          ...(options.state ? { ':state': options.state } : {}),
        },
      },
      options,
    );
    const { deliveryRecordSchema } = await deliveryModule();
    return { ...page, items: page.items.map((item) => deliveryRecordSchema.parse(item)) };
  }

  /** Every delivery of a notice (reconciliation only: it reads them all by design). */
  async allOfNotice(county: string, campaignId: string, noticeId: string): Promise<DeliveryRecord[]> {
    const items = await queryAll(
      this.db,
      {
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': attr.pk, '#sk': attr.sk },
        ExpressionAttributeValues: { ':pk': keys.deliveriesOfNotice(county, campaignId, noticeId), ':prefix': keys.deliveryPrefix },
      },
      10_000_000,
    );
    const { deliveryRecordSchema } = await deliveryModule();
    return items.map((item) => deliveryRecordSchema.parse(item));
  }

  /** Every delivery of a notice still pending (for pause, resume and cancel). */
  async pendingOfNotice(county: string, campaignId: string, noticeId: string): Promise<DeliveryRecord[]> {
    return this.ofNoticeInState(county, campaignId, noticeId, 'pending');
  }

  /** Every delivery of a notice in one state (pending for pause and cancel, uncertain for a resend). */
  async ofNoticeInState(county: string, campaignId: string, noticeId: string, state: DeliveryState): Promise<DeliveryRecord[]> {
    const items = await queryAll(
      this.db,
      {
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        FilterExpression: '#state = :state',
        ExpressionAttributeNames: { '#pk': attr.pk, '#sk': attr.sk, '#state': 'state' },
        ExpressionAttributeValues: { ':pk': keys.deliveriesOfNotice(county, campaignId, noticeId), ':prefix': keys.deliveryPrefix, ':state': state },
      },
      1_000_000,
    );
    const { deliveryRecordSchema } = await deliveryModule();
    return items.map((item) => deliveryRecordSchema.parse(item));
  }

  /** A station's scripts whose air windows have not closed, in the order they close. */
  async stationScripts(county: string, stationId: string, now: Date): Promise<DeliveryRecord[]> {
    const items = await queryAll(
      this.db,
      {
        TableName: this.tableName,
        IndexName: indexNames.byParent,
        KeyConditionExpression: '#pk = :pk AND #sk >= :from',
        ExpressionAttributeNames: { '#pk': attr.gsi1pk, '#sk': attr.gsi1sk },
        ExpressionAttributeValues: { ':pk': keys.stationScripts(county, stationId), ':from': now.toISOString() },
      },
      500,
    );
    const { deliveryRecordSchema } = await deliveryModule();
    return items.map((item) => deliveryRecordSchema.parse(item));
  }

  private async conditionalUpdate(record: DeliveryRecord, update: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName' | 'Key'>): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand({ TableName: this.tableName, Key: deliveryKey(record), ...update }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
