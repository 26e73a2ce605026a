/**
 * @module store/expansions
 * Expansion jobs (access pattern 18): the resumable work of turning a notice's audience into
 * deliveries. A job item records which township and page it has reached; a runner claims a step
 * with a short lease, so two dispatchers never expand the same page at once, and saves its
 * place only while it still holds that lease. A finished job stays (how many were expanded) but
 * leaves the pending index.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { keys } from './keys.js';
import { attr, indexNames } from './table.js';

export const expansionJobSchema = z.object({
  county: z.string(),
  campaignId: z.string(),
  noticeId: z.string(),
  townships: z.array(z.string()),
  townshipIndex: z.number().int(),
  cursor: z.string().optional(),
  expanded: z.number().int(),
  leaseUntil: z.string().optional(),
  createdAt: z.string(),
});
export type ExpansionJob = z.infer<typeof expansionJobSchema>;
export type ExpansionRef = Pick<ExpansionJob, 'county' | 'campaignId' | 'noticeId'>;

const jobIsNew = `attribute_not_exists(${attr.pk})`;
const stepIsFree = 'attribute_not_exists(leaseUntil) OR leaseUntil <= :now';
const stepIsMine = 'leaseUntil = :mine';

const keyOf = (job: ExpansionRef) => keys.expansion(job.county, job.campaignId, job.noticeId);
/** Pending jobs sort by creation, oldest first. */
const pendingItem = (job: ExpansionJob) => ({
  ...keys.expansionsPending(),
  [attr.gsi1sk]: `${job.createdAt}#${job.county}#${job.campaignId}#${job.noticeId}`,
});

export class ExpansionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Files a new job in the pending index; a second start of the same notice is a failed condition. */
  async start(job: ExpansionJob): Promise<void> {
    await this.db.send(
      new PutCommand({ TableName: this.tableName, Item: { ...keyOf(job), ...pendingItem(job), type: 'expansion', ...job }, ConditionExpression: jobIsNew }),
    );
  }

  /** Jobs not yet finished, oldest first. */
  async pending(limit: number): Promise<ExpansionJob[]> {
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: indexNames.byParent,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': attr.gsi1pk },
        ExpressionAttributeValues: { ':pk': keys.expansionsPending().gsi1pk },
        Limit: limit,
      }),
    );
    return (result.Items ?? []).map((item) => expansionJobSchema.parse(item));
  }

  async get(job: ExpansionRef): Promise<ExpansionJob | undefined> {
    const current = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keyOf(job) }));
    return current.Item ? expansionJobSchema.parse(current.Item) : undefined;
  }

  async remove(job: ExpansionRef): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keyOf(job) }));
  }

  /** Claims the job's next step until `leaseUntil`; false when another runner holds it. */
  async claimStep(job: ExpansionRef, leaseUntil: string, now: Date): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyOf(job),
          UpdateExpression: 'SET leaseUntil = :until',
          ConditionExpression: stepIsFree,
          ExpressionAttributeValues: { ':until': leaseUntil, ':now': now.toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Saves the job's new place (without a lease), if the step claimed with `leaseUntil` still holds it. */
  async saveStep(next: ExpansionJob, leaseUntil: string): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keyOf(next), ...pendingItem(next), type: 'expansion', ...next },
        ConditionExpression: stepIsMine,
        ExpressionAttributeValues: { ':mine': leaseUntil },
      }),
    );
  }

  /** Done: keeps the record but takes it out of the pending index. */
  async finish(job: ExpansionJob): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...keyOf(job), type: 'expansion', ...job, finished: true } }));
  }
}
