/**
 * @module store/plan-apply
 * Writes a plan diff. Every write is guarded (new items must not exist, changed items must still
 * be at the version the diff was computed from), and the writes go in TransactWriteItems of up to
 * 100, so a concurrent edit makes the load fail with a Conflict instead of overwriting it. The
 * load's audit entry rides in the first transaction: if any part of the plan is written, the load
 * is on record (a retried load writes the rest and files its own entry).
 */
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../domain/audit.js';
import type { PlanDiff } from '../domain/plan-diff.js';
import { auditPut } from './audit.js';
import { campaignItem, noticeItem } from './campaigns.js';
import { conditionally, itemIsNew, versionIs } from './conditions.js';
import { keys } from './keys.js';

/** DynamoDB's limit on the items of one transaction. */
const TRANSACTION_SIZE = 100;

type TransactItem = Put | ReturnType<typeof auditPut>;
type Put = { Put: { TableName: string; Item: Record<string, unknown>; ConditionExpression: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> } };

export async function writePlanDiff(db: DynamoDBDocumentClient, tableName: string, diff: PlanDiff, audit?: AuditEntry): Promise<number> {
  const guarded = (Item: Record<string, unknown>, expectedVersion: number | undefined): Put => ({
    Put:
      expectedVersion === undefined
        ? { TableName: tableName, Item, ConditionExpression: itemIsNew }
        : {
            TableName: tableName,
            Item,
            ConditionExpression: versionIs,
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expectedVersion': expectedVersion },
          },
  });

  const writes: Put[] = [];
  if (diff.planYear.action !== 'unchanged') {
    const record = diff.planYear.record;
    writes.push(guarded({ ...keys.planYear(record.county, record.year), type: 'plan', ...record }, diff.planYear.expectedVersion));
  }
  for (const decision of diff.campaigns) {
    if ((decision.action === 'create' || decision.action === 'update') && decision.record) {
      writes.push(guarded(campaignItem(decision.record), decision.expectedVersion));
    }
  }
  for (const decision of diff.notices) {
    if ((decision.action === 'create' || decision.action === 'update') && decision.record) {
      writes.push(guarded(noticeItem(decision.record), decision.expectedVersion));
    }
  }
  // The first transaction keeps a place for the audit entry.
  const firstSize = audit ? TRANSACTION_SIZE - 1 : TRANSACTION_SIZE;
  const transactions: TransactItem[][] = [[...writes.slice(0, firstSize), ...(audit ? [auditPut(tableName, audit)] : [])]];
  for (let start = firstSize; start < writes.length; start += TRANSACTION_SIZE) transactions.push(writes.slice(start, start + TRANSACTION_SIZE));
  for (const chunk of transactions.filter((transaction) => transaction.length > 0)) {
    await conditionally(
      () => db.send(new TransactWriteCommand({ TransactItems: chunk })),
      'Part of the plan was changed by someone else while it was being loaded; nothing in this part was written. Load the file again.',
    );
  }
  return writes.length;
}
