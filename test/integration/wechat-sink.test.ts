/**
 * The WeChat channel end to end without WeChat: the real client over real HTTP to the local
 * WeChat sink — tokens, the draft box, preview, mass send with its quotas, clientmsgid dedup,
 * API 群发保护, and the signed MASSSENDJOBFINISH event at the callback.
 */
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { startWeChatSink, type RunningWeChatSink, type WeChatSinkOptions } from '../../functions/local/wechat-sink.js';
import { createWeChatClient, type TokenSource } from '../../functions/wechat/client.js';
import { WeChatApiError, WeChatQuotaReached, WeChatRateLimited } from '../../functions/wechat/errors.js';

const APP = { appId: 'wx0123456789abcdef', appSecret: 'county-secret' };
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const SENDALL = '/cgi-bin/message/mass/sendall';

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((item) => item.stop()));
});

async function aSink(options: Partial<WeChatSinkOptions> = {}): Promise<RunningWeChatSink> {
  const sink = await startWeChatSink({ ...APP, accountType: 'subscription', followers: 1200, finishDelayMs: 20, ...options });
  running.push(sink);
  return sink;
}

/** The lease's part, in memory: a token from stable_token, replaced when the client calls it stale. */
function aLease(endpoint: string): TokenSource & { refreshes: number } {
  const tokens = createWeChatClient({ baseUrl: endpoint });
  let current: Promise<string> | undefined;
  const lease = {
    refreshes: 0,
    get: () => (current ??= tokens.stableToken(APP).then((answer) => answer.accessToken)),
    refresh: async (stale: string) => {
      if ((await lease.get()) !== stale) return lease.get();
      lease.refreshes += 1;
      current = tokens.stableToken(APP).then((answer) => answer.accessToken);
      return current;
    },
  };
  return lease;
}

/** A client with a lease, and a draft ready to send. */
async function aDraft(sink: RunningWeChatSink, clientOptions: { massSendProtection?: boolean } = {}) {
  const lease = aLease(sink.endpoint);
  const client = createWeChatClient({ baseUrl: sink.endpoint, token: lease, ...clientOptions });
  const cover = await client.addImageMaterial(PNG, 'cover.png', 'image/png');
  const inline = await client.uploadArticleImage(PNG, 'figure.png', 'image/png');
  const mediaId = await client.addDraft([
    { title: '宪法宣传周：学习宪法 尊法守法', author: '县司法局', digest: '12月4日国家宪法日', content: `<p>宪法是国家的根本法。</p><img src="${inline}">`, thumbMediaId: cover.mediaId, needOpenComment: true },
  ]);
  return { client, lease, mediaId, cover, inline };
}

/** A server that takes the callback's POSTs. */
async function aCallbackReceiver() {
  const received: { url: URL; body: string }[] = [];
  const app = new Hono().post('/wechat/events', async (c) => {
    received.push({ url: new URL(c.req.url), body: await c.req.text() });
    return c.text('success');
  });
  const url = await new Promise<string>((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(`http://127.0.0.1:${info.port}/wechat/events`));
    running.push({ stop: () => new Promise<void>((done) => server.close(() => done())) });
  });
  return { url, received };
}

const field = (xml: string, name: string) => xml.match(new RegExp(`<${name}>(?:<!\\[CDATA\\[)?(.*?)(?:\\]\\]>)?</${name}>`))?.[1];

describe('the local WeChat sink with the real client', () => {
  it('issues a token, gives the same one again while it is valid, and a new one on force_refresh', async () => {
    const sink = await aSink({ tokenLifetimeSeconds: 7200 });
    const client = createWeChatClient({ baseUrl: sink.endpoint });
    const first = await client.stableToken(APP);
    expect(first.expiresIn).toBe(7200);
    expect((await client.stableToken(APP)).accessToken).toBe(first.accessToken);
    const forced = await client.stableToken({ ...APP, forceRefresh: true });
    expect(forced.accessToken).not.toBe(first.accessToken);
    await expect(client.stableToken({ ...APP, appSecret: 'wrong' })).rejects.toMatchObject({ errcode: 40125 });
    await expect(client.stableToken({ ...APP, appId: 'wxnotours' })).rejects.toMatchObject({ errcode: 40013 });
  });

  it('keeps uploads, serves them back, and keeps the draft and the preview', async () => {
    const sink = await aSink();
    const { client, mediaId, inline, cover } = await aDraft(sink);
    expect(new Uint8Array(await (await fetch(inline)).arrayBuffer())).toEqual(PNG);
    expect((await fetch(cover.url)).headers.get('content-type')).toBe('image/png');
    expect(sink.drafts.get(mediaId)?.[0]).toMatchObject({ title: '宪法宣传周：学习宪法 尊法守法', thumb_media_id: cover.mediaId, need_open_comment: 1 });
    await client.previewToOpenId('oReviewer123', mediaId);
    expect(sink.previews).toMatchObject([{ openId: 'oReviewer123', mediaId }]);
  });

  it('refreshes an expired token once and the call then succeeds', async () => {
    const sink = await aSink();
    const { client, lease, mediaId } = await aDraft(sink);
    sink.expireTokens();
    const before = sink.calls('/cgi-bin/message/mass/preview');
    await client.previewToOpenId('oReviewer123', mediaId);
    expect(lease.refreshes).toBe(1);
    expect(sink.calls('/cgi-bin/message/mass/preview') - before).toBe(2);
    expect(sink.previews).toHaveLength(1);
  });

  it('surfaces 45009 as rate-limited, without sending', async () => {
    const sink = await aSink();
    const { client, mediaId } = await aDraft(sink);
    sink.failNext(SENDALL, 45009);
    await expect(client.massSend({ mediaId, toAll: true, clientMsgId: 'notice-7' })).rejects.toBeInstanceOf(WeChatRateLimited);
    expect(sink.outbox.list()).toHaveLength(0);
    expect((await client.massSend({ mediaId, toAll: true, clientMsgId: 'notice-7' })).duplicate).toBe(false);
  });

  it('never sends twice under one clientmsgid, and reports the first send', async () => {
    const sink = await aSink();
    const { client, mediaId } = await aDraft(sink);
    const first = await client.massSend({ mediaId, toAll: true, clientMsgId: 'notice-8' });
    const again = await client.massSend({ mediaId, toAll: true, clientMsgId: 'notice-8' });
    expect(again).toEqual({ state: 'submitted', msgId: first.msgId, duplicate: true });
    expect(sink.outbox.list()).toHaveLength(1);
    await sink.callbacksSettled();
    expect(await client.massStatus(first.msgId)).toBe('SEND_SUCCESS');
  });

  it("refuses a 订阅号's second mass send in one day", async () => {
    const sink = await aSink({ accountType: 'subscription' });
    const { client, mediaId } = await aDraft(sink);
    await client.massSend({ mediaId, toAll: true, clientMsgId: 'notice-9' });
    await expect(client.massSend({ mediaId, tagId: 2, clientMsgId: 'notice-10' })).rejects.toBeInstanceOf(WeChatQuotaReached);
    expect(sink.outbox.list()).toHaveLength(1);
  });

  it('leaves out, for a 服务号, followers who had four mass sends this month', async () => {
    const sink = await aSink({ accountType: 'service', followers: 1000, tags: { 2: 300 } });
    const { client, mediaId } = await aDraft(sink);
    for (let n = 1; n <= 4; n += 1) await client.massSend({ mediaId, tagId: 2, clientMsgId: `tag-2-${n}` });
    await sink.callbacksSettled();
    await client.massSend({ mediaId, tagId: 2, clientMsgId: 'tag-2-5' });
    await client.massSend({ mediaId, toAll: true, clientMsgId: 'all-1' });
    await sink.callbacksSettled();
    const [fifth, toAll] = sink.outbox.list().slice(4);
    expect(fifth).toMatchObject({ totalCount: 300, filterCount: 0, sentCount: 0 });
    expect(toAll).toMatchObject({ totalCount: 1000, filterCount: 700, sentCount: 700 });
    await expect(client.massSend({ mediaId, toAll: true, clientMsgId: 'all-2' })).rejects.toBeInstanceOf(WeChatQuotaReached);
  });

  it('with API 群发保护, holds a send to all until an administrator confirms', async () => {
    const callback = await aCallbackReceiver();
    const sink = await aSink({ protection: true, callback: { url: callback.url, token: 'pufa-callback' } });
    const { client, mediaId } = await aDraft(sink, { massSendProtection: true });
    const sent = await client.massSend({ mediaId, toAll: true, clientMsgId: 'notice-11' });
    expect(sent.state).toBe('awaiting-confirmation');
    await new Promise((wake) => setTimeout(wake, 60));
    expect(await client.massStatus(sent.msgId)).toBe('SENDING');
    expect(callback.received).toHaveLength(0);
    expect((await fetch(`${sink.endpoint}/__sink/confirm/${sent.msgId}`, { method: 'POST' })).status).toBe(200);
    await sink.callbacksSettled();
    expect(await client.massStatus(sent.msgId)).toBe('SEND_SUCCESS');
    expect(callback.received).toHaveLength(1);
  });

  it('posts MASSSENDJOBFINISH signed as WeChat signs, with the counts', async () => {
    const callback = await aCallbackReceiver();
    const sink = await aSink({ followers: 1200, tags: { 5: 400 }, callback: { url: callback.url, token: 'pufa-callback' } });
    const { client, mediaId } = await aDraft(sink);
    const sent = await client.massSend({ mediaId, tagId: 5, clientMsgId: 'notice-12' });
    await sink.callbacksSettled();
    const [event] = callback.received;
    if (!event) throw new Error('no callback arrived');
    const timestamp = event.url.searchParams.get('timestamp') ?? '';
    const nonce = event.url.searchParams.get('nonce') ?? '';
    const expected = createHash('sha1').update(['pufa-callback', timestamp, nonce].sort().join('')).digest('hex');
    expect(event.url.searchParams.get('signature')).toBe(expected);
    expect(field(event.body, 'Event')).toBe('MASSSENDJOBFINISH');
    expect(field(event.body, 'MsgID')).toBe(sent.msgId);
    expect(field(event.body, 'Status')).toBe('sendsuccess');
    expect([field(event.body, 'TotalCount'), field(event.body, 'FilterCount'), field(event.body, 'SentCount'), field(event.body, 'ErrorCount')]).toEqual(['400', '400', '400', '0']);
  });

  it('answers a call with an unknown token 40001, which the client refreshes past', async () => {
    const sink = await aSink();
    const stale: TokenSource = { get: async () => 'not-a-token', refresh: async () => (await createWeChatClient({ baseUrl: sink.endpoint }).stableToken(APP)).accessToken };
    const client = createWeChatClient({ baseUrl: sink.endpoint, token: stale });
    await expect(client.massStatus('1')).rejects.toMatchObject({ errcode: 40059 });
    expect(sink.calls('/cgi-bin/message/mass/get')).toBe(2);
    await expect(client.massStatus('1')).rejects.toBeInstanceOf(WeChatApiError);
  });

  it('fails a protected send nobody confirmed within 30 minutes', async () => {
    let now = Date.parse('2031-12-04T01:00:00Z');
    const sink = await aSink({ protection: true, clock: () => new Date(now) });
    const { client, mediaId } = await aDraft(sink, { massSendProtection: true });
    const sent = await client.massSend({ mediaId, toAll: true, clientMsgId: 'notice-13' });
    now += 31 * 60_000;
    expect(await client.massStatus(sent.msgId)).toBe('SEND_FAIL');
    expect((await fetch(`${sink.endpoint}/__sink/confirm/${sent.msgId}`, { method: 'POST' })).status).toBe(404);
  });

  it("gives a 订阅号 its mass send again on the next day in China's time", async () => {
    let now = Date.parse('2031-12-04T15:30:00Z'); // 23:30 in Beijing
    const sink = await aSink({ clock: () => new Date(now) });
    const { client, mediaId } = await aDraft(sink);
    await client.massSend({ mediaId, toAll: true, clientMsgId: 'day-1' });
    now += 20 * 60_000; // 23:50, same day
    await expect(client.massSend({ mediaId, toAll: true, clientMsgId: 'day-1b' })).rejects.toBeInstanceOf(WeChatQuotaReached);
    now += 20 * 60_000; // 00:10 the next day
    expect((await client.massSend({ mediaId, toAll: true, clientMsgId: 'day-2' })).duplicate).toBe(false);
  });

  it('sends once when sendall meets an expired token, and says so when the callback refuses', async () => {
    const sink = await aSink({ callback: { url: 'http://127.0.0.1:9/nobody-listens', token: 't' } });
    const { client, lease, mediaId } = await aDraft(sink);
    sink.expireTokens();
    await client.massSend({ mediaId, toAll: true, clientMsgId: 'notice-14' });
    expect(lease.refreshes).toBe(1);
    expect(sink.calls(SENDALL)).toBe(2);
    expect(sink.outbox.list()).toHaveLength(1);
    await expect(sink.callbacksSettled()).rejects.toThrow();
  });
});
