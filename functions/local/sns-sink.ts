/**
 * @module local/sns-sink
 * A local stand-in for Amazon SNS, for `npm start`, tests and benchmarks. It speaks the part of
 * SNS's Query protocol pufa uses — Publish, PublishBatch, ListPhoneNumbersOptedOut, and the station
 * topic's HTTP/S subscriptions (sns-subscriptions.ts: signed deliveries to subscribed endpoints)
 * — so the real SDK client and pufa's real publishing code run unchanged against it. Every accepted message
 * goes to the outbox (GET /outbox shows it). Faults can be injected: latency, throttling,
 * failed batch entries, a crash after k messages. With `receipts`, each SMS it accepts gets a
 * carrier receipt a little later: the delivery-status line SNS would log, wrapped as the
 * CloudWatch Logs subscription event the receipts Lambda gets, handed to a callback.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

import { Outbox, type OutboxEntry } from '../notify/outbox.js';
import { receiptMaker, type SinkReceipts } from './sns-receipts.js';
import { LocalSubscriptions, type LocalSubscriptionOptions } from './sns-subscriptions.js';

// Kept importable from here, where the sink that fills it lives.
export { Outbox, type OutboxEntry };

export interface SinkFaults {
  /** Added to every call, to model the network and SNS. */
  latencyMs?: number;
  /** Answer this call (1-based count of Publish/PublishBatch calls) with a throttling error. */
  throttle?: (call: number) => boolean;
  /** Refuse one batch entry (by its message text): return the error code, or undefined to accept. */
  failEntry?: (message: string) => { code: string; senderFault: boolean } | undefined;
  /** Refuse a Publish with a transient internal error. */
  failPublish?: (call: number) => boolean;
  /** Record the message, then hold the answer back this long: the sender cannot know yet that it arrived. */
  answerDelayMs?: number;
}

export type { SinkReceipts };

export interface SnsSinkOptions {
  outbox?: Outbox;
  receipts?: SinkReceipts;
  faults?: SinkFaults;
  optedOut?: Iterable<string>;
  /** The system's clock, for `receivedAt` (a server's `--clock`); the real one by default. */
  clock?: () => Date;
  /** HTTP/S subscriptions: delivery retries and who hears of each delivery. */
  subscriptions?: LocalSubscriptionOptions;
}

const NS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const xmlEscape = (value: string) =>
  value.replace(/[<>&'"]/g, (character) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[character] ?? character);

function attributesOf(form: URLSearchParams, prefix: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (let index = 1; form.has(`${prefix}MessageAttributes.entry.${index}.Name`); index += 1) {
    const name = form.get(`${prefix}MessageAttributes.entry.${index}.Name`) ?? '';
    attributes[name] = form.get(`${prefix}MessageAttributes.entry.${index}.Value.StringValue`) ?? '';
  }
  return attributes;
}

function errorXml(code: string, message: string, type: 'Sender' | 'Receiver'): string {
  return `<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}

export function createSnsSinkApp(options: SnsSinkOptions = {}) {
  const outbox = options.outbox ?? new Outbox();
  const optedOut = new Set(options.optedOut ?? []);
  const faults = options.faults ?? {};
  const clock = options.clock ?? (() => new Date());
  let calls = 0;
  const app = new Hono();
  const receipts = receiptMaker(options.receipts, clock);
  // Where the sink itself is reached (its SubscribeURL and SigningCertURL): known once it listens.
  let baseUrl = 'http://127.0.0.1';
  const subscriptions = new LocalSubscriptions(() => baseUrl, clock, options.subscriptions);
  subscriptions.mount(app);

  app.post('/', async (c) => {
    const form = new URLSearchParams(await c.req.text());
    const action = form.get('Action');
    const xml = (body: string, status: 400 | 429 | 500 | 200 = 200) => c.body(body, status, { 'Content-Type': 'text/xml' });
    if (faults.latencyMs) await new Promise((wake) => setTimeout(wake, faults.latencyMs));
    const now = clock().toISOString();

    if (action === 'Publish' || action === 'PublishBatch') {
      calls += 1;
      if (faults.throttle?.(calls)) return xml(errorXml('Throttled', 'Rate exceeded', 'Sender'), 400);
    }

    if (action === 'Publish') {
      if (faults.failPublish?.(calls)) return xml(errorXml('InternalError', 'injected failure', 'Receiver'), 500);
      const messageId = randomUUID();
      const phoneNumber = form.get('PhoneNumber') ?? undefined;
      const topicArn = form.get('TopicArn') ?? undefined;
      outbox.add({
        messageId,
        kind: phoneNumber ? 'sms' : 'station',
        receivedAt: now,
        ...(phoneNumber ? { phoneNumber } : {}),
        ...(topicArn ? { topicArn } : {}),
        message: form.get('Message') ?? '',
        attributes: attributesOf(form, ''),
      });
      if (phoneNumber) receipts.schedule(messageId, phoneNumber, attributesOf(form, '')['AWS.SNS.SMS.SMSType']);
      if (topicArn) subscriptions.deliver(topicArn, messageId, form.get('Message') ?? '', attributesOf(form, ''), form.get('Subject') ?? undefined);
      if (faults.answerDelayMs) await new Promise((wake) => setTimeout(wake, faults.answerDelayMs));
      return xml(
        `<PublishResponse xmlns="${NS}"><PublishResult><MessageId>${messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
      );
    }

    if (action === 'PublishBatch') {
      const topicArn = form.get('TopicArn') ?? '';
      const successful: string[] = [];
      const failed: string[] = [];
      for (let index = 1; form.has(`PublishBatchRequestEntries.member.${index}.Id`); index += 1) {
        const prefix = `PublishBatchRequestEntries.member.${index}.`;
        const id = form.get(`${prefix}Id`) ?? '';
        const message = form.get(`${prefix}Message`) ?? '';
        const refusal = faults.failEntry?.(message);
        if (refusal) {
          failed.push(
            `<member><Id>${xmlEscape(id)}</Id><Code>${refusal.code}</Code><Message>injected</Message><SenderFault>${refusal.senderFault}</SenderFault></member>`,
          );
          continue;
        }
        const messageId = randomUUID();
        outbox.add({ messageId, kind: 'station', receivedAt: now, topicArn, message, attributes: attributesOf(form, prefix) });
        subscriptions.deliver(topicArn, messageId, message, attributesOf(form, prefix), form.get(`${prefix}Subject`) ?? undefined);
        successful.push(`<member><Id>${xmlEscape(id)}</Id><MessageId>${messageId}</MessageId></member>`);
      }
      return xml(
        `<PublishBatchResponse xmlns="${NS}"><PublishBatchResult><Successful>${successful.join('')}</Successful><Failed>${failed.join('')}</Failed></PublishBatchResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishBatchResponse>`,
      );
    }

    if (action === 'ListPhoneNumbersOptedOut') {
      const numbers = [...optedOut].map((number) => `<member>${xmlEscape(number)}</member>`).join('');
      return xml(
        `<ListPhoneNumbersOptedOutResponse xmlns="${NS}"><ListPhoneNumbersOptedOutResult><phoneNumbers>${numbers}</phoneNumbers></ListPhoneNumbersOptedOutResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></ListPhoneNumbersOptedOutResponse>`,
      );
    }

    const answered = subscriptions.answer(action, form);
    if (answered) return c.body(answered.body, answered.status, { 'Content-Type': 'text/xml' });

    return xml(errorXml('InvalidAction', `The local SNS sink does not do ${action ?? '(no action)'}.`, 'Sender'), 400);
  });

  return {
    app,
    outbox,
    optedOut,
    subscriptions,
    stats: () => ({ calls }),
    setBaseUrl: (url: string) => (baseUrl = url),
    receiptsSettled: receipts.settled,
    stopReceipts: receipts.stop,
  };
}

export interface RunningSnsSink {
  endpoint: string;
  outbox: Outbox;
  optedOut: Set<string>;
  /** The HTTP/S subscriptions and the deliveries made to them. */
  subscriptions: LocalSubscriptions;
  stats(): { calls: number };
  /** Resolves once every receipt scheduled so far was handed on; rejects with the first that failed. */
  receiptsSettled(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSnsSink(options: SnsSinkOptions & { port?: number } = {}): Promise<RunningSnsSink> {
  const sink = createSnsSinkApp(options);
  return new Promise((resolve) => {
    const server = serve({ fetch: sink.app.fetch, port: options.port ?? 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      const endpoint = `http://127.0.0.1:${info.port}`;
      sink.setBaseUrl(endpoint);
      resolve({
        endpoint,
        outbox: sink.outbox,
        optedOut: sink.optedOut,
        subscriptions: sink.subscriptions,
        stats: sink.stats,
        receiptsSettled: sink.receiptsSettled,
        stop: async () => {
          sink.stopReceipts();
          await sink.subscriptions.stop();
          await new Promise<void>((done) => server.close(() => done()));
        },
      });
    });
  });
}
