/**
 * @module handlers/receipts
 * The receipts Lambda: CloudWatch Logs subscription filters on SNS's two SMS delivery-status log
 * groups invoke it with gzipped batches of log lines; each SMS's receipt is applied to its
 * delivery (workflows/receipts.ts). A failure is thrown, not caught: the invocation fails, the
 * alarm on its errors fires, and Lambda retries the asynchronous invocation — safe, since a
 * receipt applied once is never applied again.
 *
 * Its dependencies are built here rather than by handlers/deps.ts: it keys no phone numbers (no
 * phone-key secret to read) and needs only the deliveries part of the store, so its role is
 * granted only what that part sends.
 *
 * Each batch's delivered and undelivered counts go out as CloudWatch embedded metric format lines
 * (Powertools Metrics, handlers/metrics.ts): the stack's delivery-rate alarm divides them.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { LambdaContext } from 'hono/aws-lambda';
import { loadConfig } from '../config.js';
import { createLogger } from '../http/logger.js';
import { invocationLogFields } from '../http/request-ids.js';
import { createDocumentClient, createDynamoDbClient } from '../store/client.js';
import { createReceiptsStore } from '../store/receipts-door.js';
import { version } from '../version.js';
import { receiveReceiptsEvent, type ReceiptsSummary } from '../workflows/receipts.js';
import { METRICS_SERVICE, receiptCounts } from './metrics.js';

const config = loadConfig(process.env, version);
const store = createReceiptsStore(createDocumentClient(createDynamoDbClient({ region: config.region, endpoint: config.dynamoDbEndpoint })), config.tableName);
const logger = createLogger({ level: config.logLevel });
const clock = () => new Date();
// The namespace comes from POWERTOOLS_METRICS_NAMESPACE, set by the stack; its warnings go to our log.
const metrics = new Metrics({ serviceName: METRICS_SERVICE.receipts, logger });

export async function handler(event: unknown, context?: Partial<Pick<LambdaContext, 'awsRequestId'>>): Promise<ReceiptsSummary> {
  const summary = await receiveReceiptsEvent(store, event, clock, logger.child(invocationLogFields(context)));
  for (const [name, value] of receiptCounts(summary)) metrics.addMetric(name, MetricUnit.Count, value);
  metrics.publishStoredMetrics();
  return summary;
}
