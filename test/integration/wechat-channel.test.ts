/**
 * The WeChat channel end to end on DynamoDB Local and the local WeChat stand-in, through the real
 * client over HTTP: an article written with uploaded images, refused past the account's quota,
 * reviewed, approved into the draft box with a preview to the reviewer, mass-sent by the
 * dispatcher at its time (through an access token that expired meanwhile), its result posted back
 * by WeChat's signed callback and counted in the tallies and the report paragraph. A send retried
 * after a lost answer goes out once; forged, stale and replayed callbacks change nothing.
 */
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { planFileSchema } from '../../functions/domain/plan.js';
import { inventedWeChatSecrets } from '../../functions/local/wechat-secrets.js';
import { startWeChatSink, type RunningWeChatSink } from '../../functions/local/wechat-sink.js';
import { wechatChannel, type WeChatChannel } from '../../functions/wechat/channel.js';
import { clientMsgIdOf } from '../../functions/workflows/dispatch.js';
import { aGrant, aToken } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { aBench, type Bench } from '../support/dispatch.js';
import { sendTo, type Send } from '../support/http.js';
import { aJpeg, aPng } from '../support/images.js';
import { aPlan } from '../support/planning.js';

const county = 'testcounty';
const reviewerOpenId = 'oAbCdEfGhIjKlMnOpQrStUvWxYz0';
const secrets = inventedWeChatSecrets();
let db: TestDatabase;
let bench: Bench;
let sink: RunningWeChatSink;
let channel: WeChatChannel;
let app: ReturnType<typeof createApp>;
let server: ServerType;
let send: Send;
let staff: Record<string, string>;
let reviewer: Record<string, string>;
let admin: Record<string, string>;

/** The 2031 plan with the county's account: a 订阅号, one mass send a day. */
const planWithWeChat = () => planFileSchema.parse({ ...aPlan(), settings: { ...aPlan().settings, wechat: { accountType: 'subscription' } } });

async function upload(bytes: Uint8Array, type: string): Promise<string> {
  const response = await app.request('/images', { method: 'POST', headers: { ...staff, 'Content-Type': type }, body: bytes });
  expect(response.status, await response.clone().text()).toBeLessThan(300);
  return ((await response.json()) as { sha256: string }).sha256;
}

const article = (cover: string, image: string, overrides: Record<string, unknown> = {}) => ({
  channel: 'wechat',
  audience: { all: true },
  schedule: { kind: 'key-date', days: 0, at: '08:00' },
  wechat: {
    title: '3·15 消费者权益日：维权有门',
    author: '县司法局',
    digest: '遇到消费纠纷怎么办？',
    body: `<p>遇到消费纠纷，请拨打 <strong>12315</strong>。</p><script>alert(1)</script><p><img src="pufa-image:${image}"></p>`,
    cover,
    sourceUrl: 'https://example.gov.cn/315',
    ...overrides,
  },
});

beforeAll(async () => {
  db = await freshTable({ county });
  bench = await aBench(db);
  db.setNow(bench.clock.read());
  sink = await startWeChatSink({ appId: secrets.appId, appSecret: secrets.appSecret, accountType: 'subscription', followers: 1_200, tags: { 100: 300 }, clock: bench.clock.read, finishDelayMs: 5 });
  channel = wechatChannel({ store: db.store, county, clock: db.deps.clock, secrets, apiBase: sink.endpoint, massSendProtection: false });
  app = createApp({ ...db.deps, wechat: async () => channel });
  send = sendTo(app);
  // WeChat posts its results to the app's URL: the app listens on a port of its own.
  const port = await new Promise<number>((listening) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => listening(info.port));
  });
  (sink as RunningWeChatSink & { setCallback(target: { url: string; token: string }): void }).setCallback({ url: `http://127.0.0.1:${port}/wechat/callback`, token: secrets.callbackToken });
  admin = (await aToken(db.store, county, aGrant({ role: 'admin' }))).headers;
  staff = (await aToken(db.store, county, aGrant({ role: 'staff', name: '宣传员小王' }))).headers;
  reviewer = (await aToken(db.store, county, { role: 'reviewer', name: '审核员老李', wechatOpenId: reviewerOpenId })).headers;
  expect((await send('POST', '/plans', admin, planWithWeChat())).status).toBe(200);
});

afterAll(async () => {
  server?.close();
  await sink?.stop();
  await bench?.stop();
  await db?.drop();
});

describe('a WeChat article from the composer to the followers', () => {
  let cover: string;
  let image: string;
  let notice: Record<string, any>;

  beforeAll(async () => {
    cover = await upload(aJpeg({ width: 16, height: 16 }), 'image/jpeg');
    image = await upload(aPng({ width: 4, height: 3, seed: 7 }), 'image/png');
  });

  it('is kept with its body sanitised: the script gone, the text and the uploaded image kept', async () => {
    const created = await send('POST', '/campaigns/c-0315/notices', staff, { id: 'wx-315', ...article(cover, image) });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    notice = created.body.notice;
    expect(notice.wechat.body).not.toContain('script');
    expect(notice.wechat.body).toContain('<strong>12315</strong>');
    expect(notice.wechat.body).toContain(`pufa-image:${image}`);
    expect(created.body.evaluation.warnings.join('\n')).toContain('<script>');
  });

  it('is refused when it names townships: WeChat reaches followers', async () => {
    const refused = await send('POST', '/campaigns/c-0315/notices', staff, { id: 'wx-town', ...article(cover, image), audience: { townships: ['chengxiang'] } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toContainEqual(expect.objectContaining({ field: 'body.audience.all' }));
  });

  it('is refused at planning when the 订阅号 already sends that day, and nothing is written', async () => {
    const second = await send('POST', '/campaigns/c-0315/notices', staff, { id: 'wx-second', ...article(cover, image, { title: '第二篇' }) });
    expect(second.status).toBe(400);
    expect(second.body.errors).toContainEqual({ field: 'body.schedule', message: expect.stringContaining('订阅号每天只能群发 1 次') });
    expect((await send('GET', '/campaigns/c-0315/notices/wx-second', staff)).status).toBe(404);
    // Another day is fine.
    const nextDay = await send('POST', '/campaigns/c-0315/notices', staff, { id: 'wx-next', ...article(cover, image, { title: '第二篇' }), schedule: { kind: 'key-date', days: 1, at: '08:00' } });
    expect(nextDay.status, JSON.stringify(nextDay.body)).toBe(201);
  });

  it('is refused in a plan load too when a notice made through the API already sends that day', async () => {
    const plan = planWithWeChat();
    const withArticle = { ...plan, campaigns: [{ ...plan.campaigns[0], notices: [...(plan.campaigns[0]?.notices ?? []), { id: 'wx-plan', ...article(cover, image, { title: '计划里的文章' }) }] }] };
    const loaded = await send('POST', '/plans', admin, withArticle);
    expect(loaded.status, JSON.stringify(loaded.body)).toBe(400);
    expect(loaded.body.errors).toContainEqual({ field: 'body.campaigns.0.notices.2.schedule', message: expect.stringContaining('c-0315/wx-315') });
    expect((await send('GET', '/campaigns/c-0315/notices/wx-plan', staff)).status).toBe(404);
  });

  it('can be edited in place without its own send counting against it', async () => {
    const edited = await send('PUT', '/campaigns/c-0315/notices/wx-315', staff, article(cover, image, { digest: '遇到消费纠纷，怎么维权？' }));
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body.notice.wechat.digest).toBe('遇到消费纠纷，怎么维权？');
  });

  it('is approved into the draft box: images uploaded to WeChat, the preview sent to the reviewer', async () => {
    expect((await send('POST', '/campaigns/c-0315/notices/wx-315/submit', staff, {})).status).toBe(200);
    const review = await send('GET', '/campaigns/c-0315/notices/wx-315', reviewer);
    const approved = await send('POST', '/campaigns/c-0315/notices/wx-315/approve', reviewer, { seen: review.body.contentHash });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const draft = approved.body.notice.wechatDraft;
    expect(draft).toMatchObject({ mediaId: expect.any(String), contentHash: approved.body.notice.review.approvedHash, preview: { to: 'oAbC…xYz0' } });
    expect(draft.preview.error).toBeUndefined();
    const [stored] = sink.drafts.get(draft.mediaId) ?? [];
    expect(stored).toMatchObject({ title: '3·15 消费者权益日：维权有门', author: '县司法局', content_source_url: 'https://example.gov.cn/315' });
    // The body's image now points at WeChat's copy; the uploaded bytes are the ones WeChat got.
    expect(String(stored?.content)).not.toContain('pufa-image:');
    const url = /src="([^"]+)"/.exec(String(stored?.content))?.[1] ?? '';
    const fetched = new Uint8Array(await (await fetch(url)).arrayBuffer());
    expect(createHash('sha256').update(fetched).digest('hex')).toBe(image);
    expect(sink.previews).toContainEqual(expect.objectContaining({ openId: reviewerOpenId, mediaId: draft.mediaId }));
  });

  it('is mass-sent once at its time, through a token that expired meanwhile, and its result counted', async () => {
    expect((await send('POST', '/campaigns/c-0315/notices/wx-315/schedule', staff, {})).status).toBe(200);
    const tokensBefore = sink.calls('/cgi-bin/stable_token');
    sink.expireTokens();
    bench.clock.set('2031-03-15T00:00:30Z'); // 08:00:30 in the county
    db.setNow(bench.clock.read());
    const run = await bench.dispatch({ wechat: async () => channel });
    expect(run.sent).toBe(1);
    // The send met 42001, refreshed the token once under the lease, and went on.
    expect(sink.calls('/cgi-bin/stable_token')).toBe(tokensBefore + 1);
    expect(sink.outbox.list().filter((entry) => entry.mediaId !== '')).toHaveLength(1);
    const [mass] = sink.outbox.list();
    expect(mass).toMatchObject({ toAll: true, totalCount: 1_200 });

    await sink.callbacksSettled();
    const deliveries = await send('GET', '/campaigns/c-0315/notices/wx-315/deliveries?state=delivered', staff);
    expect(deliveries.status, JSON.stringify(deliveries.body)).toBe(200);
    const [delivery] = deliveries.body.items;
    expect(delivery).toMatchObject({ state: 'delivered', wechat: { phase: 'finished', status: 'sendsuccess', sentCount: 1_200, totalCount: 1_200 } });

    const tallies = await send('GET', '/tallies?year=2031&period=year', staff);
    expect(tallies.status, JSON.stringify(tallies.body)).toBe(200);
    expect(tallies.body.current.totals).toMatchObject({ wechatPushes: 1, wechatReached: 1_200, wechatFailed: 0 });
    expect(tallies.body.paragraph).toContain('微信公众号推送普法文章1期,送达粉丝1200人次');
  });
});

describe('a mass send retried after its answer was lost', () => {
  it('is sent by WeChat once: the retry gets the first send’s msg_id (45065), not a second send', async () => {
    bench.clock.set('2031-03-10T00:00:00Z');
    db.setNow(bench.clock.read());
    // Another day (the 17th), to a tag: the quota allows it.
    const cover = await upload(aJpeg({ width: 8, height: 8, comment: 'tag-cover' }), 'image/jpeg');
    const body = { id: 'wx-tag', ...article(cover, cover, { title: '标签推送', tagId: 100, body: '<p>只发给标签 100 的粉丝。</p>' }), schedule: { kind: 'key-date', days: 2, at: '08:00' } };
    expect((await send('POST', '/campaigns/c-0315/notices', staff, body)).status).toBe(201);
    expect((await send('POST', '/campaigns/c-0315/notices/wx-tag/submit', staff, {})).status).toBe(200);
    const view = await send('GET', '/campaigns/c-0315/notices/wx-tag', reviewer);
    const approved = await send('POST', '/campaigns/c-0315/notices/wx-tag/approve', reviewer, { seen: view.body.contentHash });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect((await send('POST', '/campaigns/c-0315/notices/wx-tag/schedule', staff, {})).status).toBe(200);
    const deliveryId = 'c-0315~wx-tag~0~wt100';
    // A dispatcher sent it and died before recording the outcome.
    bench.clock.set('2031-03-17T00:00:10Z');
    db.setNow(bench.clock.read());
    const first = await channel.client.massSend({ mediaId: approved.body.notice.wechatDraft.mediaId, tagId: 100, clientMsgId: clientMsgIdOf(deliveryId) });
    const before = sink.outbox.list().length;

    const run = await bench.dispatch({ wechat: async () => channel });
    expect(run.sent).toBe(1);
    expect(sink.outbox.list()).toHaveLength(before);
    // WeChat's result for the first send came back meanwhile: the delivery is that send, finished.
    await sink.callbacksSettled();
    const deliveries = await send('GET', '/campaigns/c-0315/notices/wx-tag/deliveries?state=delivered', staff);
    expect(deliveries.body.items[0]).toMatchObject({ id: deliveryId, messageId: first.msgId, reason: expect.stringContaining('same clientmsgid'), wechat: { sentCount: 300 } });
  });
});

describe('WeChat’s callback', () => {
  const signed = (timestamp: string, nonce: string, token = secrets.callbackToken) =>
    `signature=${createHash('sha1').update([token, timestamp, nonce].sort().join('')).digest('hex')}&timestamp=${timestamp}&nonce=${nonce}`;
  const now = () => String(Math.floor(bench.clock.read().getTime() / 1000));
  const event = (msgId: string) =>
    `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[mphelper]]></FromUserName><CreateTime>${now()}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[MASSSENDJOBFINISH]]></Event><MsgID>${msgId}</MsgID><Status><![CDATA[send success]]></Status><TotalCount>5</TotalCount><FilterCount>5</FilterCount><SentCount>5</SentCount><ErrorCount>0</ErrorCount></xml>`;
  const post = (query: string, body: string) => app.request(`/wechat/callback?${query}`, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body });

  it('answers WeChat’s URL check only when signed with the Token', async () => {
    const good = await app.request(`/wechat/callback?${signed(now(), '1234')}&echostr=hello`);
    expect(good.status).toBe(200);
    expect(await good.text()).toBe('hello');
    const forged = await app.request(`/wechat/callback?${signed(now(), '1235', 'notTheToken')}&echostr=hello`);
    expect(forged.status).toBe(401);
  });

  it('refuses a forged, a stale and a replayed event; none is recorded', async () => {
    expect((await post(signed(now(), '2001', 'forgedToken'), event('9990001'))).status).toBe(401);
    const stale = String(Number(now()) - 600);
    expect((await post(signed(stale, '2002'), event('9990002'))).status).toBe(401);
    const query = signed(now(), '2003');
    expect((await post(query, event('9990003'))).status).toBe(200);
    expect((await post(query, event('9990004'))).status).toBe(401);
    // Only the one accepted event was kept.
    const kept = async (msgId: string) => (await db.store.wechatSends.applyResult(county, msgId, new Date())).kind;
    expect(await kept('9990001')).toBe('waiting');
    const results = await Promise.all(['9990001', '9990002', '9990004'].map(async (msgId) => db.client.send(new (await import('@aws-sdk/lib-dynamodb')).GetCommand({ TableName: db.tableName, Key: { pk: `C#${county}#WECHAT_MSG#${msgId}`, sk: 'RESULT' } }))));
    expect(results.map((result) => result.Item)).toEqual([undefined, undefined, undefined]);
  });

  it('lets WeChat’s retry in when the first try of an event failed: the nonce is not spent on it', async () => {
    const query = signed(now(), '4001');
    const broken = event('9990005').replace('<TotalCount>5</TotalCount>', '');
    expect((await post(query, broken)).status).toBe(400);
    const retried = await post(query, event('9990005'));
    expect(retried.status).toBe(200);
    expect((await post(query, event('9990005'))).status).toBe(401);
  });

  it('refuses events in 安全模式 (encrypted), naming what to set', async () => {
    const answer = await post(`${signed(now(), '5001')}&encrypt_type=aes`, '<xml><Encrypt><![CDATA[…]]></Encrypt></xml>');
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { errors: { field: string }[] }).errors).toContainEqual(expect.objectContaining({ field: 'query.encrypt_type' }));
  });

  it('answers other events and messages "success" without acting on them', async () => {
    const text = `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>${now()}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好]]></Content></xml>`;
    const answer = await post(signed(now(), '3001'), text);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe('success');
  });
});
