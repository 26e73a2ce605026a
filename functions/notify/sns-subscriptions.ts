/**
 * @module notify/sns-subscriptions
 * `StationSubscriptions` over Amazon SNS: Subscribe (with ReturnSubscriptionArn, so a pending
 * subscription has its ARN), Unsubscribe, SetSubscriptionAttributes (FilterPolicy),
 * GetSubscriptionAttributes (PendingConfirmation) and ListSubscriptionsByTopic. SNS's refusals
 * come back as `SubscriptionError` with SNS's code, for the station's record.
 */
import {
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  SNSClient,
  SetSubscriptionAttributesCommand,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { SubscriptionError, type StationSubscriptions } from './station-subscriptions.js';

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
  const { stationTopicArn } = config;
  return stationTopicArn ? snsStationSubscriptions({ ...config, stationTopicArn }) : undefined;
}

export function snsStationSubscriptions(config: { region: string; snsEndpoint: string | undefined; stationTopicArn: string }): StationSubscriptions {
  const client = new SNSClient({
    region: config.region,
    maxAttempts: 3,
    ...(config.snsEndpoint ? { endpoint: config.snsEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  return createStationSubscriptions(client, config.stationTopicArn);
}
