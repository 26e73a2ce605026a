import { describe, expect, it } from 'vitest';
import { invocationLogFields, lambdaRequestIds } from '../../functions/http/request-ids.js';

describe('lambdaRequestIds', () => {
  it("reads API Gateway's and Lambda's request ids from what hono/aws-lambda hands the app", () => {
    const env = { event: {}, requestContext: { requestId: 'gw-Ab1=' }, lambdaContext: { awsRequestId: '8f5e-aws' } };
    expect(lambdaRequestIds(env)).toEqual({ apiRequestId: 'gw-Ab1=', awsRequestId: '8f5e-aws' });
  });

  it('finds none outside Lambda (the local server hands the Node request and response), and no empty or non-string ids', () => {
    expect(lambdaRequestIds({ incoming: {}, outgoing: {} })).toEqual({});
    expect(lambdaRequestIds(undefined)).toEqual({});
    expect(lambdaRequestIds({ requestContext: { requestId: '' }, lambdaContext: { awsRequestId: 42 } })).toEqual({});
  });
});

describe('invocationLogFields', () => {
  it("binds Lambda's request id when the handler has a context, and nothing when called directly", () => {
    expect(invocationLogFields({ awsRequestId: 'r-1' })).toEqual({ awsRequestId: 'r-1' });
    expect(invocationLogFields(undefined)).toEqual({});
    expect(invocationLogFields({})).toEqual({});
  });
});
