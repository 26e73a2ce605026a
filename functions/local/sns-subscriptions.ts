/**
 * @module local/sns-subscriptions
 * The local SNS sink's HTTP/S subscriptions, done as SNS does them: Subscribe, Unsubscribe,
 * ConfirmSubscription, ListSubscriptionsByTopic, Get/SetSubscriptionAttributes in SNS's Query/XML
 * protocol; on Subscribe a signed `SubscriptionConfirmation` POSTed to the endpoint, whose
 * SubscribeURL points back here; on Publish a signed `Notification` POSTed to each confirmed
 * subscription whose filter policy (scope MessageAttributes) matches, retried with backoff when
 * the endpoint fails. Signatures are SignatureVersion 2 (SHA256withRSA) with a key made at start,
 * whose self-signed certificate is served at the SigningCertURL.
 */
import { randomBytes, randomUUID, sign } from 'node:crypto';
import type { Hono } from 'hono';
import { z } from 'zod';
import { stringToSign, type SnsConfirmation, type SnsNotification } from '../domain/sns-message.js';
import { filterPolicySchema, matchesFilterPolicy, type FilterPolicy } from '../domain/station-push.js';
import { createSigningIdentity, type SigningIdentity } from './self-signed-cert.js';

const NS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const CERT_PATH = '/SimpleNotificationService-local.pem';
const OWNER = '000000000000';
/** SNS lists subscriptions 100 a page. */
const PAGE_SIZE = 100;
/** SNS gives an HTTP endpoint 15 s to answer. */
const DELIVERY_TIMEOUT_MS = 15_000;

const xmlEscape = (value: string) =>
  value.replace(/[<>&'"]/g, (character) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[character] ?? character);

interface Subscription {
  arn: string;
  topicArn: string;
  protocol: 'http' | 'https';
  endpoint: string;
  filterPolicy?: FilterPolicy;
  filterPolicyText?: string;
  pending: boolean;
  token: string;
}

export interface PushEvent {
  kind: 'confirmation' | 'notification';
  subscriptionArn: string;
  endpoint: string;
  messageId: string;
  attempts: number;
  outcome: 'delivered' | 'failed';
  /** Why the last attempt failed (status or network error). */
  error?: string;
}

export interface LocalSubscriptionOptions {
  /** Retries after a failed delivery (SNS's default HTTP policy retries 3 times). */
  retries?: number;
  /** The first retry's delay; each next one doubles (SNS waits 20 s by default: too slow for a laptop). */
  backoffMs?: number;
  /** Told about every delivery once it ends, delivered or failed after its retries. */
  onPush?: (event: PushEvent) => void;
}

class SnsFault extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: 400 | 404,
  ) {
    super(message);
  }
}

const subscribeInput = z.object({
  TopicArn: z.string().min(1),
  Protocol: z.enum(['http', 'https'], { error: 'this sink subscribes http and https endpoints only' }),
  Endpoint: z.url({ protocol: /^https?$/ }),
});

function attributesIn(form: URLSearchParams): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (let index = 1; form.has(`Attributes.entry.${index}.key`); index += 1) {
    attributes[form.get(`Attributes.entry.${index}.key`) ?? ''] = form.get(`Attributes.entry.${index}.value`) ?? '';
  }
  return attributes;
}

function parsePolicy(text: string): FilterPolicy {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SnsFault('InvalidParameter', 'Invalid parameter: FilterPolicy: is not valid JSON', 400);
  }
  const parsed = filterPolicySchema.safeParse(json);
  if (!parsed.success) throw new SnsFault('InvalidParameter', `Invalid parameter: FilterPolicy: ${parsed.error.issues[0]?.message ?? 'invalid'}`, 400);
  return parsed.data;
}

const response = (action: string, result: string) =>
  `<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
const emptyResponse = (action: string) => `<${action}Response xmlns="${NS}"><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;

export class LocalSubscriptions {
  readonly identity: SigningIdentity;
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly events: PushEvent[] = [];
  private readonly stopping = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly baseUrl: () => string,
    private readonly clock: () => Date,
    private readonly options: LocalSubscriptionOptions = {},
  ) {
    this.identity = createSigningIdentity({ now: clock(), days: 3650 });
  }

  get signingCertUrl(): string {
    return `${this.baseUrl()}${CERT_PATH}`;
  }

  /** Every delivery that ended, oldest first. */
  pushes(): readonly PushEvent[] {
    return this.events;
  }

  list(): Subscription[] {
    return [...this.subscriptions.values()];
  }

  /** The certificate at SigningCertURL, and ConfirmSubscription / Unsubscribe by GET (SubscribeURL, UnsubscribeURL). */
  mount(app: Hono): void {
    app.get(CERT_PATH, (c) => c.body(this.identity.certificatePem, 200, { 'Content-Type': 'application/x-pem-file' }));
    app.get('/', (c) => {
      const answer = this.answer(c.req.query('Action') ?? null, new URLSearchParams(new URL(c.req.url).search));
      if (!answer) return c.body('', 404);
      return c.body(answer.body, answer.status, { 'Content-Type': 'text/xml' });
    });
  }

  /** The XML answer to a subscription action, or undefined when the action is not one of these. */
  answer(action: string | null, form: URLSearchParams): { body: string; status: 200 | 400 | 404 } | undefined {
    const handlers: Record<string, (form: URLSearchParams) => string> = {
      Subscribe: (input) => this.subscribe(input),
      ConfirmSubscription: (input) => this.confirm(input),
      Unsubscribe: (input) => this.unsubscribe(input),
      ListSubscriptionsByTopic: (input) => this.listByTopic(input),
      GetSubscriptionAttributes: (input) => this.getAttributes(input),
      SetSubscriptionAttributes: (input) => this.setAttributes(input),
    };
    const handler = action ? handlers[action] : undefined;
    if (!handler) return undefined;
    try {
      return { body: handler(form), status: 200 };
    } catch (error) {
      if (!(error instanceof SnsFault)) throw error;
      return {
        body: `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${error.code}</Code><Message>${xmlEscape(error.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
        status: error.status,
      };
    }
  }

  /** POSTs a published message to every confirmed subscription of the topic whose filter policy matches. */
  deliver(topicArn: string, messageId: string, message: string, attributes: Record<string, string>, subject?: string): void {
    for (const subscription of this.subscriptions.values()) {
      if (subscription.topicArn !== topicArn || subscription.pending) continue;
      if (subscription.filterPolicy && !matchesFilterPolicy(subscription.filterPolicy, attributes)) continue;
      const envelope: Omit<SnsNotification, 'Signature'> = {
        Type: 'Notification',
        MessageId: messageId,
        TopicArn: topicArn,
        ...(subject !== undefined ? { Subject: subject } : {}),
        Message: message,
        Timestamp: this.clock().toISOString(),
        SignatureVersion: '2',
        SigningCertURL: this.signingCertUrl,
        UnsubscribeURL: `${this.baseUrl()}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(subscription.arn)}`,
        MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { Type: 'String', Value: value }])),
      };
      this.post('notification', subscription, envelope);
    }
  }

  /** Waits for deliveries under way (and their retries); with `abort`, cancels the retries first. */
  async stop(options: { abort?: boolean } = { abort: true }): Promise<void> {
    if (options.abort) this.stopping.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private subscribe(form: URLSearchParams): string {
    const parsed = subscribeInput.safeParse({ TopicArn: form.get('TopicArn'), Protocol: form.get('Protocol'), Endpoint: form.get('Endpoint') });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SnsFault('InvalidParameter', `Invalid parameter: ${String(issue?.path[0] ?? '')}: ${issue?.message ?? 'invalid'}`, 400);
    }
    const { TopicArn, Protocol, Endpoint } = parsed.data;
    if (new URL(Endpoint).protocol !== `${Protocol}:`) throw new SnsFault('InvalidParameter', `Invalid parameter: Endpoint must match the protocol ${Protocol}`, 400);
    const attributes = attributesIn(form);
    if (attributes.FilterPolicyScope !== undefined && attributes.FilterPolicyScope !== 'MessageAttributes') {
      throw new SnsFault('InvalidParameter', 'Invalid parameter: FilterPolicyScope: this sink filters on MessageAttributes only', 400);
    }
    const filterPolicy = attributes.FilterPolicy !== undefined ? parsePolicy(attributes.FilterPolicy) : undefined;
    const returnArn = form.get('ReturnSubscriptionArn') === 'true';
    // SNS answers a repeated Subscribe (same topic, protocol, endpoint, attributes) with the same subscription.
    const existing = this.list().find((item) => item.topicArn === TopicArn && item.endpoint === Endpoint && item.protocol === Protocol);
    if (existing) {
      if (existing.filterPolicyText !== attributes.FilterPolicy) throw new SnsFault('InvalidParameter', 'Invalid parameter: Attributes Reason: Subscription already exists with different attributes', 400);
      if (existing.pending) this.sendConfirmation(existing);
      return response('Subscribe', `<SubscriptionArn>${xmlEscape(returnArn || !existing.pending ? existing.arn : 'pending confirmation')}</SubscriptionArn>`);
    }
    const subscription: Subscription = {
      arn: `${TopicArn}:${randomUUID()}`,
      topicArn: TopicArn,
      protocol: Protocol,
      endpoint: Endpoint,
      ...(filterPolicy ? { filterPolicy, filterPolicyText: attributes.FilterPolicy } : {}),
      pending: true,
      token: randomBytes(32).toString('hex'),
    };
    this.subscriptions.set(subscription.arn, subscription);
    this.sendConfirmation(subscription);
    return response('Subscribe', `<SubscriptionArn>${xmlEscape(returnArn ? subscription.arn : 'pending confirmation')}</SubscriptionArn>`);
  }

  private sendConfirmation(subscription: Subscription): void {
    const query = new URLSearchParams({ Action: 'ConfirmSubscription', TopicArn: subscription.topicArn, Token: subscription.token });
    const envelope: Omit<SnsConfirmation, 'Signature'> = {
      Type: 'SubscriptionConfirmation',
      MessageId: randomUUID(),
      Token: subscription.token,
      TopicArn: subscription.topicArn,
      Message: `You have chosen to subscribe to the topic ${subscription.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
      SubscribeURL: `${this.baseUrl()}/?${query}`,
      Timestamp: this.clock().toISOString(),
      SignatureVersion: '2',
      SigningCertURL: this.signingCertUrl,
    };
    this.post('confirmation', subscription, envelope);
  }

  private confirm(form: URLSearchParams): string {
    const token = form.get('Token') ?? '';
    const subscription = this.list().find((item) => item.token === token && item.topicArn === form.get('TopicArn'));
    if (!subscription) throw new SnsFault('InvalidParameter', 'Invalid token', 400);
    subscription.pending = false;
    return response('ConfirmSubscription', `<SubscriptionArn>${xmlEscape(subscription.arn)}</SubscriptionArn>`);
  }

  private find(form: URLSearchParams): Subscription {
    const subscription = this.subscriptions.get(form.get('SubscriptionArn') ?? '');
    if (!subscription) throw new SnsFault('NotFound', 'Subscription does not exist', 404);
    return subscription;
  }

  private unsubscribe(form: URLSearchParams): string {
    const subscription = this.find(form);
    // As SNS: a subscription pending confirmation cannot be deleted (SNS drops it after 48 hours).
    if (subscription.pending) throw new SnsFault('InvalidParameter', 'Invalid parameter: SubscriptionArn: a subscription pending confirmation cannot be deleted', 400);
    this.subscriptions.delete(subscription.arn);
    return emptyResponse('Unsubscribe');
  }

  private listByTopic(form: URLSearchParams): string {
    const topicArn = form.get('TopicArn') ?? '';
    const all = this.list().filter((item) => item.topicArn === topicArn);
    const start = Number(form.get('NextToken') ?? '0') || 0;
    const page = all.slice(start, start + PAGE_SIZE);
    const members = page
      .map(
        (item) =>
          `<member><TopicArn>${xmlEscape(item.topicArn)}</TopicArn><Protocol>${item.protocol}</Protocol><SubscriptionArn>${xmlEscape(item.pending ? 'PendingConfirmation' : item.arn)}</SubscriptionArn><Owner>${OWNER}</Owner><Endpoint>${xmlEscape(item.endpoint)}</Endpoint></member>`,
      )
      .join('');
    const next = start + PAGE_SIZE < all.length ? `<NextToken>${start + PAGE_SIZE}</NextToken>` : '';
    return response('ListSubscriptionsByTopic', `<Subscriptions>${members}</Subscriptions>${next}`);
  }

  private getAttributes(form: URLSearchParams): string {
    const item = this.find(form);
    const attributes: Record<string, string> = {
      SubscriptionArn: item.arn,
      TopicArn: item.topicArn,
      Protocol: item.protocol,
      Endpoint: item.endpoint,
      Owner: OWNER,
      PendingConfirmation: String(item.pending),
      ConfirmationWasAuthenticated: 'false',
      RawMessageDelivery: 'false',
      ...(item.filterPolicyText ? { FilterPolicy: item.filterPolicyText, FilterPolicyScope: 'MessageAttributes' } : {}),
    };
    const entries = Object.entries(attributes)
      .map(([key, value]) => `<entry><key>${key}</key><value>${xmlEscape(value)}</value></entry>`)
      .join('');
    return response('GetSubscriptionAttributes', `<Attributes>${entries}</Attributes>`);
  }

  private setAttributes(form: URLSearchParams): string {
    const item = this.find(form);
    const name = form.get('AttributeName');
    const value = form.get('AttributeValue') ?? '';
    if (name === 'FilterPolicy') {
      if (value === '') {
        delete item.filterPolicy;
        delete item.filterPolicyText;
      } else {
        item.filterPolicy = parsePolicy(value);
        item.filterPolicyText = value;
      }
    } else if (name === 'FilterPolicyScope') {
      if (value !== 'MessageAttributes') throw new SnsFault('InvalidParameter', 'Invalid parameter: FilterPolicyScope: this sink filters on MessageAttributes only', 400);
    } else {
      throw new SnsFault('InvalidParameter', `Invalid parameter: AttributeName: this sink does not set ${name ?? '(none)'}`, 400);
    }
    return emptyResponse('SetSubscriptionAttributes');
  }

  private post(kind: PushEvent['kind'], subscription: Subscription, unsigned: Omit<SnsNotification, 'Signature'> | Omit<SnsConfirmation, 'Signature'>): void {
    const signature = sign('sha256', Buffer.from(stringToSign(unsigned), 'utf8'), this.identity.privateKey).toString('base64');
    const body = JSON.stringify({ ...unsigned, Signature: signature });
    const headers = {
      'Content-Type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': unsigned.Type,
      'x-amz-sns-message-id': unsigned.MessageId,
      'x-amz-sns-topic-arn': unsigned.TopicArn,
      ...(kind === 'notification' ? { 'x-amz-sns-subscription-arn': subscription.arn } : {}),
      'User-Agent': 'Amazon Simple Notification Service Agent',
    };
    const retries = this.options.retries ?? 3;
    const backoffMs = this.options.backoffMs ?? 500;
    const run = async () => {
      let error = '';
      for (let attempt = 1; attempt <= retries + 1; attempt += 1) {
        if (this.stopping.signal.aborted) break;
        try {
          const answer = await fetch(subscription.endpoint, { method: 'POST', headers, body, signal: AbortSignal.any([AbortSignal.timeout(DELIVERY_TIMEOUT_MS), this.stopping.signal]) });
          await answer.body?.cancel();
          if (answer.ok) return this.record({ kind, subscriptionArn: subscription.arn, endpoint: subscription.endpoint, messageId: unsigned.MessageId, attempts: attempt, outcome: 'delivered' });
          error = `HTTP ${answer.status}`;
        } catch (failure) {
          error = failure instanceof Error ? `${failure.name}: ${failure.message}` : String(failure);
        }
        if (attempt <= retries) await this.wait(backoffMs * 2 ** (attempt - 1));
      }
      this.record({ kind, subscriptionArn: subscription.arn, endpoint: subscription.endpoint, messageId: unsigned.MessageId, attempts: retries + 1, outcome: 'failed', error });
    };
    const running = run();
    this.inFlight.add(running);
    void running.finally(() => this.inFlight.delete(running));
  }

  private record(event: PushEvent): void {
    this.events.push(event);
    this.options.onPush?.(event);
  }

  private wait(ms: number): Promise<void> {
    return new Promise((wake) => {
      const timer = setTimeout(wake, ms);
      this.stopping.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        wake();
      });
    });
  }
}
