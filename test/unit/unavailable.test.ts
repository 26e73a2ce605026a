import { ConditionalCheckFailedException, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { isUnavailableError } from '../../functions/store/unavailable.js';

const named = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(name), { name, ...extra });

describe('isUnavailableError', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['an AggregateError of refused addresses', new AggregateError([Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })], 'connect failed')],
    ['the SDK request timeout', named('TimeoutError')],
    ['a networking error', named('NetworkingError')],
    ['throttling after retries', new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} })],
    ['request limit exceeded', named('RequestLimitExceeded')],
    ['ThrottlingException', named('ThrottlingException')],
    ['an internal server error', named('InternalServerError', { $metadata: { httpStatusCode: 500 } })],
    ['service unavailable', named('ServiceUnavailable', { $metadata: { httpStatusCode: 503 } })],
    ['a wrapped cause', new Error('outer', { cause: Object.assign(new Error('inner'), { code: 'ETIMEDOUT' }) })],
  ])('counts %s as an outage', (_case, error) => {
    expect(isUnavailableError(error)).toBe(true);
  });

  it.each([
    ['a failed condition', new ConditionalCheckFailedException({ message: 'no', $metadata: { httpStatusCode: 400 } })],
    ['a validation error', named('ValidationException', { $metadata: { httpStatusCode: 400 } })],
    ['a bug', new TypeError('x is undefined')],
    ['not an error', 'ECONNREFUSED'],
  ])('leaves %s alone', (_case, error) => {
    expect(isUnavailableError(error)).toBe(false);
  });
});
