/**
 * Sending at scale (issue 17): one dispatcher, one account-wide SMS cap, many counties. A county
 * with forty times another's SMS, expanded first, must not hold the other back — neither when both
 * are due in the same minute nor when the small one is due minutes after the big one's backlog
 * began — and the cap, exactly-once and "never before its time" still hold. Entries written in
 * the due index's old form are still found and sent.
 */
import { BatchWriteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../functions/domain/access.js';
import { deliveryId, type DeliveryRecord } from '../../functions/domain/delivery.js';
import { must } from '../support/builders.js';
import { noticeInputSchema } from '../../functions/domain/planning.js';
import type { Notifier } from '../../functions/notify/sns.js';
import { deliveryItem, deliveryKey, shardOf } from '../../functions/store/deliveries.js';
import { tableOf } from '../../functions/store/internal.js';
import { keys } from '../../functions/store/keys.js';
import { subscriberItem } from '../../functions/store/subscribers.js';
import { actOnNotice, createCampaign, createNotice } from '../../functions/workflows/notices.js';
import { loadPlan } from '../../functions/workflows/plans.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { aBench, testPhone, type Bench } from '../support/dispatch.js';
import { aPlan, sampleRegistry } from '../support/planning.js';

const CAP = 10;
const BIG = 400;
const SMALL = 10;

let db: TestDatabase;
let bench: Bench;
/** Every Publish the dispatcher made: to whom, at what time on the test's clock. */
const sends: { phone: string; at: number }[] = [];
let notifier: Notifier;

const staffOf = (county: string): Caller => ({ tokenId: `tok_${county}_staff`, county, role: 'staff', name: '宣传员' });
const reviewerOf = (county: string): Caller => ({ tokenId: `tok_${county}_reviewer`, county, role: 'reviewer', name: '审核员' });

/** A county with its plan and `count` subscribers in one village, numbered from `firstPhone`. */
async function aCounty(county: string, firstPhone: number, count: number): Promise<void> {
  const deps = { store: db.store, config: db.config, now: bench.clock.read() };
  const loaded = await loadPlan(deps, { plan: aPlan(), registry: sampleRegistry(), county, loader: { kind: 'system' }, actor: staffOf(county), dryRun: false });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const now = bench.clock.read().toISOString();
  // In the store's own item format, 25 to a BatchWrite: what an import leaves, without its one-by-one checks.
  const items = Array.from({ length: count }, (_, index) => {
    const phone = testPhone(firstPhone + index);
    return subscriberItem({ county, phone, phoneKey: db.deps.phoneKeys.keyOf(phone), township: 'chengxiang', village: 'chengxiang-xiangyang', groups: [], consent: true, optedOut: false, createdAt: now, updatedAt: now });
  });
  const { db: client, tableName } = tableOf(db.store);
  for (let start = 0; start < items.length; start += 25) {
    const result = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } })) } }));
    expect(Object.keys(result.UnprocessedItems ?? {})).toHaveLength(0);
  }
}

/** An SMS notice to the county's village at `at` (local), taken through review and scheduled (expanded at once). */
async function scheduleSms(county: string, campaignId: string, at: string): Promise<void> {
  const deps = { store: db.store, config: db.config, now: bench.clock.read(), speech: db.deps.speech };
  await createCampaign(deps, staffOf(county), { id: campaignId, title: '12·4 宪法宣传日', theme: 'consumer-rights', keyDate: '2031-03-15', window: { start: '2031-03-08', end: '2031-03-21' } });
  await createNotice(deps, staffOf(county), campaignId, noticeInputSchema.parse({ id: 'n', channel: 'sms', audience: { villages: ['chengxiang-xiangyang'] }, schedule: { kind: 'fixed', at }, sms: { body: '宪法宣传日，学法守法。' } }));
  for (const [action, caller] of [['submit', staffOf(county)], ['approve', reviewerOf(county)], ['schedule', staffOf(county)]] as const) {
    await actOnNotice(deps, caller, campaignId, 'n', action);
  }
  // Scheduling expands a first slice; the rest as the dispatcher would.
  const { advanceExpansion } = await import('../../functions/workflows/expand.js');
  for (;;) {
    const progress = await advanceExpansion(db.store, { county, campaignId, noticeId: 'n' }, { now: bench.clock.read, deadline: Date.now() + 60_000, timeZone: 'Asia/Shanghai' });
    if (progress.done) break;
  }
}

const bigPhones = new Set(Array.from({ length: BIG }, (_, index) => testPhone(1 + index)));
const countyOf = (phone: string) => (bigPhones.has(phone) ? 'big' : 'small');

/** Runs the dispatcher (as its scheduled runs would) until nothing of `campaigns` is pending. */
async function dispatchUntilDone(campaigns: { county: string; campaignId: string }[]): Promise<void> {
  for (let run = 0; run < 20; run += 1) {
    await bench.dispatch({ notifier, budgetMs: 30_000 });
    const pending = await Promise.all(campaigns.map(async ({ county, campaignId }) => (await db.store.deliveries.counts(county, campaignId, 'n')).pending));
    if (pending.every((count) => count === 0)) return;
  }
  throw new Error('still pending after 20 runs');
}

function checkCapAndOnce(from: number, scheduledAt: number): void {
  const ours = sends.slice(from);
  const perSecond = new Map<number, number>();
  for (const send of ours) perSecond.set(Math.floor(send.at / 1000), (perSecond.get(Math.floor(send.at / 1000)) ?? 0) + 1);
  expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(CAP);
  expect(new Set(ours.map((send) => send.phone)).size).toBe(ours.length);
  expect(Math.min(...ours.map((send) => send.at))).toBeGreaterThanOrEqual(scheduledAt);
}

beforeAll(async () => {
  db = await freshTable({ county: 'big' });
  bench = await aBench(db, { smsPerSecond: CAP });
  db.setNow(bench.clock.read());
  notifier = {
    ...bench.notifier,
    sendSms: async (message) => {
      sends.push({ phone: message.phoneNumber, at: bench.clock.read().getTime() });
      return bench.notifier.sendSms(message);
    },
  };
  await aCounty('big', 1, BIG);
  await aCounty('small', 5001, SMALL);
});
afterAll(async () => {
  await bench.stop();
  await db.drop();
});

/**
 * Dispatches both counties' `<prefix>-big` and `<prefix>-small` pushes to the end and checks the
 * small county had its fair turn: of the first 2 × SMALL sends, half each is fair, and at least a
 * third is asked (none before the fair queue). Also the cap and once-only; answers the sends.
 */
async function sendBothFairly(prefix: string, notBefore: number) {
  const from = sends.length;
  await dispatchUntilDone([
    { county: 'big', campaignId: `${prefix}-big` },
    { county: 'small', campaignId: `${prefix}-small` },
  ]);
  const ours = sends.slice(from);
  expect(ours).toHaveLength(BIG + SMALL);
  const first = ours.slice(0, 2 * SMALL);
  expect(first.filter((send) => countyOf(send.phone) === 'small').length).toBeGreaterThanOrEqual((2 * SMALL) / 3);
  checkCapAndOnce(from, notBefore);
  return ours;
}

describe('one SMS cap, two counties of very different size', () => {
  it('serves the small county from the first seconds when both are due in the same minute, the big one expanded first', async () => {
    await scheduleSms('big', 'same-big', '2031-03-10T09:00');
    await scheduleSms('small', 'same-small', '2031-03-10T09:00');
    bench.clock.set('2031-03-10T01:00:05Z');
    await sendBothFairly('same', Date.parse('2031-03-10T01:00:00Z'));
  });

  it('serves a push due minutes later beside the big county’s backlog, not behind it', async () => {
    await scheduleSms('big', 'late-big', '2031-03-11T09:00');
    await scheduleSms('small', 'late-small', '2031-03-11T09:05');
    // Five minutes on, the big county's 09:00 push is all still due (the dispatcher was down, say).
    bench.clock.set('2031-03-11T01:05:02Z');
    const ours = await sendBothFairly('late', Date.parse('2031-03-11T01:00:00Z'));
    const small = ours.filter((send) => countyOf(send.phone) === 'small');
    expect(Math.min(...small.map((send) => send.at))).toBeGreaterThanOrEqual(Date.parse('2031-03-11T01:05:00Z'));
  });
});

describe('two counties with the same plan and station ids', () => {
  it('push every script once, in batches that mix the counties', async () => {
    const deps = { store: db.store, config: db.config, now: bench.clock.read(), speech: db.deps.speech };
    bench.clock.set('2031-03-12T00:00:00Z');
    for (const county of ['big', 'small']) {
      const now = { ...deps, now: bench.clock.read() };
      await createCampaign(now, staffOf(county), { id: 'same-ids', title: '广播', theme: 'consumer-rights', keyDate: '2031-03-15', window: { start: '2031-03-08', end: '2031-03-21' } });
      await createNotice(
        now,
        staffOf(county),
        'same-ids',
        noticeInputSchema.parse({ id: 'n', channel: 'broadcast', audience: { all: true }, schedule: { kind: 'fixed', at: '2031-03-12T09:00' }, broadcast: { script: '宪法宣传日广播。', airWindows: [{ from: '08:00', to: '20:00' }], repeats: 1 } }),
      );
      for (const [action, caller] of [['submit', staffOf(county)], ['approve', reviewerOf(county)], ['schedule', staffOf(county)]] as const) await actOnNotice(now, caller, 'same-ids', 'n', action);
    }
    bench.clock.set('2031-03-12T01:00:05Z');
    const before = bench.sink.outbox.list().length;
    await dispatchUntilDone([
      { county: 'big', campaignId: 'same-ids' },
      { county: 'small', campaignId: 'same-ids' },
    ]);
    const stations = sampleRegistry().stations.length;
    for (const county of ['big', 'small']) expect((await db.store.deliveries.counts(county, 'same-ids', 'n')).sent, county).toBe(stations);
    expect(bench.sink.outbox.list().length - before).toBe(2 * stations);
  });
});

describe('the due index', () => {
  const delivery = (id: string, scheduledAt: string): DeliveryRecord => {
    const recipient = { kind: 'station' as const, stationId: id, village: 'v', township: 't' };
    return { id: deliveryId('idx', 'n', 0, recipient), county: 'big', campaignId: 'idx', noticeId: 'n', sendIndex: 0, scheduledAt, recipient, state: 'pending', attempts: 0, fairRank: 0, updatedAt: '2031-04-01T00:00:00.000Z' };
  };

  it('gives nothing before its exact time, though its minute has come', async () => {
    const late = delivery('st-late-in-minute', '2031-04-02T01:00:40.000Z');
    await db.store.deliveries.createMany([late]);
    expect((await db.store.deliveries.due(new Date('2031-04-02T01:00:39.999Z'), 25)).map((item) => item.id)).not.toContain(late.id);
    expect((await db.store.deliveries.due(new Date('2031-04-02T01:00:40.000Z'), 25)).map((item) => item.id)).toContain(late.id);
  });

  it('keeps a delivery’s rank when a claim or a retry moves its entry', async () => {
    const ranked = { ...delivery('st-ranked', '2031-04-04T01:00:00.000Z'), fairRank: 7 };
    await db.store.deliveries.createMany([ranked]);
    const { db: client, tableName } = tableOf(db.store);
    const dueKey = async () => String((await client.send(new GetCommand({ TableName: tableName, Key: deliveryKey(ranked) }))).Item?.dueAt);
    expect(await dueKey()).toBe(`2031-04-04T01:00#00000007#2031-04-04T01:00:00.000Z#${ranked.id}`);
    const claimed = await db.store.deliveries.claim(ranked, { id: 'r', until: new Date('2031-04-04T01:00:50Z') }, new Date('2031-04-04T01:00:05Z'));
    expect(await dueKey()).toBe(`2031-04-04T01:00#00000007#2031-04-04T01:00:50.000Z#${ranked.id}`);
    expect(claimed && (await db.store.deliveries.release(claimed, 'r', '2031-04-04T01:03:00.000Z', { attempts: 1 }, new Date('2031-04-04T01:00:06Z')))).toBe(true);
    expect(await dueKey()).toBe(`2031-04-04T01:03#00000007#2031-04-04T01:03:00.000Z#${ranked.id}`);
  });

  it('finds a due entry of the current minute behind a full page of entries not yet due (retries keep their low ranks)', async () => {
    // One shard: ten retries later in the minute at ranks 0-9, and one due now at rank 50.
    const inOneShard = (prefix: string, count: number) => {
      const found: string[] = [];
      for (let index = 0; found.length < count; index += 1) if (shardOf(deliveryId('idx', 'n', 0, { kind: 'station', stationId: `${prefix}${index}`, village: 'v', township: 't' })) === 0) found.push(`${prefix}${index}`);
      return found;
    };
    const retries = inOneShard('st-retry-', 10).map((id, rank) => ({ ...delivery(id, '2031-04-05T01:00:50.000Z'), fairRank: rank }));
    const [dueId] = inOneShard('st-due-now-', 1);
    const dueNow = { ...delivery(must(dueId), '2031-04-05T01:00:00.000Z'), fairRank: 50 };
    await db.store.deliveries.createMany([...retries, dueNow]);
    const now = new Date('2031-04-05T01:00:10Z');
    // Pages of 4: in this minute the first pages hold only retries not yet due.
    const found = (await db.store.deliveries.due(now, 4)).map((item) => item.id);
    expect(found).toContain(dueNow.id);
    expect(found.filter((id) => retries.some((retry) => retry.id === id))).toEqual([]);
    expect(await db.store.deliveries.anyDue(now)).toBe(true);
    expect(await db.store.deliveries.anyDue(new Date('2031-04-01T00:00:00Z'))).toBe(false);
  });

  it('still finds an entry written in the old form (`<time>#<id>`), and claims it', async () => {
    const old = delivery('st-old-form', '2031-04-03T01:00:30.000Z');
    const { fairRank: _unranked, ...record } = old;
    const { db: client, tableName } = tableOf(db.store);
    const item = { ...deliveryItem(record, undefined), duePk: keys.dueShard(shardOf(old.id) % 4), dueAt: `${old.scheduledAt}#${old.id}` };
    await client.send(new PutCommand({ TableName: tableName, Item: item }));
    expect((await db.store.deliveries.due(new Date('2031-04-03T01:00:29Z'), 25)).map((found) => found.id)).not.toContain(old.id);
    const found = (await db.store.deliveries.due(new Date('2031-04-03T01:00:31Z'), 25)).find((entry) => entry.id === old.id);
    expect(found).toBeDefined();
    const claimed = found && (await db.store.deliveries.claim(found, { id: 'l', until: new Date('2031-04-03T01:01:20Z') }, new Date('2031-04-03T01:00:31Z')));
    expect(claimed?.state).toBe('sending');
  });
});
