/**
 * The two shared-state mechanisms the dispatcher relies on, on the real database: claims with
 * leases, and the per-second send-rate cap held across dispatchers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryId, type DeliveryRecord } from '../../functions/domain/delivery.js';
import { must } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await freshTable();
});
afterAll(async () => db.drop());

let made = 0;
function aDelivery(): DeliveryRecord {
  made += 1;
  const recipient = { kind: 'station' as const, stationId: `st-${made}`, village: 'v', township: 't' };
  return {
    id: deliveryId('camp', 'note', 0, recipient),
    county: 'testcounty',
    campaignId: 'camp',
    noticeId: 'note',
    sendIndex: 0,
    scheduledAt: '2031-03-15T01:00:00.000Z',
    recipient,
    state: 'pending',
    attempts: 0,
    updatedAt: '2031-03-01T00:00:00.000Z',
  };
}

const at = (iso: string) => new Date(iso);

describe('claims and leases', () => {
  it('let exactly one of several dispatchers claim a due delivery', async () => {
    const delivery = aDelivery();
    await db.store.deliveries.createMany([delivery]);
    const now = at('2031-03-15T01:00:05Z');
    const claims = await Promise.all(
      ['a', 'b', 'c', 'd'].map((id) => db.store.deliveries.claim(delivery, { id, until: at('2031-03-15T01:00:50Z') }, now)),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    // Claimed work leaves the due list until its lease runs out...
    expect((await db.store.deliveries.due(now, 50)).map((item) => item.id)).not.toContain(delivery.id);
    // ...and comes back after, for another run to take.
    const later = at('2031-03-15T01:00:51Z');
    expect((await db.store.deliveries.due(later, 50)).map((item) => item.id)).toContain(delivery.id);
  });

  it('hand a run-out claim to the next dispatcher, and refuse the old claim’s outcome', async () => {
    const delivery = aDelivery();
    await db.store.deliveries.createMany([delivery]);
    const first = await db.store.deliveries.claim(delivery, { id: 'crashed', until: at('2031-03-15T01:01:00Z') }, at('2031-03-15T01:00:10Z'));
    expect(first?.state).toBe('sending');
    expect(await db.store.deliveries.claim(delivery, { id: 'early', until: at('2031-03-15T01:02:00Z') }, at('2031-03-15T01:00:30Z'))).toBeUndefined();
    const second = await db.store.deliveries.claim(delivery, { id: 'next', until: at('2031-03-15T01:02:00Z') }, at('2031-03-15T01:01:01Z'));
    expect(second?.leaseId).toBe('next');

    expect(await db.store.deliveries.finish(must(second), 'crashed', 'sent', { messageId: 'late' }, at('2031-03-15T01:01:05Z'))).toBe(false);
    expect(await db.store.deliveries.finish(must(second), 'next', 'sent', { messageId: 'm-1' }, at('2031-03-15T01:01:05Z'))).toBe(true);
    expect(await db.store.deliveries.finish(must(second), 'next', 'sent', { messageId: 'm-2' }, at('2031-03-15T01:01:06Z'))).toBe(false);
    const stored = await db.store.deliveries.get(delivery);
    expect(stored).toMatchObject({ state: 'sent', messageId: 'm-1' });
    expect(stored?.leaseId).toBeUndefined();
    expect((await db.store.deliveries.counts('testcounty', 'camp', 'note')).sent).toBe(1);
  });

  it('release a claim back to pending with a retry time', async () => {
    const delivery = aDelivery();
    await db.store.deliveries.createMany([delivery]);
    const claimed = await db.store.deliveries.claim(delivery, { id: 'l', until: at('2031-03-15T01:01:00Z') }, at('2031-03-15T01:00:10Z'));
    expect(await db.store.deliveries.release(must(claimed), 'l', '2031-03-15T01:05:00.000Z', { attempts: 1, reason: 'Throttled' }, at('2031-03-15T01:00:11Z'))).toBe(true);
    expect((await db.store.deliveries.due(at('2031-03-15T01:04:59Z'), 50)).map((item) => item.id)).not.toContain(delivery.id);
    const retried = (await db.store.deliveries.due(at('2031-03-15T01:05:00Z'), 50)).find((item) => item.id === delivery.id);
    expect(retried).toMatchObject({ state: 'pending', attempts: 1, reason: 'Throttled' });
  });
});

describe('the send-rate cap', () => {
  it('never grants more than the cap in one second, however many dispatchers ask at once', async () => {
    const cap = 20;
    const limiters = Array.from({ length: 5 }, () => db.store.rateLimiter('sms-test', cap));
    const second = at('2031-03-15T01:00:00.100Z');
    const grants = await Promise.all(limiters.flatMap((limiter) => [limiter.take(7, second), limiter.take(7, second)]));
    const total = grants.reduce((sum, grant) => sum + grant.granted, 0);
    expect(total).toBeLessThanOrEqual(cap);
    expect(total).toBeGreaterThanOrEqual(cap - 6); // slots are not wasted either: at most one ask's worth left over
    const nextSecond = await must(limiters[0]).take(7, at('2031-03-15T01:00:01.000Z'));
    expect(nextSecond.granted).toBe(7);
  });

  it('grants what is left of a second when less than asked remains', async () => {
    const limiter = db.store.rateLimiter('sms-rest', 10);
    const moment = at('2031-03-15T02:00:00.000Z');
    expect((await limiter.take(8, moment)).granted).toBe(8);
    expect((await limiter.take(8, moment)).granted).toBe(2);
    expect((await limiter.take(8, moment)).granted).toBe(0);
  });
});
