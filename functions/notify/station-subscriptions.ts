/**
 * @module notify/station-subscriptions
 * The station topic's HTTP/S subscriptions, behind a small interface (like `Notifier` for
 * publishing): subscribe an endpoint with a filter policy, unsubscribe, change the filter, and
 * read a subscription's state. The SNS implementation is `sns-subscriptions.ts`, built only by the
 * API handler and the local tools, so only the API function's role holds those SNS actions (the
 * grants test reads the commands each handler's code reaches; workflows import only this file).
 */
import type { FilterPolicy } from '../domain/station-push.js';
import { onFirstUse } from '../on-first-use.js';

export interface SubscriptionStatus {
  /** Absent: SNS has no such subscription (deleted, or an unconfirmed one SNS dropped after 48 hours). */
  exists: boolean;
  pendingConfirmation: boolean;
  endpoint?: string | undefined;
  filterPolicy?: string | undefined;
}

export interface TopicSubscription {
  /** `PendingConfirmation` for one not yet confirmed, as SNS lists it. */
  subscriptionArn: string;
  endpoint: string;
  protocol: string;
}

export interface StationSubscriptions {
  /** Subscribes an http(s) endpoint with a message-attributes filter policy; SNS then asks the endpoint to confirm. */
  subscribe(endpoint: string, filter: FilterPolicy): Promise<{ subscriptionArn: string }>;
  unsubscribe(subscriptionArn: string): Promise<void>;
  setFilter(subscriptionArn: string, filter: FilterPolicy): Promise<void>;
  status(subscriptionArn: string): Promise<SubscriptionStatus>;
  /** Every subscription on the topic (paged by SNS, 100 a page). */
  list(): AsyncIterable<TopicSubscription>;
}

/** What SNS said when it refused: its error code and message, for the station's record. */
export class SubscriptionError extends Error {
  override readonly name = 'SubscriptionError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}


/**
 * Subscriptions whose implementation is imported on the first call: the API's cold start does not
 * load the SNS client for the few requests that change a station's push endpoint.
 */
export function loadedOnFirstUse(load: () => Promise<StationSubscriptions>): StationSubscriptions {
  const loaded = onFirstUse(load);
  return {
    subscribe: async (endpoint, filter) => (await loaded()).subscribe(endpoint, filter),
    unsubscribe: async (subscriptionArn) => (await loaded()).unsubscribe(subscriptionArn),
    setFilter: async (subscriptionArn, filter) => (await loaded()).setFilter(subscriptionArn, filter),
    status: async (subscriptionArn) => (await loaded()).status(subscriptionArn),
    async *list() {
      yield* (await loaded()).list();
    },
  };
}
