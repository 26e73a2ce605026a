/**
 * @module store/campaigns
 * Campaigns and their notices. A campaign and its notices live in one partition
 * (`C#<county>#CAMPAIGN#<id>`), so reading a campaign with its notices is one Query; campaigns are
 * listed by year and notices by review state through the byParent index. Every change is a
 * conditional write on the version (edits) or on the state (review moves).
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../domain/audit.js';
import { NotFound } from '../domain/errors.js';
import type { CampaignRecord, NoticeRecord, NoticeState } from '../domain/planning.js';
import { putIfVersion, writeWithAudit } from './audit.js';
import { planningModule } from './domain-modules.js';
import { conditionally, itemIsNew, stateIs, versionIs } from './conditions.js';
import { keys } from './keys.js';
import type { Page } from './paging.js';
import { queryAll, queryPage } from './query.js';
import { attr, indexNames } from './table.js';

/** A year holds tens of campaigns; this bounds a runaway loop, not a real plan. */
const MAX_CAMPAIGNS_PER_YEAR = 1000;

export function campaignItem(record: CampaignRecord) {
  return {
    ...keys.campaign(record.county, record.id),
    ...keys.campaignsOfYear(record.county, record.year),
    ...keys.campaignInYear(record.window.start, record.id),
    type: 'campaign',
    ...record,
  };
}

export function noticeItem(record: NoticeRecord) {
  return {
    ...keys.notice(record.county, record.campaignId, record.id),
    ...keys.noticesInState(record.county, record.state),
    ...keys.noticeInState(record.updatedAt, record.campaignId, record.id),
    type: 'notice',
    ...record,
  };
}

export class CampaignStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(record: CampaignRecord, audit?: AuditEntry): Promise<void> {
    await conditionally(
      () => writeWithAudit(this.db, this.tableName, { Put: { TableName: this.tableName, Item: campaignItem(record), ConditionExpression: itemIsNew } }, audit),
      `A campaign with id "${record.id}" already exists.`,
    );
  }

  async get(county: string, id: string): Promise<CampaignRecord | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.campaign(county, id) }));
    const { campaignRecordSchema } = await planningModule();
    return result.Item ? campaignRecordSchema.parse(result.Item) : undefined;
  }

  async require(county: string, id: string): Promise<CampaignRecord> {
    const campaign = await this.get(county, id);
    if (!campaign) throw new NotFound(`No campaign "${id}".`);
    return campaign;
  }

  /** Replaces the campaign if it is still at `expectedVersion`. */
  async replace(record: CampaignRecord, expectedVersion: number, audit?: AuditEntry): Promise<void> {
    await putIfVersion(this.db, this.tableName, campaignItem(record), expectedVersion, `Campaign "${record.id}" was changed by someone else; reload and try again.`, audit);
  }

  async listByYear(county: string, year: number): Promise<CampaignRecord[]> {
    const items = await queryAll(
      this.db,
      {
        TableName: this.tableName,
        IndexName: indexNames.byParent,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': attr.gsi1pk },
        ExpressionAttributeValues: { ':pk': keys.campaignsOfYear(county, year).gsi1pk },
      },
      MAX_CAMPAIGNS_PER_YEAR,
    );
    const { campaignRecordSchema } = await planningModule();
    return items.map((item) => campaignRecordSchema.parse(item));
  }
}

export class NoticeStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(record: NoticeRecord, audit?: AuditEntry): Promise<void> {
    await conditionally(
      () => writeWithAudit(this.db, this.tableName, { Put: { TableName: this.tableName, Item: noticeItem(record), ConditionExpression: itemIsNew } }, audit),
      `Campaign "${record.campaignId}" already has a notice "${record.id}".`,
    );
  }

  /** `consistent`: the state as last written (the dispatcher's check before sending), not a replica's. */
  async get(county: string, campaignId: string, id: string, options: { consistent?: boolean } = {}): Promise<NoticeRecord | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.notice(county, campaignId, id), ...(options.consistent ? { ConsistentRead: true } : {}) }));
    const { noticeRecordSchema } = await planningModule();
    return result.Item ? noticeRecordSchema.parse(result.Item) : undefined;
  }

  async require(county: string, campaignId: string, id: string): Promise<NoticeRecord> {
    const notice = await this.get(county, campaignId, id);
    if (!notice) throw new NotFound(`Campaign "${campaignId}" has no notice "${id}".`);
    return notice;
  }

  /** All notices of a campaign: one Query on the campaign's partition. */
  async listByCampaign(county: string, campaignId: string): Promise<NoticeRecord[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': attr.pk, '#sk': attr.sk },
      ExpressionAttributeValues: { ':pk': keys.campaignPartition(county, campaignId), ':prefix': keys.noticePrefix },
    });
    const { noticeRecordSchema } = await planningModule();
    return items.map((item) => noticeRecordSchema.parse(item));
  }

  async listByState(
    county: string,
    state: NoticeState,
    options: { limit: number; cursor?: string | undefined },
  ): Promise<Page<NoticeRecord>> {
    const page = await queryPage(
      this.db,
      {
        TableName: this.tableName,
        IndexName: indexNames.byParent,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': attr.gsi1pk },
        ExpressionAttributeValues: { ':pk': keys.noticesInState(county, state).gsi1pk },
      },
      options,
    );
    const { noticeRecordSchema } = await planningModule();
    return { ...page, items: page.items.map((item) => noticeRecordSchema.parse(item)) };
  }

  /** Replaces the notice (an edit) if it is still at `expectedVersion`. */
  async replace(record: NoticeRecord, expectedVersion: number, audit?: AuditEntry): Promise<void> {
    await putIfVersion(this.db, this.tableName, noticeItem(record), expectedVersion, `Notice "${record.id}" was changed by someone else; reload and try again.`, audit);
  }

  /**
   * Moves a notice from one review state to the next. The write only happens if the notice is
   * still in `from`: of two reviewers clicking at once, or a request and its retry, one wins and
   * the other gets a Conflict with the notice as it now is. `audit` is given the notice as it now
   * is and returns the entry to file with the move, in the same transaction.
   */
  async transition(
    notice: NoticeRecord,
    move: { from: NoticeState; to: NoticeState },
    changes: Partial<Pick<NoticeRecord, 'review' | 'sends' | 'smsText' | 'dispatch' | 'editors' | 'smsCostYuan' | 'autoPaused' | 'guardBaseline' | 'audio'>>,
    now: Date,
    audit?: (after: NoticeRecord) => AuditEntry,
  ): Promise<NoticeRecord> {
    const updatedAt = now.toISOString();
    // The notice after the move, exactly: the condition pins the state and the version we read,
    // so nothing else can have changed it in between.
    const { noticeRecordSchema } = await planningModule();
    const after = noticeRecordSchema.parse({ ...notice, ...changes, state: move.to, updatedAt, version: notice.version + 1 });
    const sets: string[] = ['#state = :to', '#updatedAt = :now', '#version = #version + :one', '#gsi1pk = :gsi1pk', '#gsi1sk = :gsi1sk'];
    const names: Record<string, string> = {
      '#state': 'state',
      '#updatedAt': 'updatedAt',
      '#version': 'version',
      '#gsi1pk': attr.gsi1pk,
      '#gsi1sk': attr.gsi1sk,
    };
    const values: Record<string, unknown> = {
      ':to': move.to,
      ':now': updatedAt,
      ':one': 1,
      ':expectedState': move.from,
      ':expectedVersion': notice.version,
      ':gsi1pk': keys.noticesInState(notice.county, move.to).gsi1pk,
      ':gsi1sk': keys.noticeInState(updatedAt, notice.campaignId, notice.id).gsi1sk,
    };
    // A change given as undefined is taken away (an auto-pause's reason, once staff resume).
    const removes: string[] = [];
    for (const [name, value] of Object.entries(changes)) {
      names[`#${name}`] = name;
      if (value === undefined) {
        removes.push(`#${name}`);
        continue;
      }
      sets.push(`#${name} = :${name}`);
      values[`:${name}`] = value;
    }
    await conditionally(
      () =>
        writeWithAudit(
          this.db,
          this.tableName,
          {
            Update: {
              TableName: this.tableName,
              Key: keys.notice(notice.county, notice.campaignId, notice.id),
              UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
              ConditionExpression: `${stateIs} AND ${versionIs}`,
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          audit?.(after),
        ),
      `Notice "${notice.id}" is no longer ${move.from} as it was read: someone else moved or changed it first.`,
    );
    return after;
  }
}
