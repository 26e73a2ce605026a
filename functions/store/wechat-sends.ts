/**
 * @module store/wechat-sends
 * WeChat mass sends and their results. WeChat's result event (MASSSENDJOBFINISH) names only the
 * msg_id, so the sent outcome writes `SEND` (msg_id -> its delivery) in the same transaction, and
 * the callback writes `RESULT` (what WeChat said). Either may come first; each side, after its
 * write, tries to apply the result: the delivery `sent -> delivered | undelivered` on condition
 * that it is still sent under that msg_id, so it is applied once whoever gets there first, with
 * the notice's counters and the month's tallies (followers reached, failed pushes).
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { DeliveryRecord, WeChatSend } from '../domain/delivery.js';
import { recipientKey } from '../domain/recipient-key.js';
import { deliveryDelta } from '../domain/tally.js';
import { deliveryModule } from './domain-modules.js';
import { keys } from './keys.js';
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
  totalCount: number;
  filterCount: number;
  sentCount: number;
  errorCount: number;
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
  totalCount: z.number().int(),
  filterCount: z.number().int(),
  sentCount: z.number().int(),
  errorCount: z.number().int(),
  finishedAt: z.string(),
});

/** "send success" is a job that went out; "send fail" and "err(…)" (refused, unconfirmed) did not. */
export const succeeded = (status: string) => status.trim().toLowerCase() === 'send success';

/** The `SEND` item of a sent mass send: written with its sent outcome (DeliveryStore.finishAll). */
export function wechatSendPut(tableName: string, record: DeliveryRecord, msgId: string, period: Period | undefined, now: Date): TransactItem {
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

  /** Keeps WeChat's result (a repeat of the same event overwrites it with the same). */
  async recordResult(county: string, result: WeChatResult, now: Date): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.wechatResult(county, result.msgId), type: 'wechat-result', county, ...result, receivedAt: now.toISOString(), [attr.expiresAtEpoch]: expiresAtEpoch(now) },
      }),
    );
  }

  /**
   * Applies the kept result to its delivery, if both the result and the send are known; once:
   * a second call (or the other side's) finds the delivery no longer sent and changes nothing.
   */
  async applyResult(county: string, msgId: string, now: Date): Promise<ApplyOutcome> {
    const [sendItem, resultItem] = await Promise.all([
      this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.wechatSend(county, msgId), ConsistentRead: true })),
      this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.wechatResult(county, msgId), ConsistentRead: true })),
    ]);
    if (!sendItem.Item || !resultItem.Item) return { kind: 'waiting' };
    const send = sendSchema.parse(sendItem.Item);
    const result = resultSchema.parse(resultItem.Item);
    const deliveryKey = keys.delivery(county, send.campaignId, send.noticeId, send.sendIndex, recipientKey({ kind: 'wechat', tagId: send.tagId }));
    const read = await this.db.send(new GetCommand({ TableName: this.tableName, Key: deliveryKey, ConsistentRead: true }));
    if (!read.Item) return { kind: 'waiting' };
    const delivery = (await deliveryModule()).deliveryRecordSchema.parse(read.Item);
    if (delivery.state !== 'sent' || delivery.messageId !== msgId) return { kind: 'already', deliveryId: delivery.id };
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
      ...(send.period ? tallyUpdates(this.tableName, county, deliveryDelta({ wechatReached: result.sentCount, ...(state === 'undelivered' ? { wechatFailed: 1 } : {}) }, send.period)) : []),
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
