/**
 * @module store/plans
 * The year's plan item, the county's registry (townships, villages, stations, groups) and its
 * registered SMS templates. All three are small and read whole: one GetItem or one Query each.
 */
import {
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../domain/audit.js';
import { planYearRecordSchema, type PlanYearRecord } from '../domain/plan.js';
import type { PlanDiff } from '../domain/plan-diff.js';
import type { SmsTemplate } from '../domain/notice-check.js';
import { registrySchema, type Registry } from '../domain/registry.js';
import { writeInAuditedChunks, writeWithAudit } from './audit.js';
import { conditionally, isConditionFailure, itemExists, itemIsNew, publicFields, versionIs } from './conditions.js';
import { keys } from './keys.js';
import { writePlanDiff, type PlanChange } from './plan-apply.js';
import { queryAll } from './query.js';
import { attr } from './table.js';

/** BatchWriteItem takes at most 25 items a call. */
const BATCH_SIZE = 25;
const MAX_BATCH_ATTEMPTS = 5;

/** The entry for one transaction's writes (by sort key), and which part of how many it is. */
type ChunkAudit = (changed: string[], part: { part: number; parts: number }) => AuditEntry;

export interface UpsertReport {
  created: string[];
  updated: string[];
  unchanged: string[];
}

export class PlanStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Writes a plan load's diff, each transaction with its own audit entry (see plan-apply.ts). */
  async writeDiff(diff: PlanDiff, audit?: (changes: PlanChange[], part: { part: number; parts: number }) => AuditEntry): Promise<number> {
    return writePlanDiff(this.db, this.tableName, diff, audit);
  }

  async getYear(county: string, year: number): Promise<PlanYearRecord | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.planYear(county, year) }));
    return result.Item ? planYearRecordSchema.parse(result.Item) : undefined;
  }

  /** Writes the year's plan: new (no current) or over `expectedVersion`. */
  async putYear(record: PlanYearRecord, expectedVersion: number | undefined): Promise<void> {
    const condition =
      expectedVersion === undefined
        ? { ConditionExpression: itemIsNew }
        : {
            ConditionExpression: versionIs,
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expectedVersion': expectedVersion },
          };
    await conditionally(
      () =>
        this.db.send(
          new PutCommand({ TableName: this.tableName, Item: { ...keys.planYear(record.county, record.year), type: 'plan', ...record }, ...condition }),
        ),
      `The ${record.year} plan was changed by someone else while it was being loaded; load it again.`,
    );
  }

  async getRegistry(county: string): Promise<Registry> {
    const items = await this.queryPartition(keys.registry(county));
    const of = (kind: string) => items.filter((item) => String(item[attr.sk]).startsWith(`${kind}#`)).map(publicFields);
    return registrySchema.parse({
      townships: of('TOWNSHIP'),
      villages: of('VILLAGE'),
      stations: of('STATION'),
      groups: of('GROUP').map((item) => item.name),
    });
  }

  /** Adds or changes registry entries; entries not named are left alone. Idempotent. */
  async upsertRegistry(county: string, registry: Registry, audit?: ChunkAudit): Promise<UpsertReport> {
    const current = await this.queryPartition(keys.registry(county));
    const desired = [
      ...registry.townships.map((item) => ({ ...keys.registryItem(county, 'TOWNSHIP', item.id), ...item })),
      ...registry.villages.map((item) => ({ ...keys.registryItem(county, 'VILLAGE', item.id), ...item })),
      ...registry.stations.map((item) => ({ ...keys.registryItem(county, 'STATION', item.id), ...item })),
      ...registry.groups.map((name) => ({ ...keys.registryItem(county, 'GROUP', name), name })),
    ];
    return this.upsertChanged(current, desired, audit);
  }

  /** Removes a registry entry; false when there was none. */
  async removeRegistryItem(county: string, kind: 'TOWNSHIP' | 'VILLAGE' | 'STATION' | 'GROUP', id: string, audit?: AuditEntry): Promise<boolean> {
    try {
      await writeWithAudit(this.db, this.tableName, { Delete: { TableName: this.tableName, Key: keys.registryItem(county, kind, id), ConditionExpression: itemExists } }, audit);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false; // there was none: nothing removed, nothing filed
      throw error;
    }
  }

  /** Records that a station fetched its scripts (its last contact). */
  async touchStation(county: string, stationId: string, now: Date): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.stationContact(county, stationId), type: 'station-contact', stationId, lastContactAt: now.toISOString() },
      }),
    );
  }

  async stationContacts(county: string): Promise<Map<string, string>> {
    const items = await this.queryPartition(keys.stationContacts(county));
    return new Map(items.map((item) => [String(item.stationId), String(item.lastContactAt)]));
  }

  async listSmsTemplates(county: string): Promise<SmsTemplate[]> {
    const items = await this.queryPartition(keys.smsTemplates(county));
    return items.map((item) => {
      const { id, code, text } = publicFields(item) as { id: string; code?: string; text: string };
      return { id, text, ...(code ? { code } : {}) };
    });
  }

  async upsertSmsTemplates(county: string, templates: readonly SmsTemplate[], audit?: ChunkAudit): Promise<UpsertReport> {
    const current = await this.queryPartition(keys.smsTemplates(county));
    const desired = templates.map((template) => ({ ...keys.smsTemplate(county, template.id), ...template }));
    return this.upsertChanged(current, desired, audit);
  }

  private queryPartition(pk: string): Promise<Record<string, unknown>[]> {
    return queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': attr.pk },
      ExpressionAttributeValues: { ':pk': pk },
    });
  }

  /** Writes what differs; with `audit`, in transactions that each file the entry of their own writes. */
  private async upsertChanged(current: Record<string, unknown>[], desired: Record<string, unknown>[], audit?: ChunkAudit): Promise<UpsertReport> {
    const byKey = new Map(current.map((item) => [String(item[attr.sk]), item]));
    const report: UpsertReport = { created: [], updated: [], unchanged: [] };
    const writes: Record<string, unknown>[] = [];
    for (const item of desired) {
      const sortKey = String(item[attr.sk]);
      const existing = byKey.get(sortKey);
      if (!existing) report.created.push(sortKey);
      else if (JSON.stringify(sorted(existing)) !== JSON.stringify(sorted(item))) report.updated.push(sortKey);
      else {
        report.unchanged.push(sortKey);
        continue;
      }
      writes.push(item);
    }
    if (audit) {
      const labelled = writes.map((Item) => ({ write: { Put: { TableName: this.tableName, Item } }, label: String(Item[attr.sk]) }));
      await writeInAuditedChunks(this.db, this.tableName, labelled, audit, 'The registry changed while it was being written; nothing in this part was written. Try again.');
      return report;
    }
    for (let start = 0; start < writes.length; start += BATCH_SIZE) {
      await this.batchPut(writes.slice(start, start + BATCH_SIZE));
    }
    return report;
  }

  /** BatchWriteItem may hand back unprocessed items under load: retry them with backoff, then fail loudly. */
  private async batchPut(items: Record<string, unknown>[]): Promise<void> {
    let pending = items.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      if (attempt > MAX_BATCH_ATTEMPTS) throw new Error(`${pending.length} registry writes were still unprocessed after ${MAX_BATCH_ATTEMPTS} attempts`);
      const result = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
      pending = (result.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
      if (pending.length > 0) await new Promise((wake) => setTimeout(wake, 50 * 2 ** attempt * Math.random()));
    }
  }
}

function sorted(item: Record<string, unknown>): [string, unknown][] {
  return Object.entries(item).sort(([a], [b]) => (a < b ? -1 : 1));
}
