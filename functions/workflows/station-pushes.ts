/**
 * @module workflows/station-pushes
 * Keeps each station's SNS subscription in line with its `pushEndpoint`, after every registry
 * change that touches stations (PUT /registry, DELETE /registry/stations/{id}, the stations CSV
 * import, a plan load that carries a registry), and follows each subscription from "pending
 * confirmation" to "confirmed". SNS is the source of truth; the table keeps what SNS last said,
 * including a refusal (`failed`, with SNS's reason), which the stations list shows and the next
 * write of that station tries again. Also a receiver's receipt of a push (POST /stations/me/pushes).
 */
import { parseDeliveryId } from '../domain/delivery.js';
import { Invalid, NotFound } from '../domain/errors.js';
import { filterPolicyFor, planSubscriptionSync, type StationSubscription, type SyncAction } from '../domain/station-push.js';
import { SubscriptionError, type StationSubscriptions } from '../notify/station-subscriptions.js';
import type { Store } from '../store/index.js';

export type PushDeps = { store: Store; subscriptions?: StationSubscriptions | undefined; now: Date };

export interface SyncReport {
  subscribed: string[];
  unsubscribed: string[];
  failed: { stationId: string; error: string }[];
}

/** Pending subscriptions checked with SNS per read of the stations list: each is one GetSubscriptionAttributes. */
const REFRESH_LIMIT = 25;
/** A receipt may come late (a receiver offline), never from the future beyond a clock's drift. */
const RECEIPT_CLOCK_SKEW_MS = 5 * 60_000;

const NOT_SET_UP = 'pushes are not set up in this deployment (no station topic, PUFA_STATION_TOPIC_ARN)';

const reasonOf = (error: unknown) => (error instanceof SubscriptionError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error));

/**
 * Brings the subscriptions of `stations` (as they now are) and of the `removed` stations in line.
 * SNS refusals are recorded on the station, not thrown; a failure to write the record is thrown.
 */
export async function syncStationSubscriptions(
  deps: PushDeps,
  county: string,
  stations: readonly { id: string; pushEndpoint?: string | undefined }[],
  removed: readonly string[] = [],
): Promise<SyncReport> {
  const report: SyncReport = { subscribed: [], unsubscribed: [], failed: [] };
  if (stations.length === 0 && removed.length === 0) return report;
  const { subscriptions } = await deps.store.stationPushes.get(county);
  const actions = planSubscriptionSync(stations, removed, subscriptions);
  // One at a time: SNS throttles Subscribe at 100 a second per account, and a registry rarely
  // changes more than a few endpoints at once.
  for (const action of actions) {
    const failure = action.kind === 'subscribe' ? await subscribe(deps, county, action) : await retire(deps, county, action.record);
    if (failure) report.failed.push({ stationId: action.stationId, error: failure });
    else if (action.kind === 'subscribe') report.subscribed.push(action.stationId);
    else report.unsubscribed.push(action.stationId);
  }
  return report;
}

async function subscribe(deps: PushDeps, county: string, action: Extract<SyncAction, { kind: 'subscribe' }>): Promise<string | undefined> {
  const at = deps.now.toISOString();
  // SNS cannot move a subscription to another address: the old one goes, a new one comes.
  if (action.replacing) await retire(deps, county, action.replacing, { keepRecord: false });
  const base = { stationId: action.stationId, endpoint: action.endpoint, updatedAt: at };
  if (!deps.subscriptions) {
    await deps.store.stationPushes.putSubscription(county, { ...base, state: 'failed', error: NOT_SET_UP });
    return NOT_SET_UP;
  }
  try {
    const { subscriptionArn } = await deps.subscriptions.subscribe(action.endpoint, filterPolicyFor(county, action.stationId));
    await deps.store.stationPushes.putSubscription(county, { ...base, state: 'pending', subscriptionArn, subscribedAt: at, filter: 'county' });
    return undefined;
  } catch (error) {
    if (!(error instanceof SubscriptionError)) throw error;
    await deps.store.stationPushes.putSubscription(county, { ...base, state: 'failed', error: reasonOf(error) });
    return reasonOf(error);
  }
}

/**
 * Ends a subscription. One SNS will not delete yet (pending confirmation: SNS drops it after 48
 * hours by itself) or a call that failed is kept as `retiring`, and the stations list tries again.
 * With `keepRecord: false` (the station gets a new subscription at once) nothing is kept.
 */
async function retire(deps: PushDeps, county: string, record: StationSubscription, options: { keepRecord?: boolean } = {}): Promise<string | undefined> {
  const keep = options.keepRecord ?? true;
  const drop = () => (keep ? deps.store.stationPushes.removeSubscription(county, record.stationId) : Promise.resolve());
  if (!record.subscriptionArn) {
    await drop();
    return undefined;
  }
  if (!deps.subscriptions) {
    if (keep) await deps.store.stationPushes.putSubscription(county, { ...record, state: 'retiring', error: NOT_SET_UP, updatedAt: deps.now.toISOString() });
    return NOT_SET_UP;
  }
  try {
    await deps.subscriptions.unsubscribe(record.subscriptionArn);
    await drop();
    return undefined;
  } catch (error) {
    if (!(error instanceof SubscriptionError)) throw error;
    if (keep) await deps.store.stationPushes.putSubscription(county, { ...record, state: 'retiring', error: reasonOf(error), updatedAt: deps.now.toISOString() });
    return reasonOf(error);
  }
}

/**
 * Asks SNS about subscriptions still waiting (pending confirmation, or retiring): a confirmed one
 * becomes `confirmed` (its filter policy set again if it drifted); one SNS no longer has becomes
 * `failed` (never confirmed within SNS's 48 hours); a retiring one is deleted once SNS allows it.
 * Returns the records as they now are.
 */
export async function refreshSubscriptions(deps: PushDeps, county: string, records: Map<string, StationSubscription>): Promise<Map<string, StationSubscription>> {
  const subscriptions = deps.subscriptions;
  if (!subscriptions) return records;
  // Confirmed ones too while their filter names no county (made before it did): another county's
  // station of the same id would otherwise get their scripts.
  const waiting = [...records.values()]
    .filter((record) => record.subscriptionArn && (record.state === 'pending' || record.state === 'retiring' || (record.state === 'confirmed' && record.filter !== 'county')))
    .slice(0, REFRESH_LIMIT);
  const at = deps.now.toISOString();
  const updated = new Map(records);
  await Promise.all(
    waiting.map(async (record) => {
      const arn = record.subscriptionArn ?? '';
      let next: StationSubscription | undefined = record;
      try {
        const status = await subscriptions.status(arn);
        if (record.state === 'retiring') {
          if (status.exists && !status.pendingConfirmation) await subscriptions.unsubscribe(arn);
          next = status.exists && status.pendingConfirmation ? record : undefined;
        } else if (!status.exists) {
          next = { ...record, state: 'failed', error: 'SNS no longer has this subscription: the receiver did not confirm it within 48 hours, or it was deleted', updatedAt: at };
        } else if (!status.pendingConfirmation) {
          const wanted = JSON.stringify(filterPolicyFor(county, record.stationId));
          if (status.filterPolicy === undefined || JSON.stringify(JSON.parse(status.filterPolicy)) !== wanted) await subscriptions.setFilter(arn, filterPolicyFor(county, record.stationId));
          const { error: _error, ...rest } = record;
          next = { ...rest, state: 'confirmed', confirmedAt: record.confirmedAt ?? at, filter: 'county', updatedAt: at };
        }
      } catch (error) {
        if (!(error instanceof SubscriptionError)) throw error;
        next = { ...record, error: reasonOf(error), updatedAt: at };
      }
      if (next === record) return;
      if (next) {
        await deps.store.stationPushes.putSubscription(county, next);
        updated.set(record.stationId, next);
      } else {
        await deps.store.stationPushes.removeSubscription(county, record.stationId);
        updated.delete(record.stationId);
      }
    }),
  );
  return updated;
}

/**
 * A station's receiver says it received a pushed script (after checking SNS's signature). The
 * script must be this station's; the time may be late, not in the future. It counts as contact.
 */
export async function recordPushReceipt(deps: PushDeps, county: string, stationId: string, scriptId: string, receivedAt?: Date): Promise<{ receivedAt: string }> {
  const { campaignId, noticeId, sendIndex } = parseDeliveryId(scriptId);
  const delivery = await deps.store.deliveries.getByKey(county, campaignId, noticeId, sendIndex, `s${stationId}`);
  if (!delivery || delivery.id !== scriptId) throw new NotFound('This station has no such script.');
  const at = receivedAt ?? deps.now;
  if (at.getTime() > deps.now.getTime() + RECEIPT_CLOCK_SKEW_MS) {
    throw new Invalid('The receipt time is not possible.', [{ field: 'body.receivedAt', message: `must not be in the future (now is ${deps.now.toISOString()})` }]);
  }
  await deps.store.registry.touchStation(county, stationId, deps.now);
  await deps.store.stationPushes.recordPushReceived(county, stationId, at.toISOString(), scriptId);
  return { receivedAt: at.toISOString() };
}
