/**
 * A dispatcher killed outright (kill -9, a real process) after WeChat took a mass send and before
 * the answer reached it: the next run sends it again under the same clientmsgid, WeChat answers
 * with the first send's msg_id (45065), and the followers get the article once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../functions/domain/access.js';
import { planFileSchema } from '../../functions/domain/plan.js';
import { noticeInputSchema } from '../../functions/domain/planning.js';
import { inventedWeChatSecrets } from '../../functions/local/wechat-secrets.js';
import { startWeChatSink, type RunningWeChatSink, type WeChatSinkFaults } from '../../functions/local/wechat-sink.js';
import { wechatChannel, type WeChatChannel } from '../../functions/wechat/channel.js';
import { actOnNotice, createNotice, type WorkflowDeps } from '../../functions/workflows/notices.js';
import { loadPlan } from '../../functions/workflows/plans.js';
import { reconcileYear } from '../../functions/workflows/reconcile.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { startDispatchProcess, until } from '../support/dispatch-process.js';
import { aBench, type Bench } from '../support/dispatch.js';
import { aJpeg } from '../support/images.js';
import { aPlan, sampleRegistry } from '../support/planning.js';

const county = 'testcounty';
const secrets = inventedWeChatSecrets();
const staff: Caller = { tokenId: 'tok_staff', county, role: 'staff', name: '宣传员' };
const reviewer: Caller = { tokenId: 'tok_reviewer', county, role: 'reviewer', name: '审核员' };
const SEND_TIME = '2031-03-15T00:00:30Z';
const faults: WeChatSinkFaults = {};
let db: TestDatabase;
let bench: Bench;
let sink: RunningWeChatSink;
let channel: WeChatChannel;

beforeAll(async () => {
  db = await freshTable({ county });
  bench = await aBench(db);
  sink = await startWeChatSink({ appId: secrets.appId, appSecret: secrets.appSecret, accountType: 'subscription', followers: 800, clock: bench.clock.read, faults, finishDelayMs: 1 });
  channel = wechatChannel({ store: db.store, county, clock: bench.clock.read, secrets, apiBase: sink.endpoint, massSendProtection: false });
  const plan = planFileSchema.parse({ ...aPlan(), settings: { ...aPlan().settings, wechat: { accountType: 'subscription' } } });
  const deps = { store: db.store, config: db.config, now: bench.clock.read() };
  expect((await loadPlan(deps, { plan, registry: sampleRegistry(), county, loader: { kind: 'system' }, actor: staff, dryRun: false })).ok).toBe(true);
});

afterAll(async () => {
  await sink?.stop();
  await bench?.stop();
  await db?.drop();
});

describe('a dispatcher killed while WeChat answers a mass send', () => {
  it('leaves the followers with one article: the next run finds the first send by its clientmsgid', async () => {
    const cover = (await (await db.deps.images?.())!.put(aJpeg({ width: 8, height: 8, comment: 'killed' }))).sha256;
    const deps = (): WorkflowDeps => ({ store: db.store, config: db.config, now: bench.clock.read(), wechat: async () => channel, images: db.deps.images });
    const input = noticeInputSchema.parse({ id: 'wx', channel: 'wechat', audience: { all: true }, schedule: { kind: 'key-date', days: 0, at: '08:00' }, wechat: { title: '一次', body: '<p>只发一次。</p>', cover } });
    await createNotice(deps(), staff, 'c-0315', input);
    for (const [action, caller] of [['submit', staff], ['approve', reviewer], ['schedule', staff]] as const) await actOnNotice(deps(), caller, 'c-0315', 'wx', action);

    // WeChat (its clock the test's) takes the send at once and holds its answer back: the kill lands in between.
    bench.clock.set(SEND_TIME);
    faults.answerDelay = { path: '/cgi-bin/message/mass/sendall', ms: 10_000 };
    const { child, output, exited } = startDispatchProcess({ db, snsEndpoint: bench.sink.endpoint, clock: SEND_TIME, smsPerSecond: 20, wechat: { api: sink.endpoint, secrets } });
    await until(() => sink.outbox.list().length === 1 || child.exitCode !== null, 'the mass send at WeChat');
    expect(child.exitCode, output()).toBeNull();
    child.kill('SIGKILL');
    expect((await exited)[1]).toBe('SIGKILL');
    const [first] = sink.outbox.list();
    expect((await db.store.deliveries.allOfNotice(county, 'c-0315', 'wx'))[0]?.state).toBe('sending');

    delete faults.answerDelay;
    bench.clock.set('2031-03-15T00:02:00Z'); // past the killed run's lease
    const run = await bench.dispatch({ wechat: async () => channel });
    expect(run.sent).toBe(1);
    expect(sink.outbox.list()).toHaveLength(1);
    const [delivery] = await db.store.deliveries.allOfNotice(county, 'c-0315', 'wx');
    expect(delivery).toMatchObject({ messageId: first?.msgId, reason: expect.stringContaining('same clientmsgid') });
    expect(await reconcileYear(db.store, { county, year: 2031, repair: false, timeZone: 'Asia/Shanghai' })).toMatchObject({ differences: [] });
  });
});
