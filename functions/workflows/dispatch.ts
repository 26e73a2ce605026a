/**
 * @module workflows/dispatch
 * The sending loop, run every minute by EventBridge in AWS, by a ticker in `npm start`, and by
 * `npm run dispatch`. Each run: syncs the SNS opt-out list when due, advances audience
 * expansions, then takes due deliveries from the due index, claims each with a lease, and sends:
 * SMS one Publish each under the shared rate cap, station scripts ten to a PublishBatch.
 * Every delivery ends sent, skipped (opted out), expired (too late), cancelled or failed with
 * its reason — or goes back to pending with a retry time. None is dropped.
 */
import { randomUUID } from 'node:crypto';
import { refusalToSend } from '../domain/approval.js';
import { defaultRetryPolicy, lateBy, nextRetry, quietUntil, tallyPeriod, type DeliveryRecord, type RetryPolicy } from '../domain/delivery.js';
import { maskPhonesIn, normalisePhone, type PhoneKeys } from '../domain/phone.js';
import type { NoticeRecord } from '../domain/planning.js';
import { defaultQuietHours } from '../domain/schedule.js';
import { TransitTimes } from '../domain/transit.js';
import type { Logger } from '../http/logger.js';
import { errorFields } from '../http/logger.js';
import { NotifyError, STATION_BATCH_SIZE, type Notifier } from '../notify/sns.js';
import type { Outcome } from '../store/deliveries.js';
import type { Store } from '../store/index.js';
import { advanceExpansion, pendingExpansions } from './expand.js';
import { inParallel } from './parallel.js';

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
};

export interface DispatchDeps {
  store: Store;
  notifier: Notifier;
  clock: () => Date;
  logger: Logger;
  /** Maps SNS's opted-out numbers onto the table's opt-out keys. */
  phoneKeys: PhoneKeys;
  settings: DispatchSettings;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

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
  /** Outcomes that found their claim taken over after the lease ran out (a possible duplicate). */
  lostLeases: number;
  expanded: number;
  optOutsSynced?: number;
  completedNotices: string[];
}

type NoticeKey = string;
const noticeKey = (delivery: Pick<DeliveryRecord, 'county' | 'campaignId' | 'noticeId'>) => `${delivery.county}/${delivery.campaignId}/${delivery.noticeId}`;

export async function runDispatch(deps: DispatchDeps, options: { budgetMs: number }): Promise<DispatchSummary> {
  const { store, notifier, clock, logger, settings } = deps;
  const random = deps.random ?? Math.random;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((wake) => setTimeout(wake, ms)));
  const deadline = Date.now() + options.budgetMs;
  const limiter = store.rateLimiter('sms', settings.smsPerSecond);
  const transit = new TransitTimes();
  /** A send started now might reach SNS after this second ends (its slot would count twice). */
  const tooLateInSecond = (atMs: number) => (atMs % 1000) + transit.guardMs() >= 1000;
  const summary: DispatchSummary = {
    startedAt: clock().toISOString(),
    claimed: 0,
    sent: 0,
    failed: 0,
    skipped: 0,
    expired: 0,
    cancelled: 0,
    retried: 0,
    deferred: 0,
    parked: 0,
    lostLeases: 0,
    expanded: 0,
    completedNotices: [],
  };
  const touched = new Map<NoticeKey, Pick<DeliveryRecord, 'county' | 'campaignId' | 'noticeId'>>();

  summary.optOutsSynced = await syncOptOuts(deps);

  for (const job of await pendingExpansions(store)) {
    if (Date.now() > deadline) break;
    const notice = await store.notices.get(job.county, job.campaignId, job.noticeId);
    const progress = await advanceExpansion(store, job, {
      now: clock,
      deadline: Math.min(deadline, Date.now() + options.budgetMs / 2),
      timeZone: notice?.dispatch?.timeZone ?? 'Asia/Shanghai',
    });
    summary.expanded += progress.expanded;
  }

  const timeZones = new Map<NoticeKey, string>();
  const record = async (delivery: DeliveryRecord, leaseId: string, outcome: Outcome, details: { messageId?: string; reason?: string; attempts?: number }) => {
    const period = tallyPeriod(delivery.scheduledAt, timeZones.get(noticeKey(delivery)) ?? 'Asia/Shanghai');
    const held = await store.deliveries.finish(delivery, leaseId, outcome, details, clock(), period);
    if (!held) {
      summary.lostLeases += 1;
      logger.warn('delivery outcome after its lease ran out', { deliveryId: delivery.id, outcome });
      return;
    }
    summary[outcome] += 1;
  };

  /** A failed attempt: retry later with backoff, or give up with the reason. */
  const failedAttempt = async (delivery: DeliveryRecord, leaseId: string, error: { kind: string; code: string; message: string }) => {
    const attempts = delivery.attempts + 1;
    // Provider messages can quote the number ("Invalid parameter: PhoneNumber +86…"): mask it.
    const reason = maskPhonesIn(`${error.code}: ${error.message}`).slice(0, 300);
    const decision = error.kind === 'permanent' ? ({ giveUp: true } as const) : nextRetry(attempts, settings.retry, random);
    if ('giveUp' in decision) {
      await record(delivery, leaseId, 'failed', { reason: error.kind === 'permanent' ? reason : `gave up after ${attempts} attempts: ${reason}`, attempts });
      return;
    }
    const retryAt = new Date(clock().getTime() + decision.retryInMs).toISOString();
    if (await store.deliveries.release(delivery, leaseId, retryAt, { attempts, reason }, clock())) summary.retried += 1;
    else summary.lostLeases += 1;
  };

  type Claimed = { delivery: DeliveryRecord; leaseId: string; notice: NoticeRecord; leaseEnds: number };
  /** Claimed station scripts short of a full PublishBatch, kept for the next round's batches. */
  const waitingStations: Claimed[] = [];
  /**
   * A script waits for a fuller batch only while its lease has this much left: past that it goes
   * now, in a partial batch, so it can never be claimed again (here or by another run) and sent twice.
   */
  const leaseMargin = settings.leaseMs / 2;
  /** Scripts whose notice was paused or cancelled while they waited go back to pending. */
  const stillToSend = async (items: Claimed[], notices: Map<NoticeKey, NoticeRecord | undefined>, now: Date): Promise<Claimed[]> => {
    const kept: Claimed[] = [];
    for (const item of items) {
      const notice = notices.get(noticeKey(item.delivery));
      if (notice && !['paused', 'cancelled', 'done'].includes(notice.state)) kept.push({ ...item, notice });
      // Back to pending, for the next round's rules (park, cancel) to settle.
      else await store.deliveries.release(item.delivery, item.leaseId, now.toISOString(), { attempts: item.delivery.attempts }, now);
    }
    return kept;
  };
  const readNotices = async (deliveries: DeliveryRecord[]) => {
    const notices = new Map<NoticeKey, NoticeRecord | undefined>();
    for (const delivery of deliveries) {
      const key = noticeKey(delivery);
      if (!notices.has(key)) notices.set(key, await store.notices.get(delivery.county, delivery.campaignId, delivery.noticeId));
    }
    return notices;
  };

  while (Date.now() < deadline) {
    const now = clock();
    const due = await store.deliveries.due(now, settings.batchSize);
    if (due.length === 0) break;

    // Notices are read fresh every round, so a pause takes effect before the next claim.
    const notices = await readNotices([...due, ...waitingStations.map((item) => item.delivery)]);

    let progress = false;
    const sms: Claimed[] = [];
    const stations: Claimed[] = await stillToSend(waitingStations.splice(0), notices, now);
    // Claims are independent conditional writes: made in parallel, so a round's claims take
    // the time of a few writes rather than of a hundred, and sending starts sooner.
    const claimed = await inParallel(due, settings.concurrency, async (delivery): Promise<Claimed | undefined> => {
      const notice = notices.get(noticeKey(delivery));
      touched.set(noticeKey(delivery), delivery);
      if (notice?.dispatch) timeZones.set(noticeKey(delivery), notice.dispatch.timeZone);
      if (notice?.state === 'paused' && delivery.state === 'pending') {
        if (await store.deliveries.park(delivery, now)) summary.parked += 1;
        progress = true;
        return undefined;
      }
      const leaseId = randomUUID();
      const claim = await store.deliveries.claim(delivery, { id: leaseId, until: new Date(now.getTime() + settings.leaseMs) }, now);
      if (!claim) return undefined; // another dispatcher has it
      progress = true;
      summary.claimed += 1;
      if (!notice || notice.state === 'cancelled' || notice.state === 'done') {
        await record(claim, leaseId, 'cancelled', { reason: 'the notice was cancelled' });
        return undefined;
      }
      const late = lateBy(claim.scheduledAt, now, notice.lateWindowMinutes ?? settings.lateWindowMinutes);
      if (late !== undefined) {
        await record(claim, leaseId, 'expired', {
          reason: `not sent: ${late} min after its time, past the ${notice.lateWindowMinutes ?? settings.lateWindowMinutes} min late window`,
        });
        return undefined;
      }
      // What goes out is what the reviewer approved: anything else fails, with the reason on record.
      const refusal = refusalToSend(claim, notice);
      if (refusal !== undefined) {
        await record(claim, leaseId, 'failed', { reason: refusal });
        return undefined;
      }
      return { delivery: claim, leaseId, notice, leaseEnds: now.getTime() + settings.leaseMs };
    });
    // Kept in due order (oldest first), whatever order the claims finished in.
    for (const item of claimed) if (item) (item.delivery.recipient.kind === 'sms' ? sms : stations).push(item);

    await sendSms(sms);
    // Only full batches now: the rest waits for the next round (or the end of the run), so a
    // notice's scripts go ten to a call however they fall across rounds and due shards.
    while (stations.length >= STATION_BATCH_SIZE) await sendStations(stations.splice(0, STATION_BATCH_SIZE));
    if (stations.some((item) => item.leaseEnds - clock().getTime() < leaseMargin)) await sendStations(stations.splice(0));
    waitingStations.push(...stations);
    if (!progress) break; // everything due is claimed by someone else: leave it to them
  }
  // The last partial batches, with their notices read again: a pause since their claim holds them.
  const lastNotices = await readNotices(waitingStations.map((item) => item.delivery));
  const last = await stillToSend(waitingStations.splice(0), lastNotices, clock());
  while (last.length > 0) await sendStations(last.splice(0, STATION_BATCH_SIZE));

  summary.completedNotices = await completeFinishedNotices(store, [...touched.values()], clock());
  // An idle run (every minute, all year) is debug; a run that did something is info.
  const busy = summary.claimed + summary.parked + summary.expanded + (summary.optOutsSynced ?? 0) > 0;
  (busy ? logger.info : logger.debug)('dispatch run', { ...summary, completedNotices: summary.completedNotices.length });
  return summary;

  async function sendSms(batch: { delivery: DeliveryRecord; leaseId: string; notice: NoticeRecord }[]): Promise<void> {
    if (batch.length === 0) return;
    const optedOut = await store.subscribers.optedOut(batch.flatMap(({ delivery }) => (delivery.recipient.kind === 'sms' ? [delivery.recipient.phoneKey] : [])));
    const queue: typeof batch = [];
    for (const item of batch) {
      const { delivery, leaseId, notice } = item;
      if (delivery.recipient.kind === 'sms' && optedOut.has(delivery.recipient.phoneKey)) {
        await record(delivery, leaseId, 'skipped', { reason: 'the number opted out' });
        continue;
      }
      const dispatch = notice.dispatch ?? { timeZone: 'Asia/Shanghai', quietHours: defaultQuietHours };
      const waitUntil = quietUntil(clock(), dispatch.timeZone, dispatch.quietHours);
      if (waitUntil) {
        // Quiet hours, checked again at send time: wait for them to end, without using an attempt.
        if (await store.deliveries.release(delivery, leaseId, waitUntil, { attempts: delivery.attempts, reason: 'waiting for quiet hours to end' }, clock())) {
          summary.deferred += 1;
        }
        continue;
      }
      if (!notice.smsText) {
        await record(delivery, leaseId, 'failed', { reason: 'the notice has no approved SMS text' });
        continue;
      }
      queue.push(item);
    }

    while (queue.length > 0) {
      if (Date.now() > deadline) {
        // Out of time: hand the rest back now rather than waiting for their leases to run out.
        for (const { delivery, leaseId } of queue.splice(0)) {
          await store.deliveries.release(delivery, leaseId, clock().toISOString(), { attempts: delivery.attempts }, clock());
        }
        return;
      }
      // Too late in this second for a send to reach SNS before it ends: wait for the next one.
      if (tooLateInSecond(clock().getTime())) {
        await sleep(1000 - (clock().getTime() % 1000) + 1);
        continue;
      }
      const { granted, second } = await limiter.take(queue.length, clock());
      if (granted === 0) {
        await sleep(1000 - (clock().getTime() % 1000) + 1);
        continue;
      }
      const slice = queue.splice(0, granted);
      const unsent: typeof slice = [];
      await inParallel(slice, settings.concurrency, async (item) => {
        // Slots are good only within their second, and a send must also reach SNS within it:
        // keeps each second under the cap as SNS counts (by arrival), not only as we do (by start).
        const startedAt = clock().getTime();
        if (Math.floor(startedAt / 1000) !== second || tooLateInSecond(startedAt)) {
          unsent.push(item);
          return;
        }
        const { delivery, leaseId, notice } = item;
        if (delivery.recipient.kind !== 'sms') return;
        let outcome: { messageId: string } | NotifyError;
        try {
          outcome = await notifier.sendSms({ deliveryId: delivery.id, phoneNumber: delivery.recipient.phone, text: notice.smsText ?? '' });
        } catch (error) {
          if (!(error instanceof NotifyError)) throw error; // a crash: the lease brings it back
          outcome = error;
        }
        transit.add(clock().getTime() - startedAt);
        if (outcome instanceof NotifyError) await failedAttempt(delivery, leaseId, outcome);
        else await record(delivery, leaseId, 'sent', { messageId: outcome.messageId, attempts: delivery.attempts + 1 });
      });
      queue.unshift(...unsent);
    }
  }

  async function sendStations(batch: { delivery: DeliveryRecord; leaseId: string; notice: NoticeRecord }[]): Promise<void> {
    if (batch.length === 0) return;
    const messages = batch.flatMap(({ delivery }) =>
      delivery.recipient.kind === 'station'
        ? [
            {
              deliveryId: delivery.id,
              stationId: delivery.recipient.stationId,
              villageId: delivery.recipient.village,
              townshipId: delivery.recipient.township,
              body: JSON.stringify({ id: delivery.id, airAt: delivery.scheduledAt, availableUntil: delivery.availableUntil, ...delivery.script }),
            },
          ]
        : [],
    );
    const outcome = await notifier.publishToStations(messages);
    const byId = new Map(batch.map((item) => [item.delivery.id, item]));
    for (const sent of outcome.sent) {
      const item = byId.get(sent.deliveryId);
      if (item) await record(item.delivery, item.leaseId, 'sent', { messageId: sent.messageId, attempts: item.delivery.attempts + 1 });
    }
    for (const failed of outcome.failed) {
      const item = byId.get(failed.deliveryId);
      if (item) await failedAttempt(item.delivery, item.leaseId, failed);
    }
  }
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
      if (!(error instanceof Error && error.name === 'Conflict')) throw error; // paused or cancelled meanwhile: not done
    }
  }
  return completed;
}
