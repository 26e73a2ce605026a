/**
 * @module store/unavailable
 * When the table does not answer — the connection is refused or reset, a request times out,
 * DynamoDB throttles us past the SDK's own retries, or it reports an internal error — every
 * command fails with one typed `Unavailable`, so routes answer 503 with Retry-After (and pages a
 * Chinese page), the CLIs print one line, and nothing treats an outage as a bug (500). Any other
 * error (a failed condition, a validation error) passes through untouched.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Unavailable } from '../domain/errors.js';

/** Seconds a caller is told to wait (Retry-After) before asking again. */
export const RETRY_AFTER_SECONDS = 5;

/** SDK error names for "not now": network, timeouts, throttling after retries, server-side trouble. */
const UNAVAILABLE_NAMES = new Set([
  'TimeoutError',
  'NetworkingError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ThrottlingException',
  'Throttling',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);

/** Node's socket error codes for a peer that is gone, unreachable or too slow. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  cause?: unknown;
  errors?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** True when the error says the table could not be reached or could not serve us just now. */
export function isUnavailableError(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  if (error instanceof Unavailable) return true;
  const like = error as ErrorLike;
  if (typeof like.name === 'string' && UNAVAILABLE_NAMES.has(like.name)) return true;
  if (typeof like.code === 'string' && NETWORK_CODES.has(like.code)) return true;
  const status = like.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return true;
  // Node wraps connection attempts to several addresses in an AggregateError, and undici in `cause`.
  if (Array.isArray(like.errors) && like.errors.some((inner) => isUnavailableError(inner, depth + 1))) return true;
  return isUnavailableError(like.cause, depth + 1);
}

/** Turns every outage error of the client's commands into `Unavailable`; the original is its cause. */
export function reportOutagesAsUnavailable(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next, context) =>
      async function outageAsUnavailable(args) {
        try {
          return await next(args);
        } catch (error) {
          if (error instanceof Unavailable || !isUnavailableError(error)) throw error;
          const what = error instanceof Error ? `${error.name}${'code' in error && typeof error.code === 'string' ? ` ${error.code}` : ''}` : 'unknown error';
          throw new Unavailable(`The database did not answer (${context.commandName ?? 'request'}: ${what}); try again shortly.`, RETRY_AFTER_SECONDS, { cause: error });
        }
      },
    // Outermost: it sees what is left after the SDK's retries and the transaction-conflict retry.
    { step: 'initialize', priority: 'high', name: 'reportOutagesAsUnavailable' },
  );
}
