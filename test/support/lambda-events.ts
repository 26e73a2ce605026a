/**
 * API Gateway HTTP API (payload format 2.0) events, as the real service sends them.
 */
import type { ApiGatewayRequestContextV2, LambdaContext, LambdaEvent } from 'hono/aws-lambda';

export function httpApiEvent(
  method: string,
  rawPath: string,
  options: { headers?: Record<string, string>; body?: string; query?: string } = {},
): LambdaEvent {
  const headers = { host: 'abc123.execute-api.cn-north-1.amazonaws.com.cn', ...options.headers };
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: options.query ?? '',
    headers,
    isBase64Encoded: false,
    body: options.body ?? null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: headers.host,
      domainPrefix: 'abc123',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '192.0.2.10', userAgent: 'vitest' },
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      routeKey: '$default',
      stage: '$default',
      time: '25/Nov/2026:04:00:00 +0000',
      timeEpoch: Date.parse('2026-11-25T04:00:00Z'),
      authentication: null,
      authorizer: {},
    } satisfies ApiGatewayRequestContextV2,
  };
}

export const lambdaContext = {
  functionName: 'pufa-test',
  awsRequestId: 'aws-req-1',
  getRemainingTimeInMillis: () => 29_000,
} as unknown as LambdaContext;
