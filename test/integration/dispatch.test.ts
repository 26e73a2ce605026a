/**
 * Delivery end to end on DynamoDB Local, through the real SNS client against the local sink:
 * from an approved, scheduled notice to sent SMS and confirmed airings — and the faults.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { assemble } from '../../functions/domain/tally.js';
import { NotifyError, type Notifier } from '../../functions/notify/sns.js';
import { reconcileYear } from '../../functions/workflows/reconcile.js';
import { actOnNotice, resendUncertain } from '../../functions/workflows/notices.js';
import { aGrant, aToken, must } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { aBench, aBroadcastNotice, anSmsNotice, perRecipient, type Bench } from '../support/dispatch.js';

let db: TestDatabase;
let bench: Bench;
const county = 'testcounty';
const staff = { tokenId: 'tok_staff', county, role: 'staff' as const, name: '宣传员' };

beforeEach(async () => {
  db = await freshTable({ county });
  bench = await aBench(db);
});
afterEach(async () => {
  await bench.stop();
  await db.drop();
});

/** Runs the dispatcher until nothing is left pending, moving the clock past retry times. */
async function drain(campaignId: string, noticeId = 'n', rounds = 20) {
  for (let round = 0; round < rounds; round += 1) {
    await bench.dispatch();
    const counts = await db.store.deliveries.counts(county, campaignId, noticeId);
    if (counts.pending === 0) return counts;
    bench.clock.advance(60_000);
  }
  return db.store.deliveries.counts(county, campaignId, noticeId);
}

describe('an SMS notice', () => {
  it('goes to every reachable subscriber once, through SNS, with the reviewed text', async () => {
    const phones = await bench.addSubscribers(12);
    await bench.addSubscribers(2, { consent: false });
    await bench.addSubscribers(3, { township: 'shiyang', village: 'shiyang-qiaotou' });
    const { campaignId } = await bench.scheduled(anSmsNotice());
    const notice = await db.store.notices.require(county, campaignId, 'n');
    expect(notice.state).toBe('scheduled');
    expect(notice.smsText).toBe('【普法宣传】今天是消费者权益日，维权请拨12315。回T退订');

    // Opting out after scheduling is honoured from the next send on.
    await db.store.subscribers.optOut(county, must(phones[0]), db.deps.phoneKeys.keyOf(must(phones[0])), bench.clock.read());

    bench.clock.set('2031-03-14T23:00:00Z'); // 07:00 local: not yet due
    expect((await bench.dispatch()).claimed).toBe(0);

    bench.clock.set('2031-03-15T01:00:30Z'); // 09:00:30 local
    const summary = await bench.dispatch();
    expect(summary).toMatchObject({ sent: 11, skipped: 1, failed: 0 });
    const sms = bench.sink.outbox.list().filter((entry) => entry.kind === 'sms');
    expect(sms).toHaveLength(11);
    expect(new Set(sms.map((entry) => entry.phoneNumber))).toEqual(new Set(phones.slice(1)));
    expect(sms.every((entry) => entry.message === notice.smsText)).toBe(true);
    expect(sms[0]?.attributes['AWS.SNS.SMS.SMSType']).toBe('Transactional');

    expect(await db.store.deliveries.counts(county, campaignId, 'n')).toEqual({
      total: 12, pending: 0, sent: 11, failed: 0, skipped: 1, expired: 0, aired: 0, cancelled: 0, uncertain: 0, delivered: 0, undelivered: 0, costMicroUsd: 0,
    });
    expect((await db.store.notices.require(county, campaignId, 'n')).state).toBe('done');
    expect((await bench.dispatch()).claimed).toBe(0);

    // The county's tallies moved with each outcome, and agree with a recount of the deliveries.
    const tallies = assemble(2031, [3], await db.store.tallies.year(county, 2031));
    expect(tallies.totals).toMatchObject({ smsSent: 11, smsSkipped: 1, smsFailed: 0 });
    expect(tallies.byTownship.find((row) => row.value === 'chengxiang')?.counts.smsSent).toBe(11);
    const reconciled = await reconcileYear(db.store, { county, year: 2031, repair: false, timeZone: 'Asia/Shanghai' });
    expect(reconciled).toMatchObject({ deliveries: 12, differences: [] });
  });

  it('expires a send that is too late, with the reason', async () => {
    await bench.addSubscribers(3);
    const { campaignId } = await bench.scheduled(anSmsNotice({ lateWindowMinutes: 60 }));
    bench.clock.set('2031-03-15T03:00:00Z'); // two hours late
    expect(await bench.dispatch()).toMatchObject({ expired: 3, sent: 0 });
    const expired = await db.store.deliveries.page(county, campaignId, 'n', { state: 'expired', limit: 10 });
    expect(expired.items[0]?.reason).toMatch(/120 min after its time, past the 60 min late window/);
    expect(bench.sink.outbox.list()).toHaveLength(0);
  });

  it('waits for quiet hours to end when the send time is checked again', async () => {
    await bench.addSubscribers(2);
    const { campaignId } = await bench.scheduled(anSmsNotice({ schedule: { kind: 'key-date', days: 0, at: '20:55' } }));
    bench.clock.set('2031-03-15T13:10:00Z'); // 21:10 local, inside quiet hours, 15 min late
    expect(await bench.dispatch()).toMatchObject({ deferred: 2, sent: 0 });
    bench.clock.set('2031-03-15T23:59:00Z'); // 07:59 local: still quiet, not yet due again
    expect((await bench.dispatch()).claimed).toBe(0);
    bench.clock.set('2031-03-16T00:00:01Z'); // 08:00 local
    expect(await bench.dispatch()).toMatchObject({ sent: 0, expired: 2 }); // past the default 180 min window
    expect(await db.store.deliveries.counts(county, campaignId, 'n')).toMatchObject({ expired: 2, pending: 0 });
  });

  it('sends what was deferred once quiet hours end, inside the late window', async () => {
    await bench.addSubscribers(2);
    // Planned before quiet hours, dispatched inside them (an outage): it waits for 08:00.
    const { campaignId } = await bench.scheduled(anSmsNotice({ schedule: { kind: 'key-date', days: 0, at: '20:55' }, lateWindowMinutes: 720 }));
    bench.clock.set('2031-03-15T13:10:00Z'); // 21:10 local
    expect(await bench.dispatch()).toMatchObject({ deferred: 2 });
    bench.clock.set('2031-03-16T00:00:05Z'); // 08:00 local, 11 h late, inside the 12 h window
    expect(await bench.dispatch()).toMatchObject({ sent: 2 });
    expect(await db.store.deliveries.counts(county, campaignId, 'n')).toMatchObject({ sent: 2, pending: 0 });
  });
});

describe('a broadcast notice', () => {
  it('is pushed to every station ten to a PublishBatch, pulled by each station and confirmed once', async () => {
    const { campaignId } = await bench.scheduled(aBroadcastNotice());
    bench.clock.set('2031-03-14T23:00:05Z'); // 07:00:05 local
    const before = bench.sink.stats().calls;
    const summary = await bench.dispatch();
    const stations = (await db.store.registry.get(county)).stations;
    expect(summary.sent).toBe(stations.length);
    expect(bench.sink.stats().calls - before).toBe(Math.ceil(stations.length / 10));
    const pushes = bench.sink.outbox.list().filter((entry) => entry.kind === 'station');
    const first = pushes.find((entry) => entry.attributes.station === 'st-xiangyang');
    expect(first?.attributes).toMatchObject({ station: 'st-xiangyang', village: 'chengxiang-xiangyang', township: 'chengxiang' });
    expect(JSON.parse(first?.message ?? '{}')).toMatchObject({ text: expect.stringContaining('12315'), repeats: 2 });

    // The station pulls its own scripts and confirms one, twice.
    const app = createApp({ ...db.deps, clock: bench.clock.read });
    const station = await aToken(db.store, county, aGrant({ role: 'station', stationId: 'st-xiangyang' }));
    const other = await aToken(db.store, county, aGrant({ role: 'station', stationId: 'st-qiaotou' }));
    const pulled = await app.request('/stations/me/scripts', { headers: station.headers });
    const scripts = ((await pulled.json()) as { items: { id: string; airAtLocal: string; aired: boolean }[] }).items;
    expect(scripts).toHaveLength(1);
    expect(scripts[0]).toMatchObject({ airAtLocal: '2031-03-15T07:00', aired: false });
    const id = must(scripts[0]).id;

    bench.clock.set('2031-03-14T23:15:00Z'); // 07:15 local: the airing reported below (07:10) has happened
    const confirm = (headers: Record<string, string>, airedAt = '2031-03-15T07:10:00+08:00') =>
      app.request(`/stations/me/scripts/${id}/aired`, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json' },
        body: JSON.stringify({ airedAt }),
      });
    expect((await confirm(other.headers)).status).toBe(404);
    // An airing long before the script's time (07:00) or in the future is a mistake: 400 naming the field, nothing counted.
    for (const impossible of ['2031-03-14T07:10:00+08:00', '2031-03-15T06:00:00+08:00', '2031-03-15T09:00:00+08:00', '2031-03-20T07:10:00+08:00']) {
      const refused = await confirm(station.headers, impossible);
      expect(refused.status, impossible).toBe(400);
      expect(((await refused.json()) as { errors: { field: string }[] }).errors.map((error) => error.field)).toEqual(['body.airedAt']);
    }
    expect((await db.store.deliveries.counts(county, campaignId, 'n')).aired ?? 0).toBe(0);
    const confirmed = await confirm(station.headers);
    expect(confirmed.status).toBe(200);
    expect(await confirmed.json()).toMatchObject({ aired: true, airedAt: '2031-03-14T23:10:00.000Z' });
    expect((await confirm(station.headers)).status).toBe(200);
    expect((await db.store.deliveries.counts(county, campaignId, 'n')).aired).toBe(1);

    // A late confirmation, after the window closed, still counts.
    bench.clock.set('2031-03-16T02:00:00Z');
    const late = pushes.find((entry) => entry.attributes.station === 'st-qiaotou');
    const lateId = (JSON.parse(late?.message ?? '{}') as { id: string }).id;
    const lateConfirm = await app.request(`/stations/me/scripts/${lateId}/aired`, { method: 'POST', headers: other.headers });
    expect(lateConfirm.status).toBe(200);
    expect((await db.store.deliveries.counts(county, campaignId, 'n')).aired).toBe(2);
    expect(assemble(2031, [3], await db.store.tallies.year(county, 2031)).totals.airings).toBe(2);
    expect((await reconcileYear(db.store, { county, year: 2031, repair: false, timeZone: 'Asia/Shanghai' })).differences).toEqual([]);

    const contacts = await app.request('/stations', { headers: (await aToken(db.store, county, aGrant({ role: 'county' }))).headers });
    const list = ((await contacts.json()) as { items: { id: string; lastContactAt?: string; contactedToday: boolean }[] }).items;
    expect(list.find((item) => item.id === 'st-xiangyang')?.lastContactAt).toBe('2031-03-14T23:00:05.000Z');
    expect(list.find((item) => item.id === 'st-gaoshan')).toMatchObject({ contactedToday: false });
  });

  it('sends a script held back for a fuller batch before its lease runs out: once to each station, even behind a long SMS run', async () => {
    // 1,000 SMS at 20/s keep the run busy for 50 s, longer than a 45 s lease.
    await bench.stop();
    bench = await aBench(db, { smsPerSecond: 20 });
    await bench.addSubscribers(1000);
    await bench.scheduled(aBroadcastNotice({ schedule: { kind: 'key-date', days: 0, at: '08:59' }, broadcast: { script: '广播稿', airWindows: [{ from: '08:30', to: '11:00' }], repeats: 1 } }));
    await bench.scheduled(anSmsNotice());
    bench.clock.set('2031-03-15T01:00:05Z');
    const summary = await bench.dispatch({ budgetMs: 240_000 });
    const stations = (await db.store.registry.get(county)).stations;
    const pushes = bench.sink.outbox.list().filter((entry) => entry.kind === 'station');
    expect(pushes.map((entry) => entry.attributes.station).sort()).toEqual(stations.map((station) => station.id).sort());
    expect(summary.lostLeases).toBe(0);
  }, 120_000);

  it('counts a confirmation read before the push finished as an airing only, not a second send', async () => {
    const { campaignId } = await bench.scheduled(aBroadcastNotice());
    const readWhilePending = must((await db.store.deliveries.pendingOfNotice(county, campaignId, 'n'))[0], 'a pending script');
    bench.clock.set('2031-03-14T23:00:05Z');
    await bench.dispatch(); // the push lands between the station's read and its write
    const before = await db.store.deliveries.counts(county, campaignId, 'n');
    const confirmed = await db.store.deliveries.markAired(readWhilePending, '2031-03-14T23:01:00Z', bench.clock.read(), { year: 2031, month: 3 });
    expect(confirmed.first).toBe(true);
    const after = await db.store.deliveries.counts(county, campaignId, 'n');
    expect(after).toMatchObject({ sent: before.sent, aired: before.aired + 1 });
    expect((await reconcileYear(db.store, { county, year: 2031, repair: false, timeZone: 'Asia/Shanghai' })).differences).toEqual([]);
  });

  it('retries only the entries PublishBatch refused, and fails a permanent refusal with its reason', async () => {
    let refusals = 0;
    bench.faults.failEntry = (message) => {
      const body = JSON.parse(message) as { id: string };
      if (body.id.endsWith('~sst-gaoshan')) return { code: 'InvalidParameter', senderFault: true };
      if (body.id.endsWith('~sst-qiaotou') && refusals < 2) {
        refusals += 1;
        return { code: 'InternalError', senderFault: false };
      }
      return undefined;
    };
    const { campaignId } = await bench.scheduled(aBroadcastNotice());
    bench.clock.set('2031-03-14T23:00:05Z');
    const counts = await drain(campaignId);
    const stations = (await db.store.registry.get(county)).stations.length;
    expect(counts).toMatchObject({ total: stations, sent: stations - 1, failed: 1, pending: 0 });
    const perStation = perRecipient(bench.sink);
    expect([...perStation.values()].every((count) => count === 1)).toBe(true);
    const failed = await db.store.deliveries.page(county, campaignId, 'n', { state: 'failed', limit: 10 });
    expect(failed.items.map((item) => item.reason)).toEqual(['InvalidParameter: injected']);
    const retried = await db.store.deliveries.page(county, campaignId, 'n', { state: 'sent', limit: 50 });
    expect(retried.items.find((item) => item.id.endsWith('~sst-qiaotou'))?.attempts).toBe(3);
  });
});

describe('faults', () => {
  it('a crash after k messages: the restarted run finishes the rest, marks the one in flight uncertain, and sends nobody a second SMS unasked', async () => {
    const phones = await bench.addSubscribers(20);
    const { campaignId } = await bench.scheduled(anSmsNotice());
    bench.clock.set('2031-03-15T01:00:30Z');
    let sends = 0;
    // Sends the 8th message, then dies before its outcome is written: the worst moment to crash.
    const crashing: Notifier = {
      ...bench.notifier,
      async sendSms(message) {
        const mine = ++sends; // counted before the await: sends run in parallel
        const result = await bench.notifier.sendSms(message);
        if (mine === 8) throw new Error('process crashed');
        return result;
      },
    };
    await expect(bench.dispatch({ notifier: crashing })).rejects.toThrow('process crashed');
    bench.clock.advance(bench.settings.leaseMs + 1_000); // the crashed run's claims run out
    const counts = await drain(campaignId);
    expect(counts).toMatchObject({ total: 20, sent: 19, uncertain: 1, pending: 0, failed: 0 });
    const received = perRecipient(bench.sink);
    expect(new Set(received.keys())).toEqual(new Set(phones));
    expect([...received.values()].every((count) => count === 1)).toBe(true);
    const [uncertain] = await db.store.deliveries.ofNoticeInState(county, campaignId, 'n', 'uncertain');
    expect(uncertain?.reason).toMatch(/SNS may or may not have taken it/);
    expect(assemble(2031, [3], await db.store.tallies.year(county, 2031)).totals).toMatchObject({ smsSent: 19, smsUncertain: 1 });
    expect((await db.store.notices.require(county, campaignId, 'n')).state).toBe('done');

    // Staff resend it deliberately: the one person whose SMS was in flight gets a second one.
    const { resent, notice } = await resendUncertain({ store: db.store, config: db.config, now: bench.clock.read() }, staff, campaignId, 'n');
    expect({ resent, state: notice.state }).toEqual({ resent: 1, state: 'scheduled' });
    expect(await drain(campaignId)).toMatchObject({ total: 20, sent: 20, uncertain: 0, pending: 0 });
    expect([...perRecipient(bench.sink).values()].filter((count) => count === 2)).toHaveLength(1);
    expect(assemble(2031, [3], await db.store.tallies.year(county, 2031)).totals).toMatchObject({ smsSent: 20, smsUncertain: 0 });
    expect(await reconcileYear(db.store, { county, year: 2031, repair: false, timeZone: 'Asia/Shanghai' })).toMatchObject({ differences: [] });
    await expect(resendUncertain({ store: db.store, config: db.config, now: bench.clock.read() }, staff, campaignId, 'n')).rejects.toThrow(/no SMS whose outcome is uncertain/);
  });

  it('SNS throttling: retried with backoff until sent, none lost, none twice', async () => {
    await bench.addSubscribers(10);
    bench.faults.throttle = (call) => call % 3 === 0;
    const { campaignId } = await bench.scheduled(anSmsNotice());
    bench.clock.set('2031-03-15T01:00:30Z');
    const counts = await drain(campaignId);
    expect(counts).toMatchObject({ total: 10, sent: 10, failed: 0, pending: 0 });
    expect([...perRecipient(bench.sink).values()].every((count) => count === 1)).toBe(true);
    const sent = await db.store.deliveries.page(county, campaignId, 'n', { state: 'sent', limit: 20 });
    expect(sent.items.some((item) => item.attempts > 1)).toBe(true);
  });

  it('gives up after the last attempt and marks the delivery failed with the reason', async () => {
    await bench.addSubscribers(2);
    bench.faults.failPublish = () => true;
    const { campaignId } = await bench.scheduled(anSmsNotice());
    bench.clock.set('2031-03-15T01:00:30Z');
    const counts = await drain(campaignId);
    expect(counts).toMatchObject({ failed: 2, sent: 0, pending: 0 });
    const failed = await db.store.deliveries.page(county, campaignId, 'n', { state: 'failed', limit: 10 });
    expect(failed.items[0]?.reason).toMatch(/^gave up after 5 attempts: InternalError/);
    expect(failed.items[0]?.attempts).toBe(5);
  });

  it('two dispatcher runs at once send each message exactly once', async () => {
    const phones = await bench.addSubscribers(30);
    const { campaignId } = await bench.scheduled(anSmsNotice());
    bench.clock.set('2031-03-15T01:00:30Z');
    const [first, second] = await Promise.all([bench.dispatch(), bench.dispatch()]);
    expect(first.sent + second.sent).toBe(30);
    const received = perRecipient(bench.sink);
    expect(received.size).toBe(phones.length);
    expect([...received.values()].every((count) => count === 1)).toBe(true);
    expect(await db.store.deliveries.counts(county, campaignId, 'n')).toMatchObject({ sent: 30, pending: 0 });
  });

  it('never sends to a number on the SNS opt-out list', async () => {
    const phones = await bench.addSubscribers(4);
    bench.sink.optedOut.add(must(phones[1]).slice(1)); // SNS lists numbers without the +
    const { campaignId } = await bench.scheduled(anSmsNotice());
    bench.clock.set('2031-03-15T01:00:30Z');
    const summary = await bench.dispatch();
    expect(summary).toMatchObject({ optOutsSynced: 1, sent: 3, skipped: 1 });
    expect(perRecipient(bench.sink).has(must(phones[1]))).toBe(false);
    expect((await db.store.deliveries.counts(county, campaignId, 'n')).skipped).toBe(1);
  });
});

describe('pause, resume and cancel', () => {
  it('pausing stops sending at once; resuming sends only what was never sent', async () => {
    await bench.addSubscribers(6);
    const { campaignId } = await bench.scheduled(anSmsNotice());
    const deps = { store: db.store, config: db.config, now: bench.clock.read() };
    await actOnNotice(deps, staff, campaignId, 'n', 'pause');
    bench.clock.set('2031-03-15T01:00:30Z');
    expect(await bench.dispatch()).toMatchObject({ sent: 0, claimed: 0 });
    expect(bench.sink.outbox.list()).toHaveLength(0);

    await actOnNotice({ ...deps, now: bench.clock.read() }, staff, campaignId, 'n', 'resume');
    expect(await bench.dispatch()).toMatchObject({ sent: 6 });
    await actOnNotice({ ...deps, now: bench.clock.read() }, staff, campaignId, 'n', 'pause').catch(() => undefined);
    expect(await bench.dispatch()).toMatchObject({ sent: 0 });
    expect([...perRecipient(bench.sink).values()].every((count) => count === 1)).toBe(true);
  });

  it('takes a paused or cancelled broadcast off every station at once, before the dispatcher gets to it', async () => {
    const { campaignId } = await bench.scheduled(aBroadcastNotice());
    const app = createApp({ ...db.deps, clock: bench.clock.read });
    const station = await aToken(db.store, county, aGrant({ role: 'station', stationId: 'st-xiangyang' }));
    const scripts = async () => ((await (await app.request('/stations/me/scripts', { headers: station.headers })).json()) as { items: { id: string }[] }).items;
    const [script] = await scripts();
    const id = must(script, 'a script to air').id;
    const deps = () => ({ store: db.store, config: db.config, now: bench.clock.read() });

    await actOnNotice(deps(), staff, campaignId, 'n', 'pause');
    expect(await scripts()).toEqual([]);
    await actOnNotice(deps(), staff, campaignId, 'n', 'resume');
    expect((await scripts()).map((item) => item.id)).toEqual([id]);

    await actOnNotice(deps(), staff, campaignId, 'n', 'cancel');
    expect(await scripts()).toEqual([]);
    const confirm = await app.request(`/stations/me/scripts/${id}/aired`, { method: 'POST', headers: station.headers });
    expect(confirm.status).toBe(409);
    expect((await db.store.deliveries.counts(county, campaignId, 'n')).aired).toBe(0);
  });

  it('cancelling a paused notice ends its deliveries as cancelled, counted', async () => {
    await bench.addSubscribers(3);
    const { campaignId } = await bench.scheduled(anSmsNotice());
    const deps = { store: db.store, config: db.config, now: bench.clock.read() };
    await actOnNotice(deps, staff, campaignId, 'n', 'pause');
    await actOnNotice(deps, staff, campaignId, 'n', 'cancel');
    // At once, not when their time comes.
    expect(await db.store.deliveries.counts(county, campaignId, 'n')).toMatchObject({ cancelled: 3, pending: 0 });
    bench.clock.set('2031-03-15T01:00:30Z');
    expect(await bench.dispatch()).toMatchObject({ claimed: 0, sent: 0 });
    expect(await db.store.deliveries.counts(county, campaignId, 'n')).toMatchObject({ cancelled: 3, pending: 0 });
  });
});

describe('the notifier', () => {
  it('classifies SNS errors into throttled, transient and permanent', async () => {
    bench.faults.throttle = () => true;
    await expect(bench.notifier.sendSms({ deliveryId: 'd', phoneNumber: '+8619900000001', text: 'x' })).rejects.toMatchObject({
      kind: 'throttled',
    });
    bench.faults.throttle = undefined;
    bench.faults.failPublish = () => true;
    const error = await bench.notifier.sendSms({ deliveryId: 'd', phoneNumber: '+8619900000001', text: 'x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotifyError);
    expect(error).toMatchObject({ kind: 'transient' });
  });
});

describe('only the approved content goes out', () => {
  it('fails, with the reason on record, an SMS whose fixed text is not the approved text', async () => {
    await bench.addSubscribers(3);
    const { campaignId } = await bench.scheduled(anSmsNotice());
    const scheduled = await db.store.notices.require(county, campaignId, 'n');
    // The stored text changed after scheduling, by whatever path: it must not be sent.
    await db.store.notices.transition(scheduled, { from: 'scheduled', to: 'scheduled' }, { smsText: '【普法宣传】中奖了，请点链接领取。回T退订' }, bench.clock.read());
    bench.clock.set('2031-03-15T01:00:30Z');
    const summary = await bench.dispatch();
    expect(summary).toMatchObject({ sent: 0, failed: 3 });
    expect(bench.sink.outbox.list().filter((entry) => entry.kind === 'sms')).toEqual([]);
    const failed = await db.store.deliveries.page(county, campaignId, 'n', { state: 'failed', limit: 10 });
    expect(new Set(failed.items.map((item) => item.reason))).toEqual(new Set(['not sent: the content differs from the text the reviewer approved (fingerprint mismatch)']));
  });
});
