/**
 * The sending loop at its edges (issue 11), on DynamoDB Local through the real SNS client: a pause
 * or cancel holds from the moment it answers, a run claims no more than it can send, and a run
 * killed outright (kill -9, a real process) sends nobody a second SMS.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { createLogger } from '../../functions/http/logger.js';
import type { Notifier } from '../../functions/notify/sns.js';
import { runDispatch } from '../../functions/workflows/dispatch.js';
import { actOnNotice } from '../../functions/workflows/notices.js';
import { reconcileYear } from '../../functions/workflows/reconcile.js';
import { aGrant, aToken } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { startDispatchProcess, until } from '../support/dispatch-process.js';
import { aSession } from '../support/sessions.js';
import { aBench, aBroadcastNotice, anSmsNotice, perRecipient, type Bench } from '../support/dispatch.js';

let db: TestDatabase;
let bench: Bench;
const county = 'testcounty';
const staff = { tokenId: 'tok_staff', county, role: 'staff' as const, name: '宣传员' };
const SEND_TIME = '2031-03-15T01:00:30Z';

beforeEach(async () => {
  db = await freshTable({ county });
  bench = await aBench(db, { smsPerSecond: 5 });
});
afterEach(async () => {
  await bench.stop();
  await db.drop();
});

const workflowDeps = () => ({ store: db.store, config: db.config, now: bench.clock.read() });

/** A notifier that notes when each SMS send starts and, at the k-th, starts `act` (not awaited). */
function watching(k: number, act: () => Promise<unknown>) {
  const starts: number[] = [];
  const state: { answeredAt?: number; acting?: Promise<unknown> } = {};
  const notifier: Notifier = {
    ...bench.notifier,
    async sendSms(message) {
      starts.push(performance.now());
      if (starts.length === k) {
        state.acting = act().then(() => {
          state.answeredAt = performance.now();
        });
      }
      return bench.notifier.sendSms(message);
    },
  };
  return { notifier, starts, state };
}

describe('a pause or cancel holds from the moment it answers', () => {
  it('pause: no send starts after the answer; the rest wait, parked, and resume sends each once', async () => {
    await bench.addSubscribers(40);
    const { campaignId } = await bench.scheduled(anSmsNotice());
    bench.clock.set(SEND_TIME);
    bench.faults.latencyMs = 30; // each second's five sends take real time, so the pause lands mid-run
    const watch = watching(3, () => actOnNotice(workflowDeps(), staff, campaignId, 'n', 'pause'));
    const summary = await bench.dispatch({ notifier: watch.notifier });
    await watch.state.acting;
    const answeredAt = watch.state.answeredAt;
    expect(answeredAt).toBeDefined();
    expect(watch.starts.filter((at) => at > (answeredAt ?? 0))).toEqual([]);
    expect(summary.sent).toBeLessThan(40);
    expect(summary.stopped + summary.parked).toBeGreaterThan(0);

    const counts = await db.store.deliveries.counts(county, campaignId, 'n');
    expect(counts.sent + counts.pending).toBe(40);
    bench.faults.latencyMs = 0;
    expect(await bench.dispatch()).toMatchObject({ sent: 0 });

    await actOnNotice(workflowDeps(), staff, campaignId, 'n', 'resume');
    for (let run = 0; run < 10 && (await db.store.deliveries.counts(county, campaignId, 'n')).pending > 0; run += 1) await bench.dispatch();
    expect(await db.store.deliveries.counts(county, campaignId, 'n')).toMatchObject({ sent: 40, pending: 0 });
    expect([...perRecipient(bench.sink).values()].every((count) => count === 1)).toBe(true);
  });

  it('pause: no station push starts after the answer, however long the recordings’ links take to make', async () => {
    const { campaignId } = await bench.scheduled(aBroadcastNotice());
    bench.clock.set('2031-03-14T23:00:30Z');
    const pushes: number[] = [];
    const notifier: Notifier = {
      ...bench.notifier,
      async publishToStations(messages) {
        pushes.push(performance.now());
        return bench.notifier.publishToStations(messages);
      },
    };
    // The first link is made slowly (an S3 client's first use): the pause is made and answers meanwhile.
    let answeredAt: number | undefined;
    let paused: Promise<void> | undefined;
    const audio = (await db.deps.speech()).audio;
    const slowLinks = async () => ({
      async url(key: string, ttlSeconds?: number) {
        paused ??= actOnNotice(workflowDeps(), staff, campaignId, 'n', 'pause').then(() => {
          answeredAt = performance.now();
        });
        await paused;
        return audio.url(key, ttlSeconds);
      },
    });
    await bench.dispatch({ notifier, audioLinks: slowLinks });
    expect(answeredAt).toBeDefined();
    expect(pushes.filter((at) => at > (answeredAt ?? 0))).toEqual([]);
    expect((await db.store.deliveries.counts(county, campaignId, 'n')).sent).toBe(0);
  });

  it('cancel: no send starts after the answer, and every unsent delivery reads cancelled', async () => {
    await bench.addSubscribers(40);
    const { campaignId } = await bench.scheduled(anSmsNotice());
    bench.clock.set(SEND_TIME);
    bench.faults.latencyMs = 30;
    const watch = watching(3, () => actOnNotice(workflowDeps(), staff, campaignId, 'n', 'cancel'));
    await bench.dispatch({ notifier: watch.notifier });
    await watch.state.acting;
    expect(watch.starts.filter((at) => at > (watch.state.answeredAt ?? 0))).toEqual([]);
    const counts = await db.store.deliveries.counts(county, campaignId, 'n');
    expect(counts.sent).toBeLessThan(40);
    expect(counts).toMatchObject({ pending: 0, cancelled: 40 - counts.sent });
  });

  it('cancel before the send time: every delivery reads cancelled as soon as the cancel answers', async () => {
    await bench.addSubscribers(12);
    const { campaignId } = await bench.scheduled(anSmsNotice());
    await actOnNotice(workflowDeps(), staff, campaignId, 'n', 'cancel');
    expect(await db.store.deliveries.counts(county, campaignId, 'n')).toMatchObject({ total: 12, pending: 0, cancelled: 12 });
  });
});

describe('a run claims what it can send', () => {
  it('at 2 SMS a second with one second to run, claims two or three, not the whole backlog, and hands back at most one', async () => {
    await bench.addSubscribers(30);
    await bench.scheduled(anSmsNotice());
    // The real clock and real waits here: the run's budget is real time.
    const offset = Date.parse(SEND_TIME) - Date.now();
    const summary = await runDispatch(
      {
        store: db.store,
        notifier: bench.notifier,
        clock: () => new Date(Date.now() + offset),
        logger: createLogger({ level: 'silent' }),
        phoneKeys: db.deps.phoneKeys,
        settings: { ...bench.settings, smsPerSecond: 2 },
      },
      { budgetMs: 1_000 },
    );
    expect(summary.claimed).toBeGreaterThan(0);
    expect(summary.claimed).toBeLessThanOrEqual(3);
    expect(summary.returned).toBeLessThanOrEqual(1);
    expect(summary.sent + summary.returned).toBe(summary.claimed);
  });
});

describe('a dispatcher killed outright (kill -9)', () => {
  it('leaves nobody with two SMS: what was in flight is uncertain, the rest is sent by the next run', async () => {
    const phones = await bench.addSubscribers(60);
    const { campaignId } = await bench.scheduled(anSmsNotice());
    // Each SMS is recorded by SNS at once, its answer held back: a kill always finds some in flight.
    bench.faults.answerDelayMs = 150;
    const { child, output, exited } = startDispatchProcess({ db, snsEndpoint: bench.sink.endpoint, clock: SEND_TIME, smsPerSecond: 20 });
    await until(() => bench.sink.outbox.list().length >= 20 || child.exitCode !== null, '20 SMS at the sink');
    expect(child.exitCode, output()).toBeNull(); // still sending: the kill lands mid-run
    child.kill('SIGKILL');
    const [, signal] = await exited;
    expect(signal).toBe('SIGKILL');
    const receivedAtKill = bench.sink.outbox.list().length;

    bench.faults.answerDelayMs = 0;
    bench.clock.set('2031-03-15T01:03:00Z'); // past the killed run's leases
    for (let run = 0; run < 10 && (await db.store.deliveries.counts(county, campaignId, 'n')).pending > 0; run += 1) await bench.dispatch();

    const counts = await db.store.deliveries.counts(county, campaignId, 'n');
    expect(counts.pending).toBe(0);
    expect(counts.uncertain).toBeGreaterThan(0);
    expect(counts.sent + counts.uncertain).toBe(60);
    const received = perRecipient(bench.sink);
    expect([...received.values()].every((count) => count === 1)).toBe(true);
    expect(received.size).toBeGreaterThanOrEqual(receivedAtKill);
    // Every number either got its SMS, recorded as sent, or is uncertain: none lost, none twice.
    const uncertain = await db.store.deliveries.ofNoticeInState(county, campaignId, 'n', 'uncertain');
    const sent = await db.store.deliveries.ofNoticeInState(county, campaignId, 'n', 'sent');
    expect(sent.every((delivery) => delivery.recipient.kind === 'sms' && received.get(delivery.recipient.phone) === 1)).toBe(true);
    expect(new Set([...sent, ...uncertain].map((delivery) => (delivery.recipient.kind === 'sms' ? delivery.recipient.phone : '')))).toEqual(new Set(phones));
    expect(await reconcileYear(db.store, { county, year: 2031, repair: false, timeZone: 'Asia/Shanghai' })).toMatchObject({ differences: [] });
  });
});

describe('uncertain SMS, as staff meet them', () => {
  it('are counted on the API and the campaign page, and resent only when staff ask, on either', async () => {
    await bench.addSubscribers(6);
    const { campaignId } = await bench.scheduled(anSmsNotice());
    bench.clock.set(SEND_TIME);
    let sends = 0;
    // The run dies right after SNS took the 2nd SMS, before anything was written about it.
    const dying: Notifier = {
      ...bench.notifier,
      async sendSms(message) {
        const mine = ++sends;
        const result = await bench.notifier.sendSms(message);
        if (mine === 2) throw new Error('process crashed');
        return result;
      },
    };
    await expect(bench.dispatch({ notifier: dying })).rejects.toThrow('process crashed');
    bench.clock.advance(bench.settings.leaseMs + 1_000);
    await bench.dispatch();

    const app = createApp({ ...db.deps, clock: bench.clock.read });
    const staffToken = await aToken(db.store, county, aGrant({ role: 'staff' }), { now: bench.clock.read() });
    const status = await app.request(`/campaigns/${campaignId}/notices/n/deliveries?state=uncertain`, { headers: staffToken.headers });
    const body = (await status.json()) as { counts: { sent: number; uncertain: number }; items: { state: string }[] };
    expect(body.counts).toMatchObject({ sent: 5, uncertain: 1 });

    const { cookie } = await aSession(db.store, staffToken.secret, bench.clock.read());
    const page = await (await app.request(`http://localhost/app/campaigns/${campaignId}`, { headers: { Cookie: cookie } })).text();
    expect(page).toContain('结果不明 1');
    expect(page).toContain('重发结果不明的短信');
    const resent = await app.request(`http://localhost/app/campaigns/${campaignId}/notices/n/resend-uncertain`, {
      method: 'POST',
      headers: { Cookie: cookie, Origin: 'http://localhost', 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(resent.status).toBe(303);
    expect(await db.store.deliveries.counts(county, campaignId, 'n')).toMatchObject({ uncertain: 0, pending: 1 });
    // Nothing uncertain is left: the API says so, naming no field.
    const again = await app.request(`/campaigns/${campaignId}/notices/n/deliveries/resend-uncertain`, { method: 'POST', headers: staffToken.headers });
    expect(again.status).toBe(409);
    await bench.dispatch();
    expect(await db.store.deliveries.counts(county, campaignId, 'n')).toMatchObject({ sent: 6, uncertain: 0, pending: 0 });
    const audit = await db.store.audit.page(county, '2031-03-15', { action: 'notice.resend-uncertain', limit: 10 });
    expect(audit.items).toHaveLength(1);
  });
});
