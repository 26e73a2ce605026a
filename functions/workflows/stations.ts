/**
 * @module workflows/stations
 * A station's side of broadcasting, shared by the API and the station's page: its scripts to air
 * (each pull records its last contact) and confirming an airing. And which stations are in touch:
 * each station's last contact and whether it came today, in the county's time zone — stations are
 * often offline, and this is how the county office sees which have not fetched today's scripts —
 * and, for stations with a push endpoint, whether their subscription is confirmed, when their
 * receiver last reported a push and when they last confirmed an airing.
 */
import type { Config } from '../config.js';
import { airedAtProblem, tallyPeriod, parseDeliveryId, type DeliveryRecord } from '../domain/delivery.js';
import { Conflict, Invalid, NotFound } from '../domain/errors.js';
import type { NoticeRecord } from '../domain/planning.js';
import { utcToLocal } from '../domain/schedule.js';
import { pushModeOf, type PushMode, type SubscriptionState } from '../domain/station-push.js';
import type { StationSubscriptions } from '../notify/station-subscriptions.js';
import type { Store } from '../store/index.js';
import { refreshSubscriptions } from './station-pushes.js';

type StationDeps = { store: Store; config: Pick<Config, 'timeZone'>; now: Date; subscriptions?: StationSubscriptions | undefined };

/** A script whose notice was paused or cancelled is not to be aired, even before the dispatcher gets to it. */
const noticeAllowsAiring = (notice: NoticeRecord | undefined) => notice?.state === 'scheduled' || notice?.state === 'done';

/** The station's scripts still to air or aired, in air order; records that the station called. */
export async function scriptsOfStation(deps: StationDeps, county: string, stationId: string): Promise<DeliveryRecord[]> {
  await deps.store.registry.touchStation(county, stationId, deps.now);
  const scripts = (await deps.store.deliveries.stationScripts(county, stationId, deps.now)).filter(
    (script) => script.state !== 'cancelled' && script.state !== 'expired' && script.state !== 'failed',
  );
  // One read per notice, not per script: a station has a handful of notices at a time.
  const noticeIds = [...new Set(scripts.map((script) => `${script.campaignId}~${script.noticeId}`))];
  const notices = new Map(
    await Promise.all(
      noticeIds.map(async (key) => {
        const [campaignId = '', noticeId = ''] = key.split('~');
        return [key, await deps.store.notices.get(county, campaignId, noticeId)] as const;
      }),
    ),
  );
  return scripts
    .filter((script) => script.state === 'aired' || noticeAllowsAiring(notices.get(`${script.campaignId}~${script.noticeId}`)))
    .sort((a, b) => (a.scheduledAt < b.scheduledAt ? -1 : a.scheduledAt > b.scheduledAt ? 1 : 0));
}

/**
 * Confirms that the station aired a script, at `airedAt` (late confirmations carry the real time).
 * Confirming twice counts once. The delivery's key names the station, so a station can only ever
 * reach its own scripts.
 */
export async function confirmAiring(deps: StationDeps, county: string, stationId: string, id: string, airedAt?: Date): Promise<{ record: DeliveryRecord; first: boolean }> {
  const { campaignId, noticeId, sendIndex } = parseDeliveryId(id);
  const delivery = await deps.store.deliveries.getByKey(county, campaignId, noticeId, sendIndex, `s${stationId}`);
  if (!delivery || delivery.id !== id) throw new NotFound('This station has no such script.');
  const problem = airedAt ? airedAtProblem(delivery.scheduledAt, airedAt, deps.now) : undefined;
  if (problem) throw new Invalid('The airing time is not possible.', [{ field: 'body.airedAt', message: problem }]);
  // A script already pushed may have been aired before its notice was stopped: that airing counts.
  if (delivery.state !== 'aired' && delivery.state !== 'sent' && !noticeAllowsAiring(await deps.store.notices.get(county, campaignId, noticeId))) {
    throw new Conflict('This script’s notice was paused or cancelled: it is not to be aired.', { id: delivery.id, state: delivery.state });
  }
  const result = await deps.store.deliveries.markAired(delivery, (airedAt ?? deps.now).toISOString(), deps.now, tallyPeriod(delivery.scheduledAt, deps.config.timeZone));
  await deps.store.stationPushes.recordAiringConfirmed(county, stationId, deps.now.toISOString());
  return result;
}

export interface StationContact {
  id: string;
  name: string;
  village: string;
  lastContactAt?: string;
  contactedToday: boolean;
  /** How scripts reach it: pushed (subscription confirmed), pending the receiver's confirmation, failed, or pulled by the station. */
  push: {
    mode: PushMode;
    endpoint?: string;
    state?: SubscriptionState;
    error?: string;
    subscribedAt?: string;
    confirmedAt?: string;
  };
  /** When the station's receiver last reported a push it received (POST /stations/me/pushes). */
  lastPushReceivedAt?: string;
  /** When the station last confirmed an airing (from its receiver or its page). */
  lastAiringConfirmedAt?: string;
}

export async function stationContacts(deps: StationDeps, county: string): Promise<StationContact[]> {
  const [registry, contacts, pushes] = await Promise.all([deps.store.registry.get(county), deps.store.registry.stationContacts(county), deps.store.stationPushes.get(county)]);
  // Reading the list is when pufa asks SNS whether pending subscriptions were confirmed.
  const subscriptions = await refreshSubscriptions(deps, county, pushes.subscriptions);
  const localDay = (iso: string) => utcToLocal(iso, deps.config.timeZone).slice(0, 10);
  const today = localDay(deps.now.toISOString());
  return registry.stations.map((station) => {
    const lastContactAt = contacts.get(station.id);
    const record = subscriptions.get(station.id);
    const seen = pushes.seen.get(station.id);
    const current = record && record.state !== 'retiring' ? record : undefined;
    return {
      id: station.id,
      name: station.name,
      village: station.village,
      ...(lastContactAt ? { lastContactAt } : {}),
      contactedToday: lastContactAt !== undefined && localDay(lastContactAt) === today,
      push: {
        mode: pushModeOf(record),
        ...(current
          ? {
              endpoint: current.endpoint,
              state: current.state,
              ...(current.error ? { error: current.error } : {}),
              ...(current.subscribedAt ? { subscribedAt: current.subscribedAt } : {}),
              ...(current.confirmedAt ? { confirmedAt: current.confirmedAt } : {}),
            }
          : {}),
      },
      ...(seen?.lastPushReceivedAt ? { lastPushReceivedAt: seen.lastPushReceivedAt } : {}),
      ...(seen?.lastAiringConfirmedAt ? { lastAiringConfirmedAt: seen.lastAiringConfirmedAt } : {}),
    };
  });
}
