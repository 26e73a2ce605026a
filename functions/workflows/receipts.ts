/**
 * @module workflows/receipts
 * Carrier receipts applied to the SMS they are for: by the receipts Lambda (a CloudWatch Logs
 * subscription on SNS's delivery-status log groups) and locally by the SNS sink's callback. Each
 * receipt is applied at most once (store/receipts.ts), so a retried batch changes nothing twice.
 */
import { parseReceiptsEvent, type Receipt } from '../domain/receipt.js';
import type { Logger } from '../http/logger.js';
import type { ReceiptsStore } from '../store/receipts-door.js';
import { inParallel } from './parallel.js';

/** Receipts of one batch applied at once: independent transactions, but a notice's counter is shared. */
const CONCURRENCY = 4;

export interface ReceiptsSummary {
  received: number;
  delivered: number;
  undelivered: number;
  /** Receipts already applied (a retried batch, a line sent twice). */
  duplicates: number;
  /** No sent SMS of pufa's has this message id (yet): another system's SMS, or a receipt ahead of its outcome. Kept. */
  unmatched: number;
  /** The delivery was in a state a receipt does not move. */
  ignored: number;
  /** Numbers that just reached the undelivered streak to check, and numbers a delivery cleared. */
  numbersFlagged: number;
  numbersCleared: number;
}

export async function applyReceipts(store: ReceiptsStore, receipts: readonly Receipt[], clock: () => Date, logger: Logger): Promise<ReceiptsSummary> {
  const summary: ReceiptsSummary = { received: receipts.length, delivered: 0, undelivered: 0, duplicates: 0, unmatched: 0, ignored: 0, numbersFlagged: 0, numbersCleared: 0 };
  const results = await inParallel(receipts, CONCURRENCY, async (receipt) => ({ receipt, result: await store.deliveries.applyReceipt(receipt, clock()) }));
  for (const { receipt, result } of results) {
    switch (result.kind) {
      case 'applied':
        summary[result.outcome] += 1;
        if (result.numberToCheck === 'flagged') summary.numbersFlagged += 1;
        if (result.numberToCheck === 'cleared') summary.numbersCleared += 1;
        break;
      case 'duplicate':
        summary.duplicates += 1;
        break;
      case 'unmatched':
        summary.unmatched += 1;
        // Expected now and then (the account's other SMS): worth a line, not an alarm. The message id is SNS's, no number.
        logger.info('receipt for an SMS pufa has no sent outcome for', { messageId: receipt.messageId, outcome: receipt.outcome, kept: result.first });
        break;
      case 'ignored':
        summary.ignored += 1;
        logger.info('receipt for a delivery it does not move', { deliveryId: result.deliveryId, state: result.state });
        break;
    }
  }
  (receipts.length > 0 ? logger.info : logger.debug)('receipts applied', { ...summary });
  return summary;
}

/**
 * A CloudWatch Logs subscription event in, its receipts applied: the receipts Lambda's whole job,
 * and what the local SNS sink's receipts go through. A line that is not a delivery status is named
 * in the error thrown after the good lines of its batch are applied (nothing is dropped unsaid).
 */
export async function receiveReceiptsEvent(store: ReceiptsStore, event: unknown, clock: () => Date, logger: Logger): Promise<ReceiptsSummary> {
  const parsed = parseReceiptsEvent(event);
  const summary = await applyReceipts(store, parsed.receipts, clock, logger.child({ logGroup: parsed.logGroup }));
  if (parsed.rejected.length > 0) {
    logger.error('log lines that are not SMS delivery status', { logGroup: parsed.logGroup, rejected: parsed.rejected });
    throw new Error(`${parsed.rejected.length} log line(s) of ${parsed.logGroup} are not SMS delivery status: ${parsed.rejected.map((line) => `${line.id}: ${line.problem}`).join('; ')}`);
  }
  return summary;
}
