/**
 * @module notify/sns
 * The one place pufa talks to Amazon SNS: SMS by direct Publish to a phone number, station
 * scripts by PublishBatch to the station topic (message attributes that subscription filter
 * policies route on), and the account's SMS opt-out list. Failures come back as typed outcomes
 * (throttled, transient, permanent) so the dispatcher's retry policy — not the SDK's — decides.
 */
import {
  ListPhoneNumbersOptedOutCommand,
  PublishBatchCommand,
  PublishCommand,
  SNSClient,
  type MessageAttributeValue,
} from '@aws-sdk/client-sns';

/** PublishBatch takes at most 10 entries a call. */
export const STATION_BATCH_SIZE = 10;

export interface SmsMessage {
  /** Unique per delivery; used for idempotency and to match results. */
  deliveryId: string;
  phoneNumber: string;
  text: string;
}

export interface StationMessage {
  deliveryId: string;
  /** The station's county: its subscription's filter names it with the station id (ids are unique only within a county). */
  county: string;
  stationId: string;
  villageId: string;
  townshipId: string;
  /** The script and its airing instructions, as JSON the station reads. */
  body: string;
}

export type FailureKind = 'throttled' | 'transient' | 'permanent';

export class NotifyError extends Error {
  override readonly name = 'NotifyError';
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface BatchOutcome {
  sent: { deliveryId: string; messageId: string }[];
  failed: { deliveryId: string; kind: FailureKind; code: string; message: string }[];
}

export interface Notifier {
  sendSms(message: SmsMessage): Promise<{ messageId: string }>;
  publishToStations(messages: readonly StationMessage[]): Promise<BatchOutcome>;
  /** Every number on the account's SMS opt-out list (paged by SNS, yielded one by one). */
  optedOutNumbers(): AsyncIterable<string>;
}

export interface SnsNotifierOptions {
  stationTopicArn: string | undefined;
  /**
   * The client SMS and the opt-out list go through, when SMS is published in another region than
   * the station topic lives in (PUFA_SMS_REGION: SNS sends no SMS from AWS China); else the first.
   * The opt-out list is per region, like the rest of the account's SMS settings.
   */
  smsClient?: SNSClient | undefined;
  smsType: 'Transactional' | 'Promotional';
  senderId?: string | undefined;
  originationNumber?: string | undefined;
}

export interface SnsClientOptions {
  region: string;
  endpoint?: string | undefined;
}

/** SDK retries are off: the dispatcher retries with its own backoff and counts every attempt. */
export function createSnsClient(options: SnsClientOptions): SNSClient {
  return new SNSClient({
    region: options.region,
    maxAttempts: 1,
    ...(options.endpoint ? { endpoint: options.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
}

const THROTTLING = new Set(['Throttled', 'ThrottledException', 'Throttling', 'ThrottlingException', 'TooManyRequestsException']);
const PERMANENT = new Set([
  'InvalidParameter',
  'InvalidParameterException',
  'InvalidParameterValue',
  'InvalidParameterValueException',
  'OptedOut',
  'OptedOutException',
  'AuthorizationError',
  'AuthorizationErrorException',
  'NotFound',
  'NotFoundException',
]);

export function classify(code: string, senderFault?: boolean): FailureKind {
  if (THROTTLING.has(code)) return 'throttled';
  if (PERMANENT.has(code) || senderFault === true) return 'permanent';
  return 'transient';
}

function toNotifyError(error: unknown): NotifyError {
  if (error instanceof NotifyError) return error;
  const named = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const code = named.name ?? 'Unknown';
  const kind = named.$metadata?.httpStatusCode === 429 ? 'throttled' : classify(code);
  return new NotifyError(kind, named.message ?? String(error), code);
}

const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });

export function createSnsNotifier(client: SNSClient, options: SnsNotifierOptions): Notifier {
  const smsClient = options.smsClient ?? client;
  const smsAttributes: Record<string, MessageAttributeValue> = {
    'AWS.SNS.SMS.SMSType': text(options.smsType),
    ...(options.senderId ? { 'AWS.SNS.SMS.SenderID': text(options.senderId) } : {}),
    ...(options.originationNumber ? { 'AWS.MM.SMS.OriginationNumber': text(options.originationNumber) } : {}),
  };

  return {
    async sendSms(message) {
      try {
        const result = await smsClient.send(
          new PublishCommand({ PhoneNumber: message.phoneNumber, Message: message.text, MessageAttributes: smsAttributes }),
        );
        return { messageId: result.MessageId ?? '' };
      } catch (error) {
        throw toNotifyError(error);
      }
    },

    async publishToStations(messages) {
      if (messages.length > STATION_BATCH_SIZE) throw new RangeError(`PublishBatch takes at most ${STATION_BATCH_SIZE} entries`);
      if (!options.stationTopicArn) throw new NotifyError('permanent', 'No station topic is configured (PUFA_STATION_TOPIC_ARN).', 'NoTopic');
      // Batch entry ids must be unique in the call and [A-Za-z0-9_-]{1,80}: use the position.
      const entries = messages.map((message, index) => ({
        Id: `m${index}`,
        Message: message.body,
        MessageAttributes: {
          county: text(message.county),
          station: text(message.stationId),
          village: text(message.villageId),
          township: text(message.townshipId),
        },
      }));
      let result;
      try {
        result = await client.send(new PublishBatchCommand({ TopicArn: options.stationTopicArn, PublishBatchRequestEntries: entries }));
      } catch (error) {
        const failure = toNotifyError(error);
        return {
          sent: [],
          failed: messages.map((message) => ({ deliveryId: message.deliveryId, kind: failure.kind, code: failure.code, message: failure.message })),
        };
      }
      const byId = (id: string | undefined) => messages[Number((id ?? '').slice(1))];
      const outcome: BatchOutcome = { sent: [], failed: [] };
      for (const entry of result.Successful ?? []) {
        const message = byId(entry.Id);
        if (message) outcome.sent.push({ deliveryId: message.deliveryId, messageId: entry.MessageId ?? '' });
      }
      for (const entry of result.Failed ?? []) {
        const message = byId(entry.Id);
        if (message) {
          outcome.failed.push({
            deliveryId: message.deliveryId,
            kind: classify(entry.Code ?? 'Unknown', entry.SenderFault),
            code: entry.Code ?? 'Unknown',
            message: entry.Message ?? '',
          });
        }
      }
      // An entry SNS neither accepted nor refused is not lost: it is retried as transient.
      const answered = new Set([...outcome.sent, ...outcome.failed].map((entry) => entry.deliveryId));
      for (const message of messages) {
        if (!answered.has(message.deliveryId)) {
          outcome.failed.push({ deliveryId: message.deliveryId, kind: 'transient', code: 'NoAnswer', message: 'SNS did not report this entry' });
        }
      }
      return outcome;
    },

    async *optedOutNumbers() {
      let nextToken: string | undefined;
      do {
        const page = await smsClient.send(new ListPhoneNumbersOptedOutCommand({ nextToken }));
        yield* page.phoneNumbers ?? [];
        nextToken = page.nextToken;
      } while (nextToken);
    },
  };
}
