/**
 * The spend and failure guards (issue 12) on DynamoDB Local through the real SNS client: the
 * dispatcher stops SMS at the county's monthly budget (pending, not failed), says why on the
 * dashboard, the API and in an error log line, and sends again when the budget is raised or the
 * month turns; two dispatchers at once never pass it together. A notice whose sends keep failing is
 * paused by the system with its reason, once, however many dispatchers find it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { microUsdFromYuan, smsEstimateMicroUsd } from '../../functions/domain/sms-budget.js';
import { createLogger } from '../../functions/http/logger.js';
import { NotifyError, type Notifier } from '../../functions/notify/sns.js';
import { actOnNotice, createCampaign, createNotice } from '../../functions/workflows/notices.js';
import { noticeInputSchema } from '../../functions/domain/planning.js';
import { aGrant, aToken, must } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { aBench, aBroadcastNotice, anSmsNotice, type Bench } from '../support/dispatch.js';
import { aSession } from '../support/sessions.js';
import { STALL_GUARD_MS } from '../support/timeouts.js';

let db: TestDatabase;
let bench: Bench;
let app: ReturnType<typeof createApp>;
const county = 'testcounty';
const ORIGIN = 'http://localhost';
const staff = { tokenId: 'tok_staff', county, role: 'staff' as const, name: '宣传员' };
const SEND_TIME = '2031-03-15T01:00:30Z';
const YUAN_PER_USD = 7.2;

beforeEach(async () => {
  db = await freshTable({ county });
  bench = await aBench(db, { smsPerSecond: 50, autoPause: { failures: 0, percent: 100, minAttempts: 1 } });
  app = createApp({ ...db.deps, clock: bench.clock.read });
});
afterEach(async () => {
  await bench.stop();
  await db.drop();
});

/** Polls `ready` until it holds (a readiness wait, not a fixed sleep); fails after the stall guard. */
async function until(ready: () => Promise<boolean>, what: string): Promise<void> {
  const giveUpAt = Date.now() + STALL_GUARD_MS;
  while (!(await ready())) {
    if (Date.now() > giveUpAt) throw new Error(`gave up waiting for ${what}`);
    await new Promise((wake) => setTimeout(wake, 5));
  }
}

const workflowDeps = () => ({ store: db.store, config: db.config, now: bench.clock.read() });

async function bearer(role: 'county' | 'admin' | 'staff'): Promise<string> {
  return (await aToken(db.store, county, aGrant({ role }))).secret;
}

async function api(method: string, path: string, secret: string, body?: unknown) {
  return app.request(path, {
    method,
    headers: { Authorization: `Bearer ${secret}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** Room for exactly `sms` of this notice's SMS, and half of one more: in yuan, as a county office would set it. */
async function budgetFor(sms: number, ref: { campaignId: string; noticeId: string }): Promise<number> {
  const notice = must(await db.store.notices.get(county, ref.campaignId, ref.noticeId));
  return (sms + 0.5) * must(notice.smsCostYuan, 'the cost fixed at scheduling');
}

type BudgetAnswer = { stopped: boolean; reason?: string; spentYuan: number; monthlyYuan?: number; month: string; heldNotices: number };

describe('the monthly SMS budget', () => {
  it('stops SMS at the budget (pending, not failed), says why on the dashboard, the API and the log, and sends the rest once it is raised', async () => {
    await bench.addSubscribers(10);
    const ref = await bench.scheduled(anSmsNotice());
    const county_ = await bearer('county');
    const set = await api('PUT', '/sms-budget', county_, { monthlyYuan: await budgetFor(4, ref) });
    expect(set.status).toBe(200);

    bench.clock.set(SEND_TIME);
    const lines: string[] = [];
    const summary = await bench.dispatch({ logger: createLogger({ level: 'info', write: (line) => lines.push(line) }) });
    expect(summary.sent).toBe(4);
    expect(bench.sink.outbox.list().length).toBe(4);
    const counts = await db.store.deliveries.counts(county, ref.campaignId, ref.noticeId);
    expect(counts).toMatchObject({ sent: 4, failed: 0, pending: 6 });

    // The alarm's line: level error, a message a metric filter can match.
    const stopLine = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.message === 'sms budget reached');
    expect(stopLine).toMatchObject({ level: 'error', county, month: '2031-03' });

    const answer = (await (await api('GET', '/sms-budget', county_)).json()) as BudgetAnswer;
    expect(answer).toMatchObject({ stopped: true, month: '2031-03', heldNotices: 1 });
    expect(answer.reason).toContain('本月短信预算已用完');

    const { cookie } = await aSession(db.store, county_, bench.clock.read());
    const dashboard = await (await app.request(`${ORIGIN}/app/dashboard`, { headers: { Cookie: cookie } })).text();
    expect(dashboard).toContain('本月短信预算已用完');
    expect(dashboard).toContain('id="budget-stop"');
    const { cookie: staffCookie } = await aSession(db.store, await bearer('staff'), bench.clock.read());
    const campaignPage = await (await app.request(`${ORIGIN}/app/campaigns/${ref.campaignId}`, { headers: { Cookie: staffCookie } })).text();
    expect(campaignPage).toContain('class="flash err budget-held"');
    expect(campaignPage).toContain('本月短信预算已用完');

    // A later run sends nothing more while the budget stands, and fails nothing.
    bench.clock.advance(60_000);
    expect((await bench.dispatch()).sent).toBe(0);
    expect(bench.sink.outbox.list().length).toBe(4);

    // Raised: the next run sends the rest, each once.
    expect((await api('PUT', '/sms-budget', county_, { monthlyYuan: await budgetFor(10, ref) })).status).toBe(200);
    bench.clock.advance(60_000);
    const resumed = await bench.dispatch();
    expect(resumed.resumedFromBudget).toBe(6);
    expect(resumed.sent).toBe(6);
    expect(new Set(bench.sink.outbox.list().map((entry) => entry.phoneNumber)).size).toBe(10);
    expect(await db.store.deliveries.counts(county, ref.campaignId, ref.noticeId)).toMatchObject({ sent: 10, failed: 0, pending: 0 });
    const after = (await (await api('GET', '/sms-budget', county_)).json()) as BudgetAnswer;
    expect(after).toMatchObject({ stopped: false, heldNotices: 0 });
    expect(after.reason).toBeUndefined();
  });

  it('holds the SMS that come due while the budget is spent without claiming them', async () => {
    await bench.addSubscribers(5);
    const first = await bench.scheduled(anSmsNotice());
    const county_ = await bearer('county');
    expect((await api('PUT', '/sms-budget', county_, { monthlyYuan: await budgetFor(2, first) })).status).toBe(200);
    bench.clock.set(SEND_TIME);
    expect((await bench.dispatch()).sent).toBe(2);

    const second = await bench.scheduled(anSmsNotice({ schedule: { kind: 'key-date', days: 0, at: '10:00' } }));
    bench.clock.set('2031-03-15T02:00:30Z');
    const summary = await bench.dispatch();
    expect(summary).toMatchObject({ claimed: 0, sent: 0, failed: 0, heldForBudget: 5 });
    expect(await db.store.deliveries.counts(county, second.campaignId, second.noticeId)).toMatchObject({ pending: 5, failed: 0 });
    expect(((await (await api('GET', '/sms-budget', county_)).json()) as BudgetAnswer).heldNotices).toBe(2);
  });

  it('sends what was held when the county’s month turns, from the new month’s budget', async () => {
    await bench.addSubscribers(6);
    // 20:00 on 31 March, county time (12:00 UTC); a late window of a day.
    const ref = await bench.scheduled(anSmsNotice({ schedule: { kind: 'key-date', days: 0, at: '20:00' }, lateWindowMinutes: 24 * 60 }), {
      keyDate: '2031-03-31',
      window: { start: '2031-03-25', end: '2031-04-05' },
    });
    const admin = await bearer('admin');
    expect((await api('PUT', '/sms-budget', admin, { monthlyYuan: await budgetFor(4, ref) })).status).toBe(200);
    bench.clock.set('2031-03-31T12:00:30Z');
    expect((await bench.dispatch()).sent).toBe(4);

    // 00:00:30 on 1 April in Asia/Shanghai: a new month, but quiet hours until 08:00.
    bench.clock.set('2031-03-31T16:00:30Z');
    const midnight = await bench.dispatch();
    expect(midnight.resumedFromBudget).toBe(2);
    expect(midnight.sent).toBe(0);
    expect(midnight.deferred).toBe(2);
    bench.clock.set('2031-04-01T00:00:30Z');
    expect((await bench.dispatch()).sent).toBe(2);
    expect(await db.store.deliveries.counts(county, ref.campaignId, ref.noticeId)).toMatchObject({ sent: 6, failed: 0, pending: 0 });

    const april = (await (await api('GET', '/sms-budget', admin)).json()) as BudgetAnswer;
    expect(april).toMatchObject({ month: '2031-04', stopped: false });
    expect(april.spentYuan).toBeGreaterThan(0);
    expect((await db.store.smsBudget.spend(county, '2031-04')).sms).toBe(2);
    expect((await db.store.smsBudget.spend(county, '2031-03')).sms).toBe(4);
  });

  it('two dispatchers at once never pass the budget together', async () => {
    await bench.addSubscribers(20);
    const ref = await bench.scheduled(anSmsNotice());
    const monthlyYuan = await budgetFor(5, ref);
    expect((await api('PUT', '/sms-budget', await bearer('county'), { monthlyYuan })).status).toBe(200);
    bench.clock.set(SEND_TIME);
    const [first, second] = await Promise.all([bench.dispatch(), bench.dispatch()]);
    expect(first.sent + second.sent).toBe(5);
    expect(bench.sink.outbox.list().length).toBe(5);
    const spend = await db.store.smsBudget.spend(county, '2031-03', { consistent: true });
    expect(spend.spentMicroUsd).toBeLessThanOrEqual(microUsdFromYuan(monthlyYuan, YUAN_PER_USD));
    expect(spend.sms).toBe(5);
    expect(await db.store.deliveries.counts(county, ref.campaignId, ref.noticeId)).toMatchObject({ sent: 5, failed: 0, pending: 15 });
  });

  it('keeps broadcasts going while SMS are stopped', async () => {
    await bench.addSubscribers(3);
    const sms = await bench.scheduled(anSmsNotice());
    await bench.scheduled(aBroadcastNotice());
    expect((await api('PUT', '/sms-budget', await bearer('county'), { monthlyYuan: 0 })).status).toBe(200);
    bench.clock.set(SEND_TIME);
    const summary = await bench.dispatch();
    expect(bench.sink.outbox.list().filter((entry) => entry.phoneNumber).length).toBe(0);
    expect(summary.sent).toBeGreaterThan(0); // the station scripts
    expect(await db.store.deliveries.counts(county, sms.campaignId, sms.noticeId)).toMatchObject({ sent: 0, failed: 0, pending: 3 });
  });

  it('counts the real price of a receipt in place of the estimate', async () => {
    await bench.stop();
    bench = await aBench(db, { smsPerSecond: 50 }, { receipts: { delayMs: 0, failureShare: 0, priceUsd: 0.04 } });
    await bench.addSubscribers(2);
    const ref = await bench.scheduled(anSmsNotice());
    bench.clock.set(SEND_TIME);
    await bench.dispatch();
    const notice = must(await db.store.notices.get(county, ref.campaignId, ref.noticeId));
    const estimate = smsEstimateMicroUsd(notice, YUAN_PER_USD);
    await until(async () => (await db.store.smsBudget.spend(county, '2031-03', { consistent: true })).receipts === 2, 'both receipts in the month’s spend');
    const spend = await db.store.smsBudget.spend(county, '2031-03', { consistent: true });
    expect(spend.receipts).toBe(2);
    expect(spend.sms).toBe(2);
    expect(spend.spentMicroUsd).toBe(spend.realMicroUsd);
    expect(spend.spentMicroUsd).toBe(2 * 40_000);
    expect(estimate).not.toBe(40_000);
  });

  it('refuses a budget that is not a number of yuan, naming the field, and writes nothing', async () => {
    const secret = await bearer('county');
    for (const body of [{ monthlyYuan: -1 }, { monthlyYuan: '100' }, {}, { monthlyYuan: 10, extra: true }]) {
      const response = await api('PUT', '/sms-budget', secret, body);
      expect(response.status).toBe(400);
      expect(JSON.stringify(await response.json())).toContain('body');
    }
    expect((await db.store.smsBudget.get(county)).monthlyYuan).toBeUndefined();
    expect((await api('PUT', '/sms-budget', await bearer('staff'), { monthlyYuan: 5 })).status).toBe(403);
  });
});

describe('the dashboard’s budget form', () => {
  it('lets the county office set the budget (audited) and refuses a bad amount in Chinese, writing nothing', async () => {
    const secret = await bearer('county');
    const { cookie } = await aSession(db.store, secret, bench.clock.read());
    const post = (monthlyYuan: string) =>
      app.request(`${ORIGIN}/app/dashboard/sms-budget`, {
        method: 'POST',
        headers: { Cookie: cookie, Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ monthlyYuan }).toString(),
      });
    for (const bad of ['-3', 'abc', '1e3', '0.001']) {
      const refused = await post(bad);
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain('月度短信预算：请填写不小于 0 的金额');
    }
    expect((await db.store.smsBudget.get(county)).monthlyYuan).toBeUndefined();

    const saved = await post('300.50');
    expect(saved.status).toBe(303);
    expect((await db.store.smsBudget.get(county)).monthlyYuan).toBe(300.5);
    const html = await (await app.request(`${ORIGIN}/app/dashboard`, { headers: { Cookie: cookie } })).text();
    expect(html).toContain('月度预算 ¥300.50');
    const audit = await db.store.audit.page(county, '2031-03-01', { action: 'sms-budget.update', limit: 10 });
    expect(audit.items.map((entry) => entry.after)).toEqual([{ monthlyYuan: 300.5 }]);
  });
});

/** SNS refuses every SMS as a carrier refuses an unregistered template. */
const refusingNotifier = (): Notifier => ({
  ...bench.notifier,
  async sendSms() {
    throw new NotifyError('permanent', 'Invalid parameter: message template not registered', 'InvalidParameter');
  },
});

describe('auto-pause on failures', () => {
  beforeEach(async () => {
    await bench.stop();
    bench = await aBench(db, { smsPerSecond: 5, autoPause: { failures: 5, percent: 50, minAttempts: 5 } });
    app = createApp({ ...db.deps, clock: bench.clock.read });
  });

  it('pauses a notice whose sends keep failing, long before its audience is spent, with the reason on its page and in the audit log', async () => {
    await bench.addSubscribers(60);
    const ref = await bench.scheduled(anSmsNotice());
    bench.clock.set(SEND_TIME);
    const summary = await bench.dispatch({ notifier: refusingNotifier() });
    expect(summary.autoPaused).toEqual([`${ref.campaignId}/${ref.noticeId}`]);
    const notice = must(await db.store.notices.get(county, ref.campaignId, ref.noticeId));
    expect(notice.state).toBe('paused');
    expect(notice.autoPaused?.reason).toContain('失败过多，系统已自动暂停');
    const counts = await db.store.deliveries.counts(county, ref.campaignId, ref.noticeId);
    // One second's sends at most past the threshold: the fence holds the rest.
    expect(counts.failed).toBeGreaterThanOrEqual(5);
    expect(counts.failed).toBeLessThanOrEqual(10);
    expect(counts.pending).toBe(60 - counts.failed);

    const audit = await db.store.audit.page(county, '2031-03-15', { action: 'notice.auto-pause', limit: 10 });
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]?.actor).toMatchObject({ role: 'system', name: 'dispatcher' });

    const { cookie } = await aSession(db.store, await bearer('staff'), bench.clock.read());
    const html = await (await app.request(`${ORIGIN}/app/campaigns/${ref.campaignId}`, { headers: { Cookie: cookie } })).text();
    expect(html).toContain('失败过多，系统已自动暂停');
    expect(html).toContain('恢复发送');

    // Staff fix it and resume by hand: the reason goes, the guard counts afresh, the rest go out.
    await actOnNotice(workflowDeps(), staff, ref.campaignId, ref.noticeId, 'resume');
    const resumed = must(await db.store.notices.get(county, ref.campaignId, ref.noticeId));
    expect(resumed.state).toBe('scheduled');
    expect(resumed.autoPaused).toBeUndefined();
    expect(resumed.guardBaseline).toMatchObject({ failed: counts.failed });
    bench.clock.advance(60_000);
    const after = await bench.dispatch();
    expect(after.autoPaused).toEqual([]);
    expect(after.sent).toBe(60 - counts.failed);
  });

  it('counts receipts that came back undelivered: the next day’s sends stop part way', async () => {
    await bench.stop();
    bench = await aBench(db, { smsPerSecond: 5, autoPause: { failures: 5, percent: 50, minAttempts: 5 } }, { receipts: { delayMs: 0, failureShare: 1 } });
    await bench.addSubscribers(40);
    // Daily at 09:00 through the campaign's two days: 14 and 15 March.
    const ref = await bench.scheduled(anSmsNotice({ schedule: { kind: 'rrule', rule: 'FREQ=DAILY', at: '09:00' } }), { keyDate: '2031-03-15', window: { start: '2031-03-14', end: '2031-03-15' } });
    const release = bench.holdReceipts();
    bench.clock.set('2031-03-14T01:00:30Z');
    expect((await bench.dispatch()).sent).toBe(40);
    release();
    await until(async () => (await db.store.deliveries.counts(county, ref.campaignId, ref.noticeId)).undelivered === 40, 'the carrier’s 40 receipts');
    bench.clock.set('2031-03-15T01:00:30Z');
    const nextDay = await bench.dispatch();
    expect(nextDay.autoPaused).toEqual([`${ref.campaignId}/${ref.noticeId}`]);
    expect(nextDay.sent).toBeLessThan(40);
    const notice = must(await db.store.notices.get(county, ref.campaignId, ref.noticeId));
    expect(notice.state).toBe('paused');
    expect(notice.autoPaused?.reason).toContain('失败或未送达');
  });

  it('two dispatchers finding the same failing notice pause it once', async () => {
    await bench.addSubscribers(60);
    const ref = await bench.scheduled(anSmsNotice());
    bench.clock.set(SEND_TIME);
    const [first, second] = await Promise.all([bench.dispatch({ notifier: refusingNotifier() }), bench.dispatch({ notifier: refusingNotifier() })]);
    expect([...first.autoPaused, ...second.autoPaused]).toEqual([`${ref.campaignId}/${ref.noticeId}`]);
    const audit = await db.store.audit.page(county, '2031-03-15', { action: 'notice.auto-pause', limit: 10 });
    expect(audit.items).toHaveLength(1);
    const counts = await db.store.deliveries.counts(county, ref.campaignId, ref.noticeId);
    expect(counts.failed).toBeLessThanOrEqual(20);
    expect(counts.pending + counts.failed).toBe(60);
  });

  it('leaves a notice alone while its failures stay under the threshold', async () => {
    await bench.addSubscribers(12);
    const ref = await bench.scheduled(anSmsNotice());
    bench.clock.set(SEND_TIME);
    let calls = 0;
    const notifier: Notifier = {
      ...bench.notifier,
      async sendSms(message) {
        calls += 1;
        if (calls % 4 === 0) throw new NotifyError('permanent', 'Invalid parameter: PhoneNumber', 'InvalidParameter');
        return bench.notifier.sendSms(message);
      },
    };
    const summary = await bench.dispatch({ notifier });
    expect(summary.autoPaused).toEqual([]);
    expect(must(await db.store.notices.get(county, ref.campaignId, ref.noticeId)).state).toBe('done');
  });
});

describe('the composer', () => {
  it('shows the notice’s total (audience × sends × cost per person) and warns when it passes what is left of the month’s budget', async () => {
    await bench.addSubscribers(12);
    await bench.addSubscribers(3, { township: 'shiyang', village: 'shiyang-qiaotou' });
    const ref = await bench.scheduled(anSmsNotice());
    const staffSecret = await bearer('staff');
    const { cookie } = await aSession(db.store, staffSecret, bench.clock.read());
    const preview = async () =>
      (await (
        await app.request(`${ORIGIN}/app/campaigns/${ref.campaignId}/preview`, {
          method: 'POST',
          headers: { Cookie: cookie, Origin: ORIGIN, 'Content-Type': 'application/json' },
          body: JSON.stringify({ channel: 'sms', audience: { townships: ['chengxiang'] }, schedule: { kind: 'key-date', days: 0, at: '09:00' }, sms: { body: '今天是消费者权益日，维权请拨12315。' } }),
        })
      ).json()) as { sms: { costPerRecipient: number }; cost: { recipients: number; sends: number; messages: number; totalYuan: number; totalUsd: number; exceedsRemaining: boolean; remainingYuan?: number } };

    const open = await preview();
    expect(open.cost).toMatchObject({ recipients: 12, sends: 1, messages: 12, exceedsRemaining: false });
    expect(open.cost.totalYuan).toBeCloseTo(12 * open.sms.costPerRecipient, 2);
    expect(open.cost.totalUsd).toBeCloseTo(open.cost.totalYuan / YUAN_PER_USD, 4);
    expect(open.cost.remainingYuan).toBeUndefined();

    expect((await api('PUT', '/sms-budget', await bearer('county'), { monthlyYuan: 0.1 })).status).toBe(200);
    const tight = await preview();
    expect(tight.cost).toMatchObject({ exceedsRemaining: true, remainingYuan: 0.1 });

    // The page's script turns the preview's `cost` into these lines as staff type.
    const html = await (await app.request(`${ORIGIN}/app/campaigns/${ref.campaignId}`, { headers: { Cookie: cookie } })).text();
    expect(html).toContain('预计总费用');
    expect(html).toContain('超出本月剩余短信预算');
  });

  it('shows the reviewer the same total before approving, with the warning when it passes the budget', async () => {
    await bench.addSubscribers(8);
    const campaign = await createCampaign(workflowDeps(), staff, { id: 'review-cost', title: '审核费用', theme: 'consumer-rights', keyDate: '2031-03-15', window: { start: '2031-03-08', end: '2031-03-21' } });
    await createNotice(workflowDeps(), staff, campaign.id, noticeInputSchema.parse({ id: 'n', ...anSmsNotice() }));
    await actOnNotice(workflowDeps(), staff, campaign.id, 'n', 'submit');
    expect((await api('PUT', '/sms-budget', await bearer('county'), { monthlyYuan: 0.1 })).status).toBe(200);
    const { cookie } = await aSession(db.store, (await aToken(db.store, county, aGrant({ role: 'reviewer', name: '另一位审核员' }))).secret, bench.clock.read());
    const html = await (await app.request(`${ORIGIN}/app/review`, { headers: { Cookie: cookie } })).text();
    expect(html).toMatch(/预计总费用 ¥0\.\d\d（约 \$0\.\d{4}，8 人 × 1 次）/);
    expect(html).toContain('超出本月剩余短信预算 ¥0.10');
  });
});
