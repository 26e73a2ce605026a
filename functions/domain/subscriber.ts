/**
 * @module domain/subscriber
 * People who receive SMS: a number, where they live (township, village), the groups they belong
 * to (村干部, 企业, 学生家长 ...), their consent and whether they opted out.
 */
import { z } from 'zod';
import { idSchema } from './access.js';
import { maskPhone, type MaskLevel } from './phone.js';

export const subscriberInputSchema = z.object({
  phone: z.string().trim().min(1, 'must not be empty').max(40),
  township: idSchema,
  village: idSchema,
  groups: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
  consent: z.boolean().default(true).describe('the person agreed to receive publicity SMS'),
  name: z.string().trim().max(40).optional(),
});
export type SubscriberInput = z.infer<typeof subscriberInputSchema>;

export const subscriberRecordSchema = z.object({
  county: z.string(),
  phone: z.string(),
  phoneKey: z.string(),
  township: z.string(),
  village: z.string(),
  groups: z.array(z.string()),
  consent: z.boolean(),
  optedOut: z.boolean(),
  optedOutAt: z.string().optional(),
  name: z.string().optional(),
  /** SMS in a row the carrier reported undelivered; a delivered one sets it back to 0. */
  undeliveredStreak: z.number().int().min(0).optional(),
  /** Set when the streak reached UNDELIVERED_STREAK_TO_CHECK: staff should check the number (空号, 停机…). */
  checkNumberSince: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type SubscriberRecord = z.infer<typeof subscriberRecordSchema>;

/**
 * The record for a subscriber as entered (by hand or from a CSV row), over the one stored for the
 * same number if any: it keeps its first date and its opt-out — only the person can undo that.
 */
export function subscriberRecord(
  county: string,
  entry: { phone: string; phoneKey: string; township: string; village: string; groups: string[]; consent: boolean; name?: string | undefined },
  existing: SubscriberRecord | undefined,
  now: Date,
): SubscriberRecord {
  const at = now.toISOString();
  return {
    county,
    phone: entry.phone,
    phoneKey: entry.phoneKey,
    township: entry.township,
    village: entry.village,
    groups: entry.groups,
    consent: entry.consent,
    optedOut: existing?.optedOut ?? false,
    ...(existing?.optedOutAt ? { optedOutAt: existing.optedOutAt } : {}),
    ...(entry.name ? { name: entry.name } : {}),
    // What receipts said of the number stays with it through edits and re-imports.
    ...(existing?.undeliveredStreak !== undefined ? { undeliveredStreak: existing.undeliveredStreak } : {}),
    ...(existing?.checkNumberSince ? { checkNumberSince: existing.checkNumberSince } : {}),
    createdAt: existing?.createdAt ?? at,
    updatedAt: at,
  };
}

/** Whether a write would change what is stored (dates aside). */
export function sameSubscriber(a: SubscriberRecord, b: SubscriberRecord): boolean {
  const content = (record: SubscriberRecord) =>
    JSON.stringify([record.phone, record.township, record.village, [...record.groups].sort(), record.consent, record.optedOut, record.name ?? '']);
  return content(a) === content(b);
}

/**
 * What a reader sees: the number masked to the reader's level (see `maskPhone`), or in full for an
 * admin's audited reveal; and the key to act on it.
 */
export function subscriberView(record: SubscriberRecord, phone: MaskLevel | 'full') {
  const { county: _county, ...rest } = record;
  return { ...rest, phone: phone === 'full' ? record.phone : maskPhone(record.phone, phone) };
}

/** May this subscriber receive the notice's SMS right now? */
export function reachable(record: Pick<SubscriberRecord, 'consent' | 'optedOut'>): boolean {
  return record.consent && !record.optedOut;
}

/** Undelivered SMS in a row after which a number is flagged for staff to check. */
export const UNDELIVERED_STREAK_TO_CHECK = 3;

/**
 * What a receipt does to a number's failure streak: delivered starts it again at 0, undelivered
 * adds one; the number is to be checked from the streak reaching the threshold until a delivery.
 */
export function streakAfter(
  current: Pick<SubscriberRecord, 'undeliveredStreak' | 'checkNumberSince'>,
  outcome: 'delivered' | 'undelivered',
  now: Date,
): { undeliveredStreak: number; checkNumberSince: string | undefined } {
  if (outcome === 'delivered') return { undeliveredStreak: 0, checkNumberSince: undefined };
  const undeliveredStreak = (current.undeliveredStreak ?? 0) + 1;
  const checkNumberSince = current.checkNumberSince ?? (undeliveredStreak >= UNDELIVERED_STREAK_TO_CHECK ? now.toISOString() : undefined);
  return { undeliveredStreak, checkNumberSince };
}
