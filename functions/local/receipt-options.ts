/**
 * @module local/receipt-options
 * The local receipt knobs, from options or the environment, validated: how long after an SMS its
 * receipt comes (`PUFA_LOCAL_RECEIPT_DELAY_MS`, default 2 s) and the share reported undelivered
 * (`PUFA_LOCAL_RECEIPT_FAILURE_SHARE`, 0 to 1, default 0). Light on purpose: `npm start` reads it
 * before the rest of the code loads.
 */
import { z } from 'zod';
import { ConfigError } from '../config.js';

export const DEFAULT_RECEIPT_DELAY_MS = 2_000;

export const localReceiptOptionsSchema = z.object({
  /** How long after an SMS its receipt comes (ms); 0 for at once. */
  delayMs: z.coerce.number().int().min(0).max(3_600_000),
  /** Share of SMS reported undelivered, from 0 to 1. */
  failureShare: z.coerce.number().min(0).max(1),
});
export type LocalReceiptOptions = z.infer<typeof localReceiptOptionsSchema>;

/** The receipt knobs from the environment, validated; a bad value names its variable. */
export function localReceiptOptions(env: Record<string, string | undefined>): LocalReceiptOptions {
  const parsed = localReceiptOptionsSchema.safeParse({
    delayMs: env.PUFA_LOCAL_RECEIPT_DELAY_MS || DEFAULT_RECEIPT_DELAY_MS,
    failureShare: env.PUFA_LOCAL_RECEIPT_FAILURE_SHARE || 0,
  });
  if (parsed.success) return parsed.data;
  const variables: Record<string, string> = { delayMs: 'PUFA_LOCAL_RECEIPT_DELAY_MS', failureShare: 'PUFA_LOCAL_RECEIPT_FAILURE_SHARE' };
  throw new ConfigError(parsed.error.issues.map((issue) => ({ variable: variables[String(issue.path[0])] ?? String(issue.path[0]), message: issue.message })));
}

