/**
 * @module store/query
 * Reading every page of a bounded Query: a campaign's notices, a year's campaigns, a registry.
 * `max` stops a runaway partition from turning a request into an unbounded read.
 */
import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor, invalidCursor } from './paging.js';

export async function queryAll(
  db: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
  max = 5_000,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey && items.length < max);
  return items;
}

/** One page of a Query, with an opaque cursor for the next (see paging.ts). */
export async function queryPage(
  db: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey' | 'Limit'>,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: Record<string, unknown>[]; nextCursor?: string }> {
  const startKey = decodeCursor(page.cursor);
  let result: QueryCommandOutput;
  try {
    result = await db.send(new QueryCommand({ ...input, Limit: page.limit, ExclusiveStartKey: startKey }));
  } catch (error) {
    // A well-formed cursor can still name a key outside this Query (another list, another
    // county): DynamoDB refuses it, and that is the caller's mistake, not ours.
    if (startKey && error instanceof Error && error.name === 'ValidationException') throw invalidCursor();
    throw error;
  }
  const nextCursor = encodeCursor(result.LastEvaluatedKey);
  return { items: result.Items ?? [], ...(nextCursor ? { nextCursor } : {}) };
}
