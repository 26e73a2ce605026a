/**
 * @module store/plan-apply
 * Writes a plan diff. Every write is guarded (new items must not exist, changed items must still
 * be at the version the diff was computed from), and the writes go in TransactWriteItems, so a
 * concurrent edit makes the load fail with a Conflict instead of overwriting it. Each transaction
 * files the audit entry of its own writes: a load that fails part-way leaves on record exactly the
 * part that was written (a retried load writes the rest and files its own entries).
 */
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../domain/audit.js';
import type { PlanDiff } from '../domain/plan-diff.js';
import { writeInAuditedChunks, type TransactWrite } from './audit.js';
import { campaignItem, noticeItem } from './campaigns.js';
import { conditionally, itemIsNew, versionIs } from './conditions.js';
import { keys } from './keys.js';

/** DynamoDB's limit on the items of one transaction. */
const TRANSACTION_SIZE = 100;

const CONFLICT = 'Part of the plan was changed by someone else while it was being loaded; nothing in this part was written. Load the file again.';

/** What one write of a load changes, as its audit entry lists it: `create campaign c-0315`. */
export type PlanChange = `${'create' | 'update'} ${'plan' | 'campaign' | 'notice'} ${string}`;

export async function writePlanDiff(
  db: DynamoDBDocumentClient,
  tableName: string,
  diff: PlanDiff,
  audit?: (changes: PlanChange[], part: { part: number; parts: number }) => AuditEntry,
): Promise<number> {
  const guarded = (Item: Record<string, unknown>, expectedVersion: number | undefined): TransactWrite => ({
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

  const writes: { write: TransactWrite; label: PlanChange }[] = [];
  if (diff.planYear.action !== 'unchanged') {
    const record = diff.planYear.record;
    writes.push({
      write: guarded({ ...keys.planYear(record.county, record.year), type: 'plan', ...record }, diff.planYear.expectedVersion),
      label: `${diff.planYear.action} plan ${record.year}`,
    });
  }
  for (const decision of diff.campaigns) {
    if ((decision.action === 'create' || decision.action === 'update') && decision.record) {
      writes.push({ write: guarded(campaignItem(decision.record), decision.expectedVersion), label: `${decision.action} campaign ${decision.id}` });
    }
  }
  for (const decision of diff.notices) {
    if ((decision.action === 'create' || decision.action === 'update') && decision.record) {
      writes.push({ write: guarded(noticeItem(decision.record), decision.expectedVersion), label: `${decision.action} notice ${decision.campaignId}/${decision.id}` });
    }
  }
  if (audit) {
    await writeInAuditedChunks(db, tableName, writes, (labels, part) => audit(labels as PlanChange[], part), CONFLICT);
  } else {
    for (let start = 0; start < writes.length; start += TRANSACTION_SIZE) {
      const chunk = writes.slice(start, start + TRANSACTION_SIZE).map((entry) => entry.write);
      await conditionally(() => db.send(new TransactWriteCommand({ TransactItems: chunk })), CONFLICT);
    }
  }
  return writes.length;
}
