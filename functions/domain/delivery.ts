/**
 * @module domain/delivery
 * One message to one recipient at one send time: its states, its id, and the rules the
 * dispatcher applies — leases, retries with backoff and jitter, the late-send window, quiet
 * hours at send time, and what a station may see. Pure: time and randomness are parameters.
 */
import { z } from 'zod';
import { deferOutOfQuietHours, localToUtc, utcToLocal, type QuietHours } from './schedule.js';
import type { AirWindow } from './broadcast.js';
import { receiptSchema } from './receipt-record.js';
import { recipientKey } from './recipient-key.js';

/**
 * `uncertain`: an SMS whose send had started when its run stopped (a crash, a timeout) and whose
 * outcome nobody recorded. SNS takes no idempotency key for SMS, so it is not sent again by
 * itself: it waits for staff to resend it deliberately (back to pending) or leave it.
 *
 * `delivered` / `undelivered`: a sent SMS whose carrier receipt came back (domain/receipt.ts). Like a
 * station's `aired`, they come after `sent`: the SMS stays counted as sent as well.
 */
export const deliveryStates = ['pending', 'sending', 'sent', 'failed', 'skipped', 'expired', 'aired', 'cancelled', 'uncertain', 'delivered', 'undelivered'] as const;
export type DeliveryState = (typeof deliveryStates)[number];

/** States a delivery never leaves (aired is reached from sent, for stations; delivered and undelivered, for SMS). */
export const finalStates: readonly DeliveryState[] = ['sent', 'failed', 'skipped', 'expired', 'aired', 'cancelled', 'delivered', 'undelivered'];

/**
 * The send fence. The dispatcher reads a notice's state (strongly consistent) before each second's
 * sends and starts no Publish more than this long after that read began; a pause or cancel answers
 * no sooner than this long after its write. So once a pause or cancel has answered, no Publish for
 * that notice can start: any send still allowed began from a read that preceded the write.
 */
export const SEND_FENCE_MS = 800;

export const smsRecipientSchema = z.object({
  kind: z.literal('sms'),
  phone: z.string(),
  phoneKey: z.string(),
  township: z.string(),
  village: z.string(),
});

export const stationRecipientSchema = z.object({
  kind: z.literal('station'),
  stationId: z.string(),
  village: z.string(),
  township: z.string(),
});

/** A WeChat mass send: to every follower of the county's account, or to one tag's. */
export const wechatRecipientSchema = z.object({
  kind: z.literal('wechat'),
  tagId: z.number().int().optional(),
});

/**
 * What WeChat said of a mass send. `submitted`: WeChat took the job (msg_id in messageId);
 * `awaiting-confirmation`: taken, but 群发保护 holds it until an administrator confirms in WeChat
 * (within 30 minutes of `submittedAt`, or it fails); then MASSSENDJOBFINISH (or mass/get) ends it:
 * `finished` with WeChat's counts, the delivery delivered (some reached) or undelivered.
 */
/** API 群发保护: how long an administrator has to confirm a protected mass send in WeChat before it fails. */
export const WECHAT_CONFIRMATION_MINUTES = 30;

export const wechatSendSchema = z.object({
  phase: z.enum(['submitted', 'awaiting-confirmation', 'finished']),
  submittedAt: z.string(),
  msgDataId: z.string().optional(),
  /** MASSSENDJOBFINISH's Status: "send success", "send fail", "err(num)". */
  status: z.string().optional(),
  totalCount: z.number().int().optional(),
  filterCount: z.number().int().optional(),
  sentCount: z.number().int().optional(),
  errorCount: z.number().int().optional(),
  finishedAt: z.string().optional(),
});
export type WeChatSend = z.infer<typeof wechatSendSchema>;

export const deliveryRecordSchema = z.object({
  id: z.string(),
  county: z.string(),
  campaignId: z.string(),
  noticeId: z.string(),
  sendIndex: z.number().int(),
  /** When it is meant to go (UTC); the due index carries when it may next be tried. */
  scheduledAt: z.string(),
  recipient: z.discriminatedUnion('kind', [smsRecipientSchema, stationRecipientSchema, wechatRecipientSchema]),
  state: z.enum(deliveryStates),
  attempts: z.number().int(),
  leaseId: z.string().optional(),
  leaseUntil: z.string().optional(),
  /** An SMS's send began under the current lease (set just before Publish): after a crash, its outcome is unknown. */
  inFlight: z.string().optional(),
  /**
   * Its place among its notice's deliveries (the expansion's count): due entries of notices due in
   * the same minute interleave by it (domain/fair-queue). Absent on deliveries made before it.
   */
  fairRank: z.number().int().nonnegative().optional(),
  /** Paused notices park their deliveries out of the due index until resumed. */
  parked: z.boolean().optional(),
  messageId: z.string().optional(),
  sentAt: z.string().optional(),
  reason: z.string().optional(),
  /** Station scripts: the text and how to air it, copied so a station's pull is one Query. */
  script: z
    .object({
      title: z.string().optional(),
      text: z.string(),
      airWindows: z.array(z.object({ from: z.string(), to: z.string() })),
      repeats: z.number(),
      audio: z.object({ key: z.string(), sha256: z.string(), durationSeconds: z.number() }).optional(),
    })
    .optional(),
  availableUntil: z.string().optional(),
  airedAt: z.string().optional(),
  confirmedAt: z.string().optional(),
  /** A sent SMS: the month whose budget it was reserved from, and its estimate (micro-USD), which its receipt replaces with the real price. */
  spend: z.object({ month: z.string(), estimateMicroUsd: z.number().int() }).optional(),
  /** A WeChat mass send's progress, from its submission to WeChat's result event. */
  wechat: wechatSendSchema.optional(),
  /** The carrier's receipt for a sent SMS (its number masked), once SNS logged it. */
  receipt: receiptSchema.omit({ messageId: true }).optional(),
  updatedAt: z.string(),
});
export type DeliveryRecord = z.infer<typeof deliveryRecordSchema>;
export type Recipient = DeliveryRecord['recipient'];

export { recipientKey };

/**
 * A delivery told apart across counties: delivery ids are unique within a county only (two counties
 * may load the same plan), so whatever a run keeps for several counties' deliveries is keyed by this.
 */
export function deliveryRef(delivery: Pick<DeliveryRecord, 'county' | 'id'>): string {
  return `${delivery.county}/${delivery.id}`;
}

/** campaign~notice~send~recipient: readable, key-safe, and enough to find the item again. */
export function deliveryId(campaignId: string, noticeId: string, sendIndex: number, recipient: Recipient): string {
  return [campaignId, noticeId, String(sendIndex), recipientKey(recipient)].join('~');
}

export const deliveryIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}~[A-Za-z0-9_-]{1,64}~\d{1,4}~(?:[ps][A-Za-z0-9_-]{1,64}|w(?:all|t\d{1,10}))$/, 'not a delivery id');

export function parseDeliveryId(id: string): { campaignId: string; noticeId: string; sendIndex: number } {
  const [campaignId = '', noticeId = '', sendIndex = '0'] = id.split('~');
  return { campaignId, noticeId, sendIndex: Number(sendIndex) };
}

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 2_000, maxDelayMs: 5 * 60_000 };

/**
 * After the n-th failed attempt: retry after an exponential delay with full jitter (so a burst of
 * throttled sends does not retry in lockstep), or give up after the last attempt.
 */
export function nextRetry(attempts: number, policy: RetryPolicy, random: () => number): { retryInMs: number } | { giveUp: true } {
  if (attempts >= policy.maxAttempts) return { giveUp: true };
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempts - 1));
  return { retryInMs: Math.max(250, Math.round(random() * ceiling)) };
}

/** A send this far past its time is not sent at all (a key-date SMS after the key date). */
export function lateBy(scheduledAt: string, now: Date, windowMinutes: number): number | undefined {
  const late = now.getTime() - Date.parse(scheduledAt);
  return late > windowMinutes * 60_000 ? Math.round(late / 60_000) : undefined;
}

/** Quiet hours checked again at send time: undefined to send now, or the UTC time to wait for. */
export function quietUntil(now: Date, timeZone: string, quietHours: QuietHours): string | undefined {
  const local = utcToLocal(now.toISOString(), timeZone);
  const allowed = deferOutOfQuietHours(local, quietHours);
  return allowed === local ? undefined : localToUtc(allowed, timeZone);
}

/** A station may still air a script until the last of its air windows closes on the send day. */
export function availableUntil(scheduledAt: string, airWindows: readonly AirWindow[], timeZone: string): string {
  const day = utcToLocal(scheduledAt, timeZone).slice(0, 10);
  const lastClose = airWindows.map((window) => window.to).sort().at(-1) ?? '23:59';
  const close = localToUtc(`${day}T${lastClose}`, timeZone);
  return close > scheduledAt ? close : scheduledAt;
}

/** Counters per notice; pending is what is left of the total. */
export interface DeliveryCounts {
  total: number;
  pending: number;
  sent: number;
  failed: number;
  skipped: number;
  expired: number;
  aired: number;
  cancelled: number;
  /** Sends a crash interrupted: SNS may or may not have taken them (see `uncertain`). */
  uncertain: number;
  /** Sent SMS the carrier reported delivered / not delivered (still counted in `sent`). */
  delivered: number;
  undelivered: number;
  /** What SNS charged for the notice's SMS that have receipts, in micro-USD. */
  costMicroUsd: number;
}

export function countsFrom(stats: Partial<Record<keyof DeliveryCounts, number>>): DeliveryCounts {
  const value = (name: keyof DeliveryCounts) => stats[name] ?? 0;
  const finished = value('sent') + value('failed') + value('skipped') + value('expired') + value('cancelled') + value('uncertain');
  return {
    total: value('total'),
    pending: Math.max(0, value('total') - finished),
    sent: value('sent'),
    failed: value('failed'),
    skipped: value('skipped'),
    expired: value('expired'),
    aired: value('aired'),
    cancelled: value('cancelled'),
    uncertain: value('uncertain'),
    delivered: value('delivered'),
    undelivered: value('undelivered'),
    costMicroUsd: value('costMicroUsd'),
  };
}

/** Share of sent SMS the carrier reported delivered, in whole percent; undefined before any receipt. */
export function deliveryRate(counts: { sent: number; delivered: number; undelivered: number }): number | undefined {
  if (counts.sent === 0 || counts.delivered + counts.undelivered === 0) return undefined;
  return Math.round((counts.delivered / counts.sent) * 100);
}

/** The county-local year and month a delivery was meant for. */
export function tallyPeriod(scheduledAt: string, timeZone: string): { year: number; month: number } {
  const local = utcToLocal(scheduledAt, timeZone);
  return { year: Number(local.slice(0, 4)), month: Number(local.slice(5, 7)) };
}

/** A station may air a little before the script's time (clocks, the window's first minutes)… */
export const AIRED_EARLY_TOLERANCE_MINUTES = 30;
/** …and its clock may run a little ahead of ours; beyond that, an airing "in the future" is a mistake. */
export const AIRED_CLOCK_SKEW_MINUTES = 5;

/** Why a station's reported airing time cannot be true, or undefined when it can. */
export function airedAtProblem(scheduledAt: string, airedAt: Date, now: Date): string | undefined {
  const earliest = Date.parse(scheduledAt) - AIRED_EARLY_TOLERANCE_MINUTES * 60_000;
  const latest = now.getTime() + AIRED_CLOCK_SKEW_MINUTES * 60_000;
  if (airedAt.getTime() < earliest) return `must not be more than ${AIRED_EARLY_TOLERANCE_MINUTES} minutes before the script's air time ${scheduledAt}`;
  if (airedAt.getTime() > latest) return `must not be in the future (more than ${AIRED_CLOCK_SKEW_MINUTES} minutes after now, ${now.toISOString()})`;
  return undefined;
}
