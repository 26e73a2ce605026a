/**
 * @module store/client
 * Builds the DynamoDB document client once per process from validated config.
 * Locally and in tests the endpoint points at DynamoDB Local, which accepts any credentials.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { retryTransactionConflicts } from './conflicts.js';
import { reportOutagesAsUnavailable } from './unavailable.js';

export interface DynamoDbClientOptions {
  region: string;
  endpoint?: string | undefined;
}

/** DynamoDB Local ignores credentials but the SDK insists on some. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * Bounded waits, so a request never hangs on a table that does not answer: a connection must
 * open within 3 s and the whole reply arrive within 10 s (thrown as TimeoutError, not only
 * warned about), three attempts in all with the SDK's backoff between — at once when the
 * connection is refused. Then the caller gets `Unavailable` (store/unavailable.ts). 10 s, not
 * less: a cold DynamoDB Local on a busy laptop can take several seconds for its first answers.
 */
export const DYNAMODB_TIMEOUTS = { connectionTimeout: 3_000, requestTimeout: 10_000, maxAttempts: 3 } as const;

export function createDynamoDbClient(options: DynamoDbClientOptions): DynamoDBClient {
  const client = new DynamoDBClient({
    region: options.region,
    maxAttempts: DYNAMODB_TIMEOUTS.maxAttempts,
    requestHandler: { connectionTimeout: DYNAMODB_TIMEOUTS.connectionTimeout, requestTimeout: DYNAMODB_TIMEOUTS.requestTimeout, throwOnRequestTimeout: true },
    ...(options.endpoint ? { endpoint: options.endpoint, credentials: LOCAL_CREDENTIALS } : {}),
  });
  retryTransactionConflicts(client);
  reportOutagesAsUnavailable(client);
  return client;
}

export function createDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
