/**
 * @module store/wechat-sends
 * WeChat mass sends and their results. WeChat's result event (MASSSENDJOBFINISH) names only the
 * msg_id, so the sent outcome writes `SEND` (msg_id -> its delivery) in the same transaction, and
 * the callback writes `RESULT` (what WeChat said). Either may come first; each side, after its
 * write, tries to apply the result: the delivery `sent -> delivered | undelivered` on condition
 * that it is still sent under that msg_id, so it is applied once whoever gets there first, with
 * the notice's counters and the month's tallies: followers reached; a send WeChat failed moves
 * from the pushes to the failed ones, so the pushes are the articles that went out.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { DeliveryRecord, WeChatSend } from '../domain/delivery.js';
import { recipientKey } from '../domain/recipient-key.js';
import { deliveryDelta } from '../domain/tally.js';
import { deliveryModule } from './domain-modules.js';
import { keys } from './keys.js';
import { queryAll } from './query.js';
import { statsUpdates } from './notice-stats.js';
import { attr } from './table.js';
import { tallyUpdates } from './tallies.js';

/** WeChat finishes a job within hours (a protected one within 30 minutes of its confirmation); 90 days leaves room. */
const KEEP_DAYS = 90;
const expiresAtEpoch = (now: Date) => Math.floor(now.getTime() / 1000) + KEEP_DAYS * 86_400;

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];
type Period = { year: number; month: number };

/** What a result event says, as kept. */
export interface WeChatResult {
  msgId: string;
  status: string;
  /** WeChat's counts, from its result event; absent when the result came from mass/get, which gives none. */
  totalCount?: number | undefined;
  filterCount?: number | undefined;
  sentCount?: number | undefined;
  errorCount?: number | undefined;
  /** When WeChat says it finished (CreateTime). */
  finishedAt: string;
}

const sendSchema = z.object({
  county: z.string(),
  campaignId: z.string(),
  noticeId: z.string(),
  sendIndex: z.number().int(),
  tagId: z.number().int().optional(),
  period: z.object({ year: z.number().int(), month: z.number().int() }).optional(),
});

const resultSchema = z.object({
  msgId: z.string(),
  status: z.string(),
  totalCount: z.number().int().optional(),
  filterCount: z.number().int().optional(),
  sentCount: z.number().int().optional(),
  errorCount: z.number().int().optional(),
  finishedAt: z.string(),
});

/**
 * "send success" is a job that went out — WeChat's own sample event writes it "sendsuccess", so
 * both are read; "send fail" and "err(…)" (refused, unconfirmed) did not.
 */
export const succeeded = (status: string) => /^send\s*success/i.test(status.trim());

/** A mass send still waiting for WeChat's result, as the dispatcher follows it up. */
export interface OpenWeChatSend {
  county: string;
  msgId: string;
  submittedAt: string;
  awaitingConfirmation: boolean;
  /** When it was last asked about (mass/get). */
  checkedAt?: string | undefined;
}

const openSchema = z.object({
  county: z.string(),
  msgId: z.string(),
  submittedAt: z.string(),
  awaitingConfirmation: z.boolean(),
  checkedAt: z.string().optional(),
});

/**
 * The `SEND` item of a sent mass send, and its place among the open ones: written with its sent
 * outcome (DeliveryStore.finishAll); the open one goes when its result is applied.
 */
export function wechatSendPuts(tableName: string, record: DeliveryRecord, msgId: string, period: Period | undefined, now: Date): TransactItem[] {
  return [
    wechatSendPut(tableName, record, msgId, period, now),
    {
      Put: {
        TableName: tableName,
        Item: {
          ...keys.wechatOpen(record.county, msgId),
          type: 'wechat-open',
          county: record.county,
          msgId,
          submittedAt: now.toISOString(),
          awaitingConfirmation: record.wechat?.phase === 'awaiting-confirmation',
          [attr.expiresAtEpoch]: expiresAtEpoch(now),
        },
      },
    },
  ];
}

function wechatSendPut(tableName: string, record: DeliveryRecord, msgId: string, period: Period | undefined, now: Date): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...keys.wechatSend(record.county, msgId),
        type: 'wechat-send',
        county: record.county,
        campaignId: record.campaignId,
        noticeId: record.noticeId,
        sendIndex: record.sendIndex,
        ...(record.recipient.kind === 'wechat' && record.recipient.tagId !== undefined ? { tagId: record.recipient.tagId } : {}),
        ...(period ? { period } : {}),
        msgId,
        [attr.expiresAtEpoch]: expiresAtEpoch(now),
      },
    },
  };
}

export type ApplyOutcome = { kind: 'applied'; deliveryId: string; state: 'delivered' | 'undelivered' } | { kind: 'waiting' } | { kind: 'already'; deliveryId: string };

export class WeChatSendStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Mass sends still waiting for their result, oldest first (one small partition, every county's). */
  async open(limit = 1_000): Promise<OpenWeChatSend[]> {
    const items = await queryAll(this.db, { TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.wechatOpenSends() }, ConsistentRead: true }, limit);
    return items.map((item) => openSchema.parse(item)).sort((a, b) => (a.submittedAt < b.submittedAt ? -1 : 1));
  }

  /** Notes that an open send was asked about now, so the next run asks no sooner than it should. */
  async checked(send: OpenWeChatSend, now: Date): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.wechatOpen(send.county, send.msgId),
        UpdateExpression: 'SET checkedAt = :now',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':now': now.toISOString() },
      }),
    ).catch((error: unknown) => {
      // Closed meanwhile (its result was applied): nothing to note.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
  }

  /**
   * Keeps WeChat's result. Its event overwrites whatever is kept (a repeat of it, the same); a
   * result read from mass/get (`ifAbsent`) never replaces one from an event, which has the counts.
   */
  async recordResult(county: string, result: WeChatResult, now: Date, options: { ifAbsent?: boolean } = {}): Promise<void> {
    // Counts a mass/get result lacks are left out: the document client drops undefined values.
    const item = { ...keys.wechatResult(county, result.msgId), type: 'wechat-result', county, ...result, receivedAt: now.toISOString(), [attr.expiresAtEpoch]: expiresAtEpoch(now) };
    try {
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: item, ...(options.ifAbsent ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}) }));
    } catch (error) {
      if (!(options.ifAbsent && error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /**
   * Applies the kept result to its delivery, if both the result and the send are known; once:
   * a second call (or the other side's) finds the delivery no longer sent and changes nothing.
   */
  async applyResult(county: string, msgId: string, now: Date): Promise<ApplyOutcome> {
    // `SEND` and `RESULT` share their partition: one Query reads both.
    const both = await this.db.send(
      new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.wechatSend(county, msgId).pk }, ConsistentRead: true }),
    );
    const sendItem = both.Items?.find((item) => item.sk === keys.wechatSend(county, msgId).sk);
    const resultItem = both.Items?.find((item) => item.sk === keys.wechatResult(county, msgId).sk);
    if (!sendItem || !resultItem) return { kind: 'waiting' };
    const send = sendSchema.parse(sendItem);
    const result = resultSchema.parse(resultItem);
    const deliveryKey = keys.delivery(county, send.campaignId, send.noticeId, send.sendIndex, recipientKey({ kind: 'wechat', tagId: send.tagId }));
    const read = await this.db.send(new GetCommand({ TableName: this.tableName, Key: deliveryKey, ConsistentRead: true }));
    if (!read.Item) {
      // Its delivery is gone (the notice's data removed): nothing is left to apply the result to.
      await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.wechatOpen(county, msgId) }));
      return { kind: 'waiting' };
    }
    const delivery = (await deliveryModule()).deliveryRecordSchema.parse(read.Item);
    if (delivery.state !== 'sent' || delivery.messageId !== msgId) {
      await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.wechatOpen(county, msgId) }));
      return { kind: 'already', deliveryId: delivery.id };
    }
    const state = succeeded(result.status) ? 'delivered' : 'undelivered';
    const wechat: WeChatSend = {
      ...(delivery.wechat ?? { submittedAt: delivery.sentAt ?? now.toISOString() }),
      phase: 'finished',
      status: result.status,
      totalCount: result.totalCount,
      filterCount: result.filterCount,
      sentCount: result.sentCount,
      errorCount: result.errorCount,
      finishedAt: result.finishedAt,
    };
    const items: TransactItem[] = [
      {
        Update: {
          TableName: this.tableName,
          Key: deliveryKey,
          UpdateExpression: 'SET #state = :state, wechat = :wechat, updatedAt = :now',
          ConditionExpression: '#state = :sent AND messageId = :msgId',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':state': state, ':wechat': wechat, ':now': now.toISOString(), ':sent': 'sent', ':msgId': msgId },
        },
      },
      statsUpdates(this.tableName, delivery, { [state]: 1 }),
      { Delete: { TableName: this.tableName, Key: keys.wechatOpen(county, msgId) } },
      ...(send.period ? tallyUpdates(this.tableName, county, deliveryDelta({ wechatReached: result.sentCount ?? 0, ...(state === 'undelivered' ? { wechatPushes: -1, wechatFailed: 1 } : {}) }, send.period)) : []),
    ];
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
      return { kind: 'applied', deliveryId: delivery.id, state };
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return { kind: 'already', deliveryId: delivery.id };
      throw error;
    }
  }
}

