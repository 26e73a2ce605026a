/**
 * @module store/plans
 * The year's plan item (one GetItem) and the writes of a plan load's diff. The registry, SMS
 * templates and station contacts are `registry.ts`'s.
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../domain/audit.js';
import type { PlanYearRecord } from '../domain/plan.js';
import { planModule } from './domain-modules.js';
import type { PlanDiff } from '../domain/plan-diff.js';
import type { Registry } from '../domain/registry.js';
import { conditionally, itemIsNew, versionIs } from './conditions.js';
import { keys } from './keys.js';
import { writePlanDiff, type PlanChange } from './plan-apply.js';
import type { RegistryStore } from './registry.js';

export class PlanStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly registry: RegistryStore,
  ) {}

  /** Writes a plan load's diff, each transaction with its own audit entry (see plan-apply.ts). */
  async writeDiff(diff: PlanDiff, audit?: (changes: PlanChange[], part: { part: number; parts: number }) => AuditEntry): Promise<number> {
    return writePlanDiff(this.db, this.tableName, diff, audit);
  }

  async getYear(county: string, year: number): Promise<PlanYearRecord | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.planYear(county, year) }));
    const { planYearRecordSchema } = await planModule();
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
}
