/**
 * Re-keying phone numbers stored the old way (an unkeyed SHA-256 of the number) to the
 * deployment's secret key, on DynamoDB Local with items written exactly as the old code wrote them:
 * subscribers, their pending SMS deliveries, opt-outs (by API, from SNS, of strangers). Resumable,
 * idempotent, and the dispatcher honours every re-keyed opt-out afterwards.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { commandLineActor } from '../../functions/domain/audit.js';
import { legacyPhoneKey } from '../../functions/domain/phone.js';
import { createDocumentClient } from '../../functions/store/client.js';
import { keys } from '../../functions/store/keys.js';
import { rekeyPhones, type RekeyReport } from '../../functions/workflows/rekey-phones.js';
import { aGrant, aToken, must } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { aBench, anSmsNotice, testPhone, type Bench } from '../support/dispatch.js';
import { sendTo } from '../support/http.js';

const county = 'testcounty';
let db: TestDatabase;
let bench: Bench;
const phones = [1, 2, 3].map((index) => testPhone(7000 + index));
const stranger = testPhone(7999);
const fromSns = testPhone(7998);
let notice: { campaignId: string; noticeId: string };

/** An opt-out item as the old code wrote it: no `keying` mark. */
async function oldOptOut(phone: string, source?: 'sns') {
  const phoneKey = legacyPhoneKey(phone);
  await createDocumentClient(db.client).send(
    new PutCommand({ TableName: db.tableName, Item: { ...keys.optOut(phoneKey), type: 'optout', phoneKey, optedOutAt: '2031-01-01T00:00:00.000Z', ...(source ? { source } : {}) } }),
  );
}

beforeAll(async () => {
  db = await freshTable({ county });
  bench = await aBench(db);
  const now = bench.clock.read().toISOString();
  for (const phone of phones) {
    await db.store.subscribers.upsert(
      { county, phone, phoneKey: legacyPhoneKey(phone), township: 'chengxiang', village: 'chengxiang-xiangyang', groups: [], consent: true, optedOut: false, createdAt: now, updatedAt: now },
      undefined,
    );
  }
  notice = await bench.scheduled(anSmsNotice());
  // The first subscriber opted out after scheduling (the old way), as did a stranger and a number on SNS's list.
  await oldOptOut(must(phones[0]));
  await oldOptOut(stranger);
  await oldOptOut(fromSns, 'sns');
  await db.store.subscribers.markOptOutSync(bench.clock.read(), 1);
});
afterAll(async () => {
  await bench.stop();
  await db.drop();
});

const run = (options: { maxPages?: number; pageSize?: number } = {}) =>
  rekeyPhones(db.store, db.deps.phoneKeys, { now: bench.clock.read, ...options, audit: { actor: commandLineActor('test'), county, timeZone: 'Asia/Shanghai' } });

describe('re-keying phone numbers', () => {
  let first: RekeyReport;
  let report: RekeyReport;
  beforeAll(async () => {
    // Let the expansion write the deliveries (keyed the old way, from the subscribers' keys).
    bench.clock.set('2031-03-14T23:00:00Z');
    await bench.dispatch();
    const pending = await db.store.deliveries.pendingOfNotice(county, notice.campaignId, notice.noticeId);
    expect(pending.map((delivery) => delivery.id.split('~p')[1]).sort()).toEqual(phones.map(legacyPhoneKey).sort());
    // A first run stops after one page of the Scan; the next goes on from there.
    first = await run({ maxPages: 1, pageSize: 5 });
    expect(first.complete).toBe(false);
    report = await run();
  });

  it('moves subscribers to their secret keys, found by number and listed under them', async () => {
    for (const phone of phones) {
      expect(await db.store.subscribers.findByPhoneKey(county, legacyPhoneKey(phone))).toBeUndefined();
      expect((await db.store.subscribers.findByPhoneKey(county, db.deps.phoneKeys.keyOf(phone)))?.phone).toBe(phone);
    }
    const admin = (await aToken(db.store, county, aGrant({ role: 'admin' }))).headers;
    const listed = await sendTo(createApp(db.deps))('GET', '/subscribers?township=chengxiang', admin);
    expect(listed.body.items.map((item: { phoneKey: string }) => item.phoneKey).sort()).toEqual(phones.map((phone) => db.deps.phoneKeys.keyOf(phone)).sort());
  });

  it('moves pending deliveries to ids that end with the new key, still due', async () => {
    const pending = await db.store.deliveries.pendingOfNotice(county, notice.campaignId, notice.noticeId);
    expect(pending.map((delivery) => delivery.id.split('~p')[1]).sort()).toEqual(phones.map((phone) => db.deps.phoneKeys.keyOf(phone)).sort());
    expect(pending.every((delivery) => delivery.recipient.kind === 'sms' && delivery.recipient.phoneKey === db.deps.phoneKeys.keyOf(delivery.recipient.phone))).toBe(true);
    expect((await db.store.deliveries.counts(county, notice.campaignId, notice.noticeId)).total).toBe(3);
  });

  it('moves opt-outs of known numbers, asks SNS again for its list, and counts what it cannot re-key', async () => {
    expect(report).toMatchObject({ skipped: 0, inFlight: 0, complete: true });
    // Each run counts the old opt-outs on its own pages of the Scan.
    expect(first.subscribers + report.subscribers).toBe(3);
    expect(first.unattributedOptOuts + report.unattributedOptOuts).toBe(1);
    expect(first.snsOptOutsResynced + report.snsOptOutsResynced).toBe(1);
    expect(await db.store.subscribers.optedOut([db.deps.phoneKeys.keyOf(must(phones[0]))])).toEqual(new Set([db.deps.phoneKeys.keyOf(must(phones[0]))]));
    expect(await db.store.subscribers.optedOut([legacyPhoneKey(must(phones[0]))])).toEqual(new Set());
    expect(await db.store.subscribers.lastOptOutSync()).toBeUndefined();
  });

  it('sends to the re-keyed subscribers and skips the one who opted out', async () => {
    bench.clock.set('2031-03-15T01:00:30Z');
    const summary = await bench.dispatch();
    expect(summary).toMatchObject({ sent: 2, skipped: 1, failed: 0 });
    const sentTo = bench.sink.outbox.list().filter((entry) => entry.kind === 'sms').map((entry) => entry.phoneNumber);
    expect(sentTo.sort()).toEqual([phones[1], phones[2]].sort());
  });

  it('changes nothing when run again, and filed its work in the audit log', async () => {
    const again = await run();
    expect(again).toMatchObject({ subscribers: 0, deliveries: 0, optOuts: 0, skipped: 0 });
    const entries = await db.store.audit.page(county, '2031-03-15', { limit: 100 });
    const rekeys = entries.items.filter((entry) => entry.action === 'subscribers.rekey');
    expect(rekeys.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(rekeys)).not.toMatch(/199\d{8}/);
  });
});
