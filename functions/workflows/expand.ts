/**
 * @module workflows/expand
 * When a notice is scheduled its audience becomes deliveries: one per subscriber per send time
 * for SMS, one per station per send time for a broadcast, one mass send per send time for WeChat. A county audience can be 100,000
 * people, so expansion is resumable work: a job item records which township and which page it
 * has reached; each step reads one page of subscribers and writes their deliveries in
 * transactions of 99; the schedule request does a first slice and the dispatcher the rest.
 */
import { stationScript } from '../domain/approval.js';
import { availableUntil, deliveryId, type DeliveryRecord, type Recipient } from '../domain/delivery.js';
import type { NoticeRecord } from '../domain/planning.js';
import type { Registry } from '../domain/registry.js';
import { reachable } from '../domain/subscriber.js';
import type { ExpansionJob, ExpansionRef } from '../store/expansions.js';
import type { Store } from '../store/index.js';

/** Subscribers read per step: 4 transactions of 99 deliveries per send time. */
const PAGE_SIZE = 396;
/** A step's claim on a job: long enough for one page, short enough that a crash costs little. */
const JOB_LEASE_MS = 60_000;

export interface ExpansionProgress {
  done: boolean;
  expanded: number;
  requests: number;
}

/** The townships whose partitions an SMS audience must read. */
export function townshipsToRead(notice: Pick<NoticeRecord, 'audience'>, registry: Registry): string[] {
  const { audience } = notice;
  if (audience.all || audience.groups.length > 0) return registry.townships.map((township) => township.id);
  const villageTownship = new Map(registry.villages.map((village) => [village.id, village.township]));
  const fromVillages = audience.villages.flatMap((village) => villageTownship.get(village) ?? []);
  return [...new Set([...audience.townships, ...fromVillages])];
}

/** Broadcast recipients: the stations in the audience's townships and villages. */
export function stationsFor(notice: Pick<NoticeRecord, 'audience'>, registry: Registry): Recipient[] {
  const villageTownship = new Map(registry.villages.map((village) => [village.id, village.township]));
  const { audience } = notice;
  return registry.stations
    .filter((station) => {
      const township = villageTownship.get(station.village) ?? '';
      return audience.all || audience.villages.includes(station.village) || audience.townships.includes(township);
    })
    .map((station) => ({ kind: 'station' as const, stationId: station.id, village: station.village, township: villageTownship.get(station.village) ?? '' }));
}

/**
 * The deliveries of `recipients`, one per send time. `firstRank` is the first recipient's place in
 * the notice's audience: each delivery's `fairRank`, by which notices due in the same minute take
 * turns in the due index (domain/fair-queue).
 */
function deliveriesFor(notice: NoticeRecord, recipients: readonly Recipient[], timeZone: string, now: string, firstRank = 0): DeliveryRecord[] {
  const sends = notice.sends ?? [];
  return sends.flatMap((send, sendIndex) =>
    recipients.map((recipient, index): DeliveryRecord => ({
      id: deliveryId(notice.campaignId, notice.id, sendIndex, recipient),
      county: notice.county,
      campaignId: notice.campaignId,
      noticeId: notice.id,
      sendIndex,
      scheduledAt: send.at,
      recipient,
      state: 'pending',
      attempts: 0,
      fairRank: firstRank + index,
      updatedAt: now,
      ...(notice.channel === 'broadcast'
        ? {
            script: stationScript(notice),
            availableUntil: availableUntil(send.at, notice.broadcast.airWindows, timeZone),
          }
        : {}),
    })),
  );
}

/** Starts expanding a scheduled notice: stations at once, subscribers as a resumable job. */
export async function startExpansion(store: Store, notice: NoticeRecord, registry: Registry, timeZone: string, now: Date): Promise<ExpansionProgress> {
  if (notice.channel === 'broadcast') {
    const written = await store.deliveries.createMany(deliveriesFor(notice, stationsFor(notice, registry), timeZone, now.toISOString()));
    return { done: true, expanded: written.created, requests: written.requests };
  }
  if (notice.channel === 'wechat') {
    // One mass send per send time: WeChat reaches the followers.
    const recipient: Recipient = { kind: 'wechat', ...(notice.wechat.tagId === undefined ? {} : { tagId: notice.wechat.tagId }) };
    const written = await store.deliveries.createMany(deliveriesFor(notice, [recipient], timeZone, now.toISOString()));
    return { done: true, expanded: written.created, requests: written.requests };
  }
  const job: ExpansionJob = {
    county: notice.county,
    campaignId: notice.campaignId,
    noticeId: notice.id,
    townships: townshipsToRead(notice, registry),
    townshipIndex: 0,
    expanded: 0,
    createdAt: now.toISOString(),
  };
  await store.expansions.start(job);
  return { done: job.townships.length === 0, expanded: 0, requests: 1 };
}

/** Expansion jobs not yet finished, oldest first (for the dispatcher). */
export async function pendingExpansions(store: Store, limit = 20): Promise<ExpansionJob[]> {
  return store.expansions.pending(limit);
}

/**
 * Works on one job until it is done or `deadline` passes. Each step claims the job (so two
 * dispatchers never expand the same page at once), writes one page, then moves the cursor.
 * If a step crashes after writing, the next one rewrites that page: existing deliveries are
 * left alone, so nothing is sent twice and nothing counted twice.
 */
export async function advanceExpansion(
  store: Store,
  job: ExpansionRef,
  options: { now: () => Date; deadline: number; timeZone: string },
): Promise<ExpansionProgress> {
  let requests = 0;
  const notice = await store.notices.get(job.county, job.campaignId, job.noticeId);
  if (!notice || notice.state === 'cancelled') {
    await store.expansions.remove(job);
    return { done: true, expanded: 0, requests: 1 };
  }
  for (;;) {
    const now = options.now();
    let state = await store.expansions.get(job);
    if (!state) return { done: true, expanded: 0, requests };
    if (state.townshipIndex >= state.townships.length) return finish(state);
    if (Date.now() > options.deadline) return { done: false, expanded: state.expanded, requests };

    // Claim the step.
    const leaseUntil = new Date(now.getTime() + JOB_LEASE_MS).toISOString();
    if (!(await store.expansions.claimStep(job, leaseUntil, now))) return { done: false, expanded: state.expanded, requests }; // another runner has it

    const township = state.townships[state.townshipIndex] ?? '';
    const page = await store.subscribers.page(job.county, township, { limit: PAGE_SIZE, cursor: state.cursor });
    const recipients: Recipient[] = page.items
      .filter((subscriber) => reachable(subscriber) && inAudience(notice, subscriber))
      .map((subscriber) => ({ kind: 'sms', phone: subscriber.phone, phoneKey: subscriber.phoneKey, township: subscriber.township, village: subscriber.village }));
    // The audience so far (what earlier pages made, per send time) is where this page's ranks start.
    const firstRank = Math.floor(state.expanded / Math.max(1, notice.sends?.length ?? 1));
    const written = await store.deliveries.createMany(deliveriesFor(notice, recipients, options.timeZone, now.toISOString(), firstRank));
    requests += written.requests + 3;

    const next: ExpansionJob = page.nextCursor
      ? { ...state, cursor: page.nextCursor, expanded: state.expanded + written.created }
      : { ...state, townshipIndex: state.townshipIndex + 1, expanded: state.expanded + written.created };
    if (!page.nextCursor) delete next.cursor;
    delete next.leaseUntil;
    await store.expansions.saveStep(next, leaseUntil);
    state = next;
  }

  async function finish(state: ExpansionJob): Promise<ExpansionProgress> {
    // Done: leave the record (how many were expanded) but take it out of the pending index.
    await store.expansions.finish(state);
    return { done: true, expanded: state.expanded, requests: requests + 1 };
  }
}

/** Is this subscriber in the notice's audience (townships, villages or groups, or the whole county)? */
export function inAudience(notice: Pick<NoticeRecord, 'audience'>, subscriber: { township: string; village: string; groups: string[] }): boolean {
  const { audience } = notice;
  return (
    audience.all ||
    audience.townships.includes(subscriber.township) ||
    audience.villages.includes(subscriber.village) ||
    subscriber.groups.some((group) => audience.groups.includes(group))
  );
}
