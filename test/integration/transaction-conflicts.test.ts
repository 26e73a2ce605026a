/**
 * Transactions cancelled by a conflict (which AWS does when two transactions touch one item at
 * once, and DynamoDB Local never does) are sent again, through the client every store uses, on the
 * real database: the change lands exactly once. Conflicts are injected below the retry, as the
 * service would answer; a failed condition is never retried.
 */
import { TransactionCanceledException, TransactionConflictException, type CancellationReason } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient, createDynamoDbClient } from '../../functions/store/client.js';
import { conflictDelay, isTransactionConflict } from '../../functions/store/conflicts.js';
import { freshTable, type TestDatabase } from '../support/db.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await freshTable();
});
afterAll(async () => db.drop());

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: codes.map((Code): CancellationReason => ({ Code })) });

/** A client as the app builds it, whose first `conflicts` transactions the "service" cancels. */
function clientWithConflicts(conflicts: number) {
  const client = createDynamoDbClient({ region: 'cn-north-1', endpoint: db.endpoint });
  const seen = { attempts: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'TransactWriteItemsCommand') return next(args);
      seen.attempts += 1;
      if (seen.attempts <= conflicts) throw cancelled('None', 'TransactionConflict');
      return next(args);
    },
    { step: 'finalizeRequest', name: 'injectConflicts' },
  );
  return { documents: createDocumentClient(client), seen, destroy: () => client.destroy() };
}

/** A record and the counter it moves, as the stores write them. */
const recordAndCounter = (id: string) =>
  new TransactWriteCommand({
    TransactItems: [
      { Put: { TableName: db.tableName, Item: { pk: `REC#${id}`, sk: 'META' }, ConditionExpression: 'attribute_not_exists(pk)' } },
      { Update: { TableName: db.tableName, Key: { pk: 'COUNTER', sk: id }, UpdateExpression: 'ADD #n :one', ExpressionAttributeNames: { '#n': 'n' }, ExpressionAttributeValues: { ':one': 1 } } },
    ],
  });

const counter = async (id: string) => (await createDocumentClient(db.client).send(new GetCommand({ TableName: db.tableName, Key: { pk: 'COUNTER', sk: id } }))).Item?.n;

describe('a transaction cancelled by a conflict', () => {
  it('is sent again until it lands, and lands exactly once', async () => {
    const { documents, seen, destroy } = clientWithConflicts(3);
    await documents.send(recordAndCounter('three-conflicts'));
    expect(seen.attempts).toBe(4);
    expect(await counter('three-conflicts')).toBe(1);
    destroy();
  });

  it('is given up after six attempts, with the conflict reported and nothing written', async () => {
    const { documents, seen, destroy } = clientWithConflicts(100);
    const failure = await documents.send(recordAndCounter('always-conflicts')).catch((error: unknown) => error);
    expect(isTransactionConflict(failure)).toBe(true);
    expect(seen.attempts).toBe(6);
    expect(await counter('always-conflicts')).toBeUndefined();
    destroy();
  });

  it('is not retried when a condition failed: that is an answer, not a race', async () => {
    const { documents, seen, destroy } = clientWithConflicts(0);
    await documents.send(recordAndCounter('once'));
    const again = await documents.send(recordAndCounter('once')).catch((error: unknown) => error);
    expect(again).toBeInstanceOf(TransactionCanceledException);
    expect(seen.attempts).toBe(2);
    expect(await counter('once')).toBe(1);
    destroy();
  });
});

describe('a single write that meets a transaction on its item', () => {
  it('is sent again until it lands, once', async () => {
    const client = createDynamoDbClient({ region: 'cn-north-1', endpoint: db.endpoint });
    let attempts = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'UpdateItemCommand') return next(args);
        attempts += 1;
        if (attempts <= 2) throw new TransactionConflictException({ message: 'Transaction is ongoing for the item', $metadata: {} });
        return next(args);
      },
      { step: 'finalizeRequest', name: 'injectItemConflicts' },
    );
    await createDocumentClient(client).send(
      new UpdateCommand({ TableName: db.tableName, Key: { pk: 'COUNTER', sk: 'single' }, UpdateExpression: 'ADD #n :one', ExpressionAttributeNames: { '#n': 'n' }, ExpressionAttributeValues: { ':one': 1 } }),
    );
    expect(attempts).toBe(3);
    expect(await counter('single')).toBe(1);
    client.destroy();
  });
});

describe('the conflict rule', () => {
  it('retries conflicts only, never a cancellation that has another reason too', () => {
    expect(isTransactionConflict(cancelled('None', 'TransactionConflict'))).toBe(true);
    expect(isTransactionConflict(cancelled('ConditionalCheckFailed', 'TransactionConflict'))).toBe(false);
    expect(isTransactionConflict(cancelled('None', 'ThrottlingError'))).toBe(false);
    expect(isTransactionConflict(new TransactionConflictException({ message: 'ongoing', $metadata: {} }))).toBe(true);
    expect(isTransactionConflict(new Error('TransactionConflict'))).toBe(false);
  });

  it('backs off exponentially with jitter', () => {
    const at = (attempt: number, random: number) => conflictDelay(attempt, { baseDelayMs: 25, random: () => random });
    expect([1, 2, 3, 4, 5].map((attempt) => at(attempt, 0.5))).toEqual([25, 50, 100, 200, 400]);
    expect(at(3, 0)).toBe(50);
    expect(at(3, 0.999)).toBeCloseTo(149.9, 1);
  });
});
