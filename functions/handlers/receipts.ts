/**
 * @module handlers/receipts
 * The receipts Lambda: CloudWatch Logs subscription filters on SNS's two SMS delivery-status log
 * groups invoke it with gzipped batches of log lines; each SMS's receipt is applied to its
 * delivery (workflows/receipts.ts). A failure is thrown, not caught: the invocation fails, the
 * alarm on its errors fires, and Lambda retries the asynchronous invocation — safe, since a
 * receipt applied once is never applied again. A line that is not a delivery status is named in
 * the error after the good lines of its batch are applied.
 */
import { parseReceiptsEvent } from '../domain/receipt.js';
import { applyReceipts, type ReceiptsSummary } from '../workflows/receipts.js';
import { storeDepsFromEnvironment } from './store-deps.js';

const deps = storeDepsFromEnvironment(process.env);

export async function handler(event: unknown): Promise<ReceiptsSummary> {
  const parsed = parseReceiptsEvent(event);
  const summary = await applyReceipts(deps.store, parsed.receipts, deps.clock, deps.logger.child({ logGroup: parsed.logGroup }));
  if (parsed.rejected.length > 0) {
    deps.logger.error('log lines that are not SMS delivery status', { logGroup: parsed.logGroup, rejected: parsed.rejected });
    throw new Error(`${parsed.rejected.length} log line(s) of ${parsed.logGroup} are not SMS delivery status: ${parsed.rejected.map((line) => `${line.id}: ${line.problem}`).join('; ')}`);
  }
  return summary;
}
