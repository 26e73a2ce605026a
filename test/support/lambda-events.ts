/**
 * Lambda events as the real services send them: API Gateway HTTP API (payload format 2.0), and
 * CloudWatch Logs subscription batches of SNS SMS delivery-status lines.
 */
import { gzipSync } from 'node:zlib';
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

/**
 * What a CloudWatch Logs subscription filter sends a Lambda: `{"awslogs":{"data":…}}`, the batch
 * as gzipped JSON in base64. Built by hand here (not with pufa's own builder) so the parser is
 * tested against the shape AWS documents.
 */
export function logsSubscriptionEvent(logGroup: string, messages: readonly string[], at = Date.parse('2031-03-15T01:01:00Z')): { awslogs: { data: string } } {
  const batch = {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup,
    logStream: 'a1b2c3',
    subscriptionFilters: ['PufaReceipts'],
    logEvents: messages.map((message, index) => ({ id: `3795${at}${index}`, timestamp: at, message })),
  };
  return { awslogs: { data: gzipSync(JSON.stringify(batch)).toString('base64') } };
}

/** One SMS delivery-status line as SNS writes it to CloudWatch Logs. */
export function smsDeliveryLine(messageId: string, destination: string, status: 'SUCCESS' | 'FAILURE', options: { priceInUSD?: number; at?: string } = {}): string {
  return JSON.stringify({
    notification: { messageId, timestamp: options.at ?? '2031-03-15 01:00:31.558' },
    delivery: {
      phoneCarrier: 'China Mobile',
      mnc: 0,
      destination,
      priceInUSD: options.priceInUSD ?? 0.00645,
      smsType: 'Transactional',
      mcc: 460,
      providerResponse: status === 'SUCCESS' ? 'Message has been accepted by phone carrier' : 'Unknown error attempting to reach phone',
      dwellTimeMs: 599,
      dwellTimeMsUntilDeviceAck: 1344,
    },
    status,
  });
}
