/**
 * Carrier receipts end to end on DynamoDB Local: SMS sent through the real SNS client to the local
 * sink, which makes each one's delivery-status line as SNS logs it and hands it on as a CloudWatch
 * Logs subscription event to the receipts Lambda's code — and the orderings and repeats AWS allows.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../functions/app.js';
import { cloudWatchLogsEvent, deliveryLogGroupName, receiptFromLog, smsDeliveryLogSchema } from '../../functions/domain/receipt.js';
import { noticeProgress } from '../../functions/domain/notice-progress.js';
import { assemble } from '../../functions/domain/tally.js';
import type { Notifier } from '../../functions/notify/sns.js';
import { reconcileYear } from '../../functions/workflows/reconcile.js';
import { receiveReceiptsEvent } from '../../functions/workflows/receipts.js';
import { aGrant, aToken, must } from '../support/builders.js';
import { freshTable, TEST_PHONE_KEY_SECRET, type TestDatabase } from '../support/db.js';
import { aBench, anSmsNotice, type Bench } from '../support/dispatch.js';
import { logsSubscriptionEvent, smsDeliveryLine } from '../support/lambda-events.js';
import { aSession } from '../support/sessions.js';

let db: TestDatabase;
let bench: Bench;
const county = 'testcounty';
/** Numbers the carrier does not reach, for the sink's receipts; tests add to it. */
const unreachable = new Set<string>();

beforeEach(async () => {
  unreachable.clear();
  db = await freshTable({ county });
});
afterEach(async () => {
  await bench.stop();
  await db.drop();
});

const SEND_AT = '2031-03-15T01:00:30Z'; // 09:00:30 local on the key date

/** Sends what is due now, then waits until the sink's receipts for it have been applied. */
/** A dispatcher run, then the sink's receipts for it: held until the run has recorded its outcomes. */
async function dispatchAndReceive() {
  const release = bench.holdReceipts();
  const summary = await bench.dispatch();
  release();
  await bench.sink.receiptsSettled();
  return summary;
}

const tallies = async () => assemble(2031, [3], await db.store.tallies.year(county, 2031));
const reconciled = () => reconcileYear(db.store, { county, year: 2031, repair: false, timeZone: 'Asia/Shanghai' });
const sentSms = () => bench.sink.outbox.list().filter((entry) => entry.kind === 'sms');

/** The county office's dashboard for 2031 as its visible text. */
async function dashboardText(): Promise<string> {
  const office = await aToken(db.store, county, aGrant({ role: 'county' }));
  const { cookie } = await aSession(db.store, office.secret, bench.clock.read());
  const response = await createApp({ ...db.deps, clock: bench.clock.read }).request('/app/dashboard?year=2031', { headers: { Cookie: cookie } });
  expect(response.status).toBe(200);
  return (await response.text()).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}

describe('receipts from the carrier', () => {
  beforeEach(async () => {
    bench = await aBench(db, {}, { receipts: { fails: (phone) => unreachable.has(phone), priceUsd: 0.00645 } });
  });

  it('make sent SMS delivered or undelivered, counted on the notice and in the tallies at their real cost', async () => {
    const phones = await bench.addSubscribers(5);
    await bench.addSubscribers(2, { township: 'shiyang', village: 'shiyang-qiaotou' });
    unreachable.add(must(phones[1])).add(must(phones[3]));
    const { campaignId } = await bench.scheduled(anSmsNotice({ audience: { townships: ['chengxiang', 'shiyang'] } }));
    bench.clock.set(SEND_AT);
    expect(await dispatchAndReceive()).toMatchObject({ sent: 7 });

    const deliveries = await db.store.deliveries.allOfNotice(county, campaignId, 'n');
    const byPhone = new Map(deliveries.map((delivery) => [delivery.recipient.kind === 'sms' ? delivery.recipient.phone : '', delivery]));
    expect(byPhone.get(must(phones[0]))).toMatchObject({ state: 'delivered', receipt: { outcome: 'delivered', priceMicroUsd: 6450, providerResponse: 'Message has been accepted by phone carrier' } });
    expect(byPhone.get(must(phones[1]))).toMatchObject({ state: 'undelivered', receipt: { outcome: 'undelivered' } });
    // The number is kept masked in the receipt, never in full.
    expect(byPhone.get(must(phones[1]))?.receipt?.destination).toBe(`+86 *******${must(phones[1]).slice(-4)}`);

    const counts = await db.store.deliveries.counts(county, campaignId, 'n');
    expect(counts).toEqual({ total: 7, pending: 0, sent: 7, failed: 0, skipped: 0, expired: 0, aired: 0, cancelled: 0, uncertain: 0, delivered: 5, undelivered: 2, costMicroUsd: 7 * 6450 });
    expect(noticeProgress('done', counts).counts).toContain('送达 5（71%）');

    const year = await tallies();
    expect(year.totals).toMatchObject({ smsSent: 7, smsDelivered: 5, smsUndelivered: 2, smsCostMicroUsd: 7 * 6450 });
    expect(year.byTownship.find((row) => row.value === 'shiyang')?.counts).toMatchObject({ smsSent: 2, smsDelivered: 2, smsUndelivered: 0 });
    expect(await reconciled()).toMatchObject({ deliveries: 7, differences: [] });

    const dashboard = await dashboardText();
    expect(dashboard).toContain('短信送达 5 条（送达率 71%）');
    expect(dashboard).toContain('短信实际费用 $0.04515');
    expect(dashboard).toContain('各乡镇短信送达率（%，运营商回执）');
    expect(dashboard).toContain('发送普法短信7条,送达5条');
  });

  it('change nothing when the same receipt comes twice', async () => {
    const [phone] = await bench.addSubscribers(1);
    const { campaignId } = await bench.scheduled(anSmsNotice());
    bench.clock.set(SEND_AT);
    await dispatchAndReceive();
    const [sent] = sentSms();
    const again = cloudWatchLogsEvent(
      deliveryLogGroupName('local', '000000000000', 'SUCCESS'),
      [smsDeliveryLogSchema.parse(JSON.parse(smsDeliveryLine(must(sent?.messageId), must(phone), 'SUCCESS')))],
      bench.clock.read(),
    );
    const before = { counts: await db.store.deliveries.counts(county, campaignId, 'n'), tallies: (await tallies()).totals };
    expect(await receiveReceiptsEvent(db.store, again, bench.clock.read, db.logger)).toMatchObject({ received: 1, duplicates: 1, delivered: 0 });
    expect(await receiveReceiptsEvent(db.store, again, bench.clock.read, db.logger)).toMatchObject({ duplicates: 1 });
    expect(await db.store.deliveries.counts(county, campaignId, 'n')).toEqual(before.counts);
    expect((await tallies()).totals).toEqual(before.tallies);
  });

  it('still end right when a receipt arrives before the send outcome is recorded', async () => {
    const [phone] = await bench.addSubscribers(1);
    unreachable.add(must(phone));
    const { campaignId } = await bench.scheduled(anSmsNotice());
    // SNS took the message and its receipt was applied before the dispatcher wrote "sent".
    const receiptFirst: Notifier = {
      ...bench.notifier,
      sendSms: async (message) => {
        const sent = await bench.notifier.sendSms(message);
        const line = smsDeliveryLogSchema.parse(JSON.parse(smsDeliveryLine(sent.messageId, message.phoneNumber, 'FAILURE', { priceInUSD: 0.0071 })));
        expect(await db.store.deliveries.applyReceipt(receiptFromLog(line), bench.clock.read())).toEqual({ kind: 'unmatched', first: true });
        return sent;
      },
    };
    bench.clock.set(SEND_AT);
    // The sink's own receipt waits until the dispatcher is done: the test's comes first, for sure.
    const release = bench.holdReceipts();
    expect(await bench.dispatch({ notifier: receiptFirst })).toMatchObject({ sent: 1, lostLeases: 0 });
    release();

    const [delivery] = await db.store.deliveries.allOfNotice(county, campaignId, 'n');
    expect(delivery).toMatchObject({ state: 'undelivered', messageId: sentSms()[0]?.messageId, receipt: { priceMicroUsd: 7100 } });
    expect(await db.store.deliveries.counts(county, campaignId, 'n')).toMatchObject({ total: 1, pending: 0, sent: 1, undelivered: 1, delivered: 0, costMicroUsd: 7100 });
    expect((await tallies()).totals).toMatchObject({ smsSent: 1, smsUndelivered: 1, smsCostMicroUsd: 7100 });
    expect(await reconciled()).toMatchObject({ differences: [] });
    expect((await db.store.notices.require(county, campaignId, 'n')).state).toBe('done');

    // The sink's own receipt for the same SMS (made when SNS took it) changes nothing, whenever it
    // landed: kept beside the first one while the outcome was not written yet, or a duplicate after.
    await bench.sink.receiptsSettled();
    const sinkReceipt = must(bench.receiptSummaries.at(-1));
    expect(sinkReceipt.duplicates + sinkReceipt.unmatched).toBe(1);
    expect(await db.store.deliveries.counts(county, campaignId, 'n')).toMatchObject({ sent: 1, undelivered: 1, costMicroUsd: 7100 });
  });

  it("apply a receipt that waited for a slow run's outcome, recorded after the SMS was marked uncertain", async () => {
    const [phone] = await bench.addSubscribers(1);
    const { campaignId } = await bench.scheduled(anSmsNotice());
    bench.clock.set(SEND_AT);
    const period = { year: 2031, month: 3 };
    // A run claims the SMS and starts its send, then stalls past its lease.
    const claimed = must(await db.store.deliveries.claim(must((await db.store.deliveries.due(bench.clock.read(), 10))[0]), { id: 'slow-run', until: new Date(Date.parse(SEND_AT) + 45_000) }, bench.clock.read()));
    expect(await db.store.deliveries.markInFlight(claimed, 'slow-run', bench.clock.read())).toBe(true);
    bench.clock.advance(60_000);
    expect(await db.store.deliveries.markUncertain(must(await db.store.deliveries.get(claimed)), bench.clock.read(), period)).toBe(true);
    // SNS had taken it: its receipt comes while the delivery reads uncertain, and waits.
    const receipt = receiptFromLog(smsDeliveryLogSchema.parse(JSON.parse(smsDeliveryLine('late-run-message', must(phone), 'SUCCESS'))));
    expect(await db.store.deliveries.applyReceipt(receipt, bench.clock.read())).toEqual({ kind: 'unmatched', first: true });
    // The slow run records what happened: sent replaces uncertain, and the waiting receipt is applied.
    expect(await db.store.deliveries.finish(claimed, 'slow-run', 'sent', { messageId: 'late-run-message', attempts: 1 }, bench.clock.read(), period)).toBe(false);
    expect(await db.store.deliveries.settleUncertain(claimed, 'slow-run', 'sent', { messageId: 'late-run-message', attempts: 1 }, bench.clock.read(), period)).toBe(true);
    expect(await db.store.deliveries.get(claimed)).toMatchObject({ state: 'delivered', messageId: 'late-run-message' });
    expect(await db.store.deliveries.counts(county, campaignId, 'n')).toMatchObject({ sent: 1, uncertain: 0, delivered: 1, costMicroUsd: 6450 });
    expect((await tallies()).totals).toMatchObject({ smsSent: 1, smsUncertain: 0, smsDelivered: 1, smsCostMicroUsd: 6450 });
    expect(await reconciled()).toMatchObject({ differences: [] });
  });

  it('ignore, count and log at info a receipt for a message pufa never sent', async () => {
    const foreign = logsSubscriptionEvent(deliveryLogGroupName('cn-north-1', '123456789012', 'SUCCESS'), [
      smsDeliveryLine('0d1e2f3a-aaaa-bbbb-cccc-000000000000', '+8613800000000', 'SUCCESS'),
    ]);
    const summary = await receiveReceiptsEvent(db.store, foreign, bench.clock.read, db.logger);
    expect(summary).toMatchObject({ received: 1, unmatched: 1, delivered: 0, undelivered: 0 });
    const line = db.logs.find((entry) => entry.message === 'receipt for an SMS pufa has no sent outcome for');
    expect(line).toMatchObject({ level: 'info', messageId: '0d1e2f3a-aaaa-bbbb-cccc-000000000000' });
    expect(JSON.stringify(db.logs)).not.toContain('13800000000');
    expect((await tallies()).totals).toMatchObject({ smsDelivered: 0, smsCostMicroUsd: 0 });
    // Seen again: still counted as unmatched, nothing else.
    expect(await receiveReceiptsEvent(db.store, foreign, bench.clock.read, db.logger)).toMatchObject({ unmatched: 1 });
  });

  it('flag a number undelivered three times in a row for staff, and clear it on the next delivery', async () => {
    const [phone] = await bench.addSubscribers(1);
    const admin = await aToken(db.store, county, aGrant({ role: 'admin' }));
    const app = createApp({ ...db.deps, clock: bench.clock.read });
    const listed = async () => {
      const response = await app.request('/subscribers?township=chengxiang', { headers: admin.headers });
      expect(response.status).toBe(200);
      return must(((await response.json()) as { items: { undeliveredStreak?: number; checkNumberSince?: string }[] }).items[0]);
    };
    // One notice a day, from the key date on.
    for (let day = 0; day < 4; day += 1) await bench.scheduled(anSmsNotice({ schedule: { kind: 'key-date', days: day, at: '09:00' } }));
    unreachable.add(must(phone));
    for (let day = 0; day < 3; day += 1) {
      bench.clock.set(new Date(Date.parse(SEND_AT) + day * 86_400_000).toISOString());
      expect(await dispatchAndReceive()).toMatchObject({ sent: 1 });
      expect(await db.store.subscribers.numbersToCheck(county)).toBe(day === 2 ? 1 : 0);
    }
    expect(await listed()).toMatchObject({ undeliveredStreak: 3, checkNumberSince: bench.clock.read().toISOString() });
    expect(bench.receiptSummaries.at(-1)).toMatchObject({ undelivered: 1, numbersFlagged: 1 });
    expect(await dashboardText()).toContain('待核对号码： 1 个');

    unreachable.clear();
    bench.clock.set(new Date(Date.parse(SEND_AT) + 3 * 86_400_000).toISOString());
    await dispatchAndReceive();
    const cleared = await listed();
    expect(cleared.undeliveredStreak).toBe(0);
    expect(cleared.checkNumberSince).toBeUndefined();
    expect(await db.store.subscribers.numbersToCheck(county)).toBe(0);
    expect(bench.receiptSummaries.at(-1)).toMatchObject({ delivered: 1, numbersCleared: 1 });
  });
});

describe('the receipts Lambda handler', () => {
  // No receipts from the sink here: only those the handler is given.
  beforeEach(async () => {
    bench = await aBench(db);
  });

  it('applies the receipts of a gzipped CloudWatch Logs event, success and failure groups alike', async () => {
    const phones = await bench.addSubscribers(2);
    const { campaignId } = await bench.scheduled(anSmsNotice());
    bench.clock.set(SEND_AT);
    await bench.dispatch();
    const sent = new Map(sentSms().map((entry) => [entry.phoneNumber, must(entry.messageId)]));

    vi.resetModules();
    vi.stubEnv('PUFA_TABLE_NAME', db.tableName);
    vi.stubEnv('PUFA_COUNTY', county);
    vi.stubEnv('PUFA_DYNAMODB_ENDPOINT', db.endpoint);
    vi.stubEnv('PUFA_LOG_LEVEL', 'silent');
    vi.stubEnv('PUFA_PHONE_KEY_SECRET', TEST_PHONE_KEY_SECRET);
    try {
      const { handler } = await import('../../functions/handlers/receipts.js');
      const delivered = logsSubscriptionEvent('sns/cn-north-1/123456789012/DirectPublishToPhoneNumber', [smsDeliveryLine(must(sent.get(phones[0])), must(phones[0]), 'SUCCESS')]);
      const failed = logsSubscriptionEvent('sns/cn-north-1/123456789012/DirectPublishToPhoneNumber/Failure', [smsDeliveryLine(must(sent.get(phones[1])), must(phones[1]), 'FAILURE')]);
      expect(await handler(delivered)).toMatchObject({ received: 1, delivered: 1 });
      expect(await handler(failed)).toMatchObject({ received: 1, undelivered: 1 });
      // A retried invocation is harmless.
      expect(await handler(failed)).toMatchObject({ duplicates: 1 });
      expect(await db.store.deliveries.counts(county, campaignId, 'n')).toMatchObject({ sent: 2, delivered: 1, undelivered: 1, costMicroUsd: 2 * 6450 });
      // Junk fails the invocation, naming the problem (Lambda retries; the alarm sees it).
      await expect(handler({ awslogs: { data: 'bm90IGd6aXA=' } })).rejects.toThrow(/Not a CloudWatch Logs subscription event/);
      await expect(handler(logsSubscriptionEvent('g', ['{"status":"SUCCESS"}']))).rejects.toThrow(/not SMS delivery status: .*message\.notification/);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
