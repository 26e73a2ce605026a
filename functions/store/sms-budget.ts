/**
 * @module store/sms-budget
 * The county's SMS budget and month-to-date spend (access patterns 28 and 29). Spend is reserved
 * before each second's SMS with one conditional ADD, as the rate limiter takes its slots
 * (store/rate.ts): the condition `spentMicroUsd <= budget − ask` holds for every dispatcher at
 * once, so two runs can never both pass the budget. A receipt later replaces an SMS's estimate
 * with its real price in the receipt's own transaction (`spendAdjustment`, store/receipts.ts).
 *
 * When an SMS does not fit, its notice is listed as held on the budget item, with why, and the
 * county enters the holds index: each run reads that index (one Query, usually empty) and sends
 * the held notices again once the month turns or the budget is raised.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { z } from 'zod';
import type { AuditEntry } from '../domain/audit.js';
import type { BudgetStop, MonthSpend } from '../domain/sms-budget.js';
import { writeWithAudit } from './audit.js';
import { onFirstUse } from '../on-first-use.js';
import { smsBudgetModule } from './domain-modules.js';
import { keys } from './keys.js';
import { attr, indexNames } from './table.js';

type TransactItem = Parameters<typeof writeWithAudit>[2];

/** Reservation rounds when other dispatchers took spend meanwhile (each learns what is left). */
const RESERVE_ROUNDS = 3;

/** Built on first use, like the domain's schemas it holds (store/domain-modules). */
const budgetItemSchema = onFirstUse(async () => {
  const { budgetStopSchema } = await smsBudgetModule();
  return z.object({
    county: z.string(),
    monthlyYuan: z.number().optional(),
    updatedAt: z.string().optional(),
    stop: budgetStopSchema.optional(),
    /** `campaignId/noticeId` of notices whose SMS wait for the budget. */
    heldNotices: z.set(z.string()).optional(),
    /** Counts every hold: a release names the one it saw, so a notice held again meanwhile is not forgotten. */
    holdVersion: z.number().int().optional(),
  });
});
export type SmsBudgetRecord = z.infer<Awaited<ReturnType<typeof budgetItemSchema>>>;

const spendOf = (month: string, item: Record<string, unknown> | undefined): MonthSpend => ({
  month,
  spentMicroUsd: Number(item?.spentMicroUsd ?? 0),
  realMicroUsd: Number(item?.realMicroUsd ?? 0),
  sms: Number(item?.sms ?? 0),
  receipts: Number(item?.receipts ?? 0),
});

export const heldNoticeKey = (ref: { campaignId: string; noticeId: string }) => `${ref.campaignId}/${ref.noticeId}`;

/** The month's spend moved by a receipt: its estimate taken back, its real price counted instead. */
export function spendAdjustment(tableName: string, county: string, spend: { month: string; estimateMicroUsd: number }, priceMicroUsd: number): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: keys.smsSpend(county, spend.month),
      UpdateExpression: 'ADD spentMicroUsd :delta, realMicroUsd :price, receipts :one',
      ExpressionAttributeValues: { ':delta': priceMicroUsd - spend.estimateMicroUsd, ':price': priceMicroUsd, ':one': 1 },
    },
  };
}

/** The write that sets (or, with undefined, removes) a county's monthly budget: alone, or in a county's creation (store/counties). */
export function budgetUpdate(tableName: string, county: string, monthlyYuan: number | undefined, now: Date): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: keys.smsBudget(county),
      UpdateExpression: monthlyYuan === undefined ? 'SET #type = :type, county = :county, updatedAt = :now REMOVE monthlyYuan' : 'SET #type = :type, county = :county, updatedAt = :now, monthlyYuan = :yuan',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':type': 'sms-budget', ':county': county, ':now': now.toISOString(), ...(monthlyYuan === undefined ? {} : { ':yuan': monthlyYuan }) },
    },
  };
}

export class SmsBudgetStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(county: string, options: { consistent?: boolean } = {}): Promise<SmsBudgetRecord> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.smsBudget(county), ConsistentRead: options.consistent ?? false }));
    return result.Item ? (await budgetItemSchema()).parse({ county, ...result.Item }) : { county };
  }

  async spend(county: string, month: string, options: { consistent?: boolean } = {}): Promise<MonthSpend> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.smsSpend(county, month), ConsistentRead: options.consistent ?? false }));
    return spendOf(month, result.Item);
  }

  /** The county office sets (or, with undefined, removes) its monthly budget, with its audit entry. */
  async setMonthlyYuan(county: string, monthlyYuan: number | undefined, now: Date, audit: AuditEntry): Promise<void> {
    await writeWithAudit(this.db, this.tableName, budgetUpdate(this.tableName, county, monthlyYuan, now), audit);
  }

  /**
   * Reserves the first of `amounts` (micro-USD each, oldest due first) that fit under the budget;
   * returns how many. Without a budget everything is counted and granted.
   */
  async reserve(county: string, month: string, amounts: readonly number[], budgetMicroUsd: number | undefined): Promise<number> {
    const { fittingPrefix } = await smsBudgetModule();
    let granted = budgetMicroUsd === undefined ? amounts.length : fittingPrefix(amounts, budgetMicroUsd);
    for (let round = 0; round < RESERVE_ROUNDS && granted > 0; round += 1) {
      const ask = amounts.slice(0, granted).reduce((sum, amount) => sum + amount, 0);
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.smsSpend(county, month),
            UpdateExpression: 'SET #type = :type, #month = :month ADD spentMicroUsd :ask, sms :count',
            ...(budgetMicroUsd === undefined ? {} : { ConditionExpression: 'attribute_not_exists(spentMicroUsd) OR spentMicroUsd <= :room' }),
            ExpressionAttributeNames: { '#type': 'type', '#month': 'month' },
            ExpressionAttributeValues: { ':type': 'sms-spend', ':month': month, ':ask': ask, ':count': granted, ...(budgetMicroUsd === undefined ? {} : { ':room': budgetMicroUsd - ask }) },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return granted;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException) || budgetMicroUsd === undefined) throw error;
        // Others spent meanwhile: ask again for what still fits.
        const spent = Number(error.Item ? unmarshall(error.Item).spentMicroUsd : budgetMicroUsd);
        granted = Math.min(granted - 1, fittingPrefix(amounts, budgetMicroUsd - spent));
      }
    }
    return 0;
  }

  /** Gives back what was reserved for SMS that were not sent after all (failed, handed back, stopped). */
  async refund(county: string, month: string, microUsd: number, count: number): Promise<void> {
    if (microUsd === 0 && count === 0) return;
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.smsSpend(county, month),
        UpdateExpression: 'ADD spentMicroUsd :back, sms :count',
        ExpressionAttributeValues: { ':back': -microUsd, ':count': -count },
      }),
    );
  }

  /** Records that SMS of these notices wait for the budget, and why; puts the county in the holds index. */
  async hold(county: string, notices: readonly { campaignId: string; noticeId: string }[], stop: BudgetStop): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.smsBudget(county),
        // The first stop of a month is kept (its `since`); a later one in the same month keeps it too.
        UpdateExpression: 'SET #type = :type, county = :county, #stop = if_not_exists(#stop, :stop), #gsi1pk = :holds, #gsi1sk = :county ADD heldNotices :notices, holdVersion :one',
        ExpressionAttributeNames: { '#type': 'type', '#stop': 'stop', '#gsi1pk': attr.gsi1pk, '#gsi1sk': attr.gsi1sk },
        ExpressionAttributeValues: {
          ':type': 'sms-budget',
          ':county': county,
          ':stop': stop,
          ':holds': keys.smsBudgetHolds().gsi1pk,
          ':notices': new Set(notices.map(heldNoticeKey)),
          ':one': 1,
        },
      }),
    );
  }

  /**
   * Notices sent again: off the held list, if no hold came since `seenVersion` (else false: the
   * next run looks again, and unparking twice changes nothing). With none left, the stop and the
   * index entry go too.
   */
  async release(county: string, notices: readonly string[], seenVersion: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.smsBudget(county),
          UpdateExpression: notices.length > 0 ? 'DELETE heldNotices :notices' : 'SET holdVersion = :seen',
          ConditionExpression: 'holdVersion = :seen',
          ExpressionAttributeValues: { ':seen': seenVersion, ...(notices.length > 0 ? { ':notices': new Set(notices) } : {}) },
        }),
      );
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.smsBudget(county),
          UpdateExpression: 'REMOVE #stop, #gsi1pk, #gsi1sk',
          ConditionExpression: 'attribute_not_exists(heldNotices) AND holdVersion = :seen',
          ExpressionAttributeNames: { '#stop': 'stop', '#gsi1pk': attr.gsi1pk, '#gsi1sk': attr.gsi1sk },
          ExpressionAttributeValues: { ':seen': seenVersion },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Counties whose SMS wait for their budget (one Query; empty almost always). */
  async countiesOnHold(): Promise<SmsBudgetRecord[]> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: indexNames.byParent,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': attr.gsi1pk },
        ExpressionAttributeValues: { ':pk': keys.smsBudgetHolds().gsi1pk },
        Limit: 100,
      }),
    );
    const schema = await budgetItemSchema();
    return (result.Items ?? []).map((item) => schema.parse(item));
  }
}
