import { describe, expect, it } from 'vitest';
import {
  availableUntil,
  countsFrom,
  deliveryId,
  deliveryIdSchema,
  lateBy,
  nextRetry,
  parseDeliveryId,
  quietUntil,
} from '../../functions/domain/delivery.js';
import { hmacPhoneKeys, legacyPhoneKey, maskPhone, maskPhonesIn, normalisePhone } from '../../functions/domain/phone.js';

const keys = hmacPhoneKeys('unit-test-phone-key-secret-0123456789-abcdefgh');

describe('retries', () => {
  const policy = { maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 5_000 };
  it('back off exponentially, with full jitter, up to a ceiling', () => {
    expect(nextRetry(1, policy, () => 1)).toEqual({ retryInMs: 1_000 });
    expect(nextRetry(2, policy, () => 1)).toEqual({ retryInMs: 2_000 });
    expect(nextRetry(3, policy, () => 1)).toEqual({ retryInMs: 4_000 });
    expect(nextRetry(3, policy, () => 0.5)).toEqual({ retryInMs: 2_000 });
    expect(nextRetry(3, { ...policy, maxAttempts: 9 }, () => 1)).toEqual({ retryInMs: 4_000 });
    expect(nextRetry(6, { ...policy, maxAttempts: 9 }, () => 1)).toEqual({ retryInMs: 5_000 });
    expect(nextRetry(1, policy, () => 0)).toEqual({ retryInMs: 250 });
  });
  it('give up after the last attempt', () => {
    expect(nextRetry(4, policy, () => 0.5)).toEqual({ giveUp: true });
  });
});

describe('late sends', () => {
  const scheduledAt = '2031-03-15T01:00:00.000Z';
  it('are late only past the window', () => {
    expect(lateBy(scheduledAt, new Date('2031-03-15T04:00:00Z'), 180)).toBeUndefined();
    expect(lateBy(scheduledAt, new Date('2031-03-15T04:00:01Z'), 180)).toBe(180);
    expect(lateBy(scheduledAt, new Date('2031-03-16T01:00:00Z'), 180)).toBe(1440);
  });
});

describe('quiet hours at send time', () => {
  const quiet = { start: '21:00', end: '08:00' };
  it('let a daytime send go and hold a night send until the morning, in the county’s zone', () => {
    expect(quietUntil(new Date('2031-03-15T02:00:00Z'), 'Asia/Shanghai', quiet)).toBeUndefined();
    expect(quietUntil(new Date('2031-03-15T13:30:00Z'), 'Asia/Shanghai', quiet)).toBe('2031-03-16T00:00:00.000Z');
    expect(quietUntil(new Date('2031-03-15T23:00:00Z'), 'Asia/Shanghai', quiet)).toBe('2031-03-16T00:00:00.000Z');
  });
});

describe('station scripts', () => {
  it('stay available until the last air window of the day closes', () => {
    const windows = [{ from: '06:30', to: '08:00' }, { from: '18:00', to: '19:30' }];
    expect(availableUntil('2031-03-14T23:00:00.000Z', windows, 'Asia/Shanghai')).toBe('2031-03-15T11:30:00.000Z');
  });
});

describe('delivery ids', () => {
  it('carry campaign, notice, send and recipient, and parse back', () => {
    const id = deliveryId('2021-0315', 'sms-eve', 2, { kind: 'station', stationId: 'st-1', village: 'v', township: 't' });
    expect(id).toBe('2021-0315~sms-eve~2~sst-1');
    expect(deliveryIdSchema.safeParse(id).success).toBe(true);
    expect(parseDeliveryId(id)).toEqual({ campaignId: '2021-0315', noticeId: 'sms-eve', sendIndex: 2 });
  });
  it('never contain a phone number', () => {
    const phone = '+8619900000001';
    const id = deliveryId('c', 'n', 0, { kind: 'sms', phone, phoneKey: keys.keyOf(phone), township: 't', village: 'v' });
    expect(id).not.toContain('19900000001');
  });
});

describe('counts', () => {
  it('derive pending from the total and the finished states', () => {
    expect(countsFrom({ total: 10, sent: 4, failed: 1, skipped: 1, expired: 1, cancelled: 1, aired: 2 })).toEqual({
      total: 10, pending: 2, sent: 4, failed: 1, skipped: 1, expired: 1, aired: 2, cancelled: 1, uncertain: 0, delivered: 0, undelivered: 0, costMicroUsd: 0,
    });
    // An uncertain send has ended as far as the dispatcher goes: it is not pending.
    expect(countsFrom({ total: 10, sent: 4, uncertain: 3 })).toMatchObject({ pending: 3, uncertain: 3 });
    // Receipts come after sent, like airings: they leave pending as it was.
    expect(countsFrom({ total: 10, sent: 4, delivered: 3, undelivered: 1, costMicroUsd: 25_800 })).toMatchObject({ pending: 6, sent: 4, delivered: 3, undelivered: 1 });
  });
});

describe('phone numbers', () => {
  it.each([
    ['13800138000'],
    ['138 0013 8000'],
    ['+86 138-0013-8000'],
    ['008613800138000'],
    ['8613800138000'],
  ])('normalise %s to E.164', (input) => {
    expect(normalisePhone(input)).toEqual({ ok: true, e164: '+8613800138000' });
  });
  it.each([['010-12345678'], ['12345'], [''], ['not a number']])('refuse %s with a reason', (input) => {
    const result = normalisePhone(input);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).not.toBe('');
  });
  it('accept foreign numbers in E.164', () => {
    expect(normalisePhone('+1 202 555 0100')).toEqual({ ok: true, e164: '+12025550100' });
  });
  it('show admins the first three and last four digits, everyone else the last four only', () => {
    expect(maskPhone('+8613800135678', 'admin')).toBe('+86 138****5678');
    expect(maskPhone('+8613800135678', 'restricted')).toBe('+86 *******5678');
    expect(maskPhone('+8613800135678')).toBe('+86 *******5678');
  });
  it('are masked inside free text such as a provider’s error message', () => {
    expect(maskPhonesIn('Invalid parameter: PhoneNumber +8619900001234 is not valid')).toBe('Invalid parameter: PhoneNumber 861****34 is not valid');
    expect(maskPhonesIn('InternalError: try again')).toBe('InternalError: try again');
  });
  it('key numbers stably without containing them', () => {
    expect(keys.keyOf('+8613800135678')).toBe(keys.keyOf('+8613800135678'));
    expect(keys.keyOf('+8613800135678')).not.toBe(keys.keyOf('+8613800135679'));
    expect(keys.keyOf('+8613800135678')).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
  it('key numbers with the deployment’s secret: another secret, or none, gives another key', () => {
    const other = hmacPhoneKeys('another-deployments-secret-0123456789-abcdefgh');
    expect(keys.keyOf('+8613800135678')).not.toBe(other.keyOf('+8613800135678'));
    expect(keys.keyOf('+8613800135678')).not.toBe(legacyPhoneKey('+8613800135678'));
  });
  it('refuse a secret too short to be one', () => {
    expect(() => hmacPhoneKeys('short')).toThrow(/at least 43/);
  });
});
