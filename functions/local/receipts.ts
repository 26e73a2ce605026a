/**
 * @module local/receipts
 * Carrier receipts for local runs: the SNS sink makes one for each SMS it accepts (after
 * `PUFA_LOCAL_RECEIPT_DELAY_MS`, undelivered for a `PUFA_LOCAL_RECEIPT_FAILURE_SHARE` of them) and
 * hands it, as the CloudWatch Logs subscription event AWS would send, to the same code the
 * receipts Lambda runs (workflows/receipts.ts `receiveReceiptsEvent`).
 */
import type { CloudWatchLogsEvent } from '../domain/receipt.js';
import type { Clock } from '../http/env.js';
import type { Logger } from '../http/logger.js';
import type { ReceiptsStore } from '../store/receipts-door.js';
import { receiveReceiptsEvent, type ReceiptsSummary } from '../workflows/receipts.js';
import type { LocalReceiptOptions } from './receipt-options.js';
import type { SinkReceipts } from './sns-sink.js';

export interface ReceiptTarget {
  store: ReceiptsStore;
  clock: Clock;
  logger: Logger;
}

/**
 * The sink's receipts option, applying each through the receipts Lambda's code against `target()`
 * (known once the store is up). A receipt that cannot be applied is logged as an error and kept
 * for `receiptsSettled()` to report.
 */
export function sinkReceipts(options: LocalReceiptOptions, target: () => ReceiptTarget | undefined, onApplied?: (summary: ReceiptsSummary) => void): SinkReceipts {
  return {
    delayMs: options.delayMs,
    failureShare: options.failureShare,
    deliver: async (event: CloudWatchLogsEvent) => {
      const deps = target();
      if (!deps) throw new Error('a receipt came before the store was ready');
      try {
        const summary = await receiveReceiptsEvent(deps.store, event, deps.clock, deps.logger);
        onApplied?.(summary);
      } catch (error) {
        deps.logger.error('local receipt not applied', { error: error instanceof Error ? error.message : String(error) });
        throw error;
      }
    },
  };
}
