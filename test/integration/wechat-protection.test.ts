/**
 * API 群发保护 on the local WeChat stand-in: a mass send to all followers waits for an
 * administrator's confirmation in WeChat, and pufa shows it waiting. No result event reaches pufa
 * here (no callback is set), so the dispatcher follows the send up once its 30 minutes have passed:
 * confirmed, WeChat says it went (delivered, without counts); not confirmed, WeChat says it failed
 * (undelivered, a failed push in the tallies).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../functions/domain/access.js';
import { planFileSchema } from '../../functions/domain/plan.js';
import { noticeInputSchema } from '../../functions/domain/planning.js';
import { inventedWeChatSecrets } from '../../functions/local/wechat-secrets.js';
import { startWeChatSink, type RunningWeChatSink } from '../../functions/local/wechat-sink.js';
import { wechatChannel, type WeChatChannel } from '../../functions/wechat/channel.js';
import { actOnNotice, createNotice, type WorkflowDeps } from '../../functions/workflows/notices.js';
import { loadPlan } from '../../functions/workflows/plans.js';
import { reconcileYear } from '../../functions/workflows/reconcile.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { aBench, type Bench } from '../support/dispatch.js';
import { aJpeg } from '../support/images.js';
import { aPlan, sampleRegistry } from '../support/planning.js';

const county = 'testcounty';
const secrets = inventedWeChatSecrets();
const staff: Caller = { tokenId: 'tok_staff', county, role: 'staff', name: '宣传员' };
const reviewer: Caller = { tokenId: 'tok_reviewer', county, role: 'reviewer', name: '审核员' };
let db: TestDatabase;
let bench: Bench;
let sink: RunningWeChatSink;
let channel: WeChatChannel;
let cover: string;

beforeAll(async () => {
  db = await freshTable({ county });
  bench = await aBench(db);
  sink = await startWeChatSink({ appId: secrets.appId, appSecret: secrets.appSecret, accountType: 'service', followers: 500, clock: bench.clock.read, protection: true, finishDelayMs: 1 });
  channel = wechatChannel({ store: db.store, county, clock: bench.clock.read, secrets, apiBase: sink.endpoint, massSendProtection: true });
  const plan = planFileSchema.parse({ ...aPlan(), settings: { ...aPlan().settings, wechat: { accountType: 'service' } } });
  const loaded = await loadPlan({ store: db.store, config: db.config, now: bench.clock.read() }, { plan, registry: sampleRegistry(), county, loader: { kind: 'system' }, actor: staff, dryRun: false });
  expect(loaded.ok).toBe(true);
  cover = (await (await db.deps.images?.())!.put(aJpeg({ width: 8, height: 8, comment: 'protected' }))).sha256;
});

afterAll(async () => {
  await sink?.stop();
  await bench?.stop();
  await db?.drop();
});

const deps = (): WorkflowDeps => ({ store: db.store, config: db.config, now: bench.clock.read(), speech: db.deps.speech, wechat: async () => channel, images: db.deps.images });

/** An article to all followers at 08:00 on the given day of the campaign window, approved and scheduled. */
async function scheduledArticle(id: string, day: string, extra: Record<string, unknown> = {}): Promise<void> {
  bench.clock.set('2031-03-09T00:00:00Z');
  const input = noticeInputSchema.parse({
    id,
    channel: 'wechat',
    audience: { all: true },
    schedule: { kind: 'fixed', at: `${day}T08:00` },
    ...extra,
    wechat: { title: `群发保护 ${id}`, body: '<p>请拨打12348。</p>', cover },
  });
  await createNotice(deps(), staff, 'c-0315', input);
  await actOnNotice(deps(), staff, 'c-0315', id, 'submit');
  await actOnNotice(deps(), reviewer, 'c-0315', id, 'approve');
  await actOnNotice(deps(), staff, 'c-0315', id, 'schedule');
}

const deliveryOf = async (id: string) => (await db.store.deliveries.allOfNotice(county, 'c-0315', id))[0];

describe('a protected mass send', () => {
  it('waits for an administrator, shown as such, and counts as delivered once WeChat says it went', async () => {
    await scheduledArticle('wx-confirmed', '2031-03-10');
    bench.clock.set('2031-03-10T00:00:20Z');
    expect((await bench.dispatch({ wechat: async () => channel })).sent).toBe(1);
    const waiting = await deliveryOf('wx-confirmed');
    expect(waiting).toMatchObject({ state: 'sent', wechat: { phase: 'awaiting-confirmation', submittedAt: '2031-03-10T00:00:20.000Z' } });

    // Before its 30 minutes are up nobody asks WeChat.
    bench.clock.advance(20 * 60_000);
    expect((await bench.dispatch({ wechat: async () => channel })).wechatFollowed).toBe(0);

    // The administrator confirms in WeChat; no event reaches pufa, so the follow-up learns it.
    const confirm = await fetch(`${sink.endpoint}/__sink/confirm/${waiting?.messageId}`, { method: 'POST' });
    expect(confirm.status).toBe(200);
    await sink.callbacksSettled();
    bench.clock.advance(12 * 60_000);
    const run = await bench.dispatch({ wechat: async () => channel });
    expect(run).toMatchObject({ wechatFollowed: 1, wechatEnded: 1 });
    const after = await deliveryOf('wx-confirmed');
    expect(after, JSON.stringify(after)).toMatchObject({ state: 'delivered', wechat: { phase: 'finished', status: 'send success (mass/get)' } });
  });

  it('fails when nobody confirms within 30 minutes, and is counted as a failed push', async () => {
    await scheduledArticle('wx-lapsed', '2031-03-12');
    bench.clock.set('2031-03-12T00:00:20Z');
    expect((await bench.dispatch({ wechat: async () => channel })).sent).toBe(1);
    bench.clock.advance(31 * 60_000 + 1_000);
    const run = await bench.dispatch({ wechat: async () => channel });
    expect(run).toMatchObject({ wechatFollowed: 1, wechatEnded: 1 });
    expect(await deliveryOf('wx-lapsed')).toMatchObject({ state: 'undelivered', wechat: { phase: 'finished', status: 'send fail (mass/get)' } });
    // The confirmed send went out; the lapsed one moved from the pushes to the failed.
    const totals = (await db.store.tallies.year(county, 2031)).filter((cell) => cell.dimension === 'total');
    const sum = (counter: 'wechatPushes' | 'wechatFailed' | 'wechatReached') => totals.reduce((total, cell) => total + (cell.counts[counter] ?? 0), 0);
    expect({ pushes: sum('wechatPushes'), failed: sum('wechatFailed'), reached: sum('wechatReached') }).toEqual({ pushes: 1, failed: 1, reached: 0 });
    expect(await reconcileYear(db.store, { county, year: 2031, repair: false, timeZone: 'Asia/Shanghai' })).toMatchObject({ differences: [] });
    // Closed: the next run asks nothing more.
    bench.clock.advance(2 * 3600_000);
    expect((await bench.dispatch({ wechat: async () => channel })).wechatFollowed).toBe(0);
  });

  it('is never tried more than 12 hours after its time, whatever late window the notice sets', async () => {
    await scheduledArticle('wx-late', '2031-03-14', { lateWindowMinutes: 3 * 24 * 60 });
    bench.clock.set('2031-03-14T13:00:00Z'); // 21:00 in the county, 13 hours late
    const before = sink.outbox.list().length;
    expect((await bench.dispatch({ wechat: async () => channel })).expired).toBe(1);
    expect(sink.outbox.list()).toHaveLength(before);
    expect(await deliveryOf('wx-late')).toMatchObject({ state: 'expired', reason: expect.stringContaining('720 min late window') });
  });
});
