/**
 * @module notify/station-subscriptions
 * The station topic's HTTP/S subscriptions, behind a small interface (like `Notifier` for
 * publishing): subscribe an endpoint with a filter policy, unsubscribe, change the filter, and
 * read a subscription's state. Only the API function builds it (registry changes subscribe and
 * unsubscribe), so only its role holds these SNS actions. It imports nothing from `sns.ts`: the
 * grants test reads the commands each handler's code constructs.
 */
import {
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  SNSClient,
  SetSubscriptionAttributesCommand,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import type { FilterPolicy } from '../domain/station-push.js';

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

const asSubscriptionError = (error: unknown): SubscriptionError => {
  if (error instanceof SubscriptionError) return error;
  const named = error as { name?: string; message?: string };
  return new SubscriptionError(named.name ?? 'Unknown', named.message ?? String(error));
};

const NOT_FOUND = new Set(['NotFound', 'NotFoundException']);

export function createStationSubscriptions(client: SNSClient, topicArn: string): StationSubscriptions {
  const call = async <T>(send: () => Promise<T>): Promise<T> => {
    try {
      return await send();
    } catch (error) {
      throw asSubscriptionError(error);
    }
  };
  return {
    async subscribe(endpoint, filter) {
      const protocol = new URL(endpoint).protocol === 'https:' ? 'https' : 'http';
      const result = await call(() =>
        client.send(
          new SubscribeCommand({
            TopicArn: topicArn,
            Protocol: protocol,
            Endpoint: endpoint,
            // The real ARN even while the endpoint has not confirmed, so pufa can follow it.
            ReturnSubscriptionArn: true,
            Attributes: { FilterPolicy: JSON.stringify(filter), FilterPolicyScope: 'MessageAttributes' },
          }),
        ),
      );
      if (!result.SubscriptionArn) throw new SubscriptionError('NoArn', 'SNS answered Subscribe without a subscription ARN');
      return { subscriptionArn: result.SubscriptionArn };
    },
    async unsubscribe(subscriptionArn) {
      await call(() => client.send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn })));
    },
    async setFilter(subscriptionArn, filter) {
      await call(() =>
        client.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn, AttributeName: 'FilterPolicy', AttributeValue: JSON.stringify(filter) })),
      );
    },
    async status(subscriptionArn) {
      try {
        const result = await client.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn }));
        const attributes = result.Attributes ?? {};
        return { exists: true, pendingConfirmation: attributes.PendingConfirmation === 'true', endpoint: attributes.Endpoint, filterPolicy: attributes.FilterPolicy };
      } catch (error) {
        const failure = asSubscriptionError(error);
        if (NOT_FOUND.has(failure.code)) return { exists: false, pendingConfirmation: false };
        throw failure;
      }
    },
    async *list() {
      let nextToken: string | undefined;
      do {
        const page = await call(() => client.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: nextToken })));
        for (const item of page.Subscriptions ?? []) {
          yield { subscriptionArn: item.SubscriptionArn ?? '', endpoint: item.Endpoint ?? '', protocol: item.Protocol ?? '' };
        }
        nextToken = page.NextToken;
      } while (nextToken);
    },
  };
}

/** Built once per process: SDK retries on (unlike publishing, nothing here counts attempts itself). */
export function stationSubscriptionsFromConfig(config: { region: string; snsEndpoint: string | undefined; stationTopicArn: string | undefined }): StationSubscriptions | undefined {
  if (!config.stationTopicArn) return undefined;
  const client = new SNSClient({
    region: config.region,
    maxAttempts: 3,
    ...(config.snsEndpoint ? { endpoint: config.snsEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  return createStationSubscriptions(client, config.stationTopicArn);
}
