/**
 * Station pushes, the pure parts: SNS's string to sign and the receiver's checks (signature,
 * certificate place, age, replays), the sink's self-signed certificate, filter policy matching,
 * and which subscription changes a registry change calls for.
 */
import { X509Certificate, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { stringToSign, type SnsConfirmation, type SnsNotification } from '../../functions/domain/sns-message.js';
import { filterPolicyFor, matchesFilterPolicy, planSubscriptionSync, type StationSubscription } from '../../functions/domain/station-push.js';
import { createSigningIdentity } from '../../functions/local/self-signed-cert.js';
import { SnsVerifier } from '../../functions/local/sns-verifier.js';

const SINK = 'http://127.0.0.1:4566';
const CERT_URL = `${SINK}/SimpleNotificationService-local.pem`;
const NOW = new Date('2031-03-15T07:00:00Z');
const identity = createSigningIdentity({ now: NOW, days: 30 });
const other = createSigningIdentity({ now: NOW });

function signed<T extends Omit<SnsNotification, 'Signature'> | Omit<SnsConfirmation, 'Signature'>>(message: T, key = identity.privateKey): T & { Signature: string } {
  return { ...message, Signature: sign('sha256', Buffer.from(stringToSign(message), 'utf8'), key).toString('base64') };
}

const aNotification = (overrides: Partial<SnsNotification> = {}) =>
  signed({
    Type: 'Notification' as const,
    MessageId: `m-${Math.random().toString(36).slice(2)}`,
    TopicArn: 'arn:aws:sns:local:000000000000:pufa-stations',
    Message: JSON.stringify({ id: 'c~n~0~st-1', text: '今天是国际消费者权益日。' }),
    Timestamp: NOW.toISOString(),
    SignatureVersion: '2' as const,
    SigningCertURL: CERT_URL,
    UnsubscribeURL: `${SINK}/?Action=Unsubscribe&SubscriptionArn=x`,
    ...overrides,
  });

function aVerifier(options: { clock?: () => Date } = {}) {
  const fetched: string[] = [];
  const verifier = new SnsVerifier({
    certOrigins: [SINK],
    clock: options.clock ?? (() => NOW),
    fetchCertificate: async (url) => {
      fetched.push(url);
      return identity.certificatePem;
    },
  });
  return { verifier, fetched };
}

describe('the string SNS signs', () => {
  it('lists a notification’s fields in SNS’s order, Subject only when there is one', () => {
    const base = { Type: 'Notification' as const, MessageId: 'id', TopicArn: 'arn', Message: 'hi\nthere', Timestamp: 't', SignatureVersion: '2' as const, SigningCertURL: 'u', UnsubscribeURL: 'x' };
    expect(stringToSign(base)).toBe('Message\nhi\nthere\nMessageId\nid\nTimestamp\nt\nTopicArn\narn\nType\nNotification\n');
    expect(stringToSign({ ...base, Subject: 's' })).toBe('Message\nhi\nthere\nMessageId\nid\nSubject\ns\nTimestamp\nt\nTopicArn\narn\nType\nNotification\n');
  });

  it('adds SubscribeURL and Token for a subscription confirmation', () => {
    const message = { Type: 'SubscriptionConfirmation' as const, MessageId: 'id', Token: 'tok', TopicArn: 'arn', Message: 'm', SubscribeURL: 'https://s', Timestamp: 't', SignatureVersion: '2' as const, SigningCertURL: 'u' };
    expect(stringToSign(message)).toBe('Message\nm\nMessageId\nid\nSubscribeURL\nhttps://s\nTimestamp\nt\nToken\ntok\nTopicArn\narn\nType\nSubscriptionConfirmation\n');
  });
});

describe('the local sink’s certificate', () => {
  it('is a self-signed X.509 certificate Node reads, valid now, whose key checks signatures', () => {
    const certificate = new X509Certificate(identity.certificatePem);
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(Date.parse(certificate.validFrom)).toBeLessThan(NOW.getTime());
    expect(Date.parse(certificate.validTo)).toBeGreaterThan(NOW.getTime());
    expect(certificate.subject).toContain('pufa local SNS sink');
  });
});

describe('the receiver’s check of an SNS message', () => {
  it('takes a notification signed with the certificate at an allowed place', async () => {
    const { verifier, fetched } = aVerifier();
    const verdict = await verifier.verify(aNotification());
    expect(verdict).toMatchObject({ ok: true });
    expect(fetched).toEqual([CERT_URL]);
  });

  it('takes a subscription confirmation whose SubscribeURL leads to SNS', async () => {
    const { verifier } = aVerifier();
    const confirmation = signed({
      Type: 'SubscriptionConfirmation' as const,
      MessageId: 'c-1',
      Token: 'abc',
      TopicArn: 'arn:aws:sns:local:000000000000:pufa-stations',
      Message: 'You have chosen to subscribe…',
      SubscribeURL: `${SINK}/?Action=ConfirmSubscription&Token=abc`,
      Timestamp: NOW.toISOString(),
      SignatureVersion: '2' as const,
      SigningCertURL: CERT_URL,
    });
    expect(await verifier.verify(confirmation)).toMatchObject({ ok: true });
    expect(await aVerifier().verifier.verify({ ...confirmation, MessageId: 'c-2', SubscribeURL: 'https://evil.example.com/?Action=ConfirmSubscription' })).toMatchObject({
      ok: false,
      refusal: 'cert-host',
    });
  });

  it('refuses a changed Message or a changed Timestamp: the signature no longer matches', async () => {
    const { verifier } = aVerifier();
    const message = aNotification();
    expect(await verifier.verify({ ...message, Message: message.Message.replace('消费者', '生产者') })).toMatchObject({ ok: false, refusal: 'signature' });
    expect(await verifier.verify({ ...message, Timestamp: new Date(NOW.getTime() - 1000).toISOString() })).toMatchObject({ ok: false, refusal: 'signature' });
  });

  it('refuses a message signed by another key than the certificate’s', async () => {
    const { verifier } = aVerifier();
    const forged = signed({ ...aNotification(), Signature: undefined } as unknown as Omit<SnsNotification, 'Signature'>, other.privateKey);
    expect(await verifier.verify(forged)).toMatchObject({ ok: false, refusal: 'signature' });
  });

  it('never fetches a certificate from a place that is not SNS (over HTTPS) or an allowed origin', async () => {
    for (const url of [
      'https://evil.example.com/SimpleNotificationService-x.pem',
      'http://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem',
      'https://sns.us-east-1.amazonaws.com.evil.com/x.pem',
      'https://sns.us-east-1.amazonaws.com:8443/x.pem',
      'http://127.0.0.1:9999/SimpleNotificationService-local.pem',
    ]) {
      const { verifier, fetched } = aVerifier();
      expect(await verifier.verify(aNotification({ SigningCertURL: url })), url).toMatchObject({ ok: false, refusal: 'cert-host' });
      expect(fetched).toEqual([]);
    }
    const { verifier } = aVerifier();
    expect(verifier.allowedUrl('https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-a.pem')).toBe(true);
    expect(verifier.allowedUrl('https://sns.ap-southeast-1.amazonaws.com/SimpleNotificationService-a.pem')).toBe(true);
  });

  it('refuses a message older than an hour, or from the future, even well signed', async () => {
    const { verifier } = aVerifier();
    expect(await verifier.verify(aNotification({ Timestamp: new Date(NOW.getTime() - 61 * 60_000).toISOString() }))).toMatchObject({ ok: false, refusal: 'stale' });
    expect(await verifier.verify(aNotification({ Timestamp: new Date(NOW.getTime() + 10 * 60_000).toISOString() }))).toMatchObject({ ok: false, refusal: 'stale' });
    expect(await verifier.verify(aNotification({ Timestamp: new Date(NOW.getTime() - 59 * 60_000).toISOString() }))).toMatchObject({ ok: true });
  });

  it('refuses a replayed MessageId, until it is forgotten for SNS’s retry', async () => {
    const { verifier } = aVerifier();
    const message = aNotification();
    expect(await verifier.verify(message)).toMatchObject({ ok: true });
    expect(await verifier.verify(message)).toMatchObject({ ok: false, refusal: 'replay' });
    verifier.forget(message.MessageId);
    expect(await verifier.verify(message)).toMatchObject({ ok: true });
  });

  it('refuses SignatureVersion 1, a malformed envelope and an unexpected topic', async () => {
    const { verifier } = aVerifier();
    expect(await verifier.verify(aNotification({ SignatureVersion: '1' }))).toMatchObject({ ok: false, refusal: 'signature-version' });
    expect(await verifier.verify({ Type: 'Notification', Message: 'x' })).toMatchObject({ ok: false, refusal: 'malformed' });
    const pinned = new SnsVerifier({ certOrigins: [SINK], topicArns: ['arn:aws:sns:local:000000000000:other'], clock: () => NOW, fetchCertificate: async () => identity.certificatePem });
    expect(await pinned.verify(aNotification())).toMatchObject({ ok: false, refusal: 'topic' });
  });

  it('refuses a certificate that is not valid at the receiver’s time', async () => {
    const { verifier } = aVerifier({ clock: () => new Date(NOW.getTime() + 40 * 86_400_000) });
    expect(await verifier.verify(aNotification({ Timestamp: new Date(NOW.getTime() + 40 * 86_400_000).toISOString() }))).toMatchObject({ ok: false, refusal: 'cert' });
  });
});

describe('filter policies (scope MessageAttributes)', () => {
  const attributes = { county: 'tianquan', station: 'st-1', village: 'xiangyang', township: 'chengxiang', priority: '5' };

  it('routes a script to its own station only', () => {
    expect(matchesFilterPolicy(filterPolicyFor('tianquan', 'st-1'), attributes)).toBe(true);
    expect(matchesFilterPolicy(filterPolicyFor('tianquan', 'st-2'), attributes)).toBe(false);
    expect(matchesFilterPolicy(filterPolicyFor('tianquan', 'st-1'), { village: 'xiangyang' })).toBe(false);
  });

  it('routes a script to its own county’s station, not another county’s of the same id', () => {
    expect(matchesFilterPolicy(filterPolicyFor('lushan', 'st-1'), attributes)).toBe(false);
    // A script published before the county was an attribute reaches no county-filtered subscription.
    expect(matchesFilterPolicy(filterPolicyFor('tianquan', 'st-1'), { station: 'st-1' })).toBe(false);
  });

  it('ORs the values of a key and ANDs the keys', () => {
    expect(matchesFilterPolicy({ station: ['st-9', 'st-1'] }, attributes)).toBe(true);
    expect(matchesFilterPolicy({ station: ['st-1'], township: ['other'] }, attributes)).toBe(false);
    expect(matchesFilterPolicy({ station: ['st-1'], township: ['chengxiang'] }, attributes)).toBe(true);
  });

  it('knows prefix, suffix, anything-but, exists and numeric conditions, and array attributes', () => {
    expect(matchesFilterPolicy({ village: [{ prefix: 'xiang' }] }, attributes)).toBe(true);
    expect(matchesFilterPolicy({ village: [{ suffix: 'yang' }] }, attributes)).toBe(true);
    expect(matchesFilterPolicy({ station: [{ 'anything-but': ['st-1'] }] }, attributes)).toBe(false);
    expect(matchesFilterPolicy({ station: [{ 'anything-but': 'st-2' }] }, attributes)).toBe(true);
    expect(matchesFilterPolicy({ group: [{ exists: false }] }, attributes)).toBe(true);
    expect(matchesFilterPolicy({ station: [{ exists: false }] }, attributes)).toBe(false);
    expect(matchesFilterPolicy({ priority: [{ numeric: ['>=', 3, '<', 10] }] }, attributes)).toBe(true);
    expect(matchesFilterPolicy({ priority: [{ numeric: ['>', 5] }] }, attributes)).toBe(false);
    expect(matchesFilterPolicy({ station: ['st-2'] }, { station: '["st-1","st-2"]' })).toBe(true);
  });
});

describe('which subscription changes a registry change calls for', () => {
  const record = (overrides: Partial<StationSubscription> = {}): StationSubscription => ({
    stationId: 'st-1',
    endpoint: 'https://a.example/push',
    state: 'confirmed',
    subscriptionArn: 'arn:sub:1',
    updatedAt: NOW.toISOString(),
    ...overrides,
  });

  it('subscribes a new endpoint, leaves an unchanged one, replaces a changed one, retries a failed one', () => {
    expect(planSubscriptionSync([{ id: 'st-1', pushEndpoint: 'https://a.example/push' }], [], new Map())).toEqual([{ kind: 'subscribe', stationId: 'st-1', endpoint: 'https://a.example/push' }]);
    expect(planSubscriptionSync([{ id: 'st-1', pushEndpoint: 'https://a.example/push' }], [], new Map([['st-1', record()]]))).toEqual([]);
    expect(planSubscriptionSync([{ id: 'st-1', pushEndpoint: 'https://b.example/push' }], [], new Map([['st-1', record()]]))).toEqual([
      { kind: 'subscribe', stationId: 'st-1', endpoint: 'https://b.example/push', replacing: record() },
    ]);
    expect(planSubscriptionSync([{ id: 'st-1', pushEndpoint: 'https://a.example/push' }], [], new Map([['st-1', record({ state: 'failed' })]]))).toHaveLength(1);
  });

  it('unsubscribes a station whose endpoint was taken away or that was removed; a station that never pushed needs nothing', () => {
    expect(planSubscriptionSync([{ id: 'st-1' }], [], new Map([['st-1', record()]]))).toEqual([{ kind: 'unsubscribe', stationId: 'st-1', record: record() }]);
    expect(planSubscriptionSync([], ['st-1'], new Map([['st-1', record()]]))).toEqual([{ kind: 'unsubscribe', stationId: 'st-1', record: record() }]);
    expect(planSubscriptionSync([{ id: 'st-2' }], ['st-3'], new Map())).toEqual([]);
  });
});
