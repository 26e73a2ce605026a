/**
 * @module store/conflicts
 * DynamoDB cancels a transaction that touches an item another transaction is changing at that
 * moment (reason `TransactionConflict`). The dispatcher's parallel outcomes all add to their
 * notice's counter and the month's tally cells, and two staff may record activities at once, so in
 * AWS this happens in normal work; the SDK does not retry it. Nothing was written, so the same
 * transaction is simply sent again, after a backoff with jitter. A single-item write that meets a
 * transaction in progress on its item fails the same way (`TransactionConflictException`) and is
 * retried too. A cancelled condition is a real answer and is never retried. (DynamoDB Local runs
 * transactions one at a time and never conflicts.)
 */
import { TransactionCanceledException, TransactionConflictException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** The writes a conflict can stop; reads never conflict. */
const WRITES = new Set(['TransactWriteItemsCommand', 'PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);

export interface ConflictRetryOptions {
  attempts: number;
  baseDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

export const defaultConflictRetry: ConflictRetryOptions = {
  attempts: 6,
  // 25, 50, 100, 200, 400 ms (each times 0.5-1.5): under a second and a half in all.
  baseDelayMs: 25,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** True only for a write stopped by a conflict and by nothing that a retry cannot change. */
export function isTransactionConflict(error: unknown): boolean {
  if (error instanceof TransactionConflictException) return true;
  if (!(error instanceof TransactionCanceledException)) return false;
  const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
  return codes.includes('TransactionConflict') && codes.every((code) => code === 'TransactionConflict' || code === 'None');
}

export function conflictDelay(attempt: number, options: Pick<ConflictRetryOptions, 'baseDelayMs' | 'random'>): number {
  return options.baseDelayMs * 2 ** (attempt - 1) * (0.5 + options.random());
}

/** Adds the retry to every write the client sends. */
export function retryTransactionConflicts(client: DynamoDBClient, options: ConflictRetryOptions = defaultConflictRetry): void {
  client.middlewareStack.add(
    (next, context) =>
      async function retryConflicts(args) {
        if (!WRITES.has(context.commandName ?? '')) return next(args);
        for (let attempt = 1; ; attempt += 1) {
          try {
            return await next(args);
          } catch (error) {
            if (attempt >= options.attempts || !isTransactionConflict(error)) throw error;
            await options.sleep(conflictDelay(attempt, options));
          }
        }
      },
    { step: 'initialize', name: 'retryTransactionConflicts' },
  );
}
