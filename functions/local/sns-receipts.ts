/**
 * @module local/sns-receipts
 * The local SNS sink's carrier receipts: for each SMS it accepts, after a delay, the delivery-status
 * line SNS would log (SUCCESS, or FAILURE for a share of them, with a provider response and a
 * price), wrapped as the CloudWatch Logs subscription event the receipts Lambda gets, and handed
 * to a callback (local/receipts.ts applies it as the Lambda does).
 */
import { cloudWatchLogsEvent, deliveryLogGroupName, snsTimestamp, type CloudWatchLogsEvent, type SmsDeliveryLog } from '../domain/receipt.js';
import { DEFAULT_RECEIPT_DELAY_MS } from './receipt-options.js';

/** Receipts for the SMS the sink accepts, as SNS's delivery-status logging and a subscription filter would produce them. */
export interface SinkReceipts {
  /** Gets each subscription event (one line each); a rejection is kept and reported by `receiptsSettled`. */
  deliver: (event: CloudWatchLogsEvent) => Promise<unknown>;
  /** After how long a receipt comes (SNS: seconds to minutes). Default 2 s. */
  delayMs?: number;
  /** Share of SMS the carrier reports undelivered, 0 to 1. Default 0. */
  failureShare?: number;
  /** Decides which numbers fail instead of the share (tests). */
  fails?: (phoneNumber: string) => boolean;
  random?: () => number;
  /** What each SMS costs, in USD (made up locally). */
  priceUsd?: number;
}

const LOCAL_PRICE_USD = 0.00645;

/**
 * Makes and hands on one receipt per accepted SMS after the delay. `settled` waits until every
 * receipt scheduled so far has been handed on, and fails with the first error `deliver` threw;
 * `stop` cancels those not yet handed on.
 */
export function receiptMaker(options: SinkReceipts | undefined, clock: () => Date) {
  const waiting = new Set<Promise<void>>();
  const timers = new Map<NodeJS.Timeout, () => void>();
  let stopped = false;
  const errors: unknown[] = [];
  const random = options?.random ?? Math.random;
  const schedule = (messageId: string, phoneNumber: string, smsType: string | undefined) => {
    if (!options) return;
    const failed = options.fails ? options.fails(phoneNumber) : random() < (options.failureShare ?? 0);
    const sentAt = clock();
    const line: SmsDeliveryLog = {
      notification: { messageId, timestamp: snsTimestamp(sentAt) },
      delivery: {
        destination: phoneNumber,
        priceInUSD: options.priceUsd ?? LOCAL_PRICE_USD,
        smsType: smsType ?? 'Transactional',
        providerResponse: failed ? 'Phone carrier has blocked this message' : 'Message has been accepted by phone carrier',
        dwellTimeMs: options.delayMs ?? DEFAULT_RECEIPT_DELAY_MS,
      },
      status: failed ? 'FAILURE' : 'SUCCESS',
    };
    const event = cloudWatchLogsEvent(deliveryLogGroupName('local', '000000000000', line.status), [line], sentAt);
    const handed: Promise<void> = new Promise<boolean>((wake) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        wake(true);
      }, options.delayMs ?? DEFAULT_RECEIPT_DELAY_MS);
      timers.set(timer, () => wake(false));
    })
      .then((due) => (due && !stopped ? options.deliver(event) : undefined))
      .then(
        () => undefined,
        (error: unknown) => {
          errors.push(error);
        },
      )
      .finally(() => waiting.delete(handed));
    waiting.add(handed);
  };
  const settled = async (): Promise<void> => {
    while (waiting.size > 0) await Promise.all([...waiting]);
    const [first] = errors.splice(0);
    if (first !== undefined) throw first;
  };
  /** A stopping sink hands on no more receipts (the database may be stopping too). */
  const stop = () => {
    stopped = true;
    for (const [timer, cancel] of timers) {
      clearTimeout(timer);
      cancel();
    }
    timers.clear();
  };
  return { schedule, settled, stop };
}
