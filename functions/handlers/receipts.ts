/**
 * @module handlers/receipts
 * The receipts Lambda: CloudWatch Logs subscription filters on SNS's two SMS delivery-status log
 * groups invoke it with gzipped batches of log lines; each SMS's receipt is applied to its
 * delivery (workflows/receipts.ts). A failure is thrown, not caught: the invocation fails, the
 * alarm on its errors fires, and Lambda retries the asynchronous invocation — safe, since a
 * receipt applied once is never applied again.
 */
import { receiveReceiptsEvent, type ReceiptsSummary } from '../workflows/receipts.js';
import { storeDepsFromEnvironment } from './store-deps.js';

const deps = storeDepsFromEnvironment(process.env);

export async function handler(event: unknown): Promise<ReceiptsSummary> {
  return receiveReceiptsEvent(deps.store, event, deps.clock, deps.logger);
}
