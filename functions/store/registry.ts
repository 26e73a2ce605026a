/**
 * @module store/registry
 * The county's registry (townships, villages, stations, groups, departments, placements), its registered SMS templates
 * and its stations' last contact. All small and read whole: one Query each (patterns 8, 9, 17).
 */
import { BatchWriteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../domain/audit.js';
import type { SmsTemplate } from '../domain/notice-check.js';
import type { Registry } from '../domain/registry.js';
import { registryModule } from './domain-modules.js';
import { writeInAuditedChunks, writeWithAudit } from './audit.js';
import { isConditionFailure, itemExists, publicFields } from './conditions.js';
import { keys } from './keys.js';
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

export class RegistryStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(county: string): Promise<Registry> {
    const items = await this.queryPartition(keys.registry(county));
    const of = (kind: string) => items.filter((item) => String(item[attr.sk]).startsWith(`${kind}#`)).map(publicFields);
    const { registrySchema } = await registryModule();
    return registrySchema.parse({
      townships: of('TOWNSHIP'),
      villages: of('VILLAGE'),
      stations: of('STATION'),
      groups: of('GROUP').map((item) => item.name),
      departments: of('DEPARTMENT'),
      placements: of('PLACEMENT'),
    });
  }

  /** Adds or changes registry entries; entries not named are left alone. Idempotent. */
  async upsert(county: string, registry: Registry, audit?: ChunkAudit): Promise<UpsertReport> {
    const current = await this.queryPartition(keys.registry(county));
    const desired = [
      ...registry.townships.map((item) => ({ ...keys.registryItem(county, 'TOWNSHIP', item.id), ...item })),
      ...registry.villages.map((item) => ({ ...keys.registryItem(county, 'VILLAGE', item.id), ...item })),
      ...registry.stations.map((item) => ({ ...keys.registryItem(county, 'STATION', item.id), ...item })),
      ...registry.groups.map((name) => ({ ...keys.registryItem(county, 'GROUP', name), name })),
      ...registry.departments.map((item) => ({ ...keys.registryItem(county, 'DEPARTMENT', item.id), ...item })),
      ...registry.placements.map((item) => ({ ...keys.registryItem(county, 'PLACEMENT', item.id), ...item })),
    ];
    return this.upsertChanged(current, desired, audit);
  }

  /** Removes a registry entry; false when there was none. */
  async removeItem(county: string, kind: 'TOWNSHIP' | 'VILLAGE' | 'STATION' | 'GROUP' | 'DEPARTMENT' | 'PLACEMENT', id: string, audit?: AuditEntry): Promise<boolean> {
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

  async smsTemplates(county: string): Promise<SmsTemplate[]> {
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
