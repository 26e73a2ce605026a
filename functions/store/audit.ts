/**
 * @module store/audit
 * The audit log's items. Nothing here changes or deletes an entry: entries are only ever added,
 * each as one more item of the transaction that makes the change it records (`auditPut`), and
 * read a day at a time with one Query.
 */
import {
  DeleteCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { AuditAction, AuditEntry } from '../domain/audit.js';
import { auditModule } from './domain-modules.js';
import { keys } from './keys.js';
import type { Page } from './paging.js';
import { queryPage } from './query.js';
import { conditionally, itemIsNew, versionIs } from './conditions.js';
import { attr } from './table.js';

/** The transaction item that files `entry`; it never overwrites one (ids are unique). */
export function auditPut(tableName: string, entry: AuditEntry) {
  return {
    Put: {
      TableName: tableName,
      Item: { ...keys.auditEntry(entry.county, entry.date, entry.at, entry.id), type: 'audit', ...entry },
      ConditionExpression: itemIsNew,
    },
  };
}

/** One write of a transaction: a Put, an Update or a Delete (with its condition). */
export type TransactWrite = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * Makes one write, and files its audit entry in the same transaction when there is one. Without an
 * entry (tests, the dispatcher's own bookkeeping) it is the plain single-item write.
 */
export async function writeWithAudit(db: DynamoDBDocumentClient, tableName: string, write: TransactWrite, audit: AuditEntry | undefined): Promise<void> {
  if (audit) {
    await db.send(new TransactWriteCommand({ TransactItems: [write, auditPut(tableName, audit)] }));
  } else if (write.Put) {
    await db.send(new PutCommand(write.Put));
  } else if (write.Update) {
    await db.send(new UpdateCommand(write.Update));
  } else if (write.Delete) {
    await db.send(new DeleteCommand(write.Delete));
  } else {
    throw new Error('writeWithAudit needs a Put, an Update or a Delete');
  }
}

/** DynamoDB's limit on the items of one transaction: 99 writes and their entry. */
const WRITES_PER_ENTRY = 99;

/**
 * Many writes, each transaction of up to 99 carrying the entry that lists exactly its own writes
 * (by label): if a later transaction fails, the entries already filed describe only what landed.
 */
export async function writeInAuditedChunks(
  db: DynamoDBDocumentClient,
  tableName: string,
  writes: readonly { write: TransactWrite; label: string }[],
  entryFor: (labels: string[], part: { part: number; parts: number }) => AuditEntry,
  conflictMessage: string,
): Promise<void> {
  const parts = Math.ceil(writes.length / WRITES_PER_ENTRY);
  for (let start = 0; start < writes.length; start += WRITES_PER_ENTRY) {
    const chunk = writes.slice(start, start + WRITES_PER_ENTRY);
    const part = { part: start / WRITES_PER_ENTRY + 1, parts };
    const items = [...chunk.map((entry) => entry.write), auditPut(tableName, entryFor(chunk.map((entry) => entry.label), part))];
    await conditionally(() => db.send(new TransactWriteCommand({ TransactItems: items })), conflictMessage);
  }
}

export class AuditStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Files an entry on its own, for work too large for one transaction (a CSV import, a repair),
   * after the work is done: it summarises what was changed.
   */
  async file(entry: AuditEntry): Promise<void> {
    await this.db.send(new PutCommand(auditPut(this.tableName, entry).Put));
  }

  /** A page of one local day's entries, oldest first, optionally of one action. */
  async page(county: string, date: string, options: { action?: AuditAction | undefined; limit: number; cursor?: string | undefined }): Promise<Page<AuditEntry>> {
    const page = await queryPage(
      this.db,
      {
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk',
        ...(options.action ? { FilterExpression: '#action = :action' } : {}),
        ExpressionAttributeNames: { '#pk': attr.pk, ...(options.action ? { '#action': 'action' } : {}) },
        ExpressionAttributeValues: { ':pk': keys.auditDay(county, date), ...(options.action ? { ':action': options.action } : {}) },
      },
      options,
    );
    const { auditEntrySchema } = await auditModule();
    return { ...page, items: page.items.map((item) => auditEntrySchema.parse(item)) };
  }
}

/** Replaces an item only if it is still at `expectedVersion` (optimistic locking for edits), with its audit entry. */
export async function putIfVersion(
  db: DynamoDBDocumentClient,
  tableName: string,
  item: Record<string, unknown>,
  expectedVersion: number,
  conflictMessage: string,
  audit?: AuditEntry,
): Promise<void> {
  await conditionally(
    () =>
      writeWithAudit(
        db,
        tableName,
        {
          Put: {
            TableName: tableName,
            Item: item,
            ConditionExpression: versionIs,
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expectedVersion': expectedVersion },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        audit,
      ),
    conflictMessage,
  );
}
