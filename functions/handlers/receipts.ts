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
 */
import { loadConfig } from '../config.js';
import { createLogger } from '../http/logger.js';
import { createDocumentClient, createDynamoDbClient } from '../store/client.js';
import { createReceiptsStore } from '../store/receipts-door.js';
import { version } from '../version.js';
import { receiveReceiptsEvent, type ReceiptsSummary } from '../workflows/receipts.js';

const config = loadConfig(process.env, version);
const store = createReceiptsStore(createDocumentClient(createDynamoDbClient({ region: config.region, endpoint: config.dynamoDbEndpoint })), config.tableName);
const logger = createLogger({ level: config.logLevel });
const clock = () => new Date();

export async function handler(event: unknown): Promise<ReceiptsSummary> {
  return receiveReceiptsEvent(store, event, clock, logger);
}
