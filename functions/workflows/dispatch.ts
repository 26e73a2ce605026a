/**
 * @module workflows/dispatch
 * The sending loop, run every minute by EventBridge in AWS, by a ticker in `npm start`, and by
 * `npm run dispatch`. Each run: syncs the SNS opt-out list when due, advances audience
 * expansions, then takes due deliveries from the due index, claims each with a lease, and sends:
 * SMS one Publish each under the shared rate cap, station scripts ten to a PublishBatch.
 * Every delivery ends sent, skipped (opted out), expired (too late), cancelled or failed with
 * its reason — or goes back to pending with a retry time. None is dropped.
 *
 * Three promises at the edges:
 * - A pause or cancel holds from the moment it answers: before each second's sends the notice's
 *   state is read again (strongly consistent), and no send starts later than SEND_FENCE_MS after
 *   that read began; the pause waits out the same fence before answering (workflows/notices.ts).
 * - A run claims no more SMS than it can send at the cap in the time it has left.
 * - An SMS is marked in flight just before its Publish. If the run dies there, nobody knows
 *   whether SNS took it, and SNS has no idempotency key for SMS: the next run marks it
 *   `uncertain` (counted, shown) instead of sending it a second time; staff may resend it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { DEFAULT_TIME_ZONE, type Config } from '../config.js';
import { refusalToSend } from '../domain/approval.js';
import { defaultFailureThreshold, type FailureThreshold } from '../domain/failure-guard.js';
import { defaultRetryPolicy, deliveryRef, lateBy, nextRetry, quietUntil, SEND_FENCE_MS, tallyPeriod, type DeliveryRecord, type RetryPolicy, type WeChatSend, WECHAT_CONFIRMATION_MINUTES } from '../domain/delivery.js';
import { Conflict } from '../domain/errors.js';
import { maskPhonesIn, normalisePhone, type PhoneKeys } from '../domain/phone.js';
import type { NoticeRecord } from '../domain/planning.js';
import { defaultQuietHours, utcToLocal } from '../domain/schedule.js';
import { TransitTimes } from '../domain/transit.js';
import type { Logger } from '../http/logger.js';
import { errorFields } from '../http/logger.js';
import { NotifyError, STATION_BATCH_SIZE, type Notifier } from '../notify/sns.js';
import type { Outcome } from '../store/deliveries.js';
import type { AudioLinks } from '../speech/audio-store.js';
import type { Store } from '../store/index.js';
import type { WeChatChannel } from '../wechat/channel.js';
import {
  WeChatApiError,
  WeChatAwaitingConfirmation,
  WeChatBadAnswer,
  WeChatDuplicateSend,
  WeChatQuotaReached,
  WeChatRateLimited,
  WeChatTokenRejected,
  WeChatUnreachable,
} from '../wechat/errors.js';
import type { MassSendResult, MassStatus } from '../wechat/types.js';
import type { OpenWeChatSend } from '../store/wechat-sends.js';
import type { RateLimiter } from '../store/rate.js';
import { advanceExpansion, pendingExpansions } from './expand.js';
import { inParallel } from './parallel.js';
import { pauseOnFailures } from './auto-pause.js';
import { SpendGuard, type BudgetSettings } from './sms-spend.js';

export interface DispatchSettings {
  /** How long a claim holds: a crashed run's deliveries come back after this. */
  leaseMs: number;
  retry: RetryPolicy;
  smsPerSecond: number;
  /** Default for notices that set none: later than this after its time, a send expires. */
  lateWindowMinutes: number;
  /** Due deliveries read per shard per round. */
  batchSize: number;
  /** SMS sent in parallel within one second's slots (SNS answers in tens of milliseconds); also claims made in parallel. */
  concurrency: number;
  optOutSyncMinutes: number;
  /** The county's time zone (config), for notices that carry none of their own, and the budget's month. */
  timeZone: string;
  /** The monthly SMS budget: the rate its yuan are turned into dollars at, and the deployment's default. */
  smsBudget: BudgetSettings;
  /** When a notice whose sends keep failing is paused (domain/failure-guard). */
  autoPause: FailureThreshold;
}

export const defaultDispatchSettings: DispatchSettings = {
  // Longer than one send with its retries inside a run, shorter than the 1-minute tick.
  leaseMs: 45_000,
  retry: defaultRetryPolicy,
  smsPerSecond: 20,
  lateWindowMinutes: 180,
  batchSize: 25,
  concurrency: 16,
  optOutSyncMinutes: 60,
  timeZone: DEFAULT_TIME_ZONE,
  smsBudget: { yuanPerUsd: 7.2, defaultMonthlyYuan: undefined },
  autoPause: defaultFailureThreshold,
};

/** The dispatcher's settings from validated config: the defaults, with the deployment's cap, late window, time zone, budget and auto-pause. */
export function dispatchSettingsFromConfig(config: Pick<Config, 'sms' | 'lateWindowMinutes' | 'timeZone' | 'autoPause'>): DispatchSettings {
  return {
    ...defaultDispatchSettings,
    smsPerSecond: config.sms.perSecond,
    lateWindowMinutes: config.lateWindowMinutes,
    timeZone: config.timeZone,
    smsBudget: { yuanPerUsd: config.sms.yuanPerUsd, defaultMonthlyYuan: config.sms.monthlyBudgetYuan },
    autoPause: config.autoPause,
  };
}

export interface DispatchDeps {
  store: Store;
  notifier: Notifier;
  clock: () => Date;
  logger: Logger;
  /** Maps SNS's opted-out numbers onto the table's opt-out keys. */
  phoneKeys: PhoneKeys;
  settings: DispatchSettings;
  /** Links to kept recordings: a pushed script carries one to its recording. */
  audioLinks?: (() => Promise<AudioLinks>) | undefined;
  /** The county's WeChat official account, for mass sends; resolves to undefined where none is configured. */
  wechat?: (() => Promise<WeChatChannel | undefined>) | undefined;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * How long a pushed script's recording link lasts: the receiver should fetch it on arrival, and
 * can always pull the script again for a fresh one. (A presigned S3 link also ends when the
 * signing function's credentials do, which can be sooner.)
 */
const PUSHED_AUDIO_LINK_SECONDS = 6 * 3600;

export interface DispatchSummary {
  startedAt: string;
  claimed: number;
  sent: number;
  failed: number;
  skipped: number;
  expired: number;
  cancelled: number;
  retried: number;
  deferred: number;
  parked: number;
  /** SMS a stopped run had begun to send: outcome unknown, not sent again unasked. */
  uncertain: number;
  /** Claims handed back unsent when the run's time ran out. */
  returned: number;
  /** Claimed sends held back because their notice was paused or cancelled since the claim. */
  stopped: number;
  /** Outcomes that found their claim taken over after the lease ran out (a possible duplicate). */
  lostLeases: number;
  expanded: number;
  /** SMS held back, pending, because the month's budget cannot pay for them. */
  heldForBudget: number;
  /** Held SMS put back in the due index: the month turned or the budget was raised. */
  resumedFromBudget: number;
  /** Notices paused because too many of their sends failed. */
  autoPaused: string[];
  /** WeChat mass sends whose result was asked of WeChat (mass/get), and of those, how many it had ended. */
  wechatFollowed: number;
  wechatEnded: number;
  optOutsSynced?: number;
  completedNotices: string[];
}

/**
 * How often, at most, the failure guard reads a sending notice's counters when none of this run's
 * sends failed (receipts may still say undelivered): two reads per notice, a small price per 5 s.
 */
const GUARD_EVERY_MS = 5_000;

type NoticeKey = string;
const noticeKey = (delivery: Pick<DeliveryRecord, 'county' | 'campaignId' | 'noticeId'>) => `${delivery.county}/${delivery.campaignId}/${delivery.noticeId}`;
type NoticeRef = Pick<DeliveryRecord, 'county' | 'campaignId' | 'noticeId'>;
type Claimed = { delivery: DeliveryRecord; leaseId: string; notice: NoticeRecord; leaseEnds: number };
type Details = { messageId?: string; reason?: string; attempts?: number; wechat?: WeChatSend };

/**
 * One run: opt-out sync, expansions, then rounds of claim -> send SMS -> send full station
 * batches, then the last partial batches and the notices that are done.
 */
export async function runDispatch(deps: DispatchDeps, options: { budgetMs: number }): Promise<DispatchSummary> {
  const run = new DispatchRun(deps, options.budgetMs);
  run.summary.optOutsSynced = await syncOptOuts(deps);
  await run.advanceExpansions();
  await run.resumeFromBudget();
  await run.followWeChatSends();
  while (run.hasTime()) {
    const round = await run.claimRound();
    if (!round) break;
    await run.sendSms(round.sms);
    await run.sendStationBatches(round.stations);
    await run.sendWeChat(round.wechat);
    await run.guardFailures();
    if (!round.progress) break; // everything due is claimed by someone else: leave it to them
  }
  await run.sendLastStationBatches();
  return run.finish();
}

/** The state one run keeps between its steps: its tally, the notices it touched, the scripts waiting for a fuller batch. */
class DispatchRun {
  readonly summary: DispatchSummary;
  private readonly deadline: number;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly limiter: RateLimiter;
  private readonly transit = new TransitTimes();
  /** Notices whose deliveries this run handled: checked for completion at the end. */
  private readonly touched = new Map<NoticeKey, NoticeRef>();
  /** Each touched notice's time zone, for the tally month of its outcomes. */
  private readonly timeZones = new Map<NoticeKey, string>();
  /** Claimed station scripts short of a full PublishBatch, kept for the next round's batches. */
  private readonly waitingStations: Claimed[] = [];
  /**
   * A script waits for a fuller batch only while its lease has this much left: past that it goes
   * now, in a partial batch, so it can never be claimed again (here or by another run) and sent twice.
   */
  private readonly leaseMargin: number;
  private readonly spend: SpendGuard;
  /** Notices with an outcome recorded since the failure guard last looked. */
  private readonly outcomesSinceGuard = new Map<NoticeKey, NoticeRef>();
  /** A send failed since the failure guard last looked: it looks again after this second. */
  private failedThisSecond = false;
  /** When the failure guard last looked (the run's clock): undelivered receipts count too, so it also looks every GUARD_EVERY_MS. */
  private guardedAt = 0;

  constructor(
    private readonly deps: DispatchDeps,
    private readonly budgetMs: number,
  ) {
    this.deadline = Date.now() + budgetMs;
    this.random = deps.random ?? Math.random;
    this.sleep = deps.sleep ?? ((ms: number) => new Promise<void>((wake) => setTimeout(wake, ms)));
    this.limiter = deps.store.rateLimiter('sms', deps.settings.smsPerSecond);
    this.leaseMargin = deps.settings.leaseMs / 2;
    this.spend = new SpendGuard(deps, { ...deps.settings.smsBudget, timeZone: deps.settings.timeZone });
    this.summary = {
      startedAt: deps.clock().toISOString(),
      claimed: 0,
      sent: 0,
      failed: 0,
      skipped: 0,
      expired: 0,
      cancelled: 0,
      retried: 0,
      deferred: 0,
      parked: 0,
      uncertain: 0,
      returned: 0,
      stopped: 0,
      lostLeases: 0,
      expanded: 0,
      heldForBudget: 0,
      resumedFromBudget: 0,
      autoPaused: [],
      wechatFollowed: 0,
      wechatEnded: 0,
      completedNotices: [],
    };
  }

  hasTime(): boolean {
    return Date.now() < this.deadline;
  }

  /** Audience expansions left unfinished, each given at most half the run's budget. */
  async advanceExpansions(): Promise<void> {
    const { store, clock, settings } = this.deps;
    for (const job of await pendingExpansions(store)) {
      if (Date.now() > this.deadline) break;
      const notice = await store.notices.get(job.county, job.campaignId, job.noticeId);
      const progress = await advanceExpansion(store, job, {
        now: clock,
        deadline: Math.min(this.deadline, Date.now() + this.budgetMs / 2),
        timeZone: notice?.dispatch?.timeZone ?? settings.timeZone,
      });
      this.summary.expanded += progress.expanded;
    }
  }

  /**
   * WeChat's result event may never come (a protected send nobody confirmed, a callback URL not
   * set, an event lost): mass sends still open past their time are asked about (mass/get), and
   * one WeChat says has ended is closed with that — success or failure, without counts, which only
   * the event carries.
   */
  async followWeChatSends(): Promise<void> {
    const { store, clock, logger } = this.deps;
    const now = clock();
    const due = (await store.wechatSends.open()).filter((send) => followUpDue(send, now));
    if (due.length === 0) return;
    const { channel } = await this.wechatChannel();
    if (!channel) return; // followed up later, once the account can be set up
    for (const send of due.filter((open) => open.county === channel.county)) {
      if (!this.hasTime()) return;
      let status: MassStatus;
      try {
        status = await channel.client.massStatus(send.msgId);
      } catch (error) {
        // Asked again at the next follow-up; the send stays open meanwhile.
        logger.warn('WeChat mass send status could not be read', { msgId: send.msgId, ...errorFields(error) });
        await store.wechatSends.checked(send, now);
        continue;
      }
      this.summary.wechatFollowed += 1;
      if (status === 'SENDING') {
        await store.wechatSends.checked(send, now);
        continue;
      }
      // DELETE: it went out, and was deleted since (by an administrator in WeChat).
      const words = { SEND_SUCCESS: 'send success', SEND_FAIL: 'send fail', DELETE: 'send success, deleted since' } as const;
      try {
        await store.wechatSends.recordResult(send.county, { msgId: send.msgId, status: `${words[status]} (mass/get)`, finishedAt: now.toISOString() }, now, { ifAbsent: true });
        const applied = await store.wechatSends.applyResult(send.county, send.msgId, now);
        if (applied.kind === 'applied') this.summary.wechatEnded += 1;
      } catch (error) {
        logger.warn('WeChat result not applied yet; asked again at the next follow-up', { msgId: send.msgId, ...errorFields(error) });
      }
    }
  }

  /** SMS held for the budget go again once the month has turned or the budget was raised. */
  async resumeFromBudget(): Promise<void> {
    this.summary.resumedFromBudget += await this.spend.resumeHeld(() => this.hasTime());
  }

  /** Pauses the notices whose failures passed the threshold since the last look. */
  async guardFailures(): Promise<void> {
    this.failedThisSecond = false;
    this.guardedAt = this.deps.clock().getTime();
    const refs = [...this.outcomesSinceGuard.values()];
    this.outcomesSinceGuard.clear();
    if (refs.length === 0) return;
    const { settings } = this.deps;
    this.summary.autoPaused.push(...(await pauseOnFailures(this.deps, refs, settings.autoPause, settings.timeZone)));
  }

  /**
   * Claims the due deliveries of one round: SMS no more than the run can send at the cap before
   * its deadline. Those that cannot go (paused, cancelled, too late, not what was approved) are
   * settled here, and so are SMS a stopped run had begun to send (uncertain); the rest come back
   * split by channel, with the scripts still waiting from earlier rounds. Undefined when nothing is due.
   */
  async claimRound(): Promise<{ sms: Claimed[]; stations: Claimed[]; wechat: Claimed[]; progress: boolean } | undefined> {
    const { store, clock, settings } = this.deps;
    const now = clock();
    const due = await store.deliveries.due(now, settings.batchSize);
    if (due.length === 0) return undefined;

    const notices = await this.readNotices(due);
    let progress = false;
    const sms: Claimed[] = [];
    // Scripts claimed in earlier rounds: their notice is read again just before their batch goes.
    const stations: Claimed[] = this.waitingStations.splice(0);
    let smsRoom = this.smsCapacity();
    const toClaim: DeliveryRecord[] = [];
    const overBudget: { delivery: DeliveryRecord }[] = [];
    for (const delivery of due) {
      if (delivery.recipient.kind === 'sms' && delivery.state === 'sending' && delivery.inFlight) {
        // Its run stopped after the send began: not sent again by itself.
        this.touch(delivery, notices.get(noticeKey(delivery)));
        if (await store.deliveries.markUncertain(delivery, now, this.periodOf(delivery))) this.summary.uncertain += 1;
        progress = true;
        continue;
      }
      if (delivery.recipient.kind === 'sms') {
        const notice = notices.get(noticeKey(delivery));
        // This run already found the month's budget spent: held (parked) at once, not claimed in vain.
        if (delivery.state === 'pending' && notice?.state === 'scheduled' && (await this.spend.exhausted(delivery.county, this.spend.estimateOf(notice)))) {
          this.touch(delivery, notice);
          overBudget.push({ delivery });
          continue;
        }
        if (smsRoom <= 0) continue; // left due, for a run with time to send it
        smsRoom -= 1;
      }
      toClaim.push(delivery);
    }
    if (overBudget.length > 0) {
      this.summary.heldForBudget += await this.spend.hold(overBudget);
      progress = true;
    }
    // Claims are independent conditional writes: made in parallel, so a round's claims take
    // the time of a few writes rather than of a hundred, and sending starts sooner.
    const claimed = await inParallel(toClaim, settings.concurrency, async (delivery): Promise<Claimed | undefined> => {
      const notice = notices.get(noticeKey(delivery));
      this.touch(delivery, notice);
      if (notice?.state === 'paused' && delivery.state === 'pending') {
        if (await store.deliveries.park(delivery, now)) this.summary.parked += 1;
        progress = true;
        return undefined;
      }
      const leaseId = randomUUID();
      const claim = await store.deliveries.claim(delivery, { id: leaseId, until: new Date(now.getTime() + settings.leaseMs) }, now);
      if (!claim) return undefined; // another dispatcher has it
      progress = true;
      this.summary.claimed += 1;
      const sendable = await this.sendableNotice(claim, leaseId, notice, now);
      return sendable ? { delivery: claim, leaseId, notice: sendable, leaseEnds: now.getTime() + settings.leaseMs } : undefined;
    });
    // Kept in fair order (round-robin by county, then due order), whatever order the claims finished in.
    const wechat: Claimed[] = [];
    for (const item of claimed) if (item) ({ sms, station: stations, wechat })[item.delivery.recipient.kind].push(item);
    return { sms, stations, wechat, progress };
  }

  /**
   * SMS this run can still send: the cap times the seconds left, and no more than a lease's worth
   * (others' runs share the cap, so this is an upper bound; what is left at the end goes back).
   */
  private smsCapacity(): number {
    const { smsPerSecond, leaseMs } = this.deps.settings;
    const seconds = Math.min(this.deadline - Date.now(), leaseMs / 2) / 1000;
    return Math.max(0, Math.floor(smsPerSecond * seconds));
  }

  private touch(delivery: DeliveryRecord, notice: NoticeRecord | undefined): void {
    this.touched.set(noticeKey(delivery), delivery);
    if (notice?.dispatch) this.timeZones.set(noticeKey(delivery), notice.dispatch.timeZone);
  }

  private periodOf(delivery: DeliveryRecord) {
    return tallyPeriod(delivery.scheduledAt, this.timeZones.get(noticeKey(delivery)) ?? this.deps.settings.timeZone);
  }

  /** The notice a claimed delivery goes out under; undefined, with the outcome recorded, when it must not go out. */
  private async sendableNotice(claim: DeliveryRecord, leaseId: string, notice: NoticeRecord | undefined, now: Date): Promise<NoticeRecord | undefined> {
    if (!notice || notice.state === 'cancelled' || notice.state === 'done') {
      await this.record(claim, leaseId, 'cancelled', { reason: 'the notice was cancelled' });
      return undefined;
    }
    const chosen = notice.lateWindowMinutes ?? this.deps.settings.lateWindowMinutes;
    // WeChat remembers a clientmsgid for a limited time (24 hours, as the stand-in models it; its
    // documentation gives no figure): a mass send is never tried more than 12 hours after its time,
    // so every try of it falls within that memory and a retry cannot send it twice.
    const lateWindow = claim.recipient.kind === 'wechat' ? Math.min(chosen, WECHAT_LATE_WINDOW_MINUTES) : chosen;
    const late = lateBy(claim.scheduledAt, now, lateWindow);
    // An earlier try of a mass send that got no answer may have gone out: the record says so.
    const maybeSent = claim.recipient.kind === 'wechat' && claim.attempts > 0 ? '; an earlier try got no answer, so WeChat may have sent it (see 群发记录 in WeChat)' : '';
    if (late !== undefined) {
      await this.record(claim, leaseId, 'expired', { reason: `not sent: ${late} min after its time, past the ${lateWindow} min late window${maybeSent}` });
      return undefined;
    }
    if (claim.recipient.kind === 'wechat') {
      // A mass send goes on the county's day it was planned for: the next day's quota (订阅号: one a day) belongs to that day's sends.
      const zone = notice.dispatch?.timeZone ?? this.deps.settings.timeZone;
      const day = utcToLocal(claim.scheduledAt, zone).slice(0, 10);
      if (utcToLocal(now.toISOString(), zone).slice(0, 10) !== day) {
        await this.record(claim, leaseId, 'expired', { reason: `not sent: its day ${day} has passed, and a mass send goes on the day it was planned for${maybeSent}` });
        return undefined;
      }
    }
    // What goes out is what the reviewer approved: anything else fails, with the reason on record.
    const refusal = refusalToSend(claim, notice);
    if (refusal !== undefined) {
      await this.record(claim, leaseId, 'failed', { reason: refusal });
      return undefined;
    }
    return notice;
  }

  /** SMS, one Publish each: opted-out numbers skipped, quiet hours waited out, the rest sent under the rate cap. */
  async sendSms(batch: Claimed[]): Promise<void> {
    const queue = await this.smsReadyToSend(batch);
    const { clock } = this.deps;
    while (queue.length > 0) {
      // Found this run to be past the budget: held now, without taking rate slots for them.
      const unaffordable = await this.spend.unaffordable(queue);
      if (unaffordable.length > 0) {
        this.summary.heldForBudget += await this.spend.hold(unaffordable);
        queue.splice(0, queue.length, ...queue.filter((item) => !unaffordable.includes(item)));
        continue;
      }
      if (Date.now() > this.deadline) {
        // Out of time: hand the rest back now rather than waiting for their leases to run out.
        for (const { delivery, leaseId } of queue.splice(0)) {
          this.spend.settle(delivery, false);
          if (await this.deps.store.deliveries.release(delivery, leaseId, clock().toISOString(), { attempts: delivery.attempts }, clock())) this.summary.returned += 1;
        }
        return;
      }
      // Too late in this second for a send to reach SNS before it ends: wait for the next one.
      if (this.tooLateInSecond(clock().getTime())) {
        await this.sleep(1000 - (clock().getTime() % 1000) + 1);
        continue;
      }
      const { granted, second } = await this.limiter.take(queue.length, clock());
      if (granted === 0) {
        await this.sleep(1000 - (clock().getTime() % 1000) + 1);
        continue;
      }
      const { go, over } = await this.spend.reserve(queue.splice(0, granted));
      if (over.length > 0) this.summary.heldForBudget += await this.spend.hold(over);
      const unsent = await this.sendSmsInSecond(go, second);
      await this.spend.flushRefunds();
      queue.unshift(...unsent);
      // A template the carrier refuses fails every send: look after each second that failed, and every few
      // seconds for receipts that came back undelivered, not only at the round's end.
      if (this.failedThisSecond || clock().getTime() - this.guardedAt >= GUARD_EVERY_MS) await this.guardFailures();
    }
  }

  /** A send started now might reach SNS after this second ends (its slot would count twice). */
  private tooLateInSecond(atMs: number): boolean {
    return (atMs % 1000) + this.transit.guardMs() >= 1000;
  }

  /** Settles the SMS that cannot go now (opted out, quiet hours, no text); returns those that can. */
  private async smsReadyToSend(batch: Claimed[]): Promise<Claimed[]> {
    if (batch.length === 0) return [];
    const { store, clock } = this.deps;
    const optedOut = await store.subscribers.optedOut(batch.flatMap(({ delivery }) => (delivery.recipient.kind === 'sms' ? [delivery.recipient.phoneKey] : [])));
    const queue: Claimed[] = [];
    for (const item of batch) {
      const { delivery, leaseId, notice } = item;
      if (delivery.recipient.kind === 'sms' && optedOut.has(delivery.recipient.phoneKey)) {
        await this.record(delivery, leaseId, 'skipped', { reason: 'the number opted out' });
        continue;
      }
      const dispatch = notice.dispatch ?? { timeZone: this.deps.settings.timeZone, quietHours: defaultQuietHours };
      const waitUntil = quietUntil(clock(), dispatch.timeZone, dispatch.quietHours);
      if (waitUntil) {
        // Quiet hours, checked again at send time: wait for them to end, without using an attempt.
        if (await store.deliveries.release(delivery, leaseId, waitUntil, { attempts: delivery.attempts, reason: 'waiting for quiet hours to end' }, clock())) {
          this.summary.deferred += 1;
        }
        continue;
      }
      if (!notice.smsText) {
        await this.record(delivery, leaseId, 'failed', { reason: 'the notice has no approved SMS text' });
        continue;
      }
      queue.push(item);
    }
    return queue;
  }

  /**
   * Sends a slice on the slots of `second`; returns what could not start within it. The notices
   * are read first (the fence: a pause or cancel written since holds these sends back), each SMS
   * is marked in flight, and its Publish starts only within the second and within the fence.
   */
  private async sendSmsInSecond(slice: Claimed[], second: number): Promise<Claimed[]> {
    const { clock, notifier, settings, store } = this.deps;
    const fence = await this.fence(slice);
    const unsent: Claimed[] = [];
    // Slots are good only within their second, and a send must also reach SNS within it:
    // keeps each second under the cap as SNS counts (by arrival), not only as we do (by start).
    const mayStart = (atMs: number) => Math.floor(atMs / 1000) === second && !this.tooLateInSecond(atMs) && fence.holds();
    await inParallel(fence.go, settings.concurrency, async (item) => {
      const { delivery, leaseId, notice } = item;
      if (delivery.recipient.kind !== 'sms') return;
      if (!mayStart(clock().getTime())) {
        unsent.push(item);
        return;
      }
      if (!(await store.deliveries.markInFlight(delivery, leaseId, clock()))) {
        this.summary.lostLeases += 1; // another run has it now: it is theirs to send (and to pay for)
        this.spend.settle(delivery, false);
        return;
      }
      // Checked again after the write, right before the call: nothing async in between.
      const startedAt = clock().getTime();
      if (!mayStart(startedAt)) {
        unsent.push(item);
        return;
      }
      let outcome: { messageId: string } | NotifyError;
      try {
        outcome = await notifier.sendSms({ deliveryId: delivery.id, phoneNumber: delivery.recipient.phone, text: notice.smsText ?? '' });
      } catch (error) {
        if (!(error instanceof NotifyError)) throw error; // a crash: the next run marks it uncertain
        outcome = error;
      }
      this.transit.add(clock().getTime() - startedAt);
      if (outcome instanceof NotifyError) await this.failedAttempt(delivery, leaseId, outcome);
      else await this.record(delivery, leaseId, 'sent', { messageId: outcome.messageId, attempts: delivery.attempts + 1 });
    });
    return unsent;
  }

  /**
   * Reads the notices of claimed sends again, strongly consistent, and settles those whose notice
   * was paused (back to pending, to be parked) or cancelled since. The rest may start until the
   * fence closes: SEND_FENCE_MS after the read began, the time a pause waits before it answers.
   */
  private async fence(items: Claimed[]): Promise<{ go: Claimed[]; holds: () => boolean }> {
    const readFrom = performance.now();
    const holds = () => performance.now() - readFrom < SEND_FENCE_MS;
    const notices = await this.readNotices(
      items.map((item) => item.delivery),
      { consistent: true },
    );
    const go: Claimed[] = [];
    const { store, clock } = this.deps;
    for (const item of items) {
      const notice = notices.get(noticeKey(item.delivery));
      if (notice?.state === 'scheduled') {
        go.push({ ...item, notice });
        continue;
      }
      this.summary.stopped += 1;
      this.spend.settle(item.delivery, false);
      if (notice?.state === 'paused') await store.deliveries.release(item.delivery, item.leaseId, clock().toISOString(), { attempts: item.delivery.attempts }, clock());
      else await this.record(item.delivery, item.leaseId, 'cancelled', { reason: 'the notice was cancelled' });
    }
    return { go, holds };
  }

  /**
   * Only full batches now: the rest waits for the next round (or the end of the run), so a
   * notice's scripts go ten to a call however they fall across rounds and due shards — unless a
   * lease is running short.
   */
  async sendStationBatches(stations: Claimed[]): Promise<void> {
    while (stations.length >= STATION_BATCH_SIZE) await this.publishStationBatch(stations.splice(0, STATION_BATCH_SIZE));
    if (stations.some((item) => item.leaseEnds - this.deps.clock().getTime() < this.leaseMargin)) await this.publishStationBatch(stations.splice(0));
    this.waitingStations.push(...stations);
  }

  /** The last partial batches (each fenced like any other: a pause since their claim holds them). */
  async sendLastStationBatches(): Promise<void> {
    const last = this.waitingStations.splice(0);
    while (last.length > 0) await this.publishStationBatch(last.splice(0, STATION_BATCH_SIZE));
  }

  /**
   * One PublishBatch of station scripts, each outcome recorded; behind the same fence as SMS. A
   * script is not marked in flight: after a crash it is pushed again, and a station that gets it
   * twice has the same id twice (its airing is confirmed, and counted, once).
   */
  private async publishStationBatch(claimedBatch: Claimed[]): Promise<void> {
    if (claimedBatch.length === 0) return;
    // The recordings' links first: presigning may be slow (the S3 client's first use), and nothing
    // slow may come between the fence's read and the Publish.
    const links = new Map(await Promise.all(claimedBatch.map(async ({ delivery }) => [deliveryRef(delivery), await this.audioLink(delivery)] as const)));
    // A script whose claim's lease ran out may be another run's by now: it is not pushed from here.
    const now = this.deps.clock().getTime();
    const fence = await this.fence(claimedBatch.filter((item) => item.leaseEnds > now));
    const batch = fence.go;
    if (batch.length === 0) return;
    if (!fence.holds()) {
      // The read is too old to trust: back to pending, for a fresh round.
      for (const item of batch) await this.deps.store.deliveries.release(item.delivery, item.leaseId, this.deps.clock().toISOString(), { attempts: item.delivery.attempts }, this.deps.clock());
      return;
    }
    const messages = batch.flatMap(({ delivery }) =>
      delivery.recipient.kind === 'station'
        ? [
            {
              // Delivery ids are unique within a county only (two counties may load the same plan and
              // name stations alike): a batch mixing counties matches its outcomes by county too.
              deliveryId: deliveryRef(delivery),
              county: delivery.county,
              stationId: delivery.recipient.stationId,
              villageId: delivery.recipient.village,
              townshipId: delivery.recipient.township,
              body: JSON.stringify({ id: delivery.id, airAt: delivery.scheduledAt, availableUntil: delivery.availableUntil, ...delivery.script, ...links.get(deliveryRef(delivery)) }),
            },
          ]
        : [],
    );
    const outcome = await this.deps.notifier.publishToStations(messages);
    const byId = new Map(batch.map((item) => [deliveryRef(item.delivery), item]));
    for (const sent of outcome.sent) {
      const item = byId.get(sent.deliveryId);
      if (item) await this.record(item.delivery, item.leaseId, 'sent', { messageId: sent.messageId, attempts: item.delivery.attempts + 1 });
    }
    for (const failed of outcome.failed) {
      const item = byId.get(failed.deliveryId);
      if (item) await this.failedAttempt(item.delivery, item.leaseId, failed);
    }
  }

  /**
   * WeChat mass sends, one call each, behind the same fence as SMS. Each carries a clientmsgid
   * made from its delivery id, so a send retried after a crash or a lost answer is answered by
   * WeChat with the first send's msg_id (45065) instead of going out twice: unlike an SMS, it is
   * safe to send again, so it is not marked in flight.
   */
  async sendWeChat(items: Claimed[]): Promise<void> {
    if (items.length === 0) return;
    // No account (not configured, or its secret unreadable): these sends wait; SMS and broadcasts go on.
    const { channel, unavailable } = await this.wechatChannel();
    for (const item of items) {
      const { delivery, leaseId } = item;
      if (!channel) {
        await this.failedAttempt(delivery, leaseId, unavailable);
        continue;
      }
      if (delivery.county !== channel.county) {
        // The deployment's one account is its home county's: another county's article never goes out through it.
        await this.record(delivery, leaseId, 'failed', { reason: `not sent: the deployment's WeChat account is ${channel.county}'s, and ${delivery.county} has none of its own` });
        continue;
      }
      if (item.leaseEnds - this.deps.clock().getTime() < WECHAT_CALL_MARGIN_MS) {
        // Too little of the claim left for WeChat's answer to come back under it: back to pending, for a fresh claim.
        await this.deps.store.deliveries.release(delivery, leaseId, this.deps.clock().toISOString(), { attempts: delivery.attempts }, this.deps.clock());
        this.summary.returned += 1;
        continue;
      }
      const fence = await this.fence([item]);
      const [go] = fence.go;
      if (!go) continue;
      const { clock } = this.deps;
      if (!fence.holds()) {
        await this.deps.store.deliveries.release(delivery, leaseId, clock().toISOString(), { attempts: delivery.attempts }, clock());
        continue;
      }
      const notice = go.notice;
      const mediaId = notice.wechatDraft?.mediaId;
      if (notice.channel !== 'wechat' || !mediaId || delivery.recipient.kind !== 'wechat') {
        await this.record(delivery, leaseId, 'failed', { reason: 'not sent: no WeChat draft was made from the approved article' });
        continue;
      }
      const { tagId } = delivery.recipient;
      const audience = tagId === undefined ? { toAll: true as const } : { tagId };
      let result: MassSendResult;
      try {
        result = await channel.client.massSend({ mediaId, ...audience, clientMsgId: clientMsgIdOf(delivery.id) });
      } catch (error) {
        if (error instanceof WeChatDuplicateSend) {
          // Sent before under this clientmsgid, WeChat did not say as which message: it went, once.
          await this.record(delivery, leaseId, 'sent', { attempts: delivery.attempts + 1, reason: `WeChat had this send already (clientmsgid ${error.clientMsgId}) but gave no msg_id: not sent again; its result is not followed` });
          continue;
        }
        await this.failedAttempt(delivery, leaseId, wechatFailure(error));
        continue;
      }
      const submittedAt = clock().toISOString();
      await this.record(delivery, leaseId, 'sent', {
        messageId: result.msgId,
        attempts: delivery.attempts + 1,
        wechat: { phase: result.state, submittedAt, ...(result.msgDataId ? { msgDataId: result.msgDataId } : {}) },
        ...(result.duplicate ? { reason: 'WeChat had this send already (same clientmsgid): not sent again' } : {}),
      });
      // WeChat's result may have come before the send was recorded: apply it now if so. If that
      // fails, the result stays kept and the follow-up (or the next event) applies it.
      try {
        await this.deps.store.wechatSends.applyResult(delivery.county, result.msgId, clock());
      } catch (error) {
        this.deps.logger.warn('WeChat result not applied yet; the follow-up will', { msgId: result.msgId, ...errorFields(error) });
      }
    }
  }

  /** The county's WeChat account, or why there is none to use now: not configured, or its secret could not be read (logged). */
  private async wechatChannel(): Promise<{ channel: WeChatChannel; unavailable?: undefined } | { channel?: undefined; unavailable: { kind: 'transient'; code: string; message: string } }> {
    try {
      const channel = this.deps.wechat ? await this.deps.wechat() : undefined;
      if (channel) return { channel };
      return { unavailable: { kind: 'transient', code: 'WeChatNotConfigured', message: 'WeChat is not configured for this deployment (no AppID and AppSecret)' } };
    } catch (error) {
      this.deps.logger.error('the WeChat account could not be set up', errorFields(error));
      return { unavailable: { kind: 'transient', code: 'WeChatUnavailable', message: `the WeChat account could not be set up: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300) } };
    }
  }

  /** A pushed script's recording with a link to fetch it (absent without a recording or a store). */
  private async audioLink(delivery: DeliveryRecord): Promise<{ audio?: { url?: string; sha256: string; durationSeconds: number } }> {
    const recording = delivery.script?.audio;
    if (!recording || !this.deps.audioLinks) return {};
    try {
      const url = await (await this.deps.audioLinks()).url(recording.key, PUSHED_AUDIO_LINK_SECONDS);
      return { audio: { url, sha256: recording.sha256, durationSeconds: recording.durationSeconds } };
    } catch (error) {
      // The script still goes (its text, its recording's fingerprint): the station fetches a fresh link when it pulls.
      this.deps.logger.warn('no link to the recording for a pushed script', { deliveryId: delivery.id, ...errorFields(error) });
      return { audio: { sha256: recording.sha256, durationSeconds: recording.durationSeconds } };
    }
  }

  /** Records an outcome under the run's lease, counted in the tally month of the notice's time zone. */
  private async record(delivery: DeliveryRecord, leaseId: string, outcome: Exclude<Outcome, 'uncertain'>, details: Details): Promise<void> {
    const { store, clock, logger } = this.deps;
    const period = this.periodOf(delivery);
    this.outcomesSinceGuard.set(noticeKey(delivery), delivery);
    if (outcome === 'failed') this.failedThisSecond = true;
    const spend = outcome === 'sent' ? this.spend.spendOf(delivery) : undefined;
    this.spend.settle(delivery, outcome === 'sent');
    const held = await store.deliveries.finish(delivery, leaseId, outcome, { ...details, spend }, clock(), period);
    // Too slow: another run found the lease run out and marked the SMS uncertain. This run knows
    // what happened, so that replaces "uncertain".
    if (!held && delivery.recipient.kind === 'sms' && (await store.deliveries.settleUncertain(delivery, leaseId, outcome, details, clock(), period))) {
      this.summary[outcome] += 1;
      return;
    }
    if (!held) {
      this.summary.lostLeases += 1;
      logger.warn('delivery outcome after its lease ran out', { deliveryId: delivery.id, outcome });
      return;
    }
    this.summary[outcome] += 1;
  }

  /** A failed attempt: retry later with backoff, or give up with the reason. */
  private async failedAttempt(delivery: DeliveryRecord, leaseId: string, error: { kind: string; code: string; message: string }): Promise<void> {
    const { store, clock, settings } = this.deps;
    const attempts = delivery.attempts + 1;
    // Provider messages can quote the number ("Invalid parameter: PhoneNumber +86…"): mask it.
    const reason = maskPhonesIn(`${error.code}: ${error.message}`).slice(0, 300);
    // A WeChat mass send is tried again until its late window closes, never sooner than a minute
    // on (WeChat refuses the same clientmsgid within a minute, 45066): an unanswered try may have gone out.
    const decision =
      error.kind === 'permanent'
        ? ({ giveUp: true } as const)
        : delivery.recipient.kind === 'wechat'
          ? wechatRetry(attempts, settings.retry, this.random)
          : nextRetry(attempts, settings.retry, this.random);
    if ('giveUp' in decision) {
      await this.record(delivery, leaseId, 'failed', { reason: error.kind === 'permanent' ? reason : `gave up after ${attempts} attempts: ${reason}`, attempts });
      return;
    }
    this.spend.settle(delivery, false);
    this.outcomesSinceGuard.set(noticeKey(delivery), delivery);
    const retryAt = new Date(clock().getTime() + decision.retryInMs).toISOString();
    if (await store.deliveries.release(delivery, leaseId, retryAt, { attempts, reason }, clock())) this.summary.retried += 1;
    else this.summary.lostLeases += 1;
  }

  private async readNotices(deliveries: DeliveryRecord[], options: { consistent?: boolean } = {}): Promise<Map<NoticeKey, NoticeRecord | undefined>> {
    const refs = new Map(deliveries.map((delivery) => [noticeKey(delivery), delivery]));
    const read = await Promise.all(
      [...refs].map(async ([key, ref]) => [key, await this.deps.store.notices.get(ref.county, ref.campaignId, ref.noticeId, options)] as const),
    );
    return new Map(read);
  }

  /** Marks the notices that are done, logs the run and returns its summary. */
  async finish(): Promise<DispatchSummary> {
    const { store, clock, logger } = this.deps;
    const summary = this.summary;
    await this.spend.finish();
    summary.completedNotices = await completeFinishedNotices(store, [...this.touched.values()], clock());
    // An idle run (every minute, all year) is debug; a run that did something is info.
    const busy = summary.claimed + summary.parked + summary.uncertain + summary.expanded + summary.heldForBudget + summary.resumedFromBudget + summary.wechatFollowed + (summary.optOutsSynced ?? 0) > 0;
    (busy ? logger.info : logger.debug)('dispatch run', { ...summary, completedNotices: summary.completedNotices.length, autoPaused: summary.autoPaused.length });
    return summary;
  }
}

/** WeChat refuses a clientmsgid used again within a minute (45066): tries are further apart than that. */
const WECHAT_RETRY_MIN_MS = 65_000;
/** A WeChat call is started only with this much of its claim left: time for a slow answer (the client waits 15 s) and the write after. */
const WECHAT_CALL_MARGIN_MS = 20_000;

/** The longest a WeChat mass send may go after its time (see sendableNotice). */
export const WECHAT_LATE_WINDOW_MINUTES = 12 * 60;

/** The policy's backoff, never given up on (the late window ends a mass send) and never sooner than WeChat allows. */
function wechatRetry(attempts: number, policy: RetryPolicy, random: () => number): { retryInMs: number } {
  const backoff = nextRetry(attempts, { ...policy, maxAttempts: Number.MAX_SAFE_INTEGER }, random);
  return { retryInMs: Math.max(WECHAT_RETRY_MIN_MS, 'retryInMs' in backoff ? backoff.retryInMs : 0) };
}

/** A protected send is asked about once its 30 minutes to confirm have passed, then every 10 minutes; any other an hour after it went, then hourly. */
const PROTECTION_MS = (WECHAT_CONFIRMATION_MINUTES + 1) * 60_000;
const FOLLOW_PROTECTED_EVERY_MS = 10 * 60_000;
const FOLLOW_AFTER_MS = 60 * 60_000;

export function followUpDue(send: OpenWeChatSend, now: Date): boolean {
  const age = now.getTime() - Date.parse(send.submittedAt);
  const sinceCheck = now.getTime() - Date.parse(send.checkedAt ?? send.submittedAt);
  return send.awaitingConfirmation ? age >= PROTECTION_MS && sinceCheck >= Math.min(FOLLOW_PROTECTED_EVERY_MS, age) : age >= FOLLOW_AFTER_MS && sinceCheck >= FOLLOW_AFTER_MS;
}

/** A clientmsgid for a delivery: stable across retries, within WeChat's 64 bytes whatever the ids' length. */
export function clientMsgIdOf(deliveryId: string): string {
  return `pufa-${createHash('sha256').update(deliveryId).digest('hex').slice(0, 40)}`;
}

/**
 * A WeChat failure as the dispatcher retries or records it: no answer, a rate limit, a token
 * WeChat keeps refusing and a garbled answer are tried again with backoff; everything WeChat
 * refused outright (no mass-send quota left, a draft it will not send) is final, with its code.
 */
export function wechatFailure(error: unknown): { kind: 'transient' | 'permanent'; code: string; message: string } {
  if (error instanceof WeChatRateLimited || error instanceof WeChatTokenRejected || error instanceof WeChatAwaitingConfirmation) {
    return { kind: 'transient', code: `WeChat${error.errcode}`, message: error.errmsg };
  }
  if (error instanceof WeChatQuotaReached) return { kind: 'permanent', code: `WeChat${error.errcode}`, message: `no mass-send quota left (订阅号 one a day, 服务号 four a month per follower): ${error.errmsg}` };
  if (error instanceof WeChatDuplicateSend) return { kind: 'permanent', code: `WeChat${error.errcode}`, message: `WeChat says this was sent before (clientmsgid ${error.clientMsgId}) but not as which message: not sent again` };
  if (error instanceof WeChatApiError) return { kind: 'permanent', code: `WeChat${error.errcode}`, message: error.errmsg };
  if (error instanceof WeChatUnreachable || error instanceof WeChatBadAnswer) return { kind: 'transient', code: error.name, message: error.message };
  throw error;
}

/** Reads SNS's opt-out list when the last sync is older than the setting. */
async function syncOptOuts(deps: DispatchDeps): Promise<number | undefined> {
  const { store, notifier, clock, logger, settings } = deps;
  const last = await store.subscribers.lastOptOutSync();
  if (last && clock().getTime() - Date.parse(last) < settings.optOutSyncMinutes * 60_000) return undefined;
  try {
    const keysSeen: string[] = [];
    for await (const number of notifier.optedOutNumbers()) {
      const parsed = normalisePhone(number.startsWith('+') ? number : `+${number}`);
      if (parsed.ok) keysSeen.push(deps.phoneKeys.keyOf(parsed.e164));
    }
    await store.subscribers.recordOptOuts(keysSeen, clock());
    await store.subscribers.markOptOutSync(clock(), keysSeen.length);
    return keysSeen.length;
  } catch (error) {
    // Reported, and tried again next run; sending goes on with the opt-outs already known.
    logger.error('SNS opt-out list sync failed', errorFields(error));
    return undefined;
  }
}

/** A scheduled notice whose deliveries have all ended (and whose expansion is done) is done. */
async function completeFinishedNotices(
  store: Store,
  touched: Pick<DeliveryRecord, 'county' | 'campaignId' | 'noticeId'>[],
  now: Date,
): Promise<string[]> {
  const completed: string[] = [];
  const expanding = new Set((await pendingExpansions(store, 100)).map((job) => noticeKey(job)));
  for (const ref of touched) {
    if (expanding.has(noticeKey(ref))) continue;
    const counts = await store.deliveries.counts(ref.county, ref.campaignId, ref.noticeId);
    if (counts.total === 0 || counts.pending > 0) continue;
    const notice = await store.notices.get(ref.county, ref.campaignId, ref.noticeId);
    if (notice?.state !== 'scheduled') continue;
    try {
      await store.notices.transition(notice, { from: 'scheduled', to: 'done' }, {}, now);
      completed.push(noticeKey(ref));
    } catch (error) {
      if (!(error instanceof Conflict)) throw error; // paused or cancelled meanwhile: not done
    }
  }
  return completed;
}
