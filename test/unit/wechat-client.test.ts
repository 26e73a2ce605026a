/**
 * The WeChat client's edges without a server: what it does with answers that are not JSON, JSON
 * of the wrong shape, a dead network, a slow WeChat, and a token that stays refused.
 */
import { describe, expect, it } from 'vitest';
import { createWeChatClient, type TokenSource } from '../../functions/wechat/client.js';
import {
  WeChatApiError,
  WeChatBadAnswer,
  WeChatDuplicateSend,
  WeChatQuotaReached,
  WeChatRateLimited,
  WeChatTokenRejected,
  WeChatUnreachable,
} from '../../functions/wechat/errors.js';

/** A token source that hands out `t1`, then `t2`, … on each refresh, and counts refreshes. */
function aTokenSource() {
  let current = 1;
  const refreshed: string[] = [];
  const source: TokenSource = {
    get: async () => `t${current}`,
    refresh: async (stale) => {
      refreshed.push(stale);
      current += 1;
      return `t${current}`;
    },
  };
  return { source, refreshed };
}

/** A fetch that answers each call from the list in turn, and records what was asked. */
function answering(...bodies: (string | Record<string, unknown> | Error)[]) {
  const asked: URL[] = [];
  const fetch = (async (input: string | URL | Request) => {
    asked.push(new URL(String(input)));
    const body = bodies.shift();
    if (body === undefined) throw new Error('no more answers scripted');
    if (body instanceof Error) throw body;
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status: 200 });
  }) as typeof globalThis.fetch;
  return { fetch, asked };
}

const aSend = { mediaId: 'draft-1', toAll: true as const, clientMsgId: 'notice-42' };

describe('the WeChat client', () => {
  it('calls an HTML error page a bad answer, with what came back', async () => {
    const { fetch } = answering('<html>502 Bad Gateway</html>');
    const client = createWeChatClient({ fetch, token: aTokenSource().source });
    const error = await client.massStatus('1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WeChatBadAnswer);
    expect((error as WeChatBadAnswer).body).toContain('502');
  });

  it('calls JSON of the wrong shape a bad answer rather than reading it', async () => {
    const { fetch } = answering({ msg_id: 7, msg_status: 'MAYBE' });
    const client = createWeChatClient({ fetch, token: aTokenSource().source });
    await expect(client.massStatus('7')).rejects.toBeInstanceOf(WeChatBadAnswer);
    const { fetch: noUrl } = answering({ errcode: 0, errmsg: 'ok' });
    await expect(createWeChatClient({ fetch: noUrl, token: aTokenSource().source }).uploadArticleImage(new Uint8Array([1]), 'a.png', 'image/png')).rejects.toBeInstanceOf(WeChatBadAnswer);
  });

  it('never quotes an access token in a bad answer it reports (the report may be logged)', async () => {
    const { fetch } = answering({ access_token: 'SECRET-TOKEN-VALUE', expires_in: 'soon' });
    const error = await createWeChatClient({ fetch }).stableToken({ appId: 'wx0123456789abcdef', appSecret: 'x'.repeat(32) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WeChatBadAnswer);
    expect(JSON.stringify({ message: (error as Error).message, body: (error as WeChatBadAnswer).body })).not.toContain('SECRET-TOKEN-VALUE');
    expect((error as WeChatBadAnswer).body).toContain('expires_in');
  });

  it('reports a connection that fails as unreachable, keeping the cause', async () => {
    const { fetch } = answering(new TypeError('fetch failed'));
    const error = await createWeChatClient({ fetch, token: aTokenSource().source }).massStatus('1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WeChatUnreachable);
    expect((error as Error).cause).toBeInstanceOf(TypeError);
  });

  it('gives up on a call after its timeout', async () => {
    const slow = ((_input: string | URL | Request, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)))) as typeof fetch;
    const client = createWeChatClient({ fetch: slow, token: aTokenSource().source, timeoutMs: 50 });
    await expect(client.massStatus('1')).rejects.toThrow(/did not answer within 50 ms/);
  });

  it('refreshes a refused token once, and no more', async () => {
    const tokens = aTokenSource();
    const { fetch, asked } = answering({ errcode: 42001, errmsg: 'access_token expired' }, { errcode: 40001, errmsg: 'invalid credential' });
    const error = await createWeChatClient({ fetch, token: tokens.source }).massStatus('1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WeChatTokenRejected);
    expect(tokens.refreshed).toEqual(['t1']);
    expect(asked.map((url) => url.searchParams.get('access_token'))).toEqual(['t1', 't2']);
  });

  it('tells a rate limit, a spent quota and other refusals apart', async () => {
    const client = (answer: Record<string, unknown>) => createWeChatClient({ fetch: answering(answer).fetch, token: aTokenSource().source });
    await expect(client({ errcode: 45011, errmsg: 'api minute-quota reach limit' }).massSend(aSend)).rejects.toBeInstanceOf(WeChatRateLimited);
    await expect(client({ errcode: 45028, errmsg: 'has no masssend quota' }).massSend(aSend)).rejects.toBeInstanceOf(WeChatQuotaReached);
    const other = await client({ errcode: 40007, errmsg: 'invalid media_id' }).massSend(aSend).catch((caught: unknown) => caught);
    expect(other).toBeInstanceOf(WeChatApiError);
    expect(other).toMatchObject({ errcode: 40007, errmsg: 'invalid media_id' });
  });

  it('takes 45065 with the earlier msg_id as that send, and without it refuses to guess', async () => {
    const named = createWeChatClient({ fetch: answering({ errcode: 45065, errmsg: 'clientmsgid exist', msg_id: 3147494552 }).fetch, token: aTokenSource().source });
    expect(await named.massSend(aSend)).toEqual({ state: 'submitted', msgId: '3147494552', duplicate: true });
    const unnamed = createWeChatClient({ fetch: answering({ errcode: 45065, errmsg: 'clientmsgid exist' }).fetch, token: aTokenSource().source });
    const error = await unnamed.massSend(aSend).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WeChatDuplicateSend);
    expect(error).toMatchObject({ clientMsgId: 'notice-42' });
  });

  it('refuses a clientmsgid over 64 bytes before asking WeChat', async () => {
    const { fetch, asked } = answering();
    await expect(createWeChatClient({ fetch, token: aTokenSource().source }).massSend({ ...aSend, clientMsgId: '普'.repeat(22) })).rejects.toThrow(/64 bytes/);
    expect(asked).toHaveLength(0);
  });
});
