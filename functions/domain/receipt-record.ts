/**
 * @module domain/receipt-record
 * A carrier receipt as pufa keeps it on a delivery (domain/receipt reads them from SNS's logs and
 * re-exports this). Apart so that a delivery's schema does not load the log reader and the phone
 * number parser with it.
 */
import { z } from 'zod';

/** What a receipt makes of a sent SMS. */
export const receiptOutcomes = ['delivered', 'undelivered'] as const;
export type ReceiptOutcome = (typeof receiptOutcomes)[number];

/** A receipt as pufa keeps it: no full number anywhere. */
export const receiptSchema = z.object({
  messageId: z.string().min(1).max(128),
  outcome: z.enum(receiptOutcomes),
  /** When SNS logged the outcome (UTC ISO-8601). */
  reportedAt: z.string(),
  /** What SNS charged, in millionths of a US dollar (0.00645 USD = 6450). */
  priceMicroUsd: z.number().int().min(0),
  providerResponse: z.string(),
  /** The destination as the restricted mask shows it (`+86 *******1234`). */
  destination: z.string(),
  smsType: z.string().optional(),
  dwellTimeMs: z.number().optional(),
});
export type Receipt = z.infer<typeof receiptSchema>;
